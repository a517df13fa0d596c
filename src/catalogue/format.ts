/** `dmdc list`: the catalogue as a plain-text table, grouped by category, followed by a legend. */
import type { Category } from '../report/model.js';
import type { Catalogue, CatalogueEntry } from './catalogue.js';

const CATEGORY_HEADINGS: Record<Category, string> = {
  architecture: 'Architecture',
  step: 'Steps',
  ordering: 'Message ordering',
  tls: 'TLS',
  session: 'DM session',
  'final-state': 'Final state of the DM tree',
  profile: 'Binding profile',
  negative: 'Negative cases',
};
const CATEGORY_ORDER = Object.keys(CATEGORY_HEADINGS) as Category[];

const HEADERS = ['ID', 'SEVERITY', 'PROVENANCE', 'APPROACH/STEP', 'TITLE'] as const;

function provenanceCell(e: CatalogueEntry): string {
  const by = e.provenanceByApproach;
  if (!by || Object.keys(by).length === 0) return e.provenance;
  return `${e.provenance}*`;
}

function approachCell(e: CatalogueEntry): string {
  return e.step ?? e.approach ?? e.applicability.approach ?? '-';
}

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
}

export function formatCatalogue(catalogue: Catalogue): string {
  const rows = catalogue.entries.map((e) => [e.id, e.severity, provenanceCell(e), approachCell(e), e.title]);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));

  const lines: string[] = [
    `dmdc requirement catalogue ${catalogue.version}: ${catalogue.entries.length} requirements`,
    '',
  ];
  for (const category of CATEGORY_ORDER) {
    const members = catalogue.entries.flatMap((e, i) => (e.category === category ? [rows[i]!] : []));
    if (members.length === 0) continue;
    lines.push(`${CATEGORY_HEADINGS[category]} (${category}, ${members.length})`);
    lines.push(row(HEADERS, widths));
    lines.push(row(widths.map((w) => '-'.repeat(w)), widths));
    for (const r of members) lines.push(row(r, widths));
    lines.push('');
  }

  const mixed = catalogue.entries.filter((e) => e.provenanceByApproach && Object.keys(e.provenanceByApproach).length > 0);
  lines.push(
    'Legend',
    '  SEVERITY       MUST and SHOULD as in the spec (a failed SHOULD is reported as WARN); MAY marks an optional',
    '                 step, judged only in the flows its applicability names.',
    '  PROVENANCE     spec: the OMA text (the change requests, or published DM 1.2.1 rules such as the ACL grammar);',
    '                 reconstructed: inferred from the patent claims and approach B where the spec text is missing;',
    "                 profile: a choice of dmdc's binding profile (docs/binding-profile.md). A FAIL against a",
    '                 reconstructed or profile rule is not a proven violation of the OMA specification.',
  );
  if (mixed.length > 0) {
    lines.push('                 * provenance differs by approach:');
    for (const e of mixed) {
      const by = Object.entries(e.provenanceByApproach ?? {})
        .map(([a, p]) => `approach ${a}: ${p}`)
        .join(', ');
      lines.push(`                   ${e.id}: ${e.provenance}; ${by}`);
    }
  }
  lines.push(
    '  APPROACH/STEP  the step (A.n: spec §5.2.1, first approach; B.n: spec §5.2.2, Bootstrap Server URL approach),',
    '                 or the only approach the requirement applies to; "-" for both. Steps are named by approach',
    '                 and number, never by the section number printed in the spec.',
  );
  return lines.join('\n') + '\n';
}
