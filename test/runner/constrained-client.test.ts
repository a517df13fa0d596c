import { beforeAll, describe, expect, test } from 'vitest';
import { loadCatalogue } from '../../src/catalogue/catalogue.js';
import { judgeFlow } from '../../src/judge/judge.js';
import { createPki, type Pki } from '../../src/pki/pki.js';
import type { RequirementResult } from '../../src/report/model.js';
import { runFlow, type FlowResult } from '../../src/runner/run-flow.js';
import { defaultScenarios } from '../../src/runner/scenario.js';
import type { SyncMLMessage } from '../../src/syncml/model.js';
import type { TraceEvent } from '../../src/trace/events.js';

/**
 * A device of the kind found in the field: it speaks WBXML in every flow, declares MaxMsgSize 2048 (so the
 * servers split their packages and it asks for each next message with Alert 1222), and rotates its nonces
 * every session, as the reference client does. Every flow completes with every applicable check PASS,
 * whichever session authentication type the flow takes.
 */
const BUDGETS = { requestMs: 3000, sessionMs: 2500, notificationMs: 2500, flowMs: 15_000 };
const MAX = 2048;
const catalogue = loadCatalogue();
const flows = new Map<string, { flow: FlowResult; results: RequirementResult[] }>();
/** The same flows against servers that declare MaxMsgSize 1500: the client splits its packages. */
const SERVER_MAX = 1500;
const smallServers = new Map<string, { flow: FlowResult; results: RequirementResult[] }>();
let pki: Pki;

const syncml = (e: TraceEvent) => (e.body?.parsed?.codec === 'syncml' ? (e.body.parsed.value as SyncMLMessage) : undefined);
/** The DM messages between the client and its servers; the tester's own connections (posing as a client) left out. */
const dmMessages = (f: FlowResult) =>
  f.events.filter((e) => (e.kind === 'request' || e.kind === 'response') && (e.link === 'dms1-client' || e.link === 'dms2-client') && e.phase !== 'tls-probe' && syncml(e));

beforeAll(async () => {
  pki = await createPki();
  for (const s of defaultScenarios()) {
    const flow = await runFlow({ scenario: s, pki, budgets: BUDGETS, variation: { clientEncoding: 'wbxml', clientMaxMsgSize: MAX } });
    flows.set(s.id, { flow, results: judgeFlow(flow, catalogue.entries) });
    const small = await runFlow({ scenario: s, pki, budgets: BUDGETS, variation: { server: { dms1: { maxMsgSize: SERVER_MAX }, dms2: { maxMsgSize: SERVER_MAX } } } });
    smallServers.set(s.id, { flow: small, results: judgeFlow(small, catalogue.entries) });
  }
}, 300_000);

const notPassing = (results: RequirementResult[]) =>
  results.filter((r) => r.verdict !== 'PASS' && r.verdict !== 'NOT_APPLICABLE').map((r) => `${r.requirementId} ${r.verdict}: ${r.checks.map((c) => c.actual ?? c.reason).join('; ')}`);

describe('a WBXML client with MaxMsgSize 2048', () => {
  test.for(defaultScenarios().map((s) => [s.id, s.authType] as const))('%s (%s): every applicable requirement PASSes', ([id]) => {
    const { flow, results } = flows.get(id)!;
    expect(flow.status).toBe('completed');
    expect(notPassing(results)).toEqual([]);
  });

  test('every DM message is WBXML and no server message exceeds 2048 bytes', () => {
    for (const { flow } of flows.values()) {
      for (const e of dmMessages(flow)) {
        expect(e.body!.contentType).toMatch(/\+wbxml/);
        if (e.kind === 'response') expect(e.body!.bytes, `seq ${e.seq} of ${flow.scenario.id}`).toBeLessThanOrEqual(MAX);
      }
    }
  });

  test('some server packages were split, and the client asked for each next message with Alert 1222', () => {
    const split = [...flows.values()].flatMap(({ flow }) => dmMessages(flow).filter((e) => e.kind === 'response' && !syncml(e)!.final));
    expect(split.length).toBeGreaterThan(0);
    const asked = [...flows.values()].flatMap(({ flow }) => dmMessages(flow).filter((e) => e.kind === 'request' && syncml(e)!.body.some((c) => c.kind === 'Alert' && c.data === '1222')));
    expect(asked.length).toBeGreaterThanOrEqual(split.length);
  });
});

describe('servers with MaxMsgSize 1500', () => {
  test.for(defaultScenarios().map((s) => s.id))('%s: every applicable requirement PASSes', (id) => {
    const { flow, results } = smallServers.get(id)!;
    expect(flow.status).toBe('completed');
    expect(notPassing(results)).toEqual([]);
  });

  test('the client split its packages to fit, and DMS-1 and DMS-2 asked for each next message', () => {
    const events = [...smallServers.values()].flatMap(({ flow }) => dmMessages(flow));
    const split = events.filter((e) => e.kind === 'request' && !syncml(e)!.final);
    expect(split.length).toBeGreaterThan(0);
    for (const e of events.filter((x) => x.kind === 'request')) expect(e.body!.bytes).toBeLessThanOrEqual(SERVER_MAX);
    expect(new Set(split.map((e) => e.to))).toEqual(new Set(['dms1', 'dms2']));
  });
});
