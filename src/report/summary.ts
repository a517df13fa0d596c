import { exitCodeOf, VERDICTS, type Verdict } from '../verdict/verdict.js';
import { applyBaseline, unexcused } from './baseline.js';
import type { Baseline, FlowReport, RequirementResult, RunReport } from './model.js';

function count(results: readonly RequirementResult[]): Record<Verdict, number> {
  const by = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const r of results) by[r.verdict]++;
  return by;
}

export interface SummaryInput {
  results: readonly RequirementResult[];
  /** In run order: each flow's FAILs, earliest on the wire first. */
  flows: ReadonlyArray<Pick<FlowReport, 'rootFailures'>>;
  /** Ids of the tester's cases (category negative). */
  negative: ReadonlySet<string>;
  errors: readonly string[];
  baseline?: Baseline & { file?: string };
  now?: Date;
}

/**
 * A run's summary from its results, for one run and for merged shards alike: the counts, the FAILs (roots
 * first), the tester's part, and the exit code, with the FAILs a baseline excuses marked and left out of it.
 */
export function summarize(i: SummaryInput): { results: RequirementResult[]; summary: RunReport['summary'] } {
  const applied = i.baseline ? applyBaseline(i.results, i.baseline, i.now) : undefined;
  const results = applied?.results ?? [...i.results];
  const tester = results.filter((r) => i.negative.has(r.requirementId));
  let exitCode = exitCodeOf(unexcused(results).map((r) => r.verdict), i.errors.length > 0);
  // A baseline entry that now passes fails the gate: the fix is noticed and the entry removed.
  if (applied?.outcome.stale.length && exitCode !== 2) exitCode = 1;
  return {
    results,
    summary: {
      total: results.length,
      byVerdict: count(results),
      exitCode,
      failedRequirements: [...new Set(i.flows.flatMap((f) => f.rootFailures))],
      tester: {
        total: tester.length,
        byVerdict: count(tester),
        failedCases: [...new Set(tester.filter((r) => r.verdict === 'FAIL').map((r) => r.requirementId))],
      },
      ...(applied ? { baseline: applied.outcome } : {}),
    },
  };
}
