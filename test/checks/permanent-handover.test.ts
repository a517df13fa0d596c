import { expect, test } from 'vitest';
import { loadCatalogue } from '../../src/catalogue/catalogue.js';
import { judgeFlow } from '../../src/judge/judge.js';
import { EveryCasePlayed } from '../../src/runner/every-case-played.js';
import { runFlow } from '../../src/runner/run-flow.js';
import { defaultScenarios } from '../../src/runner/scenario.js';

/** Binding profile §3.5: a permanent delegation hands DMS-1's rights over, whether or not DMS-1 removes its account. */
test.for(['A-partial-permanent', 'B-full-permanent'])('%s without the optional removal: the reference hands its rights over and everything applicable PASSes', async (id) => {
  const scenario = { ...defaultScenarios().find((s) => s.id === id)!, removeAccount: false };
  const results = judgeFlow(await runFlow({ testerPlayed: new EveryCasePlayed(), scenario }), loadCatalogue().entries);
  const bad = results.filter((r) => r.verdict !== 'PASS' && r.verdict !== 'NOT_APPLICABLE');
  expect(bad.map((r) => `${r.requirementId} ${r.verdict}: ${r.checks.map((c) => c.actual ?? c.reason).join('; ')}`)).toEqual([]);
  const verdict = (rid: string) => results.find((r) => r.requirementId === rid)!.verdict;
  expect(verdict('FIN-PERMANENT-HANDOVER')).toBe('PASS');
  expect(verdict('FIN-DMS2-ACCOUNT-ACL')).toBe('PASS');
  expect(verdict('FIN-DMS1-REMOVED')).toBe('NOT_APPLICABLE');
});
