/**
 * syncml:auth-MAC (DM 1.2.1 Security §5.1.3): HMAC-MD5 integrity and authentication of every message, carried
 * in the `x-syncml-hmac` transport header, never in Cred, with a new nonce handed over in every message.
 * The header's fields and what they cover are from the spec; the composition of the mac value follows the
 * syncml:auth-md5 digest and is reconstructed: B64(MD5(B64(MD5(username:password)):nonce:B64(MD5(body)))).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { CredCheck } from './auth.js';

export const HMAC_HEADER = 'x-syncml-hmac';

const md5 = (data: Buffer | string) => createHash('md5').update(data).digest();
const b64 = (data: Buffer) => data.toString('base64');

/** The mac over `body` (the message's bytes as sent: XML or WBXML) with the peer's last nonce. */
export function hmacValue(username: string, password: string, nonce: Buffer, body: Buffer): string {
  const inner = b64(md5(`${username}:${password}`));
  return b64(md5(Buffer.concat([Buffer.from(`${inner}:`), nonce, Buffer.from(`:${b64(md5(body))}`)])));
}

/** The header value: `algorithm=MD5, username="…", mac=…`. */
export function hmacHeader(username: string, password: string, nonce: Buffer, body: Buffer): string {
  return `algorithm=MD5, username="${username}", mac=${hmacValue(username, password, nonce, body)}`;
}

export interface HmacFields {
  algorithm?: string;
  username?: string;
  mac?: string;
}

/** The header's fields; names are case-insensitive, values may be quoted. */
export function parseHmacHeader(value: string): HmacFields {
  const out: Record<string, string> = {};
  for (const m of value.matchAll(/([A-Za-z]+)\s*=\s*("([^"]*)"|[^,\s]*)/g)) out[m[1].toLowerCase()] = m[3] ?? m[2];
  return { algorithm: out.algorithm, username: out.username, mac: out.mac };
}

/** Checks a message's header against the sender's credentials and the nonce the receiver last handed it. */
export function verifyHmac(header: string | undefined, body: Buffer, expected: { username: string; password: string; nonce: Buffer }): CredCheck {
  if (!header) return { ok: false, reason: `no ${HMAC_HEADER} header` };
  const f = parseHmacHeader(header);
  // MD5 is the default and the only algorithm DM 1.2.1 names.
  if (f.algorithm !== undefined && f.algorithm.toUpperCase() !== 'MD5') return { ok: false, reason: `unsupported algorithm "${f.algorithm}"` };
  if (f.username !== expected.username) return { ok: false, reason: `wrong username ${f.username === undefined ? '(none)' : `"${f.username}"`}, expected "${expected.username}"` };
  if (!f.mac) return { ok: false, reason: 'no mac' };
  const got = Buffer.from(f.mac, 'base64');
  const want = Buffer.from(hmacValue(expected.username, expected.password, expected.nonce, body), 'base64');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return { ok: false, reason: 'mac does not verify (wrong password, nonce or body)' };
  return { ok: true };
}
