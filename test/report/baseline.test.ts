import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { applyBaseline, loadBaseline, unexcused, updatedBaseline } from '../../src/report/baseline.js';
import type { Baseline } from '../../src/report/model.js';
import type { RequirementResult } from '../../src/report/model.js';
import { summarize } from '../../src/report/summary.js';
import type { Verdict } from '../../src/verdict/verdict.js';

const result = (flowId: string, requirementId: string, verdict: Verdict, blockedBy?: string): RequirementResult => ({
  flowId, requirementId, verdict, checks: [{ checkId: 'c', verdict, evidence: [1], ...(verdict === 'FAIL' ? { actual: 'wrong' } : {}) }], ...(blockedBy ? { blockedBy } : {}),
});
const NOW = new Date('2026-12-02T12:00:00Z');
const run = (results: RequirementResult[], baseline?: Baseline) =>
  summarize({ results, flows: [{ rootFailures: results.filter((r) => r.verdict === 'FAIL').map((r) => r.requirementId) }], negative: new Set(), errors: [], baseline, now: NOW });

describe('a baseline of known FAILs', () => {
  const results = [result('A-full-temporary', 'A.2', 'FAIL'), result('A-full-temporary', 'A.3', 'BLOCKED', 'A.2'), result('A-full-temporary', 'A.1', 'PASS')];

  test('without one, a FAIL exits 1', () => {
    expect(run(results).summary.exitCode).toBe(1);
  });

  test('a run whose only FAILs are baselined exits 0; the FAIL stays a FAIL, marked, and what it blocked is excused with it', () => {
    const { results: marked, summary } = run(results, { entries: [{ requirement: 'A.2', flow: 'A-*', reason: 'ticket 12' }] });
    expect(summary.exitCode).toBe(0);
    expect(summary.byVerdict.FAIL).toBe(1);
    expect(marked[0].baselined).toEqual({ reason: 'ticket 12' });
    expect(summary.baseline).toMatchObject({ known: 1, newFailures: [], stale: [], expired: [] });
    expect(unexcused(marked).map((r) => r.requirementId)).toEqual(['A.1']);
  });

  test('a new FAIL beside a baselined one exits 1 and is named', () => {
    const { summary } = run([...results, result('B-full-temporary', 'B.7', 'FAIL')], { entries: [{ requirement: 'A.2', flow: '*', reason: 'known' }] });
    expect(summary.exitCode).toBe(1);
    expect(summary.baseline!.newFailures).toEqual(['B-full-temporary B.7']);
  });

  test('an entry whose requirement now passes is stale and exits 1; one that matched nothing judged is not', () => {
    const entries = [
      { requirement: 'A.1', flow: 'A-full-temporary', reason: 'fixed since' },
      { requirement: 'B.*', flow: 'B-*', reason: 'not run here' },
    ];
    const { summary } = run([result('A-full-temporary', 'A.1', 'PASS')], { entries });
    expect(summary.exitCode).toBe(1);
    expect(summary.baseline!.stale).toEqual([entries[0]]);
  });

  test('an expired entry excuses nothing', () => {
    const { summary } = run(results, { entries: [{ requirement: 'A.2', flow: '*', reason: 'was due', expires: '2026-11-30' }] });
    expect(summary.exitCode).toBe(1);
    expect(summary.baseline!.expired).toHaveLength(1);
    expect(run(results, { entries: [{ requirement: 'A.2', flow: '*', reason: 'due today', expires: '2026-12-02' }] }).summary.exitCode).toBe(0);
  });

  test('--update-baseline drops stale entries, keeps live ones and adds each new FAIL', () => {
    const entries = [
      { requirement: 'A.1', flow: '*', reason: 'fixed since' },
      { requirement: 'A.2', flow: '*', reason: 'ticket 12', expires: '2027-01-31' },
    ];
    const { outcome } = applyBaseline([...results, result('B-full-temporary', 'B.7', 'FAIL')], { entries }, NOW);
    expect(updatedBaseline(outcome, 'run-1').entries).toEqual([entries[1], { requirement: 'B.7', flow: 'B-full-temporary', reason: expect.stringContaining('run-1') }]);
    // An expired entry is kept as it is, and its FAIL is not baselined again behind the expiry's back.
    const expired = { requirement: 'A.2', flow: '*', reason: 'was due', expires: '2026-11-30' };
    const again = applyBaseline(results, { entries: [expired] }, NOW).outcome;
    expect(updatedBaseline(again, 'run-2').entries).toEqual([expired]);
  });

  test('a baseline file is validated and every problem named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dmdc-baseline-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ entries: [{ requirement: 'A.2', reason: '', expires: 'soon' }] }));
    const bad = loadBaseline(join(dir, 'bad.json'));
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors.join('\n')).toMatch(/flow[\s\S]*reason|reason[\s\S]*flow/);
    expect(!bad.ok && bad.errors.join('\n')).toMatch(/expires/);
    writeFileSync(join(dir, 'junk.json'), '{');
    expect(loadBaseline(join(dir, 'junk.json')).ok).toBe(false);
  });
});
