/**
 * Traceability between the catalogue and the checks: every requirement is verified by at least one known
 * check, and every requirement a check claims to verify exists and lists that check.
 */
import type { Catalogue } from './catalogue.js';

/** What coverage needs to know about a check: the requirement ids it declares it verifies, if any. */
export interface CheckDeclaration {
  requirements?: readonly string[];
}

/** One message per problem; an empty list means the catalogue and the checks agree. */
export function coverageProblems(
  catalogue: Catalogue,
  checks: ReadonlyMap<string, CheckDeclaration>,
): string[] {
  const problems: string[] = [];

  const count = new Map<string, number>();
  for (const e of catalogue.entries) count.set(e.id, (count.get(e.id) ?? 0) + 1);
  for (const [id, n] of count) if (n > 1) problems.push(`requirement ${id} appears ${n} times in the catalogue`);

  for (const e of catalogue.entries) {
    if (e.checks.length === 0) {
      problems.push(`requirement ${e.id} lists no check`);
      continue;
    }
    for (const checkId of e.checks) {
      const check = checks.get(checkId);
      if (!check) problems.push(`requirement ${e.id} cites unknown check "${checkId}"`);
      else if (check.requirements && !check.requirements.includes(e.id))
        problems.push(`requirement ${e.id} lists check "${checkId}", which does not declare ${e.id} among its requirements`);
    }
  }

  for (const [checkId, check] of checks)
    for (const reqId of check.requirements ?? [])
      if (!count.has(reqId)) problems.push(`check "${checkId}" cites requirement ${reqId}, which is not in the catalogue`);

  return problems;
}
