import { MEDIA } from '../profile.js';
import { LEGACY_SYNCML, sameMediaType } from '../transport/media-type.js';
import { utf8 } from '../transport/utf8.js';
import { decodeWbxml, encodeWbxml } from './wbxml.js';

/** The two encodings of a SyncML DM message on the wire. */
export type SyncmlEncoding = 'xml' | 'wbxml';

/** The media type of an encoding. */
export const mediaOf = (encoding: SyncmlEncoding): string => (encoding === 'wbxml' ? MEDIA.syncmlWbxml : MEDIA.syncml);

/** The encoding a SyncML Content-Type names (the DM 1.1 XML type included), or undefined for any other type. */
export function encodingOf(contentType: string | null | undefined): SyncmlEncoding | undefined {
  if (sameMediaType(contentType ?? '', MEDIA.syncmlWbxml)) return 'wbxml';
  if (sameMediaType(contentType ?? '', MEDIA.syncml) || sameMediaType(contentType ?? '', LEGACY_SYNCML)) return 'xml';
  return undefined;
}

/** The message as XML text; WBXML is decoded (a WbxmlError when it does not decode). Undefined for XML that is not UTF-8. */
export function syncmlText(raw: Buffer | ArrayBuffer, encoding: SyncmlEncoding): string | undefined {
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
  return encoding === 'wbxml' ? decodeWbxml(bytes) : utf8(bytes);
}

/** The bytes of a message built as XML text, in `encoding`. */
export const syncmlBytes = (xml: string, encoding: SyncmlEncoding): Buffer => (encoding === 'wbxml' ? encodeWbxml(xml) : Buffer.from(xml, 'utf8'));
