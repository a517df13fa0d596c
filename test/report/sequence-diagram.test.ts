/**
 * The sequence diagram and its entries on real flows of the reference mocks: labels that name the commands
 * that matter, every event's seq present (TLS ones included), the harness's own traffic flagged, and a
 * mutant's broken happens-before edge drawn and named.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { MUTANTS } from '../../mocks/mutants.js';
import { loadCatalogue } from '../../src/catalogue/catalogue.js';
import { judgeFlow } from '../../src/judge/judge.js';
import { createPki } from '../../src/pki/pki.js';
import { buildReport } from '../../src/report/build-report.js';
import { APPROACH_STEPS, orderViolations, sequenceSvg } from '../../src/report/html-sequence.js';
import type { FlowReport, RequirementResult, RunReport } from '../../src/report/model.js';
import { validateReport } from '../../src/report/report-schema.js';
import { modesOf } from '../../src/runner/flow-setup.js';
import { EveryCasePlayed } from '../../src/runner/every-case-played.js';
import { runFlow, type FlowResult } from '../../src/runner/run-flow.js';
import { defaultScenarios } from '../../src/runner/scenario.js';

const BUDGETS = { requestMs: 3000, sessionMs: 2500, notificationMs: 2500, flowMs: 10_000 };
const PASSING = 'A-full-permanent';
const MUTANT = MUTANTS.find((m) => m.id === 'prepared-before-acl')!;
const entries = loadCatalogue().entries;

let flows: FlowResult[];
let report: RunReport;
const flowReport = (id: string) => report.flows.find((f) => f.id === id)!;
const resultsOf = (id: string) => report.results.filter((r) => r.flowId === id);
const refOf = (id: string) => report.requirements.find((r) => r.id === id);
const svgOf = (f: FlowReport, results: readonly RequirementResult[] = resultsOf(f.id)) =>
  sequenceSvg(f, new Set(results.filter((r) => r.verdict === 'FAIL').flatMap((r) => r.checks.flatMap((c) => c.evidence))), orderViolations(results, refOf));

beforeAll(async () => {
  const pki = await createPki();
  const scenarios = new Map(defaultScenarios().map((s) => [s.id, s]));
  // The passing flow plays the tester's cases (a run's first flow does): its harness traffic is in the trace.
  const passing = await runFlow({ scenario: scenarios.get(PASSING)!, pki, budgets: BUDGETS, testerPlayed: new Set() });
  const mutant = await runFlow({ scenario: scenarios.get(MUTANT.scenario)!, pki, budgets: BUDGETS, variation: MUTANT.variation, testerPlayed: new EveryCasePlayed() });
  flows = [passing, mutant];
  const results = flows.flatMap((f) => judgeFlow(f, entries));
  report = buildReport({ runId: 'sequence-test', startedAt: new Date(), flows, results, entries, roles: modesOf(undefined), selection: { approaches: ['A', 'B'] }, errors: [] });
}, 60_000);

describe('sequence entries of real flows', () => {
  test('labels name the command that matters: the ACL Replace and the Add of the DMS-2 account, not the leading Status', () => {
    const seq = flowReport(PASSING).sequence;
    const fromDms1 = seq.filter((e) => e.step === 'A.4' && e.from === 'dms1' && e.to === 'client');
    expect(fromDms1.map((e) => e.label)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Add \.\/DMAcc\/dms2\.example\b/), expect.stringMatching(/^Replace \.\/\S+\?prop=ACL\b/)]),
    );
    // What DMS-1 sends in A.4 starts with its command; its statuses are counted after it.
    for (const e of fromDms1) expect(e.label).toMatch(/^(Add|Replace) \.\/\S+.* · \+\d+ Status \d{3}/);
    // The client's answer names what it answers.
    expect(seq.some((e) => e.step === 'A.4' && e.from === 'client' && /^Status 200 for Replace \.\/\S+\?prop=ACL/.test(e.label ?? ''))).toBe(true);
    expect(seq.find((e) => e.step === 'A.2' && e.kind === 'request')?.label).toBe('DelegationInitiationRequest full/permanent, approach A');
    expect(seq.find((e) => e.step === 'A.6' && e.kind === 'response')?.label).toBe('Ack of ClientPrepared');
    // The raw one-line summary stays for the message table.
    expect(fromDms1[0]!.summary).toMatch(/^SyncML .*Status#1 212 for SyncHdr/);
  });

  test('the diagram shows those labels', () => {
    const svg = svgOf(flowReport(PASSING));
    expect(svg).toMatch(/>A\.4 Add \.\/DMAcc\/dms2\.example/);
    expect(svg).toMatch(/>A\.4 Replace \.\/[^<]*\?prop=ACL/);
    expect(svg).not.toMatch(/>A\.4 (?:200 )?SyncML session/);
  });

  test('every event of the flow is an entry once, TLS handshakes and refusals included: the seqs do not jump', () => {
    for (const f of flows) {
      const seq = flowReport(f.scenario.id).sequence;
      expect(seq.map((e) => e.seq)).toEqual(f.events.map((e) => e.seq));
      expect(seq.filter((e) => e.kind === 'tls')).toHaveLength(f.events.filter((e) => e.kind === 'tls').length);
      expect(seq.filter((e) => e.kind === 'tls').every((e) => e.tlsProtocol && e.label === e.tlsProtocol)).toBe(true);
      expect(seq.filter((e) => e.kind === 'tls-error').every((e) => e.label === 'TLS refused' && e.reason)).toBe(true);
      // Each seq is one row of the diagram, linked to its message row.
      const svg = svgOf(flowReport(f.scenario.id));
      for (const e of seq) expect(svg.split(`<a href="#m--${f.scenario.id}--${e.seq}" `).length - 1, `seq ${e.seq}`).toBe(1);
    }
    const passing = flowReport(PASSING).sequence;
    expect(passing.some((e) => e.kind === 'tls' && e.step === 'A.1')).toBe(true);
    expect(passing.some((e) => e.kind === 'tls-error')).toBe(true);
  });

  test("the harness's own traffic is flagged: the tester's cases and the probe session, never an event of a step", () => {
    const f = flows[0]!;
    const seq = new Map(flowReport(PASSING).sequence.map((e) => [e.seq, e]));
    const own = f.events.filter((e) => (e.phase || e.probe) && !seq.get(e.seq)!.step);
    expect(own.some((e) => e.phase === 'tls-probe')).toBe(true);
    expect(own.some((e) => e.phase === 'probe')).toBe(true);
    for (const e of f.events) expect(seq.get(e.seq)!.harness ?? false, `seq ${e.seq}`).toBe(own.includes(e));
    expect([...seq.values()].filter((e) => e.step).every((e) => !e.harness)).toBe(true);
    // Drawn receding and bracketed as the harness's.
    const svg = svgOf(flowReport(PASSING));
    const first = own[0]!.seq;
    expect(svg).toMatch(new RegExp(`<a href="#m--${PASSING}--${first}" class="sq [^"]*\\bsq-harness\\b"><title>[^<]*\\(harness\\)`));
    expect(svg).toContain('<g class="sq-harness-run">');
    expect(svg).toMatch(/font-style="italic" fill="#8c959f">harness<\/text>/);
  });

  test("a mutant's broken ordering is drawn as a named edge between its evidence rows", () => {
    const id = MUTANT.scenario;
    const results = resultsOf(id);
    const violated = results.find((r) => r.requirementId === 'ORD-B.8-B.9')!;
    expect(violated.verdict).toBe('FAIL');
    const v = orderViolations(results, refOf);
    expect(v.map((x) => x.requirementId)).toEqual(['ORD-B.8-B.9']);
    expect(v[0]!.evidence).toEqual(violated.checks.find((c) => c.verdict === 'FAIL')!.evidence);
    const svg = svgOf(flowReport(id));
    const edge = /<g class="sq-violation">[\s\S]*?<\/g>/.exec(svg)?.[0];
    expect(edge).toBeDefined();
    expect(edge).toContain('>ORD-B.8-B.9</text>');
    // From the end of B.8 (or its 8b) to the ClientPrepared that came too early.
    const prepared = flowReport(id).sequence.find((e) => e.step === 'B.9' && e.kind === 'request')!;
    expect(edge).toMatch(new RegExp(`#\\d+ \\(B\\.8b?\\) should precede #${prepared.seq} \\(B\\.9\\)`));
    expect(edge).toMatch(/<path d="M[\d.]+ [\d.]+ C/);
    // The steps of the broken edge are marked in the step column; the diagram stays within the page.
    expect(svg).toContain('class="sq-step sq-step-broken"');
    expect(Number(/viewBox="0 0 (\d+) /.exec(svg)![1])).toBeLessThanOrEqual(1300);
    // Without the results no edge: a passing flow has none.
    expect(orderViolations(resultsOf(PASSING), refOf)).toEqual([]);
    expect(svgOf(flowReport(PASSING))).not.toContain('sq-violation');
  });

  test('the report with labels, TLS and harness entries validates against its schema', () => {
    expect(validateReport(report)).toEqual({ ok: true });
    const bad = structuredClone(report);
    (bad.flows[0]!.sequence[0] as { harness?: unknown }).harness = false;
    expect(validateReport(bad).ok).toBe(false);
  });
});

describe('the diagram markup', () => {
  test('the step column follows the catalogue: each approach its step requirements, in catalogue order', () => {
    for (const a of ['A', 'B'] as const) {
      expect(APPROACH_STEPS[a]).toEqual(entries.filter((e) => e.category === 'step' && e.approach === a).map((e) => e.step));
    }
  });

  test('escaped and CSP-safe: no script, event handler, style attribute or outside reference, within 1,300 px', () => {
    const script = '<script>alert(1)</script>';
    const flow: FlowReport = {
      ...flowReport(PASSING),
      sequence: [
        { seq: 1, t: 1, kind: 'request', link: 'dms1-client', from: 'dms1', to: 'client', step: 'A.4', summary: script, label: `Replace ./"x"?prop=ACL ${script}` },
        { seq: 2, t: 2, kind: 'tls-error', link: 'dms1-client', from: 'client', to: 'dms1', summary: 'TLS refused', label: 'TLS refused', reason: `bad & ${script}`, harness: true },
        { seq: 3, t: 3, kind: 'request', link: 'dms1-dms2', from: 'dms1', to: 'dms2', step: 'A.6', summary: 'ClientPrepared', label: 'ClientPrepared' },
      ],
    };
    const svg = sequenceSvg(flow, new Set([1, 3]), [{ requirementId: 'ORD-A.4-A.6', title: `A.4 before A.6 ${script}`, evidence: [3, 1] }, { requirementId: 'ORD-X', evidence: [99] }]);
    expect(svg).not.toContain('<script');
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).not.toMatch(/\son\w+\s*=/i);
    expect(svg).not.toMatch(/\sstyle\s*=|<style|url\(|xlink:href|<image|<foreignObject/i);
    for (const m of svg.matchAll(/\shref="([^"]*)"/g)) expect(m[1]).toMatch(/^#/);
    expect(Number(/ width="(\d+)"/.exec(svg)![1])).toBeLessThanOrEqual(1300);
    // A requirement whose evidence is not in the rows is still named.
    expect(svg).toContain('evidence not in this diagram: ORD-X');
    expect(svg).toContain('>ORD-A.4-A.6</text>');
  });
});
