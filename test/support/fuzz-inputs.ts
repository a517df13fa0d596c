/**
 * Seeded hostile inputs for the reference mocks' endpoints: valid protocol messages (delegation documents,
 * SyncML packages, Package #0, bootstrap requests) mutated at the body, header, method, path and framing
 * level, plus peers that stall. Data-driven: each table row is one named mutation.
 */
import { buildDelegation } from '../../src/delegation/codec.js';
import type { DelegationMessage } from '../../src/delegation/messages.js';
import { MEDIA, PATHS, SYNCML } from '../../src/profile.js';
import { md5Cred } from '../../src/syncml/auth.js';
import { buildSyncML } from '../../src/syncml/codec.js';
import { ALERT } from '../../src/syncml/codes.js';
import { encodeNotification } from '../../src/syncml/notification.js';
import { credFields, package1 } from '../../src/syncml/package1.js';
import { deviceCredentials, type ClientFixture } from '../../src/tree/client-fixture.js';

/** What an endpoint expects, so its inputs start from messages it would take. */
export type SeedKind = 'delegation' | 'order' | 'dm' | 'bootstrap' | 'push';

export interface SeedTarget {
  kind: SeedKind;
  path: string;
  /** The DM server behind a `dm` endpoint, or the one whose Package #0 a `push` endpoint is sent. */
  serverId?: string;
}

export interface FuzzInput {
  /** The mutation's name (a row of the tables below). */
  mutation: string;
  /** Written once the TLS handshake is done. */
  bytes: Buffer;
  /** Written a byte at a time, this many ms apart (a slowloris peer). */
  dribbleMs?: number;
  /** After the bytes, send nothing more and keep the connection open: the endpoint must end it. */
  stall?: boolean;
}

/** mulberry32: small, fast and the same on every machine. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * Math.max(1, n));
  return { next, int, pick: <T>(xs: readonly T[]): T => xs[int(xs.length)] };
}
type Rng = ReturnType<typeof rng>;

interface Req {
  method: string;
  path: string;
  headers: Array<[string, string | Buffer]>;
  body: Buffer;
  version?: string;
  /** How the body is framed: Content-Length (default), none, chunked, or a length that lies. */
  framing?: 'length' | 'none' | 'chunked' | 'bad-chunk' | 'short' | 'long' | 'both';
  eol?: string;
}

function serialise(r: Req): Buffer {
  const eol = r.eol ?? '\r\n';
  const framing = r.framing ?? 'length';
  const headers = [...r.headers];
  const len = { length: r.body.length, short: Math.max(0, r.body.length - 5), long: r.body.length + 50 }[framing as 'length'];
  if (len !== undefined) headers.push(['content-length', String(len)]);
  if (framing === 'chunked' || framing === 'bad-chunk' || framing === 'both') headers.push(['transfer-encoding', 'chunked']);
  if (framing === 'both') headers.push(['content-length', String(r.body.length)]);
  const body =
    framing === 'chunked' || framing === 'both'
      ? Buffer.concat([Buffer.from(`${r.body.length.toString(16)}\r\n`), r.body, Buffer.from('\r\n0\r\n\r\n')])
      : framing === 'bad-chunk'
        ? Buffer.concat([Buffer.from('zz\r\n'), r.body])
        : r.body;
  const head = [Buffer.from(`${r.method} ${r.path} ${r.version ?? 'HTTP/1.1'}${eol}`)];
  for (const [k, v] of headers) head.push(Buffer.from(`${k}: `), Buffer.from(v), Buffer.from(eol));
  return Buffer.concat([...head, Buffer.from(eol), body]);
}

const MEDIA_OF: Record<SeedKind, string> = { delegation: MEDIA.delegation, order: MEDIA.delegation, dm: MEDIA.syncml, bootstrap: MEDIA.syncml, push: MEDIA.notification };

/** Valid messages an endpoint of `kind` would take (or a sibling endpoint would: a wrong type is an input too). */
export function seeds(t: SeedTarget, f: ClientFixture): Buffer[] {
  const s = 'fuzz-1';
  const device = { devId: f.devInfo.devId, man: f.devInfo.man, mod: f.devInfo.mod };
  const account = f.accounts.find((a) => a.account.serverId === f.servers.dms2)?.account ?? f.accounts[0].account;
  const delegation: DelegationMessage[] = [
    { type: 'DelegationInitiationRequest', sessionId: s, delegatorServerId: f.servers.dms1, delegateeServerId: f.servers.dms2, device, delegationType: { scope: 'partial', duration: 'temporary' }, subtrees: f.partialSubtrees, approach: 'B' },
    { type: 'BootstrapServerUrlRequest', sessionId: s },
    { type: 'AccountRequest', sessionId: s },
    { type: 'ClientPrepared', sessionId: s },
    { type: 'BootstrapComplete', sessionId: s },
    { type: 'DelegationComplete', sessionId: s, result: 'success' },
    { type: 'BootstrapOrder', sessionId: s, device, account: { ...account, serverId: f.servers.dms2 } },
  ];
  const serverId = t.serverId ?? f.servers.dms1;
  // DMS-2 holds no account of the device before a delegation: DMS-1's credentials stand in.
  const creds = () => deviceCredentials(f, f.accounts.some((a) => a.account.serverId === serverId) ? serverId : f.servers.dms1);
  const hdr = { verDTD: SYNCML.verDTD, verProto: SYNCML.verProto, sessionId: '1F', msgId: '1', target: `https://127.0.0.1${t.path}`, source: f.devInfo.devId };
  switch (t.kind) {
    case 'delegation':
      return delegation.filter((m) => m.type !== 'BootstrapOrder').map((m) => Buffer.from(buildDelegation(m)));
    case 'order':
      return delegation.filter((m) => m.type === 'BootstrapOrder' || m.type === 'BootstrapComplete').map((m) => Buffer.from(buildDelegation(m)));
    case 'dm': {
      const cl = creds().client;
      const cred = credFields(cl.name, md5Cred(cl.name, cl.secret, cl.nonce));
      return [ALERT.SERVER_INITIATED_MGMT, ALERT.CLIENT_INITIATED_MGMT].map((a) => Buffer.from(buildSyncML(package1({ ...hdr, ...cred }, a, f.devInfo))));
    }
    case 'bootstrap':
      return [Buffer.from(buildSyncML(package1(hdr, ALERT.CLIENT_INITIATED_MGMT, f.devInfo)))];
    case 'push': {
      const srv = creds().server;
      return [encodeNotification({ uiMode: 1, initiator: 1, sessionId: 0x1f, serverId }, { password: srv.secret, nonce: srv.nonce })];
    }
  }
}

const splice = (b: Buffer, at: number, insert: Buffer | string, remove = 0) => Buffer.concat([b.subarray(0, at), Buffer.from(insert), b.subarray(at + remove)]);
/** Just after the root element's start tag, where an inserted element stays inside the document. */
const inside = (b: Buffer) => {
  const s = b.toString('latin1');
  const root = s.search(/<(?!\?)[^!]/);
  const end = root < 0 ? -1 : s.indexOf('>', root);
  return end < 0 ? 0 : end + 1;
};

/** Body mutations: each takes a valid body and breaks it in one way. */
const BODY: Record<string, (b: Buffer, r: Rng) => Buffer> = {
  truncated: (b, r) => b.subarray(0, r.int(b.length)),
  'bit flips': (b, r) => {
    const c = Buffer.from(b);
    for (let i = 0, n = 1 + r.int(8); i < n && c.length; i++) c[r.int(c.length)] ^= 1 << r.int(8);
    return c;
  },
  'random bytes': (_b, r) => Buffer.from(Array.from({ length: r.int(600) }, () => r.int(256))),
  empty: () => Buffer.alloc(0),
  'huge element name': (b, r) => splice(b, inside(b), `<${'N'.repeat(100_000 + r.int(1000))}>x</${'N'.repeat(3)}>`),
  'huge well-formed element': (b) => splice(b, inside(b), `<${'E'.repeat(100_000)}>x</${'E'.repeat(100_000)}>`),
  'non-ASCII element name': (b, r) => splice(b, inside(b), `<${r.pick(['é', '☃', 'Ω→', '\u{1F600}', 'ıİ'])}x>v</x>`),
  'control characters': (b, r) => splice(b, r.int(b.length), r.pick(['\u0001', '\u0007\u001b[31m', '\u0000', '\r\n\r\n', '\u007f'])),
  'deep nesting': (b, r) => {
    const n = 2_000 + r.int(20_000);
    return splice(b, inside(b), `${'<d>'.repeat(n)}${'</d>'.repeat(n)}`);
  },
  'entity expansion': (b) => Buffer.concat([Buffer.from('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'), b.subarray(b.indexOf('?>') + 2), Buffer.from('&d;')]),
  'undefined entity': (b) => splice(b, inside(b), '<x>&nope;&#xD800;&#0;</x>'),
  'invalid UTF-8': (b, r) => splice(b, inside(b) + r.int(20), Buffer.from(r.pick([[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82]]))),
  'UTF-16 body': (b) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(b.toString('latin1'), 'utf16le')]),
  'oversized body': (b) => Buffer.concat([b, Buffer.alloc(300 * 1024, 0x20)]),
  'two documents': (b) => Buffer.concat([b, b]),
  'long text value': (b, r) => {
    const s = b.toString('utf8');
    const m = /<(\w+)>([^<]{1,64})<\/\1>/g;
    const all = [...s.matchAll(m)];
    const hit = all.length ? r.pick(all) : undefined;
    return hit ? Buffer.from(s.slice(0, hit.index) + `<${hit[1]}>${'v'.repeat(50_000)}</${hit[1]}>` + s.slice(hit.index! + hit[0].length)) : b;
  },
  'odd text value': (b, r) => {
    const s = b.toString('utf8');
    const all = [...s.matchAll(/<(\w+)>([^<]{1,64})<\/\1>/g)];
    const hit = all.length ? r.pick(all) : undefined;
    const odd = r.pick(['', ' ', '-1', '99999999999999999999', '../../etc', '<![CDATA[x]]>', '\u202e', 'a\u0000b', '%s%s%n', '${x}', 'NaN']);
    return hit ? Buffer.from(s.slice(0, hit.index) + `<${hit[1]}>${odd}</${hit[1]}>` + s.slice(hit.index! + hit[0].length)) : b;
  },
};

const ODD_TYPES = ['', 'text/xml', 'application/xml', 'application/json', 'text/plain', '*/*', '/', 'application/', ';', 'application/vnd.dm.delegation+xml-evil', 'application/vnd.syncml.dm+xmlx', 'application/vnd.syncml.notificationfoo', 'application/vnd.syncml+xml', 'application/vnd.syncml.dm+wbxml', 'multipart/form-data; boundary=x'];

/**
 * Header mutations on an otherwise valid request: `type` is the endpoint's own media type. Each replaces the
 * headers it names (content type always); null removes one.
 */
const HEADERS: Record<string, (type: string, r: Rng) => Array<[string, string | Buffer | null]>> = {
  'no content type': () => [],
  'wrong content type': (_t, r) => [['content-type', r.pick(ODD_TYPES)]],
  'content type with parameters': (t, r) => [['content-type', `${t}${r.pick(['; charset=utf-8', '; charset="UTF-8"', ';;', ' ; a=b ; c="d;e"', '; charset=iso-8859-1', '; q'])}`]],
  'content type in capitals': (t) => [['content-type', t.toUpperCase()]],
  'content type malformed': (t, r) => [['content-type', r.pick([`${t};"`, `${t}; =x`, `${t} x`, `"${t}"`, `${t}/extra`])]],
  'two content types': (t) => [['content-type', t], ['content-type', 'text/plain']],
  'huge header': (t) => [['content-type', t], ['x-big', 'h'.repeat(20_000)]],
  'many headers': (t) => [['content-type', t], ...Array.from({ length: 300 }, (_, i): [string, string] => [`x-h${i}`, 'v'])],
  'non-ASCII header': (t) => [['content-type', Buffer.concat([Buffer.from(t), Buffer.from([0xe9, 0xff])])]],
  'control character in header': (t) => [['content-type', `${t}\u0001`]],
  'header without colon': (t) => [['content-type', t], ['broken header line', '']],
  'no host header': (t) => [['content-type', t], ['host', null]],
  expectation: (t, r) => [['content-type', t], ['expect', r.pick(['100-continue', '200-ok', 'x', '', '100-continue, foo'])]],
};

const METHODS = ['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'CONNECT', 'TRACK', 'PROPFIND', 'FOO', 'post', 'M-SEARCH', 'PURGE'];

interface Category {
  weight: number;
  make: (c: { t: SeedTarget; seed: Buffer; type: string; r: Rng; base: Req }) => FuzzInput;
}

const req = (mutation: string, r: Req): FuzzInput => ({ mutation, bytes: serialise(r) });

/** What an input can be, with how often it is drawn. */
const CATEGORIES: Record<string, Category> = {
  body: {
    weight: 40,
    make: ({ seed, r, base }) => {
      const names = Object.keys(BODY);
      const name = r.pick(names);
      let body = BODY[name](seed, r);
      // Now and then a second mutation on top of the first.
      const second = r.next() < 0.2 ? r.pick(names) : undefined;
      if (second) body = BODY[second](body, r);
      return req(second ? `${name} + ${second}` : name, { ...base, body });
    },
  },
  headers: {
    weight: 20,
    make: ({ type, r, base }) => {
      const name = r.pick(Object.keys(HEADERS));
      const set = HEADERS[name](type, r);
      const named = new Set(['content-type', ...set.map(([k]) => k)]);
      const headers = [...base.headers.filter(([k]) => !named.has(k)), ...set.filter((h): h is [string, string | Buffer] => h[1] !== null)];
      return req(name, { ...base, headers });
    },
  },
  method: { weight: 10, make: ({ r, base }) => req('odd method', { ...base, method: r.pick(METHODS) }) },
  path: {
    weight: 6,
    make: ({ t, r, base }) =>
      req('odd path', { ...base, path: r.pick(['/', '/nope', `${t.path}/`, `${t.path}?x=1&prop=ACL`, `//${t.path}`, `${t.path}/../${t.path}`, `${t.path}%00`, '*', `https://127.0.0.1${t.path}`, `/${'p'.repeat(10_000)}`, `${t.path}#frag`, PATHS.dm, PATHS.delegation, PATHS.bootstrap]) }),
  },
  framing: {
    weight: 12,
    make: ({ r, base }) => {
      const framing = r.pick(['none', 'chunked', 'bad-chunk', 'short', 'long', 'both'] as const);
      // A Content-Length longer than the body leaves the endpoint waiting for bytes that never come.
      return { ...req(`framing: ${framing}`, { ...base, framing }), stall: framing === 'long' };
    },
  },
  version: {
    weight: 4,
    make: ({ r, base }) => {
      const v = r.pick(['HTTP/1.0', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/1.1 extra', 'http/1.1', 'HTTP/9.9', 'LF line endings']);
      return req(`version: ${v}`, v === 'LF line endings' ? { ...base, eol: '\n' } : { ...base, version: v });
    },
  },
  garbage: { weight: 3, make: ({ r }) => ({ mutation: 'not HTTP', bytes: Buffer.from(Array.from({ length: 1 + r.int(300) }, () => r.int(256))) }) },
  slow: {
    weight: 5,
    make: ({ r, base }) => {
      const whole = serialise(base);
      const cut = whole.indexOf('\r\n\r\n');
      switch (r.int(3)) {
        case 0:
          return { mutation: 'slow: partial headers, then nothing', bytes: whole.subarray(0, r.int(cut)), stall: true };
        case 1:
          return { mutation: 'slow: headers, part of the body, then nothing', bytes: whole.subarray(0, cut + 4 + r.int(whole.length - cut - 4)), stall: true };
        default:
          return { mutation: 'slow: headers a byte at a time', bytes: whole.subarray(0, 40), dribbleMs: 100, stall: true };
      }
    },
  },
};

/** A request for `t` as it expects it, carrying `body`. */
const validReq = (t: SeedTarget, body: Buffer): Req => ({ method: 'POST', path: t.path, headers: [['host', '127.0.0.1'], ['connection', 'close'], ['content-type', MEDIA_OF[t.kind]]], body });

/** The endpoint's first seed, unmutated: after any amount of hostile input it is still answered, without 5xx. */
export const validInput = (t: SeedTarget, f: ClientFixture): FuzzInput => req('none', validReq(t, seeds(t, f)[0]));

/**
 * `count` inputs for one endpoint, the same for the same seed, made as they are taken: made all at once,
 * they would stall the player's event loop (and its peers' handshakes) and hold hundreds of MB.
 */
export function* fuzzInputStream(t: SeedTarget, f: ClientFixture, count: number, seed: number): Generator<FuzzInput> {
  const r = rng(seed);
  const pool = seeds(t, f);
  const type = MEDIA_OF[t.kind];
  const total = Object.values(CATEGORIES).reduce((n, c) => n + c.weight, 0);
  const draw = () => {
    let x = r.int(total);
    for (const c of Object.values(CATEGORIES)) if ((x -= c.weight) < 0) return c;
    return CATEGORIES.body;
  };
  for (let i = 0; i < count; i++) {
    const s = r.pick(pool);
    yield draw().make({ t, seed: s, type, r, base: validReq(t, s) });
  }
}

/** The same inputs, all at once. */
export const fuzzInputs = (t: SeedTarget, f: ClientFixture, count: number, seed: number): FuzzInput[] => [...fuzzInputStream(t, f, count, seed)];
