import { afterAll, describe, expect, test } from 'vitest';
import { buildSyncML, parseSyncML } from '../../src/syncml/codec.js';
import { WbxmlError, decodeWbxml, encodeWbxml } from '../../src/syncml/wbxml.js';
import { libwbxml } from '../support/libwbxml.js';
import { MINIMAL } from './fixtures.js';
import { MESSAGES, NONCE, XML_MESSAGES } from './wbxml-messages.js';

const roundTrip = (xml: string): string => decodeWbxml(encodeWbxml(xml));
const server = MESSAGES['server package: Status, Get, Replace, Add, Delete, Exec, Alert, Atomic, Sequence']!;

/** WBXML 1.2, public id 0x1201, UTF-8, empty string table; then the body bytes. */
const HEADER = [0x02, 0xa4, 0x01, 0x6a, 0x00];
const wbxml = (...body: number[]): Buffer => Buffer.from([...HEADER, ...body]);
/** STR_I with a NUL-terminated string. */
const strI = (s: string): number[] => [0x03, ...Buffer.from(s, 'utf8'), 0x00];
const SYNCML = 0x6d, SYNCBODY = 0x6b, REPLACE = 0x60, ITEM = 0x54, META = 0x5a, DATA = 0x4f, FINAL = 0x12, END = 0x01;
const FORMAT = 0x47; // MetInf page
const METINF = [0x00, 0x01], SYNCML_PAGE = [0x00, 0x00];

/** The WbxmlError decodeWbxml throws; fails the test if it decodes. */
function rejection(bytes: Buffer): WbxmlError {
  try {
    decodeWbxml(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(WbxmlError);
    return e as WbxmlError;
  }
  throw new Error('decodeWbxml accepted the input');
}

describe('encode → decode round trip', () => {
  test.each(XML_MESSAGES)('%s parses to the same message', (_name, xml) => {
    expect(parseSyncML(roundTrip(xml))).toStrictEqual(parseSyncML(xml));
  });

  test('the built messages come back exactly as built', () => {
    for (const m of Object.values(MESSAGES)) expect(parseSyncML(roundTrip(buildSyncML(m)))).toStrictEqual(m);
  });

  test('Data keeps whitespace, CR LF, entities and non-ASCII; empty Data stays empty', () => {
    const emptyData = '<Get><CmdID>2</CmdID><Item><Target><LocURI>./B</LocURI></Target><Data></Data></Item></Get>';
    const xml = MINIMAL.replace('<Data>x</Data>', '<Data>  a&#13;\nb &amp; &lt;c&gt; ü😀  </Data>')
      .replace('<Final/>', `${emptyData}<Final/>`);
    const m = parseSyncML(roundTrip(xml));
    expect(m.body.map((c) => ('items' in c ? c.items[0]!.data : undefined))).toEqual(['  a\r\nb & <c> ü😀  ', '']);
  });

  test('Data with embedded markup travels as OPAQUE and comes back as the text parseSyncML gives for it', () => {
    const tnds = '<MgmtTree xmlns="syncml:dmddf1.2"><VerDTD>1.2</VerDTD>' +
      '<Node><NodeName>A</NodeName></Node></MgmtTree>';
    const xml = MINIMAL.replace('<Data>x</Data>', `<Data>${tnds}</Data>`);
    const bytes = encodeWbxml(xml);
    expect(bytes.includes(Buffer.concat([Buffer.from([DATA, 0xc3, tnds.length]), Buffer.from(tnds)]))).toBe(true);
    expect(parseSyncML(decodeWbxml(bytes))).toStrictEqual(parseSyncML(xml));
  });

  test('the header is WBXML 1.2, SyncML 1.2 public id, UTF-8, no string table; MetInf is a page switch', () => {
    const bytes = encodeWbxml(buildSyncML(MESSAGES['package 1: md5 Cred, MaxMsgSize, DevInfo']!));
    expect([...bytes.subarray(0, 6)]).toEqual([...HEADER, SYNCML]);
    expect(bytes.includes(Buffer.from([META, ...METINF, FORMAT, ...strI('b64'), END]))).toBe(true);
  });

  test('NextNonce goes as OPAQUE raw bytes and comes back base64', () => {
    const bytes = encodeWbxml(buildSyncML(MESSAGES['challenge: SyncHdr Status 401 with Chal and NextNonce']!));
    expect(bytes.includes(Buffer.concat([Buffer.from([0x50, 0xc3, NONCE.length]), NONCE]))).toBe(true);
  });

  test('encoding refuses what WBXML SyncML cannot carry', () => {
    const fails = (xml: string, message: RegExp) => expect(() => encodeWbxml(xml)).toThrow(message);
    fails('<SyncML><SyncHdr>', /malformed XML/);
    fails('<Foo/>', /single <SyncML> root/);
    fails(MINIMAL.replace('<Final/>', '<Bogus/><Final/>'), /<Bogus> is not a SyncML 1.2 or MetInf 1.2 element/);
    fails(MINIMAL.replace('<Final/>', '<Final id="1"/>'), /attribute id on <Final>/);
  });
});

describe('decoding details', () => {
  test('an empty message decodes to XML with the SyncML namespace; MetInf elements declare theirs', () => {
    expect(decodeWbxml(wbxml(SYNCML, SYNCBODY, FINAL, END, END))).toBe('<?xml version="1.0" encoding="UTF-8"?>' +
      '<SyncML xmlns="SYNCML:SYNCML1.2"><SyncBody><Final/></SyncBody></SyncML>');
    expect(decodeWbxml(wbxml(SYNCML, META, ...METINF, FORMAT, ...strI('chr'), END, END, END)))
      .toContain('<Meta><Format xmlns="syncml:metinf">chr</Format></Meta>');
  });

  test('a string table, STR_T references and a public id given as a string are read', () => {
    const table = Buffer.from('-//SYNCML//DTD SyncML 1.2//EN\0b64\0');
    const bytes = Buffer.from([0x02, 0x00, 0x00, 0x6a, table.length, ...table,
      SYNCML, META, ...METINF, FORMAT, 0x83, 30, END, END, END]);
    expect(decodeWbxml(bytes)).toContain('<Format xmlns="syncml:metinf">b64</Format>');
  });

  test('ENTITY is a character; WBXML 1.3 and 1.1 headers are accepted', () => {
    expect(decodeWbxml(wbxml(SYNCML, DATA, 0x02, 0x81, 0x69, END, END))).toContain('<Data>é</Data>');
    for (const version of [0x01, 0x03]) {
      expect(decodeWbxml(Buffer.from([version, ...HEADER.slice(1), SYNCML, END]))).toContain('<SyncML');
    }
  });

  /** Replace/Item with Meta/Format, then Data as OPAQUE. */
  const itemWithFormat = (format: string, opaque: number[]) => wbxml(SYNCML, SYNCBODY, REPLACE, ITEM,
    META, ...METINF, FORMAT, ...strI(format), END, END,
    ...SYNCML_PAGE, DATA, 0xc3, opaque.length, ...opaque, END, END, END, END, END);

  test('OPAQUE Data: raw bytes under Format b64 become base64, base64 text and UTF-8 text stay as they are', () => {
    expect(decodeWbxml(itemWithFormat('b64', [0x00, 0xff]))).toContain('<Data>AP8=</Data>');
    expect(decodeWbxml(itemWithFormat('b64', [...Buffer.from('AP8=')]))).toContain('<Data>AP8=</Data>');
    expect(decodeWbxml(itemWithFormat('chr', [...Buffer.from('a<b')]))).toContain('<Data>a&lt;b</Data>');
  });

  test('OPAQUE Data that is not text, outside Format b64, is refused', () => {
    expect(rejection(itemWithFormat('chr', [0x00, 0xff])).message)
      .toMatch(/OPAQUE in <Data> is not UTF-8 text at byte \d+/);
  });
});

describe('libwbxml2 interoperability', () => {
  const tools = libwbxml();
  afterAll(() => tools.cleanup());
  const { wbxml2xml } = tools;
  const xml2wbxml = (xml: string, stringTable: boolean) => tools.xml2wbxml(xml, stringTable);

  test.each(XML_MESSAGES)('%s: xml2wbxml output decodes to the same message', (_name, xml) => {
    expect(parseSyncML(decodeWbxml(xml2wbxml(xml, false)))).toStrictEqual(parseSyncML(xml));
    expect(parseSyncML(decodeWbxml(xml2wbxml(xml, true)))).toStrictEqual(parseSyncML(xml));
  });

  test.each(XML_MESSAGES)('%s: our encoding reads back through wbxml2xml as the same message', (_name, xml) => {
    const back = wbxml2xml(encodeWbxml(xml));
    expect(parseSyncML(back)).toStrictEqual(parseSyncML(xml));
    // ...and libwbxml's XML (DOCTYPE, CDATA sections) encodes again to the same message.
    expect(parseSyncML(roundTrip(back))).toStrictEqual(parseSyncML(xml));
  });

  test('xml2wbxml builds a string table for repeated strings (STR_T), which decoding reads', () => {
    const xml = buildSyncML(server);
    const bytes = xml2wbxml(xml, true);
    expect(bytes[4], 'string table length').toBeGreaterThan(0);
    expect(parseSyncML(decodeWbxml(bytes))).toStrictEqual(parseSyncML(xml));
  });

  test('without NextNonce or Add/Replace Data our bytes are the bytes xml2wbxml writes', () => {
    const plain = Object.keys(MESSAGES).filter((name) => /^(package 1: basic|client package)/.test(name));
    expect(plain).toHaveLength(2);
    for (const name of plain) {
      const xml = buildSyncML(MESSAGES[name]!);
      expect(encodeWbxml(xml).equals(xml2wbxml(xml, false)), name).toBe(true);
    }
  });

  test('xml2wbxml rewrites a dmtnds+xml Type to +wbxml; decodeWbxml keeps what is on the wire', () => {
    const type = (t: string) => ({ meta: { type: `application/vnd.syncml.dmtnds+${t}` } });
    const meta = `<Meta><Type xmlns="syncml:metinf">${type('xml').meta.type}</Type></Meta>`;
    const xml = MINIMAL.replace('<Item>', `${meta}<Item>`);
    expect(parseSyncML(decodeWbxml(xml2wbxml(xml, false))).body[0]).toMatchObject(type('wbxml'));
    expect(parseSyncML(roundTrip(xml)).body[0]).toMatchObject(type('xml'));
  });
});

describe('hostile input', () => {
  const valid = encodeWbxml(buildSyncML(server));

  test('every truncation of a valid message is a WbxmlError', () => {
    for (let len = 0; len < valid.length; len++) {
      expect(() => decodeWbxml(valid.subarray(0, len))).toThrow(WbxmlError);
    }
  });

  test.each<[string, Buffer, RegExp]>([
    ['empty input', Buffer.alloc(0), /unexpected end of input at byte 0/],
    ['WBXML 1.0 (no charset)', Buffer.from([0x00, 0x01, 0x6a, 0x00]), /unsupported WBXML version 0x00 at byte 0/],
    ['another public id (MetInf 1.2)', Buffer.from([0x02, 0xa4, 0x02, 0x6a, 0x00, SYNCML, END]),
      /public id 0x1202 is not SyncML 1.2 \(0x1201\) at byte 1/],
    ['another charset (Latin-1)', Buffer.from([0x02, 0xa4, 0x01, 0x04, 0x00, SYNCML, END]),
      /charset 4 is not UTF-8 \(106\) at byte 3/],
    ['unknown tag', wbxml(SYNCML, 0x3f), /unknown tag 0x3f on code page 0 at byte 6/],
    ['unknown code page', wbxml(SYNCML, 0x00, 0x05, 0x45), /unknown code page 5 at byte 6/],
    ['reserved tag 0x30', wbxml(SYNCML, 0x30), /unknown tag 0x30 on code page 0/],
    ['tag with attributes', wbxml(SYNCML | 0x80), /has attributes/],
    ['LITERAL tag', wbxml(SYNCML, 0x04, 0x00), /unsupported token 0x04 at byte 6/],
    ['EXT_0', wbxml(SYNCML, 0xc0), /unsupported token 0xc0/],
    ['processing instruction', wbxml(0x43), /token 0x43 outside the root element at byte 5/],
    ['root is not SyncML', wbxml(SYNCBODY, END), /root element is <SyncBody>/],
    ['END before any element', wbxml(END), /END outside any element at byte 5/],
    ['bytes after the root', wbxml(SYNCML, END, SYNCML, END), /data after the end of the root element at byte 7/],
    ['STR_T without a string table', wbxml(SYNCML, 0x83, 0x00, END), /string table reference 0 is outside/],
    ['unterminated STR_I', wbxml(SYNCML, 0x03, 0x41, 0x42), /unterminated inline string at byte 7/],
    ['invalid UTF-8 in STR_I', wbxml(SYNCML, 0x03, 0xc3, 0x28, 0x00, END), /invalid UTF-8/],
    ['control character in STR_I', wbxml(SYNCML, DATA, 0x03, 0x01, 0x00, END, END), /U\+01 cannot be carried in XML/],
    ['ENTITY for a surrogate', wbxml(SYNCML, 0x02, 0x83, 0xb0, 0x00, END), /ENTITY U\+d800 is not an XML character/],
    ['OPAQUE longer than the input', wbxml(SYNCML, 0xc3, 0x8f, 0xff, 0xff, 0xff, 0x7f),
      /4294967295 bytes announced, 0 left/],
    ['multi-byte integer over 32 bits', wbxml(SYNCML, 0xc3, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f),
      /exceeds 32 bits at byte 7/],
    ['string table longer than the input', Buffer.from([0x02, 0xa4, 0x01, 0x6a, 0x7f]), /127 bytes announced/],
  ])('%s', (_name, bytes, message) => {
    expect(rejection(bytes).message).toMatch(message);
  });

  test('deep nesting is refused quickly, on both sides', () => {
    const deep = wbxml(SYNCML, ...new Array<number>(100_000).fill(ITEM | 0x40));
    expect(rejection(deep).message).toMatch(/nested deeper than 64 at byte 69/);
    const nested = (outer: string, inner: string, depth: number) =>
      `<SyncML><${outer}>${`<${inner}>`.repeat(depth)}${`</${inner}>`.repeat(depth)}</${outer}></SyncML>`;
    expect(() => encodeWbxml(nested('SyncBody', 'Item', 80))).toThrow(/nested deeper than 64 at <Item>/);
    expect(() => encodeWbxml(nested('Data', 'a', 80))).toThrow(/nested deeper than 64 at <a>/);
    expect(() => encodeWbxml(nested('SyncBody', 'Item', 100_000))).toThrow(WbxmlError);
  });

  test('random corruption gives XML or a WbxmlError, never anything else', () => {
    let seed = 0x2a;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 3000; i++) {
      const bytes = Buffer.from(valid);
      for (let k = 1 + random(3); k > 0; k--) bytes[random(bytes.length)] = random(256);
      try {
        expect(typeof decodeWbxml(bytes)).toBe('string');
      } catch (e) {
        expect(e).toBeInstanceOf(WbxmlError);
      }
    }
  });
});
