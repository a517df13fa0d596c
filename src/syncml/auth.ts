/**
 * SyncML DM application-layer credentials (DM 1.2.1 Security §5.1.3): syncml:auth-basic and syncml:auth-md5.
 * The nonce is handled as raw bytes; Chal/NextNonce carries it base64-encoded.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Cred } from './model.js';

export const AUTH_BASIC = 'syncml:auth-basic';
export const AUTH_MD5 = 'syncml:auth-md5';
export const AUTH_MAC = 'syncml:auth-MAC';

/** The DMAcc AAuthType values the harness speaks in DM sessions (HMAC: syncml:auth-MAC, see hmac.ts). */
export type AuthType = 'DIGEST' | 'BASIC' | 'HMAC';
/** All of them, in the order the flows of a run take them. */
export const AUTH_TYPES: readonly AuthType[] = ['DIGEST', 'HMAC', 'BASIC'];

/** The Cred/Chal type of an AAuthType that goes in Cred (HMAC goes in a transport header instead). */
export const credTypeOf = (t: AuthType = 'DIGEST'): string => (t === 'BASIC' ? AUTH_BASIC : t === 'HMAC' ? AUTH_MAC : AUTH_MD5);

export interface ExpectedCred {
  username: string;
  password: string;
  /** The nonce the verifier last issued; needed for syncml:auth-md5. */
  nonce?: Buffer;
  /** The account's type: credentials of another type do not verify. */
  type?: AuthType;
}

export interface CredCheck {
  ok: boolean;
  reason?: string;
}

function md5(data: Buffer | string): Buffer {
  return createHash('md5').update(data).digest();
}

function b64(data: Buffer | string): string {
  return Buffer.from(data).toString('base64');
}

export function basicCred(username: string, password: string): Cred {
  return { meta: { format: 'b64', type: AUTH_BASIC }, data: b64(`${username}:${password}`) };
}

/** B64(MD5(B64(MD5(username:password)) + ":" + nonce)), the nonce appended as raw bytes. */
export function md5Digest(username: string, password: string, nonce: Buffer): string {
  const inner = b64(md5(`${username}:${password}`));
  return b64(md5(Buffer.concat([Buffer.from(`${inner}:`), nonce])));
}

export function md5Cred(username: string, password: string, nonce: Buffer): Cred {
  return { meta: { format: 'b64', type: AUTH_MD5 }, data: md5Digest(username, password, nonce) };
}

/** The Cred of an account's type; none for HMAC, whose credentials travel in the x-syncml-hmac header. */
export function credFor(type: AuthType | undefined, username: string, password: string, nonce: Buffer): Cred | undefined {
  return type === 'HMAC' ? undefined : type === 'BASIC' ? basicCred(username, password) : md5Cred(username, password, nonce);
}

/** 128 random bits, the size DM Security recommends. */
export function newNonce(): Buffer {
  return randomBytes(16);
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

const B64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

export function verifyCred(cred: Cred, expected: ExpectedCred): CredCheck {
  const { type, format } = cred.meta;
  if (type !== AUTH_BASIC && type !== AUTH_MD5) {
    return { ok: false, reason: `unsupported auth type ${type === undefined ? '(none)' : `"${type}"`}` };
  }
  if (expected.type && type !== credTypeOf(expected.type)) return { ok: false, reason: `${type} credentials for an account of type ${expected.type} (${credTypeOf(expected.type)})` };
  if (format !== 'b64') {
    return { ok: false, reason: `wrong format ${format === undefined ? '(none)' : `"${format}"`} for ${type}, expected "b64"` };
  }
  const data = cred.data.trim();
  if (!B64_RE.test(data) || data.length % 4 !== 0) return { ok: false, reason: `${type} data is not valid base64` };
  return type === AUTH_BASIC ? verifyBasic(Buffer.from(data, 'base64'), expected) : verifyMd5(data, expected);
}

function verifyBasic(decoded: Buffer, expected: ExpectedCred): CredCheck {
  const text = decoded.toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return { ok: false, reason: 'basic credential is not "username:password"' };
  // The user name is not secret; comparing it first gives a more useful reason.
  if (text.slice(0, colon) !== expected.username) {
    return { ok: false, reason: `wrong username "${text.slice(0, colon)}", expected "${expected.username}"` };
  }
  if (!sameBytes(Buffer.from(text.slice(colon + 1)), Buffer.from(expected.password))) {
    return { ok: false, reason: `wrong password for "${expected.username}"` };
  }
  return { ok: true };
}

function verifyMd5(data: string, expected: ExpectedCred): CredCheck {
  if (!expected.nonce) return { ok: false, reason: 'no nonce to check the md5 digest against' };
  const got = Buffer.from(data, 'base64');
  if (got.length !== 16) return { ok: false, reason: `md5 digest is ${got.length} bytes, expected 16` };
  const want = Buffer.from(md5Digest(expected.username, expected.password, expected.nonce), 'base64');
  if (!sameBytes(got, want)) return { ok: false, reason: 'bad md5 digest (wrong username, password or nonce)' };
  return { ok: true };
}
