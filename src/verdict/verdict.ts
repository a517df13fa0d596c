/**
 * Verdicts of DESIGN.md §2. Only PASS and WARN count as "passed"; a check that did not run is never PASS.
 */
export const VERDICTS = ['PASS', 'FAIL', 'WARN', 'INCONCLUSIVE', 'ERROR', 'NOT_APPLICABLE', 'NOT_OBSERVABLE', 'BLOCKED'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Worst first: combining the outcomes of several checks keeps the worst. */
const SEVERITY: Record<Verdict, number> = {
  ERROR: 7,
  FAIL: 6,
  INCONCLUSIVE: 5,
  // Not reached because an earlier requirement failed: not a failure of its own, but never a pass.
  BLOCKED: 4,
  WARN: 3,
  PASS: 2,
  NOT_OBSERVABLE: 1,
  NOT_APPLICABLE: 0,
};

export function worst(verdicts: Iterable<Verdict>): Verdict | undefined {
  let out: Verdict | undefined;
  for (const v of verdicts) if (out === undefined || SEVERITY[v] > SEVERITY[out]) out = v;
  return out;
}

/** What each exit code says, in the words the reports use. */
export const EXIT_MEANING: Record<0 | 1 | 2 | 3, string> = {
  0: 'every applicable check passed',
  1: 'at least one FAIL',
  2: 'harness or configuration error',
  3: 'no FAIL, but something INCONCLUSIVE',
};

/** Exit codes of DESIGN.md §2: 0 all applicable passed, 1 a FAIL, 2 harness/config error, 3 inconclusive. */
export function exitCodeOf(verdicts: Iterable<Verdict>, harnessError = false): 0 | 1 | 2 | 3 {
  const all = [...verdicts];
  if (all.includes('FAIL')) return 1;
  // A harness error not tied to a verdict is an ERROR of the run.
  if (harnessError || all.includes('ERROR')) return 2;
  // BLOCKED always comes with the FAIL that blocked it; alone it still means "not all judged".
  if (all.includes('INCONCLUSIVE') || all.includes('BLOCKED')) return 3;
  return 0;
}
