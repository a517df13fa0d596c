import { beforeAll, describe, expect, test } from 'vitest';
import { answerTo, type TraceEvent } from '../../src/trace/events.js';
import { MUTANTS } from '../../mocks/mutants.js';
import { loadCatalogue } from '../../src/catalogue/catalogue.js';
import { flowVerdicts, judgeFlow } from '../../src/judge/judge.js';
import { createPki, type Pki } from '../../src/pki/pki.js';
import { buildReport } from '../../src/report/build-report.js';
import { validateReport } from '../../src/report/report-schema.js';
import { junitXml } from '../../src/report/write-junit.js';
import { UNREAD_TREE } from '../../src/runner/client-tree.js';
import { observability } from '../../src/runner/observability.js';
import { EveryCasePlayed } from '../../src/runner/every-case-played.js';
import { runFlow, type FlowResult } from '../../src/runner/run-flow.js';
import { defaultScenarios } from '../../src/runner/scenario.js';

const BUDGETS = { requestMs: 2000, sessionMs: 2000, notificationMs: 2000, flowMs: 6000 };
const catalogue = loadCatalogue();
const scenario = (id: string) => defaultScenarios().find((s) => s.id === id)!;
const mutant = (id: string) => MUTANTS.find((m) => m.id === id)!;
let pki: Pki;
let reference: FlowResult;
beforeAll(async () => {
  pki = await createPki();
  reference = await runFlow({ testerPlayed: new EveryCasePlayed(), scenario: scenario('A-full-temporary'), pki, budgets: BUDGETS });
});

describe('root first: what a fault kept from happening is BLOCKED, naming the root', () => {
  test('a DMS-1 without a client certificate: the TLS requirements FAIL, everything after them is BLOCKED by B.1', async () => {
    const m = mutant('no-client-certificate');
    const flow = await runFlow({ testerPlayed: new EveryCasePlayed(), scenario: scenario(m.scenario), pki, budgets: BUDGETS, variation: m.variation });
    const results = judgeFlow(flow, catalogue.entries);
    const { rootFailures, stop } = flowVerdicts(flow, results);
    expect(rootFailures).toEqual(['B.1', 'TLS-DMS-MUTUAL']);
    expect(stop).toMatchObject({ requirementId: 'B.1', flowId: m.scenario });
    const blocked = results.filter((r) => r.verdict === 'BLOCKED');
    expect(blocked.map((r) => r.requirementId)).toEqual(expect.arrayContaining(['B.2', 'B.3', 'SES-MSGID', 'FIN-ACL-DELEGATED']));
    for (const r of blocked) {
      expect(r.blockedBy).toBe('B.1');
      expect(r.checks.find((c) => c.verdict === 'BLOCKED')!.reason).toMatch(new RegExp(`not reached: flow ${m.scenario} stopped at B\\.1 \\(seq \\d+\\): connection refused`));
    }
    // The report says where the flow stopped, validates, and JUnit skips what was blocked.
    const report = buildReport({ runId: 'r', startedAt: new Date(), flows: [flow], results, entries: catalogue.entries, roles: flow.roles, selection: { approaches: ['B'] }, errors: [] });
    expect(validateReport(report)).toEqual({ ok: true });
    expect(report.flows[0].stop?.requirementId).toBe('B.1');
    expect(report.flows[0].rootFailures[0]).toBe('B.1');
    expect(report.summary.exitCode).toBe(1);
    const xml = junitXml(report);
    expect(xml).toMatch(/<testcase[^>]*name="B\.2 [^"]*"[^>]*>[\s\S]*?<skipped message="BLOCKED: not reached: flow B-full-permanent stopped at B\.1/);
  });

  test('a step skipped in a delegation that still completed is a FAIL of its own, not BLOCKED', async () => {
    const m = mutant('skip-acl-update');
    const flow = await runFlow({ testerPlayed: new EveryCasePlayed(), scenario: scenario(m.scenario), pki, budgets: BUDGETS, variation: m.variation });
    const b8 = judgeFlow(flow, catalogue.entries).find((r) => r.requirementId === 'B.8')!;
    expect(b8.verdict).toBe('FAIL');
  });
});

describe('judge only what the implementation did', () => {
  test('a final tree that was never read yields no FAIL of the end state', () => {
    const unread: FlowResult = { ...reference, finalTree: UNREAD_TREE, treeUnread: [] };
    const ends = judgeFlow(unread, catalogue.entries).filter((r) => r.requirementId.startsWith('FIN-') && r.verdict !== 'NOT_APPLICABLE');
    expect(ends.length).toBeGreaterThan(3);
    for (const r of ends) expect([r.requirementId, r.verdict]).toEqual([r.requirementId, 'INCONCLUSIVE']);
  });

  test("Package #0 digests are checked with the credentials the harness holds, not only with trees it read", () => {
    const unread: FlowResult = { ...reference, initialTree: UNREAD_TREE, finalTree: UNREAD_TREE, treeUnread: [] };
    const digest = judgeFlow(unread, catalogue.entries).find((r) => r.requirementId === 'SES-PKG0-DIGEST')!;
    expect(digest.checks.map((c) => c.actual)).toEqual([expect.stringMatching(/Package #0 digests verified/)]);
    expect(digest.verdict).toBe('PASS');
  });

  test('with a real client, a requirement only the harness servers must keep reads "constrains only harness roles"', () => {
    const roles = { ...reference.roles, client: 'real' as const };
    const asReal: FlowResult = { ...reference, roles, observability: observability({ roles, proxies: [], pushByDriver: false, treeSource: 'mock' }) };
    const r = judgeFlow(asReal, catalogue.entries);
    const digest = r.find((x) => x.requirementId === 'SES-PKG0-DIGEST')!;
    expect(digest.verdict).toBe('NOT_APPLICABLE');
    expect(digest.checks[0].reason).toMatch(/^constrains only harness roles/);
    // A requirement on the client is judged as before.
    expect(r.find((x) => x.requirementId === 'SES-PKG1-DEVINFO')!.verdict).toBe('PASS');
  });
});

describe('the end of a flow with a real DMS-1 is the answer to DelegationComplete', () => {
  test('the TLS event of the same exchange is not that answer; the response or a transport error is', () => {
    const request = { seq: 2, kind: 'request', link: 'dms1-dms2', exchange: 'x1' } as TraceEvent;
    const at = (kind: TraceEvent['kind'], exchange = 'x1') => ({ seq: 1, kind, link: 'dms1-dms2', exchange }) as TraceEvent;
    expect(answerTo(request)(at('tls'))).toBe(false);
    expect(answerTo(request)(at('request'))).toBe(false);
    expect(answerTo(request)(at('response', 'x2'))).toBe(false);
    expect(answerTo(request)(at('response'))).toBe(true);
    expect(answerTo(request)(at('error'))).toBe(true);
  });
});
