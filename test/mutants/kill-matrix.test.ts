import { beforeAll, describe, expect, test } from 'vitest';
import { MUTANTS } from '../../mocks/mutants.js';
import { loadCatalogue } from '../../src/catalogue/catalogue.js';
import { CHECKS } from '../../src/checks/registry.js';
import { judgeFlow } from '../../src/judge/judge.js';
import { createPki, type Pki } from '../../src/pki/pki.js';
import type { RequirementResult } from '../../src/report/model.js';
import { EveryCasePlayed } from '../../src/runner/every-case-played.js';
import { runFlow } from '../../src/runner/run-flow.js';
import { runLimited } from '../../src/runner/run-limited.js';
import { defaultScenarios } from '../../src/runner/scenario.js';

/** Short budgets: a mutant that stalls a flow should not stall the test run. */
const BUDGETS = { requestMs: 3000, sessionMs: 2500, notificationMs: 2500, flowMs: 10_000 };
const catalogue = loadCatalogue();
const scenarios = new Map(defaultScenarios().map((s) => [s.id, s]));

/** Requirements judged from the tester's cases: its own (negative), and the TLS and nonce rules its probes inform. */
const readsTester = (id: string) => catalogue.entries.find((e) => e.id === id)?.category === 'negative' || /^(A\.1|B\.1|TLS-.*|SES-NONCE-.*)$/.test(id);

let pki: Pki;
const reference = new Map<string, RequirementResult[]>();
const mutated = new Map<string, RequirementResult[]>();

beforeAll(async () => {
  pki = await createPki();
  // Every reference flow plays every tester case: each must PASS in each.
  for (const s of scenarios.values()) reference.set(s.id, judgeFlow(await runFlow({ scenario: s, pki, budgets: BUDGETS }), catalogue.entries));
  // Two mutants at a time: a silent one waits out its budgets meanwhile.
  await runLimited(MUTANTS, 2, async (m) => {
    const scenario = scenarios.get(m.scenario)!;
    // The tester's cases take a second a flow: they are played only where the mutant's targets read them.
    const testerPlayed = [...m.kills, ...(m.silent ?? [])].some(readsTester) ? undefined : new EveryCasePlayed();
    const flow = await runFlow({ scenario: { ...scenario, removeAccount: m.removeAccount ?? scenario.removeAccount }, pki, budgets: BUDGETS, variation: m.variation, testerPlayed });
    mutated.set(m.id, judgeFlow(flow, catalogue.entries));
  });
}, 240_000);

/** A SHOULD that is not met reads WARN: for a SHOULD-level requirement that is the check failing. */
const failing = (v: string) => v === 'FAIL' || v === 'WARN';
const failedChecks = (results: RequirementResult[]) =>
  new Set(results.flatMap((r) => r.checks.filter((c) => failing(c.verdict)).map((c) => c.checkId)));

describe('reference mocks', () => {
  test.for([...defaultScenarios().map((s) => s.id)])('%s: every applicable requirement PASSes', (id) => {
    const bad = reference.get(id)!.filter((r) => r.verdict !== 'PASS' && r.verdict !== 'NOT_APPLICABLE');
    expect(bad.map((r) => `${r.requirementId} ${r.verdict}: ${r.checks.map((c) => c.actual ?? c.reason).join('; ')}`)).toEqual([]);
  });
});

describe('mutants', () => {
  test.for(MUTANTS.map((m) => [m.id, m] as const))('%s is caught by the requirements it targets', ([, m]) => {
    const results = mutated.get(m.id)!;
    const failed = results.filter((r) => failing(r.verdict)).map((r) => r.requirementId);
    expect(m.kills.length + (m.silent?.length ?? 0)).toBeGreaterThan(0);
    for (const id of m.kills) expect(failed, `${m.id} should fail ${id}`).toContain(id);
    // Silence is INCONCLUSIVE, whether or not the flow got to its end.
    for (const id of m.silent ?? []) expect(results.find((r) => r.requirementId === id)!.verdict, `${m.id}: ${id}`).toBe('INCONCLUSIVE');
    if (!m.kills.length) expect(failed, `${m.id} only goes silent`).toEqual([]);
  });

  // One fault, one red id (DESIGN.md §7): what the fault kept from happening is BLOCKED, not FAIL.
  test.for(MUTANTS.map((m) => [m.id, m] as const))('%s yields at most 3 FAIL ids', ([, m]) => {
    const failed = mutated.get(m.id)!.filter((r) => r.verdict === 'FAIL').map((r) => r.requirementId);
    expect(failed.length, `${m.id}: ${failed.join(', ')}`).toBeLessThanOrEqual(3);
    const blocked = mutated.get(m.id)!.filter((r) => r.verdict === 'BLOCKED');
    for (const r of blocked) expect(failed, `${r.requirementId} is BLOCKED by ${r.blockedBy}, which must be a FAIL of the flow`).toContain(r.blockedBy);
  });

  test('every check FAILs on at least one mutant and on no reference flow (kill matrix)', () => {
    const killedBy = new Map<string, string[]>([...CHECKS.keys()].map((id) => [id, []]));
    for (const [mutant, results] of mutated) for (const c of failedChecks(results)) killedBy.get(c)?.push(mutant);
    const lines = [...killedBy].map(([check, ms]) => `${check.padEnd(30)} ${ms.length ? ms.join(', ') : '— NOT KILLED'}`);
    process.stdout.write(`\nKill matrix (check → mutants that make it FAIL):\n${lines.join('\n')}\n`);
    for (const results of reference.values()) expect([...failedChecks(results)]).toEqual([]);
    expect([...killedBy].filter(([, ms]) => !ms.length).map(([c]) => c)).toEqual([]);
  });
});
