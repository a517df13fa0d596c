import { expect } from 'vitest';
import type { RunReport } from '../../src/report/model.js';
import type { DmdcRun } from './iut-run.js';

/** What an independent implementation's run is judged by: its FAIL ids, a readable why, and no cascade. */
export const failIds = (r: RunReport) => [...new Set(r.results.filter((x) => x.verdict === 'FAIL').map((x) => x.requirementId))];

/** Every result that is not a PASS, with the run's output and the tail of the implementation's own log. */
export function explain(run: DmdcRun, name: string, log: string, tail = 3000): string {
  const r = run.report;
  const lines = r ? r.results.filter((x) => !['PASS', 'NOT_APPLICABLE', 'NOT_OBSERVABLE'].includes(x.verdict)).map((x) => `${x.flowId} ${x.requirementId} ${x.verdict}: ${x.checks.map((c) => c.actual ?? c.reason ?? '').join(' | ').slice(0, 300)}`) : [];
  return [`exit ${run.status}`, run.stdout.slice(-1500), run.stderr.slice(-1500), ...lines, `--- ${name} ---`, log.slice(-tail)].join('\n');
}

/** No more than 3 FAIL ids per flow, and every BLOCKED result is blocked by a FAIL of its own flow. */
export function expectNoCascade(r: RunReport, why: string): void {
  for (const flow of r.flows) {
    const mine = r.results.filter((x) => x.flowId === flow.id);
    const failed = new Set(mine.filter((x) => x.verdict === 'FAIL').map((x) => x.requirementId));
    expect(failed.size, `${flow.id}: ${[...failed].join(', ')}\n${why}`).toBeLessThanOrEqual(3);
    for (const x of mine.filter((x) => x.verdict === 'BLOCKED')) {
      expect(x.blockedBy, `${flow.id} ${x.requirementId}\n${why}`).toBeDefined();
      expect(failed.has(x.blockedBy!), `${flow.id} ${x.requirementId} blocked by ${x.blockedBy}\n${why}`).toBe(true);
    }
  }
}
