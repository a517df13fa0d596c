import { beforeAll, describe, expect, test } from 'vitest';
import { MUTANTS } from '../../mocks/mutants.js';
import { loadCatalogue } from '../../src/catalogue/catalogue.js';
import type { JudgeContext } from '../../src/checks/check.js';
import { wireContentType } from '../../src/checks/wire-checks.js';
import { judgeFlow } from '../../src/judge/judge.js';
import type { WireMessage } from '../../src/judge/wire.js';
import { createPki, type Pki } from '../../src/pki/pki.js';
import { MEDIA } from '../../src/profile.js';
import type { RequirementRef } from '../../src/report/model.js';
import { EveryCasePlayed } from '../../src/runner/every-case-played.js';
import { runFlow, type FlowResult } from '../../src/runner/run-flow.js';
import { defaultScenarios } from '../../src/runner/scenario.js';
import type { TraceEvent } from '../../src/trace/events.js';
import { LEGACY_SYNCML } from '../../src/transport/media-type.js';
import { isTesterEvent } from '../../src/trace/events.js';

let seq = 0;
/** One recorded message with a body; `exchange` pairs a response with its request. */
function msg(link: TraceEvent['link'], from: TraceEvent['from'], to: TraceEvent['to'], contentType: string | undefined, o: { response?: boolean; status?: number; exchange?: string; bytes?: number; reason?: string } = {}): WireMessage {
  const event: TraceEvent = {
    seq: ++seq,
    time: '',
    t: seq,
    kind: o.response ? 'response' : 'request',
    link,
    from,
    to,
    observer: { role: 'harness', side: 'none' },
    exchange: o.exchange ?? `x${seq}`,
    http: o.response ? { status: o.status ?? 200 } : { method: 'POST' },
    body: { contentType, bytes: o.bytes ?? 10, encoding: 'utf8', raw: '' },
    ...(o.reason ? { reason: o.reason } : {}),
  };
  return { event, seq: event.seq, t: event.t, direction: o.response ? 'response' : 'request' };
}

const judge = (messages: WireMessage[]) => wireContentType.run({ messages, judges: () => true } as unknown as JudgeContext, {} as RequirementRef);

/** A clean exchange on every link, each body with its profile type. */
function cleanWire(): WireMessage[] {
  return [
    msg('dms1-dms2', 'dms1', 'dms2', MEDIA.delegation, { exchange: 'd1' }),
    msg('dms1-dms2', 'dms2', 'dms1', `${MEDIA.delegation}; charset=utf-8`, { exchange: 'd1', response: true }),
    msg('dms2-bootstrap', 'dms2', 'bootstrap', MEDIA.delegation, { exchange: 'o1' }),
    msg('dms2-bootstrap', 'bootstrap', 'dms2', MEDIA.delegation, { exchange: 'o1', response: true }),
    msg('dms1-client', 'dms1', 'client', MEDIA.notification, { exchange: 'p1' }),
    msg('dms1-client', 'client', 'dms1', MEDIA.syncml, { exchange: 's1' }),
    msg('dms1-client', 'dms1', 'client', 'APPLICATION/VND.SYNCML.DM+XML', { exchange: 's1', response: true }),
    msg('client-bootstrap', 'client', 'bootstrap', MEDIA.syncml, { exchange: 'b1' }),
    msg('client-bootstrap', 'bootstrap', 'client', MEDIA.syncml, { exchange: 'b1', response: true }),
    msg('dms2-client', 'client', 'dms2', MEDIA.syncml, { exchange: 's2' }),
    msg('dms2-client', 'dms2', 'client', MEDIA.syncml, { exchange: 's2', response: true }),
  ];
}

describe('wireContentType on a recorded wire', () => {
  test('every link typed as the profile says: PASS citing a message of each sender on each link', () => {
    const out = judge(cleanWire());
    expect(out.verdict).toBe('PASS');
    const senders = new Set(cleanWire().map((m) => `${m.event.from} ${m.event.link}`));
    expect(out.evidence.length).toBe(senders.size);
  });

  test.for([
    ['the legacy SyncML type from the client', 'dms1-client', 'client', 'dms1', LEGACY_SYNCML, MEDIA.syncml],
    ['an XML body typed as WBXML', 'dms2-client', 'client', 'dms2', 'application/vnd.syncml.dm+wbxml', MEDIA.syncml],
    ['a delegation type with a suffix', 'dms1-dms2', 'dms2', 'dms1', 'application/vnd.dm.delegation+xmlx', MEDIA.delegation],
    ['a delegation body on the ordering link typed application/xml', 'dms2-bootstrap', 'dms2', 'bootstrap', 'application/xml', MEDIA.delegation],
    ['a Package #0 typed as SyncML', 'dms1-client', 'dms1', 'client', MEDIA.syncml, MEDIA.notification],
    ['a bootstrap request typed as the legacy type', 'client-bootstrap', 'client', 'bootstrap', LEGACY_SYNCML, MEDIA.syncml],
    ['a body without a content type', 'dms1-client', 'client', 'dms1', undefined, MEDIA.syncml],
  ] as const)('%s FAILs, naming seq, link, sender and the type seen', ([, link, from, to, type, want]) => {
    const bad = msg(link, from, to, type);
    const out = judge([...cleanWire(), bad]);
    expect(out.verdict).toBe('FAIL');
    expect(out.evidence).toEqual([bad.seq]);
    expect(out.actual).toBe(`seq ${bad.seq} on ${link} from ${from}: ${type ?? 'no content type'}, not ${want}`);
  });

  test('a server answer in the wrong type FAILs, found through its request', () => {
    const req = msg('dms2-client', 'client', 'dms2', MEDIA.syncml, { exchange: 'q' });
    const res = msg('dms2-client', 'dms2', 'client', 'text/xml', { exchange: 'q', response: true });
    const out = judge([req, res]);
    expect(out.verdict).toBe('FAIL');
    expect(out.evidence).toEqual([res.seq]);
  });

  test('a DMS↔DMS error answer is an Error document: judged whatever its HTTP status', () => {
    const out = judge([msg('dms1-dms2', 'dms1', 'dms2', MEDIA.delegation, { exchange: 'e' }), msg('dms1-dms2', 'dms2', 'dms1', 'text/plain', { exchange: 'e', response: true, status: 415 })]);
    expect(out.verdict).toBe('FAIL');
  });

  test('not judged: an HTTP refusal on a SyncML link, the answer to a push, bodiless messages, the proxy\'s own 502', () => {
    const out = judge([
      msg('dms1-client', 'client', 'dms1', MEDIA.syncml, { exchange: 'r' }),
      msg('dms1-client', 'dms1', 'client', 'text/plain', { exchange: 'r', response: true, status: 415 }),
      msg('dms1-client', 'dms1', 'client', MEDIA.notification, { exchange: 'p' }),
      msg('dms1-client', 'client', 'dms1', 'text/plain', { exchange: 'p', response: true }),
      msg('dms2-client', 'client', 'dms2', 'text/plain', { exchange: 'u', response: true }),
      msg('dms2-client', 'client', 'dms2', 'text/plain', { bytes: 0 }),
      msg('dms1-dms2', 'dms1', 'dms2', MEDIA.delegation, { exchange: 'y' }),
      msg('dms1-dms2', 'dms2', 'dms1', 'text/plain', { exchange: 'y', response: true, status: 502, reason: 'proxy: upstream failed' }),
    ]);
    expect(out.verdict).toBe('PASS');
  });

  test('many offending messages: all are evidence, the text names the first few and counts the rest', () => {
    const bad = Array.from({ length: 9 }, () => msg('dms1-client', 'client', 'dms1', LEGACY_SYNCML));
    const out = judge(bad);
    expect(out.evidence).toEqual(bad.map((m) => m.seq));
    expect(out.actual).toMatch(/; 3 more$/);
  });

  test('no message with a body: nothing to judge', () => {
    expect(judge([]).absent).toBe(true);
  });
});

/** Short budgets: a mutant that stalls a flow should not stall the test run. */
const BUDGETS = { requestMs: 3000, sessionMs: 2500, notificationMs: 2500, flowMs: 10_000 };
const catalogue = loadCatalogue();
const scenarios = new Map(defaultScenarios().map((s) => [s.id, s]));
const mutant = (id: string) => MUTANTS.find((m) => m.id === id)!;
let pki: Pki;
beforeAll(async () => void (pki = await createPki()));

const flowOf = (id: string): Promise<FlowResult> => {
  const m = mutant(id);
  return runFlow({ testerPlayed: new EveryCasePlayed(), scenario: scenarios.get(m.scenario)!, pki, budgets: BUDGETS, variation: m.variation });
};

describe('mutants of the media types', () => {
  test('a client sending application/vnd.syncml+xml: the flow completes and PRF-CONTENT-TYPE is its only FAIL', async () => {
    const flow = await flowOf('client-legacy-content-type');
    expect(flow.status).toBe('completed');
    const results = judgeFlow(flow, catalogue.entries);
    const notPass = results.filter((r) => r.verdict !== 'PASS' && r.verdict !== 'NOT_APPLICABLE').map((r) => `${r.requirementId} ${r.verdict}`);
    expect(notPass).toEqual(['PRF-CONTENT-TYPE FAIL']);
    const c = results.find((r) => r.requirementId === 'PRF-CONTENT-TYPE')!.checks[0];
    expect(c.actual).toMatch(/^seq \d+ on dms1-client from client: application\/vnd\.syncml\+xml, not application\/vnd\.syncml\.dm\+xml/);
    // Every SyncML message the client sent, sessions and bootstrap request, and nothing else.
    const ctx = flow.events.filter((e) => !isTesterEvent(e) && e.kind === 'request' && e.from === 'client' && (e.body?.bytes ?? 0) > 0);
    expect(ctx.some((e) => e.link === 'client-bootstrap')).toBe(true);
    expect(c.evidence).toEqual(ctx.map((e) => e.seq));
    // The servers answered in the profile's type.
    expect(flow.events.filter((e) => !isTesterEvent(e) && e.kind === 'response' && e.to === 'client' && (e.body?.bytes ?? 0) > 0).every((e) => e.body?.contentType === MEDIA.syncml)).toBe(true);
  });

  test('delegation bodies sent as application/vnd.dm.delegation+xmlx are refused with 415 and FAIL PRF-CONTENT-TYPE', async () => {
    const flow = await flowOf('delegation-type-suffix');
    const results = judgeFlow(flow, catalogue.entries);
    const r = results.find((x) => x.requirementId === 'PRF-CONTENT-TYPE')!;
    expect(r.verdict).toBe('FAIL');
    const refusal = flow.events.find((e) => !isTesterEvent(e) && e.kind === 'response' && e.http?.status === 415);
    expect(refusal?.reason).toContain('application/vnd.dm.delegation+xmlx');
    expect(r.checks[0].actual).toContain('from dms2: application/vnd.dm.delegation+xmlx, not application/vnd.dm.delegation+xml');
  });
});
