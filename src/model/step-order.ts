/**
 * The steps an ordering requirement `ORD-X-Y` names (X complete before Y starts), as the order checks judge
 * them and report.html draws them.
 */
export function orderedPair(requirementId: string): [before: string, after: string] | undefined {
  const m = /^ORD-([AB]\.\w+)-([AB]\.\w+)$/.exec(requirementId);
  return m ? [m[1]!, m[2]!] : undefined;
}

/** The steps one step's span covers: the optional A.5 travels with A.4, and B.8b with B.8. */
export function stepFamily(step: string): string[] {
  return step === 'A.4' ? ['A.4', 'A.5'] : step === 'B.8' ? ['B.8', 'B.8b'] : [step];
}
