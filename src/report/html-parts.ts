/** report.html's wording and small parts shared by its sections: verdict badges, provenance tags, ACLs, re-run lines. */
import { ROLES } from '../model/roles.js';
import type { Verdict } from '../verdict/verdict.js';
import type { Category, CheckResult, FlowReport, Provenance, RequirementRef, RequirementResult, RunReport } from './model.js';
import { escapeHtml as h, truncate } from './html-text.js';

export const byNatural = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

export const VERDICT_MEANING: Record<Verdict, string> = {
  PASS: 'requirement met',
  FAIL: 'a MUST was violated by the implementation',
  WARN: 'a SHOULD was not met',
  INCONCLUSIVE: 'no answer within the time budget',
  ERROR: 'the harness or environment failed, not the implementation',
  NOT_APPLICABLE: "the scenario or the ICS excludes it (or it binds only the harness's own mocks); the reason says which",
  NOT_OBSERVABLE: 'the link is not visible with this role assignment',
  BLOCKED: 'not reached: the flow stopped earlier at the root FAIL the reason names',
};

/** What a matrix cell shows: narrow enough for eight flows side by side; the title and the legend spell it out. */
export const VERDICT_SHORT: Record<Verdict, string> = {
  PASS: 'PASS',
  FAIL: 'FAIL',
  WARN: 'WARN',
  INCONCLUSIVE: 'INC',
  ERROR: 'ERR',
  NOT_APPLICABLE: 'N/A',
  NOT_OBSERVABLE: 'N/O',
  BLOCKED: 'BLK',
};

export const PROVENANCE_MEANING: Record<Provenance, string> = {
  spec: 'verbatim specification text',
  reconstructed: 'reconstructed by the harness (spec body not available)',
  profile: "the harness's binding-profile choice",
};

const PROVENANCE_SHORT: Record<Provenance, string> = { spec: 'spec', reconstructed: 'rec.', profile: 'prof.' };

/** A FAIL against anything but spec text is not proven non-conformance; the page says so wherever it shows one. */
export const PROVENANCE_CAVEAT: Record<Provenance, string> = {
  spec: '',
  reconstructed:
    "This requirement is reconstructed, not verbatim spec text: a FAIL means the implementation departs from the harness's reading of the specification, which is not by itself proof of non-conformance.",
  profile:
    "This requirement is a binding-profile choice of the harness: a FAIL means the implementation departs from that profile, not necessarily from the specification.",
};

export const CATEGORY_ORDER: readonly Category[] = ['architecture', 'step', 'ordering', 'tls', 'session', 'final-state', 'profile', 'negative'];
export const CATEGORY_LABEL: Record<Category, string> = {
  architecture: 'Architecture',
  step: 'Protocol steps',
  ordering: 'Ordering (happens-before)',
  tls: 'TLS',
  session: 'DM session',
  'final-state': 'Final state of the DM tree',
  profile: 'Binding profile',
  negative: 'Negative cases',
};

/** The verdicts the failures section lists, worst first (BLOCKED last: it is a consequence, not a finding). */
export const LISTED: readonly Verdict[] = ['FAIL', 'ERROR', 'INCONCLUSIVE', 'WARN', 'BLOCKED'];

export function verdictBadge(v: Verdict, extra = ''): string {
  return `<span class="v v-${v}"${extra}>${v}</span>`;
}

export function shortBadge(v: Verdict, title: string): string {
  return `<span class="v v-${v}" title="${h(title)}">${VERDICT_SHORT[v]}</span>`;
}

export function provTag(p: Provenance, short = false): string {
  return `<span class="ptag p-${p}" title="${h(PROVENANCE_MEANING[p])}">${short ? PROVENANCE_SHORT[p] : p}</span>`;
}

/** The non-spec tag goes right beside a non-passing verdict so it cannot be read as plain non-conformance. */
export function verdictWithProvenance(v: Verdict, p: Provenance): string {
  return verdictBadge(v) + (p !== 'spec' && v !== 'PASS' ? ` ${provTag(p)}` : '');
}

export function sevTag(ref: RequirementRef): string {
  return `<span class="sev sev-${h(ref.severity)}">${h(ref.severity)}</span>`;
}

export function checkSummary(c: CheckResult): string {
  if (c.reason) return c.reason;
  if (c.expected !== undefined || c.actual !== undefined) return `expected ${c.expected ?? '?'}; actual ${c.actual ?? '?'}`;
  if (c.blockedBy) return `blocked behind ${c.blockedBy}`;
  return c.checkId;
}

export function cellTitle(res: RequirementResult): string {
  const relevant = res.checks.filter((c) => c.verdict !== 'PASS');
  if (relevant.length === 0) return `${res.verdict}: ${res.checks.length} check(s) passed`;
  return `${res.verdict}: ${truncate(relevant.map(checkSummary).join(' | '), 600)}`;
}

/**
 * A result that only says "the other approach": NOT_APPLICABLE in a flow of one approach, of a requirement
 * that applies to the other approach's flows only. The matrices leave it out instead of showing it as a
 * NOT_APPLICABLE cell.
 */
export function otherApproach(r: RequirementResult, ref: Pick<RequirementRef, 'onlyApproach'> | undefined, flowApproach: string | undefined): boolean {
  return r.verdict === 'NOT_APPLICABLE' && !!ref?.onlyApproach && !!flowApproach && ref.onlyApproach !== flowApproach;
}

/** otherApproach of a result of the page: its requirement and flow as the page holds them. */
export const otherApproachIn = (ix: PageIndex, r: RequirementResult) => otherApproach(r, ix.refOf(r.requirementId), ix.flow.get(r.flowId)?.approach);

/** An ACL may break after each `&` (`Get=*&Add=dms1&Replace=…` has no other break), and anywhere if it must. */
export function aclHtml(acl: string): string {
  return acl.split('&').map(h).join('&amp;<wbr>');
}

/** A value shortened to `max` characters, the whole of it in the title. */
export function shortValue(s: string, max: number): string {
  const short = truncate(s, max);
  return short === s ? h(s) : `<span title="${h(s)}">${h(short)}</span>`;
}

function quoteArg(s: string): string {
  return /^[A-Za-z0-9._\-*?]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The CLI line that replays one flow, or every flow of the requirement (anchors §18 item 15). */
export function rerunLine(report: RunReport, flow: FlowReport | undefined, requirementId: string): string {
  const parts = ['dmdc', 'run'];
  if (flow) parts.push('--flow', quoteArg(flow.id));
  parts.push('--only', quoteArg(requirementId));
  if (report.mutant) parts.push('--mutant', report.mutant);
  if (ROLES.some((r) => report.roles[r] === 'real')) parts.push('--config', report.setup?.file ? quoteArg(report.setup.file) : '<config-file>');
  return parts.join(' ');
}

export function resultKey(requirementId: string, flowId: string): string {
  return JSON.stringify([requirementId, flowId]);
}

/** Lower-case words a section's filter searches, one attribute per filterable element. */
export function searchText(...parts: Array<string | undefined>): string {
  return parts.filter(Boolean).join(' ').toLowerCase();
}

/** Everything the sections look up in one report, indexed once. */
export interface PageIndex {
  report: RunReport;
  refOf: (id: string) => RequirementRef;
  /** The catalogue's requirements, then placeholders for results naming one it does not hold. */
  refs: RequirementRef[];
  result: (requirementId: string, flowId: string) => RequirementResult | undefined;
  byFlow: Map<string, RequirementResult[]>;
  byRequirement: Map<string, RequirementResult[]>;
  flow: Map<string, FlowReport>;
  flowRank: Map<string, number>;
}
