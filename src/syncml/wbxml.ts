/**
 * WBXML encoding of SyncML DM 1.2 messages (WBXML 1.2 header, UTF-8, SyncML and MetInf code pages), converted
 * to and from the XML text that codec.ts builds and parses (a message codec.ts built is written from its element
 * tree, the text it has not parsed back). The encoder writes every string inline (an empty
 * string table); the decoder reads string table references too. No DTD knowledge beyond the tag tables:
 * whether the result is a valid message is for parseSyncML to say.
 */
import { XMLValidator } from 'fast-xml-parser';
import { builtTrees, orderedXmlBuilder, orderedXmlParser, type XNode } from './codec.js';
import { HandOn } from './hand-on.js';
import {
  CHARSET_UTF8, SYNCML12_FPI, SYNCML12_PAGES, SYNCML12_PUBLIC_ID, TAG_HAS_ATTRIBUTES, TAG_HAS_CONTENT,
  TAG_ID_MASK, TOKEN, WBXML_VERSION_1_2,
} from './wbxml-tables.js';

export class WbxmlError extends Error {
  override readonly name = 'WbxmlError';
  constructor(
    message: string,
    /** Byte offset of the offending token in the WBXML input (decoding only). */
    readonly offset?: number,
  ) {
    super(offset === undefined ? message : `${message} at byte ${offset}`);
  }
}

/** Far deeper than any DM message; bounds recursion on hostile input. */
const MAX_DEPTH = 64;
/** Token ids 0..4 of each tag variant are global tokens, not tags. */
const FIRST_TAG_ID = 0x05;

interface TagRef { page: number; token: number }
// Tag names are unique across the two pages, so the local name alone selects page and token.
const TAG_BY_NAME = new Map<string, TagRef>();
const NAME_BY_TAG = new Map<number, string>();
for (const { page, tags } of SYNCML12_PAGES) {
  for (const [name, token] of Object.entries(tags)) {
    TAG_BY_NAME.set(name, { page, token });
    NAME_BY_TAG.set(page * 256 + token, name);
  }
}
const NAMESPACE_OF_PAGE = new Map(SYNCML12_PAGES.map((p) => [p.page, p.namespace]));

// ---------------------------------------------------------------- encode

/**
 * The latest encodings, by their XML text: a sender measures a message against the peer's MaxMsgSize by
 * encoding it, then encodes the very same text to send it.
 */
const recentEncodings = new Map<string, Buffer>();
const RECENT_ENCODINGS = 8;

/** The WBXML of a SyncML message built as XML text (a WbxmlError when it is none). */
export function encodeWbxml(xml: string): Buffer {
  let bytes = recentEncodings.get(xml);
  if (!bytes) {
    bytes = writeWbxml(xml);
    if (recentEncodings.size >= RECENT_ENCODINGS) recentEncodings.delete(recentEncodings.keys().next().value!);
    recentEncodings.set(xml, bytes);
  }
  // A copy: the caller may change its buffer.
  return Buffer.from(bytes);
}

function writeWbxml(xml: string): Buffer {
  return writeTree(builtTrees.take(xml) ?? parseTree(xml));
}

function parseTree(xml: string): XNode[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new WbxmlError(`malformed XML at line ${valid.err.line}: ${valid.err.msg}`);
  try {
    return orderedXmlParser.parse(xml) as XNode[];
  } catch (e) {
    throw new WbxmlError(`unreadable XML: ${(e as Error).message}`);
  }
}

function writeTree(tree: XNode[]): Buffer {
  const roots = tree.filter((n) => elementName(n) !== undefined);
  if (roots.length !== 1 || localName(elementName(roots[0]!)!) !== 'SyncML') {
    throw new WbxmlError('expected a single <SyncML> root element');
  }
  const out = new Writer();
  out.byte(WBXML_VERSION_1_2);
  out.mb(SYNCML12_PUBLIC_ID);
  out.mb(CHARSET_UTF8);
  out.mb(0); // string table length
  writeElement(out, roots[0]!, 1);
  return out.done();
}

function elementName(node: XNode): string | undefined {
  const key = Object.keys(node).find((k) => k !== ':@');
  return key === undefined || key === '#text' || key.startsWith('?') ? undefined : key;
}

function localName(qname: string): string {
  return qname.slice(qname.indexOf(':') + 1);
}

function writeElement(out: Writer, node: XNode, depth: number): void {
  const qname = elementName(node)!;
  const name = localName(qname);
  if (depth > MAX_DEPTH) throw new WbxmlError(`elements nested deeper than ${MAX_DEPTH} at <${name}>`);
  const tag = TAG_BY_NAME.get(name);
  if (!tag) throw new WbxmlError(`<${name}> is not a SyncML 1.2 or MetInf 1.2 element`);
  for (const attr of Object.keys((node[':@'] ?? {}) as object).map((k) => k.slice(2))) {
    // Namespaces are implied by the code page; SyncML defines no other attributes.
    if (attr !== 'xmlns' && !attr.startsWith('xmlns:')) throw new WbxmlError(`attribute ${attr} on <${name}>`);
  }
  const kids = node[qname] as XNode[];
  const hasElements = kids.some((k) => elementName(k) !== undefined);
  if (name === 'Data' && hasElements) {
    // Embedded markup (e.g. a TNDS tree) travels as opaque UTF-8 XML, the text parseSyncML reports for it.
    kids.forEach((k) => checkDepth(k, depth + 1));
    out.tag(tag, true);
    out.opaque(Buffer.from(orderedXmlBuilder.build(kids) as string, 'utf8'));
    out.end();
    return;
  }
  // Whitespace between elements is layout; text in a leaf is content and kept exactly.
  const content = kids.filter((k) => {
    if (elementName(k) !== undefined) return true;
    const text = k['#text'];
    return typeof text === 'string' && text !== '' && !(hasElements && text.trim() === '');
  });
  out.tag(tag, content.length > 0);
  if (content.length === 0) return;
  for (const kid of content) {
    const text = kid['#text'] as string;
    if (elementName(kid) !== undefined) writeElement(out, kid, depth + 1);
    else if (name === 'NextNonce' && isCanonicalBase64(text)) out.opaque(Buffer.from(text, 'base64'));
    else out.str(text);
  }
  out.end();
}

function checkDepth(node: XNode, depth: number): void {
  const qname = elementName(node);
  if (qname === undefined) return;
  if (depth > MAX_DEPTH) throw new WbxmlError(`elements nested deeper than ${MAX_DEPTH} at <${localName(qname)}>`);
  (node[qname] as XNode[]).forEach((k) => checkDepth(k, depth + 1));
}

/**
 * NextNonce goes as raw bytes, the form libwbxml decodes (it base64-encodes an opaque NextNonce for XML), but only
 * when decoding and re-encoding gives back the same text, so nothing is lost.
 */
function isCanonicalBase64(text: string): boolean {
  return text !== '' && Buffer.from(text, 'base64').toString('base64') === text;
}

class Writer {
  private readonly parts: Buffer[] = [];
  private page = 0;

  tag(ref: TagRef, hasContent: boolean): void {
    if (ref.page !== this.page) {
      this.parts.push(Buffer.of(TOKEN.SWITCH_PAGE, ref.page));
      this.page = ref.page;
    }
    this.parts.push(Buffer.of(ref.token | (hasContent ? TAG_HAS_CONTENT : 0)));
  }

  str(text: string): void {
    this.parts.push(Buffer.of(TOKEN.STR_I), Buffer.from(text, 'utf8'), Buffer.of(0));
  }

  opaque(data: Buffer): void {
    this.parts.push(Buffer.of(TOKEN.OPAQUE));
    this.mb(data.length);
    this.parts.push(data);
  }

  end(): void {
    this.byte(TOKEN.END);
  }

  byte(b: number): void {
    this.parts.push(Buffer.of(b));
  }

  /** mb_u_int32: 7 bits a byte, most significant first, high bit set on all but the last. */
  mb(value: number): void {
    const bytes = [value & 0x7f];
    for (let v = value >>> 7; v > 0; v >>>= 7) bytes.unshift((v & 0x7f) | 0x80);
    this.parts.push(Buffer.from(bytes));
  }

  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

// ---------------------------------------------------------------- decode

interface WElement { name: string; page: number; kids: WContent[] }
type WContent = WElement | { text: string; at: number } | { opaque: Buffer; at: number };

/** Keyed by the bytes as latin1 text: one character per byte, so equal text means equal bytes. */
const handedOn = new HandOn<string>();

/** The XML text of a WBXML message (a WbxmlError when it does not decode). Takes the trace's decode of the same bytes, handed on. */
export function decodeWbxml(bytes: Buffer): string {
  return handedOn.take(bytes.toString('latin1')) ?? readWbxml(bytes);
}

/** decodeWbxml for the trace: the text is handed on to the endpoint that decodes the same bytes next. */
export function decodeWbxmlHandingOn(bytes: Buffer): string {
  const key = bytes.toString('latin1');
  return handedOn.keep(key, handedOn.take(key) ?? readWbxml(bytes));
}

function readWbxml(bytes: Buffer): string {
  const r = new Reader(bytes);
  const strings = readHeader(r);
  return `<?xml version="1.0" encoding="UTF-8"?>${xmlOf(readBody(r, strings), [])}`;
}

/** Checks the header and returns the string table. */
function readHeader(r: Reader): Buffer {
  const version = r.byte();
  // WBXML 1.0 has no charset field; 1.1 to 1.3 share this header.
  if (version < 0x01 || version > 0x03) throw new WbxmlError(`unsupported WBXML version 0x${hex(version)}`, 0);
  const idAt = r.pos;
  const publicId = r.mb();
  const fpiIndex = publicId === 0 ? r.mb() : 0;
  const charsetAt = r.pos;
  const charset = r.mb();
  if (charset !== CHARSET_UTF8) throw new WbxmlError(`charset ${charset} is not UTF-8 (106)`, charsetAt);
  const strings = r.take(r.mb());
  const fpi = publicId === 0 ? stringAt(strings, fpiIndex, idAt) : undefined;
  if (publicId === 0 ? fpi !== SYNCML12_FPI : publicId !== SYNCML12_PUBLIC_ID) {
    const found = fpi === undefined ? `0x${hex(publicId)}` : `"${fpi}"`;
    throw new WbxmlError(`public id ${found} is not SyncML 1.2 (0x1201)`, idAt);
  }
  return strings;
}

/** Reads the root element iteratively: every pass consumes input, and the open-element stack is bounded. */
function readBody(r: Reader, strings: Buffer): WElement {
  const open: WElement[] = [];
  let page = 0;
  let root: WElement | undefined;
  for (;;) {
    const at = r.pos;
    const b = r.byte();
    const parent = open[open.length - 1];
    if (b === TOKEN.SWITCH_PAGE) {
      page = r.byte();
      if (!NAMESPACE_OF_PAGE.has(page)) throw new WbxmlError(`unknown code page ${page}`, at);
    } else if (b === TOKEN.END) {
      if (!parent) throw new WbxmlError('END outside any element', at);
      open.pop();
      if (open.length === 0) break;
    } else if ((b & TAG_ID_MASK) < FIRST_TAG_ID) {
      if (!parent) throw new WbxmlError(`token 0x${hex(b)} outside the root element`, at);
      parent.kids.push(readContent(r, b, at, strings));
    } else {
      if (b & TAG_HAS_ATTRIBUTES) throw new WbxmlError(`tag 0x${hex(b)} has attributes, which SyncML does not use`, at);
      const name = NAME_BY_TAG.get(page * 256 + (b & TAG_ID_MASK));
      if (!name) throw new WbxmlError(`unknown tag 0x${hex(b & TAG_ID_MASK)} on code page ${page}`, at);
      const el: WElement = { name, page, kids: [] };
      if (parent) parent.kids.push(el);
      else if (name !== 'SyncML') throw new WbxmlError(`root element is <${name}>, expected <SyncML>`, at);
      else root = el;
      if (b & TAG_HAS_CONTENT) {
        if (open.length >= MAX_DEPTH) throw new WbxmlError(`elements nested deeper than ${MAX_DEPTH}`, at);
        open.push(el);
      } else if (!parent) {
        break;
      }
    }
  }
  if (r.pos < r.length) throw new WbxmlError('data after the end of the root element', r.pos);
  return root!;
}

function readContent(r: Reader, b: number, at: number, strings: Buffer): WContent {
  switch (b) {
    case TOKEN.STR_I:
      return { text: r.cstr(), at };
    case TOKEN.STR_T:
      return { text: stringAt(strings, r.mb(), at), at };
    case TOKEN.ENTITY: {
      const cp = r.mb();
      if (!isXmlChar(cp)) throw new WbxmlError(`ENTITY U+${hex(cp)} is not an XML character`, at);
      return { text: String.fromCodePoint(cp), at };
    }
    case TOKEN.OPAQUE:
      return { opaque: r.take(r.mb()), at };
    default:
      // LITERAL*, EXT*, PI: no SyncML DM message needs them.
      throw new WbxmlError(`unsupported token 0x${hex(b)}`, at);
  }
}

function stringAt(table: Buffer, index: number, at: number): string {
  const end = index < table.length ? table.indexOf(0, index) : -1;
  if (end < 0) throw new WbxmlError(`string table reference ${index} is outside the table or unterminated`, at);
  return utf8(table.subarray(index, end), at);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function utf8(bytes: Buffer, at: number): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new WbxmlError('invalid UTF-8 in a string', at);
  }
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  get length(): number {
    return this.buf.length;
  }

  byte(): number {
    if (this.pos >= this.buf.length) throw new WbxmlError('unexpected end of input', this.pos);
    return this.buf[this.pos++]!;
  }

  mb(): number {
    const at = this.pos;
    let value = 0;
    for (let i = 0; i < 5; i++) {
      const b = this.byte();
      value = value * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) {
        if (value > 0xffffffff) break;
        return value;
      }
    }
    throw new WbxmlError('multi-byte integer exceeds 32 bits', at);
  }

  take(n: number): Buffer {
    if (n > this.buf.length - this.pos) {
      throw new WbxmlError(`${n} bytes announced, ${this.buf.length - this.pos} left`, this.pos);
    }
    this.pos += n;
    return this.buf.subarray(this.pos - n, this.pos);
  }

  /** A NUL-terminated inline string. */
  cstr(): string {
    const at = this.pos;
    const end = this.buf.indexOf(0, at);
    if (end < 0) throw new WbxmlError('unterminated inline string', at);
    this.pos = end + 1;
    return utf8(this.buf.subarray(at, end), at);
  }
}

// ---------------------------------------------------------------- XML output

/** Page-1 elements declare syncml:metinf where they start, as codec.ts writes them. */
function xmlOf(el: WElement, ancestors: WElement[]): string {
  const parent = ancestors[ancestors.length - 1];
  const ns = !parent || parent.page !== el.page ? ` xmlns="${NAMESPACE_OF_PAGE.get(el.page)}"` : '';
  const path = [...ancestors, el];
  const body = el.kids.map((k) => {
    if ('name' in k) return xmlOf(k, path);
    return escape('text' in k ? k.text : opaqueText(k.opaque, k.at, el, ancestors), k.at);
  }).join('');
  return body === '' ? `<${el.name}${ns}/>` : `<${el.name}${ns}>${body}</${el.name}>`;
}

const BASE64_TEXT = /^[A-Za-z0-9+/=\s]*$/;

/**
 * OPAQUE as XML text. NextNonce is raw bytes, shown base64 as in XML (libwbxml does the same). Data under
 * Format b64 keeps its XML form: opaque that is already base64 text (libwbxml sends Add/Replace Data that way)
 * stays as it is, raw bytes are base64-encoded. Anything else must be UTF-8 text.
 */
function opaqueText(bytes: Buffer, at: number, el: WElement, ancestors: WElement[]): string {
  if (el.name === 'NextNonce') return bytes.toString('base64');
  let text: string | undefined;
  try {
    text = UTF8.decode(bytes);
  } catch {
    text = undefined;
  }
  if (text !== undefined && !isXmlText(text)) text = undefined;
  if (el.name === 'Data' && formatOf(ancestors) === 'b64' && !(text !== undefined && BASE64_TEXT.test(text))) {
    return bytes.toString('base64');
  }
  if (text === undefined) throw new WbxmlError(`OPAQUE in <${el.name}> is not UTF-8 text`, at);
  return text;
}

/** Meta/Format of the Data's parent (Item, Cred), else of the command around it. */
function formatOf(ancestors: WElement[]): string | undefined {
  for (const scope of ancestors.slice(-2).reverse()) {
    const meta = scope.kids.find((k): k is WElement => 'name' in k && k.name === 'Meta');
    const format = meta?.kids.find((k): k is WElement => 'name' in k && k.name === 'Format');
    if (format) return format.kids.map((k) => ('text' in k ? k.text : '')).join('').trim();
  }
  return undefined;
}

function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

const NON_XML_CHAR = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

function isXmlText(text: string): boolean {
  return !NON_XML_CHAR.test(text);
}

/** `\r` as a reference, since XML parsers fold a literal CR into LF. */
function escape(text: string, at: number): string {
  const bad = NON_XML_CHAR.exec(text);
  if (bad) throw new WbxmlError(`U+${hex(bad[0].codePointAt(0)!)} cannot be carried in XML`, at);
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}
