import { describe, test, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { basicCred, md5Cred, md5Digest, newNonce, verifyCred } from '../../src/syncml/auth.js';
import { parseSyncML } from '../../src/syncml/codec.js';
import { CLIENT_CRED, PKG1, PKG2, SERVER_CRED } from './fixtures.js';

const user = { username: 'dmclient', password: 'clientpwd' };

describe('syncml:auth-basic', () => {
  test('the credential is b64 of username:password and verifies', () => {
    const cred = basicCred('dmclient', 'clientpwd');
    expect(cred).toStrictEqual({
      meta: { format: 'b64', type: 'syncml:auth-basic' },
      data: Buffer.from('dmclient:clientpwd').toString('base64'),
    });
    expect(verifyCred(cred, user)).toStrictEqual({ ok: true });
  });

  test('a password containing ":" is kept whole', () => {
    expect(verifyCred(basicCred('u', 'a:b'), { username: 'u', password: 'a:b' }).ok).toBe(true);
    expect(verifyCred(basicCred('u', 'a:b'), { username: 'u', password: 'a' }).ok).toBe(false);
  });

  test('wrong password and wrong username give different reasons', () => {
    expect(verifyCred(basicCred('dmclient', 'nope'), user)).toStrictEqual({ ok: false, reason: 'wrong password for "dmclient"' });
    const wrongUser = verifyCred(basicCred('intruder', 'clientpwd'), user);
    expect(wrongUser.ok).toBe(false);
    expect(wrongUser.reason).toBe('wrong username "intruder", expected "dmclient"');
  });

  test('data without a colon is not a basic credential', () => {
    const cred = { meta: { format: 'b64', type: 'syncml:auth-basic' }, data: Buffer.from('nocolon').toString('base64') };
    expect(verifyCred(cred, user).reason).toBe('basic credential is not "username:password"');
  });
});

describe('syncml:auth-md5', () => {
  test('md5Digest matches a step-by-step computation with a binary nonce', () => {
    // Bytes that are not valid UTF-8: a string-based implementation would alter them.
    const nonce = Buffer.from([0xff, 0x00, 0x80, 0x3a, 0xc3, 0x28]);
    const step1 = createHash('md5').update(Buffer.from('dmclient:clientpwd', 'utf8')).digest();
    const step2 = step1.toString('base64');
    const step3 = Buffer.concat([Buffer.from(step2, 'ascii'), Buffer.from([0x3a]), nonce]);
    const step4 = createHash('md5').update(step3).digest().toString('base64');
    expect(md5Digest('dmclient', 'clientpwd', nonce)).toBe(step4);
    expect(Buffer.from(step4, 'base64')).toHaveLength(16);
  });

  test('known vector: the fixture package 1 digest', () => {
    const nonce = Buffer.from(CLIENT_CRED.nonceB64, 'base64');
    expect(nonce.toString('ascii')).toBe('1234567890abcdef');
    expect(md5Digest(CLIENT_CRED.username, CLIENT_CRED.password, nonce)).toBe('Rr4N5RXezaBesGAU2EaEyg==');
  });

  test('round trip with a fresh nonce; wrong password or nonce fails', () => {
    const nonce = newNonce();
    const cred = md5Cred('dmclient', 'clientpwd', nonce);
    expect(cred.meta).toStrictEqual({ format: 'b64', type: 'syncml:auth-md5' });
    expect(verifyCred(cred, { ...user, nonce })).toStrictEqual({ ok: true });

    const wrongPassword = verifyCred(md5Cred('dmclient', 'nope', nonce), { ...user, nonce });
    expect(wrongPassword).toStrictEqual({ ok: false, reason: 'bad md5 digest (wrong username, password or nonce)' });
    expect(verifyCred(cred, { ...user, nonce: newNonce() }).ok).toBe(false);
  });

  test('the credentials parsed from the fixtures verify', () => {
    const clientCred = parseSyncML(PKG1).hdr.cred!;
    const clientNonce = Buffer.from(CLIENT_CRED.nonceB64, 'base64');
    expect(verifyCred(clientCred, { ...CLIENT_CRED, nonce: clientNonce }).ok).toBe(true);
    const serverCred = parseSyncML(PKG2).hdr.cred!;
    const serverNonce = Buffer.from(SERVER_CRED.nonceB64, 'base64');
    expect(verifyCred(serverCred, { ...SERVER_CRED, nonce: serverNonce }).ok).toBe(true);
    expect(verifyCred(serverCred, { ...SERVER_CRED, nonce: clientNonce }).ok).toBe(false);
  });

  test('md5 without a nonce to check against, or with a digest of the wrong size, fails', () => {
    const cred = md5Cred('dmclient', 'clientpwd', newNonce());
    expect(verifyCred(cred, user).reason).toBe('no nonce to check the md5 digest against');
    const short = { ...cred, data: Buffer.alloc(8).toString('base64') };
    expect(verifyCred(short, { ...user, nonce: newNonce() }).reason).toBe('md5 digest is 8 bytes, expected 16');
  });
});

describe('credential envelope', () => {
  test('an unsupported type is named', () => {
    const cred = { meta: { format: 'b64', type: 'syncml:auth-MAC' }, data: 'AAAA' };
    expect(verifyCred(cred, user)).toStrictEqual({ ok: false, reason: 'unsupported auth type "syncml:auth-MAC"' });
    expect(verifyCred({ meta: {}, data: 'AAAA' }, user).reason).toBe('unsupported auth type (none)');
  });

  test('a format other than b64 is refused', () => {
    const cred = { meta: { format: 'chr', type: 'syncml:auth-basic' }, data: 'dmclient:clientpwd' };
    expect(verifyCred(cred, user).reason).toBe('wrong format "chr" for syncml:auth-basic, expected "b64"');
  });

  test('data that is not base64 is refused', () => {
    const cred = { meta: { format: 'b64', type: 'syncml:auth-md5' }, data: 'not base64!' };
    expect(verifyCred(cred, { ...user, nonce: newNonce() }).reason).toBe('syncml:auth-md5 data is not valid base64');
  });
});

test('newNonce gives 16 random bytes', () => {
  const a = newNonce();
  expect(a).toHaveLength(16);
  expect(a.equals(newNonce())).toBe(false);
});
