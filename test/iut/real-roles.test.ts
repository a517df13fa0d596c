import { describe, expect, test } from 'vitest';
import { loadCatalogue, rolesFor } from '../../src/catalogue/catalogue.js';
import { MUTANTS } from '../../mocks/mutants.js';
import { validateReport } from '../../src/report/report-schema.js';
import { IUT_CASES, passesWithoutOwnEvidence, runAgainstMockProcess, type IutCase } from './iut-run.js';

/**
 * The proof that any role can be a real implementation: each reference mock runs as its own OS process and
 * is judged through the role's example config like a vendor's implementation, then a mutant of it is caught.
 */
const CASES: Array<IutCase & { mutant: string }> = [
  { ...IUT_CASES.dms1, mutant: 'skip-acl-update' },
  { ...IUT_CASES.dms2, mutant: 'complete-before-prepared' },
  { ...IUT_CASES.bootstrap, mutant: 'bootstrap-content-type' },
  { ...IUT_CASES.client, mutant: 'client-no-devinfo' },
];

const catalogue = loadCatalogue();

// The run through the example config and the mutant's run use two processes of their own: they go side by side.
describe.concurrent.each(CASES)('a real $role (the reference mock as a separate process)', (c) => {
  test('passes through its example config', async () => {
    const run = await runAgainstMockProcess(c);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const r = run.report!;
    expect(validateReport(r)).toEqual({ ok: true });
    expect(r.roles[c.role as keyof typeof r.roles]).toBe('real');
    expect(Object.values(r.roles).filter((m) => m === 'real')).toHaveLength(1);
    expect(r.summary.byVerdict.PASS).toBeGreaterThan(40);
    // Every verdict is on the implementation: a requirement only the harness's mocks must keep is not one.
    // (A Bootstrap Server inside a real DMS-2 is as real as DMS-2.)
    const approachOf = new Map(r.flows.map((f) => [f.id, f.approach]));
    const rolesOf = (id: string, approach: 'A' | 'B') => rolesFor(catalogue.entries.find((e) => e.id === id)!, approach);
    const mine = (x: (typeof r.results)[number]) => rolesOf(x.requirementId, approachOf.get(x.flowId)!).some((role) => role === c.role || (c.role === 'dms2' && role === 'bootstrap'));
    for (const x of r.results.filter((x) => x.verdict === 'PASS')) expect(mine(x), x.requirementId).toBe(true);
    for (const x of r.results.filter((x) => /^constrains only harness roles/.test(x.checks[0].reason ?? ''))) expect(mine(x), x.requirementId).toBe(false);
    expect(r.summary.byVerdict.FAIL + r.summary.byVerdict.ERROR + r.summary.byVerdict.INCONCLUSIVE).toBe(0);
    // Every PASS on the implementation cites at least one message it sent (or a refusal it made).
    expect(passesWithoutOwnEvidence(r, run.trace!, c.role, rolesOf)).toEqual([]);
    // A check that could not be seen is never reported as passed.
    for (const x of r.results.filter((x) => x.verdict === 'NOT_OBSERVABLE')) expect(x.checks[0].reason).toMatch(/not observable/);
  }, 150_000);

  test(`a mutant process (${c.mutant}) exits 1 naming the requirements it breaks`, async () => {
    const mutant = MUTANTS.find((m) => m.id === c.mutant)!;
    const run = await runAgainstMockProcess(c, { mutant: c.mutant, runArgs: ['--approach', mutant.scenario[0]] });
    expect(run.status, run.stdout + run.stderr).toBe(1);
    const failed = run.report!.summary.failedRequirements;
    for (const id of mutant.kills) expect(failed).toContain(id);
    expect(run.stdout).toMatch(new RegExp(`FAILED requirements: .*${mutant.kills[0].replace(/\./g, '\\.')}`));
    // Only requirements on the mutated role can fail: the harness's own mocks stay conformant.
    for (const id of failed) expect(catalogue.entries.find((e) => e.id === id)!.roles, id).toContain(c.role);
  }, 150_000);
});
