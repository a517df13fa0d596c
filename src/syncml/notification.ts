/**
 * Package #0, the server's out-of-band trigger (DM 1.2.1 Notification Initiated Session). Binary,
 * big-endian: digest(16) | version(10) ui-mode(2) initiator(1) future-use(27) | sessionid(16) |
 * length-identifier(8) | server-identifier | vendor-specific.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { utf8 } from '../transport/utf8.js';

export class NotificationError extends Error {
  override readonly name = 'NotificationError';
}

export type UiMode = 0 | 1 | 2 | 3;

export interface Notification {
  /** 10-bit version; 11 for DM 1.2. */
  version?: number;
  /** 0 not specified, 1 background, 2 informative, 3 user interaction. */
  uiMode: UiMode;
  /** 0 user, 1 server. */
  initiator: 0 | 1;
  sessionId: number;
  serverId: string;
  vendor?: Buffer;
}

export interface DecodedNotification {
  digest: Buffer;
  version: number;
  uiMode: UiMode;
  initiator: 0 | 1;
  sessionId: number;
  serverId: string;
  vendor: Buffer;
  /** Every byte after the digest: what the digest covers. */
  trigger: Buffer;
}

export interface NotificationSecret {
  /** The server password the client holds for this server (DMAcc SRVCRED). */
  password: string;
  nonce: Buffer;
}

export const NOTIFICATION_VERSION = 11;
const DIGEST_LEN = 16;
/** version..future-use (5 bytes) + sessionid (2) + length-identifier (1). */
const HEADER_LEN = 8;

function md5(data: Buffer | string): Buffer {
  return createHash('md5').update(data).digest();
}

function b64md5(data: Buffer | string): Buffer {
  return Buffer.from(md5(data).toString('base64'));
}

/** MD5(B64(MD5(server-identifier:password)) + ":" + nonce + ":" + B64(MD5(trigger))). */
function notificationDigest(serverId: string, trigger: Buffer, secret: NotificationSecret): Buffer {
  const colon = Buffer.from(':');
  return md5(Buffer.concat([b64md5(`${serverId}:${secret.password}`), colon, secret.nonce, colon, b64md5(trigger)]));
}

function checkRange(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new NotificationError(`${name} ${value} out of range 0..${max}`);
  }
}

export function encodeNotification(n: Notification, secret: NotificationSecret): Buffer {
  const version = n.version ?? NOTIFICATION_VERSION;
  checkRange('version', version, 0x3ff);
  checkRange('ui-mode', n.uiMode, 3);
  checkRange('initiator', n.initiator, 1);
  checkRange('sessionid', n.sessionId, 0xffff);
  const serverId = Buffer.from(n.serverId, 'utf8');
  checkRange('server-identifier length', serverId.length, 0xff);
  const header = Buffer.alloc(HEADER_LEN); // future-use bits stay zero
  header.writeUInt16BE((version << 6) | (n.uiMode << 4) | (n.initiator << 3), 0);
  header.writeUInt16BE(n.sessionId, 5);
  header.writeUInt8(serverId.length, 7);
  const trigger = Buffer.concat([header, serverId, n.vendor ?? Buffer.alloc(0)]);
  return Buffer.concat([notificationDigest(n.serverId, trigger, secret), trigger]);
}

export function decodeNotification(buf: Buffer): DecodedNotification {
  const min = DIGEST_LEN + HEADER_LEN;
  if (buf.length < min) throw new NotificationError(`too short: ${buf.length} bytes, need at least ${min}`);
  const trigger = buf.subarray(DIGEST_LEN);
  const first = trigger.readUInt16BE(0);
  const idLen = trigger.readUInt8(7);
  if (HEADER_LEN + idLen > trigger.length) {
    throw new NotificationError(
      `length identifier ${idLen} goes past the end (${trigger.length - HEADER_LEN} bytes after the header)`,
    );
  }
  // Binding profile: the server identifier is UTF-8; read any other way it could name a server it is not.
  const serverId = utf8(trigger.subarray(HEADER_LEN, HEADER_LEN + idLen));
  if (serverId === undefined) throw new NotificationError('server-identifier is not valid UTF-8');
  return {
    digest: Buffer.from(buf.subarray(0, DIGEST_LEN)),
    version: first >> 6,
    uiMode: ((first >> 4) & 0b11) as UiMode,
    initiator: ((first >> 3) & 1) as 0 | 1,
    sessionId: trigger.readUInt16BE(5),
    serverId,
    vendor: Buffer.from(trigger.subarray(HEADER_LEN + idLen)),
    trigger: Buffer.from(trigger),
  };
}

/**
 * The special nonce 0x00000000 (DM 1.2.1 Notification): a server that believes the nonces out of step signs
 * Package #0 with it, and a client whose check with its own nonce fails tries it before discarding the push.
 */
export const SPECIAL_NONCE: Buffer = Buffer.alloc(4);

export function verifyNotification(decoded: DecodedNotification, secret: NotificationSecret): boolean {
  const want = notificationDigest(decoded.serverId, decoded.trigger, secret);
  return decoded.digest.length === want.length && timingSafeEqual(decoded.digest, want);
}

/** The pkg1 SessionID for a Package #0 session id: upper-case hex, no leading zeros (1-4 digits). */
export function sessionIdHex(n: number): string {
  checkRange('sessionid', n, 0xffff);
  return n.toString(16).toUpperCase();
}
