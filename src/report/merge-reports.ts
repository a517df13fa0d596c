/**
 * Joins the reports of a run's shards (`dmdc run --shard i/n`) into the report of the whole run: the flows and
 * their results in plan order, the summary and exit code computed again over all of them (with the shards'
 * baseline), so a merged run says what one unsharded run would.
 */
import type { Baseline, RequirementRef, RunReport } from './model.js';
import { shardSetProblems } from '../runner/shard.js';
import { summarize } from './summary.js';

/** Two values as JSON writes them: what shard reports must share. */
export const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const same = sameJson;

/** Why these reports are not the shards of one run, one line each; empty when they are. */
export function mergeProblems(reports: readonly RunReport[]): string[] {
  if (!reports.length) return ['no shard reports given'];
  const first = reports[0];
  const unsharded = reports.filter((r) => !r.selection.shard || !r.selection.plan).map((r) => r.runId);
  if (unsharded.length) return [`not a shard (run without --shard): ${unsharded.join(', ')}`];
  const problems = shardSetProblems(reports.map((r) => ({ runId: r.runId, shard: r.selection.shard! })));
  for (const r of reports) {
    if (!same(r.selection.plan, first.selection.plan)) problems.push(`run ${r.runId} has another plan of flows than run ${first.runId} (another --flow, --only, --approach, --config or ICS)`);
    for (const key of ['approaches', 'only', 'flow', 'rerunOf'] as const) {
      if (!same(r.selection[key], first.selection[key])) problems.push(`run ${r.runId} was selected with another ${key} than run ${first.runId}`);
    }
    if (!same(r.roles, first.roles)) problems.push(`run ${r.runId} has other roles under test than run ${first.runId}`);
    if (r.mutant !== first.mutant) problems.push(`run ${r.runId} ran mutant ${r.mutant ?? '(none)'}, run ${first.runId} ${first.mutant ?? '(none)'}`);
    if (r.tool.version !== first.tool.version) problems.push(`run ${r.runId} is of dmdc ${r.tool.version}, run ${first.runId} of ${first.tool.version}`);
    if (!same(r.summary.baseline?.entries, first.summary.baseline?.entries)) problems.push(`run ${r.runId} used another baseline than run ${first.runId}`);
  }
  return problems;
}

/** The merged report; call only when `mergeProblems` finds none. */
export function mergeReports(reports: readonly RunReport[], o: { runId: string; requirements: (ids: ReadonlySet<string>, approaches: ReadonlySet<'A' | 'B'>) => RequirementRef[]; errors?: readonly string[] }): RunReport {
  const shards = [...reports].sort((a, b) => a.selection.shard!.index - b.selection.shard!.index);
  const first = shards[0];
  const plan = first.selection.plan!;
  const rank = new Map(plan.map((id, i) => [id, i]));
  const byPlan = (a: string, b: string) => (rank.get(a) ?? Infinity) - (rank.get(b) ?? Infinity);
  const flows = shards.flatMap((r) => r.flows).sort((a, b) => byPlan(a.id, b.id));
  // Stable: within a flow, results keep the order they were judged in.
  const results = shards.flatMap((r) => r.results).sort((a, b) => byPlan(a.flowId, b.flowId));
  // The refs again from the catalogue: in catalogue order, with the provenance of every approach the shards ran.
  const requirements = o.requirements(new Set(shards.flatMap((r) => r.requirements.map((q) => q.id))), new Set(flows.map((f) => f.approach)));
  const errors = [...shards.flatMap((r) => r.errors.map((e) => `shard ${r.selection.shard!.index}/${r.selection.shard!.count} (${r.runId}): ${e}`)), ...(o.errors ?? [])];
  const b = first.summary.baseline;
  const baseline: (Baseline & { file?: string }) | undefined = b && { entries: b.entries, ...(b.file ? { file: b.file } : {}) };
  const startedAt = shards.map((r) => r.startedAt).sort()[0];
  const finishedAt = shards.map((r) => r.finishedAt).sort().at(-1)!;
  const negative = new Set(requirements.filter((q) => q.category === 'negative').map((q) => q.id));
  // Expiry is judged on the day the last shard finished, so merging again later says the same.
  const summary = summarize({ results, flows, negative, errors, baseline, now: new Date(finishedAt) });
  const { shard: _s, ...selection } = first.selection;
  return {
    schemaVersion: first.schemaVersion,
    tool: first.tool,
    profileVersion: first.profileVersion,
    runId: o.runId,
    startedAt,
    finishedAt,
    durationMs: Date.parse(finishedAt) - Date.parse(startedAt),
    roles: first.roles,
    ...(first.mutant ? { mutant: first.mutant } : {}),
    ...(first.setup ? { setup: first.setup } : {}),
    selection: { ...selection, mergedFrom: shards.map((r) => r.runId) },
    summary: summary.summary,
    requirements,
    flows,
    results: summary.results,
    errors,
    ...(shards.some((r) => r.secretsShown) ? { secretsShown: true as const } : {}),
  };
}
