import { delegationSummary, parseDelegationHandingOn } from '../delegation/codec.js';
import { MEDIA } from '../profile.js';
import { describeCommand, parseSyncMLHandingOn } from '../syncml/codec.js';
import { decodeNotification } from '../syncml/notification.js';
import { decodeWbxmlHandingOn } from '../syncml/wbxml.js';
import type { BodyParser } from '../transport/body-parser.js';
import { parseMediaType } from '../transport/media-type.js';
import type { ParsedBody } from './events.js';

/** Decodes the three body kinds of the protocol for the trace; a body that does not decode says why. */
export const parseBody: BodyParser = (contentType, raw): ParsedBody | undefined => {
  // Judge by content: a body sent with a wrong content type is still read by what it is.
  const media = parseMediaType(contentType);
  const declared = media.ok ? media.media.essence : '';
  const type = [MEDIA.syncml, MEDIA.syncmlWbxml, MEDIA.delegation, MEDIA.notification].includes(declared as never) ? declared : sniff(raw);
  try {
    if (type === MEDIA.syncml || type === MEDIA.syncmlWbxml) {
      // The encoding is the body's, whatever the header said: the trace states it for each message.
      const encoding = isWbxml(raw) ? 'wbxml' : 'xml';
      const m = parseSyncMLHandingOn(encoding === 'wbxml' ? decodeWbxmlHandingOn(raw) : raw.toString('utf8'));
      const cmds = m.body.map(describeCommand).join('; ');
      return { codec: 'syncml', encoding, value: m, summary: `SyncML${encoding === 'wbxml' ? ' (WBXML)' : ''} session ${m.hdr.sessionId} msg ${m.hdr.msgId}${m.final ? ' final' : ''}: ${cmds || '(no commands)'}` };
    }
    if (type === MEDIA.delegation) {
      const r = parseDelegationHandingOn(raw.toString('utf8'));
      return r.ok
        ? { codec: 'delegation', value: r.message, summary: delegationSummary(r.message) }
        : { codec: 'delegation', error: `${r.code}: ${r.reason}` };
    }
    if (type === MEDIA.notification) {
      const n = decodeNotification(raw);
      return {
        codec: 'notification',
        value: { version: n.version, uiMode: n.uiMode, initiator: n.initiator, sessionId: n.sessionId, serverId: n.serverId, digest: n.digest.toString('base64') },
        summary: `Package #0 from ${n.serverId}, session ${n.sessionId.toString(16).toUpperCase()}`,
      };
    }
  } catch (err) {
    const codec = type === MEDIA.syncml ? 'syncml' : 'notification';
    return { codec, error: (err as Error).message };
  }
  return undefined;
};

/** A SyncML WBXML document: a version byte (1.1 to 1.3), then the SyncML 1.2 public id (0x1201) or a literal one. */
const isWbxml = (raw: Buffer) => raw.length > 3 && raw[0]! >= 0x01 && raw[0]! <= 0x03 && ((raw[1] === 0xa4 && raw[2] === 0x01) || raw[1] === 0x00);

function sniff(raw: Buffer): string {
  if (isWbxml(raw)) return MEDIA.syncmlWbxml;
  const head = raw.subarray(0, 512).toString('utf8');
  if (/<(\w+:)?SyncML[\s>]/.test(head)) return MEDIA.syncml;
  if (/<(\w+:)?Delegation[\s>]/.test(head)) return MEDIA.delegation;
  return '';
}
