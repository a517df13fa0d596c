import { describe, test, expect } from 'vitest';
import { createHash } from 'node:crypto';
import {
  NotificationError, decodeNotification, encodeNotification, sessionIdHex, verifyNotification,
} from '../../src/syncml/notification.js';
import { parseSyncML } from '../../src/syncml/codec.js';
import { PKG1 } from './fixtures.js';

const secret = { password: 'serverpwd', nonce: Buffer.from('0123456789abcdef', 'hex') };
const trigger = { uiMode: 2, initiator: 1, sessionId: 0x2a, serverId: 'dms2.example.com', vendor: Buffer.from([1, 2, 3]) } as const;

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest();

describe('encodeNotification / decodeNotification', () => {
  const buf = encodeNotification(trigger, secret);

  test('header bits are laid out big-endian after the 16-byte digest', () => {
    expect(buf).toHaveLength(16 + 8 + 'dms2.example.com'.length + 3);
    // version 11 (0000001011) | ui-mode 10 | initiator 1 | 27 zero bits, then sessionid 0x002A, length 16
    expect([...buf.subarray(16, 24)]).toEqual([0b00000010, 0b11101000, 0, 0, 0, 0x00, 0x2a, 16]);
    expect(buf.subarray(24, 40).toString('ascii')).toBe('dms2.example.com');
    expect([...buf.subarray(40)]).toEqual([1, 2, 3]);
  });

  test('the digest follows the spec formula, computed independently', () => {
    const triggerBytes = buf.subarray(16);
    const serverPart = Buffer.from(md5('dms2.example.com:serverpwd').toString('base64'));
    const triggerPart = Buffer.from(md5(triggerBytes).toString('base64'));
    const expected = md5(Buffer.concat([serverPart, Buffer.from(':'), secret.nonce, Buffer.from(':'), triggerPart]));
    expect(buf.subarray(0, 16).equals(expected)).toBe(true);
  });

  test('decode returns what was encoded', () => {
    const d = decodeNotification(buf);
    expect(d).toMatchObject({ version: 11, uiMode: 2, initiator: 1, sessionId: 0x2a, serverId: 'dms2.example.com' });
    expect([...d.vendor]).toEqual([1, 2, 3]);
    expect(d.trigger.equals(buf.subarray(16))).toBe(true);
    expect(d.digest.equals(buf.subarray(0, 16))).toBe(true);
  });

  test('other field values survive, including an explicit version and no vendor part', () => {
    const d = decodeNotification(
      encodeNotification({ version: 13, uiMode: 3, initiator: 0, sessionId: 0xffff, serverId: 'x' }, secret),
    );
    expect(d).toMatchObject({ version: 13, uiMode: 3, initiator: 0, sessionId: 0xffff, serverId: 'x' });
    expect(d.vendor).toHaveLength(0);
  });

  test('out-of-range fields are refused when encoding', () => {
    expect(() => encodeNotification({ ...trigger, sessionId: 0x10000 }, secret)).toThrow(NotificationError);
    expect(() => encodeNotification({ ...trigger, version: 1024 }, secret)).toThrow('version 1024 out of range 0..1023');
    expect(() => encodeNotification({ ...trigger, serverId: 'a'.repeat(256) }, secret)).toThrow(/server-identifier length/);
  });
});

describe('verifyNotification', () => {
  const buf = encodeNotification(trigger, secret);

  test('the digest verifies with the right password and nonce', () => {
    expect(verifyNotification(decodeNotification(buf), secret)).toBe(true);
  });

  test('a wrong password or nonce fails', () => {
    const d = decodeNotification(buf);
    expect(verifyNotification(d, { ...secret, password: 'wrong' })).toBe(false);
    expect(verifyNotification(d, { ...secret, nonce: Buffer.from('00000000', 'hex') })).toBe(false);
  });

  test('a changed trigger byte fails', () => {
    const tampered = Buffer.from(buf);
    tampered[22] = 0x2b; // sessionid low byte
    const d = decodeNotification(tampered);
    expect(d.sessionId).toBe(0x2b);
    expect(verifyNotification(d, secret)).toBe(false);
  });
});

describe('malformed notifications', () => {
  const buf = encodeNotification(trigger, secret);

  test('a buffer shorter than digest + header throws', () => {
    expect(() => decodeNotification(buf.subarray(0, 20))).toThrow(new NotificationError('too short: 20 bytes, need at least 24'));
  });

  test('a length identifier past the end throws', () => {
    const err = (() => {
      try {
        decodeNotification(buf.subarray(0, 16 + 8 + 5));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(NotificationError);
    expect((err as Error).message).toBe('length identifier 16 goes past the end (5 bytes after the header)');
  });
});

describe('sessionIdHex', () => {
  test('upper-case hex without leading zeros', () => {
    expect(sessionIdHex(0x2a)).toBe('2A');
    expect(sessionIdHex(0x00a0)).toBe('A0');
    expect(sessionIdHex(0xffff)).toBe('FFFF');
    expect(sessionIdHex(0)).toBe('0');
  });

  test('the package 1 fixture answers a trigger with sessionid 0x2A', () => {
    expect(parseSyncML(PKG1).hdr.sessionId).toBe(sessionIdHex(trigger.sessionId));
  });

  test('values outside 16 bits are refused', () => {
    expect(() => sessionIdHex(0x10000)).toThrow(NotificationError);
    expect(() => sessionIdHex(-1)).toThrow(NotificationError);
  });
});
