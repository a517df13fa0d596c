import { provenanceFor, provenanceIn, type CatalogueEntry } from '../catalogue/catalogue.js';
import { flowVerdicts } from '../judge/judge.js';
import type { Role } from '../model/roles.js';
import { PROFILE_VERSION } from '../profile.js';
import type { FlowResult } from '../runner/run-flow.js';
import { DmTree, type TreeSnapshot } from '../tree/tree.js';
import type { Baseline, FlowReport, RequirementRef, RequirementResult, RunReport, TreeNodeView } from './model.js';
import { sequenceOf } from './sequence-entries.js';
import { summarize } from './summary.js';
import { PACKAGE_VERSION } from '../package-root.js';

const VERSION = PACKAGE_VERSION;

function treeView(s: TreeSnapshot): TreeNodeView[] {
  const t = DmTree.fromJSON(s);
  return s.nodes.map((n) => {
    let effective = '';
    try {
      effective = t.effectiveAcl(n.path).acl;
    } catch {
      effective = '(unreadable)';
    }
    return { path: n.path, format: n.format, ...(n.value !== undefined ? { value: n.value } : {}), acl: n.acl, effectiveAcl: effective };
  });
}

function flowReport(f: FlowResult, results: readonly RequirementResult[]): FlowReport {
  const sequence = sequenceOf(f);
  const s = f.scenario;
  return {
    id: s.id,
    approach: s.approach,
    scope: s.delegationType.scope,
    duration: s.delegationType.duration,
    removeAccount: s.removeAccount,
    bootstrap: s.bootstrap,
    ...(f.events[0]?.time ? { startedAt: f.events[0].time } : {}),
    status: f.status,
    ...(f.error ? { error: f.error } : {}),
    durationMs: f.durationMs,
    sequence,
    initialTree: treeView(f.initialTree),
    finalTree: treeView(f.finalTree),
    treeSource: f.treeSource,
    ...(f.treeUnread.length ? { treeUnread: f.treeUnread } : {}),
    ...flowVerdicts(f, results),
  };
}

export interface ReportInput {
  runId: string;
  startedAt: Date;
  flows: FlowResult[];
  results: RequirementResult[];
  entries: readonly CatalogueEntry[];
  roles: Record<Role, 'mock' | 'real'>;
  selection: RunReport['selection'];
  mutant?: string;
  setup?: RunReport['setup'];
  errors: string[];
  /** Known FAILs: marked in the results and left out of the exit code. */
  baseline?: Baseline & { file?: string };
}

/** What every report of a run (one run's or a fleet's) starts with: the tool, the run, the roles. */
export type RunHeader = Pick<RunReport, 'schemaVersion' | 'tool' | 'profileVersion' | 'runId' | 'startedAt' | 'finishedAt' | 'durationMs' | 'roles' | 'mutant'>;

export function runHeader(i: { runId: string; startedAt: Date; roles: RunReport['roles']; mutant?: string }, finished: Date): RunHeader {
  return {
    schemaVersion: '1.0',
    tool: { name: 'dmdc', version: VERSION },
    profileVersion: PROFILE_VERSION,
    runId: i.runId,
    startedAt: i.startedAt.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - i.startedAt.getTime(),
    roles: i.roles,
    ...(i.mutant ? { mutant: i.mutant } : {}),
  };
}

/** The catalogue entries as a report shows them; where provenance differs by approach, the one of the approaches run. */
export function requirementRefs(entries: readonly CatalogueEntry[], approaches: Iterable<'A' | 'B'>): RequirementRef[] {
  const ran = [...approaches];
  return entries.map((e) => {
    const { applicability, checks: _c, provenanceByApproach: _p, rolesByApproach: _r, observe: _o, observeMode: _m, ...ref } = e;
    const provenance = provenanceIn(e, ran);
    // A run of both approaches states each approach's where it differs, for the flows of that approach.
    const byApproach = Object.fromEntries(ran.filter((a) => provenanceFor(e, a) !== provenance).map((a) => [a, provenanceFor(e, a)]));
    return { ...ref, ...(applicability.approach ? { onlyApproach: applicability.approach } : {}), provenance, ...(Object.keys(byApproach).length ? { provenanceByApproach: byApproach } : {}) };
  });
}

/** Assembles the run report from the judged flows; the exit code follows from the verdicts (and a baseline). */
export function buildReport(i: ReportInput): RunReport {
  const finished = new Date();
  const approachOf = new Map(i.flows.map((f) => [f.scenario.id, f.scenario.approach]));
  const resultsOf = new Map<string, RequirementResult[]>();
  for (const r of i.results) {
    if (!resultsOf.has(r.flowId)) resultsOf.set(r.flowId, []);
    resultsOf.get(r.flowId)!.push(r);
  }
  const flows = i.flows.map((f) => flowReport(f, resultsOf.get(f.scenario.id) ?? []));
  const negative = new Set(i.entries.filter((e) => e.category === 'negative').map((e) => e.id));
  const { results, summary } = summarize({ results: i.results, flows, negative, errors: i.errors, baseline: i.baseline });
  return {
    ...runHeader(i, finished),
    ...(i.setup ? { setup: i.setup } : {}),
    selection: i.selection,
    summary,
    requirements: requirementRefs(i.entries, approachOf.values()),
    flows,
    results,
    errors: [...i.errors],
  };
}
