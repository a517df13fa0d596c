/**
 * Joins the fleet.json of a fleet's shards (`dmdc run --fleet N --shard i/n`, one per machine) into the
 * report of the whole fleet: per requirement the clients by verdict summed, the first failing clients again
 * the lowest DevIds of all, and the kept clients' details, so one report says what the n machines found.
 */
import { shardSetProblems } from '../runner/shard.js';
import { exitCodeOf, VERDICTS } from '../verdict/verdict.js';
import type { FleetReport, FleetRequirement } from './fleet-report.js';
import { DETAILED_VERDICTS, FleetTally, FLOW_STATUSES, zeros, type ClientDetail } from './fleet-tally.js';
import { sameJson as same } from '../report/merge-reports.js';

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const lowest = (ids: readonly string[], keep: number) => [...new Set(ids)].sort().slice(0, keep);

/** Why these fleet reports are not the shards of one fleet, one line each; empty when they are. */
export function fleetMergeProblems(reports: readonly FleetReport[]): string[] {
  const first = reports[0];
  if (!first) return ['no shard reports given'];
  const unsharded = reports.filter((r) => !r.fleet.shard).map((r) => r.runId);
  if (unsharded.length) return [`not a shard (a fleet run without --shard): ${unsharded.join(', ')}`];
  const problems = shardSetProblems(reports.map((r) => ({ runId: r.runId, shard: r.fleet.shard! })));
  for (const r of reports) {
    if (r.fleet.size !== first.fleet.size) problems.push(`run ${r.runId} is a fleet of ${r.fleet.size}, run ${first.runId} of ${first.fleet.size}`);
    if (!same(r.fleet.scenarios.map((s) => s.id), first.fleet.scenarios.map((s) => s.id)) || !same(r.selection, first.selection)) problems.push(`run ${r.runId} dealt other scenarios or requirements than run ${first.runId}`);
    if (!same(r.roles, first.roles) || r.mutant !== first.mutant) problems.push(`run ${r.runId} ran other roles or another mutant than run ${first.runId}`);
    if (r.tool.version !== first.tool.version) problems.push(`run ${r.runId} is of dmdc ${r.tool.version}, run ${first.runId} of ${first.tool.version}`);
  }
  return problems;
}

/** The whole fleet's report; `traceFiles` are the copies of the shards' traces beside it. */
export function mergeFleetReports(shards: ReadonlyArray<{ report: FleetReport; details: ClientDetail[] }>, o: { runId: string; traceFiles: string[] }): { report: FleetReport; details: ClientDetail[] } {
  const sorted = [...shards].sort((a, b) => a.report.fleet.shard!.index - b.report.fleet.shard!.index);
  const rs = sorted.map((s) => s.report);
  const first = rs[0];
  const keep = first.fleet.keep;
  const requirements = first.requirements.map((q): FleetRequirement => {
    const all = rs.map((r) => r.requirements.find((x) => x.id === q.id)!);
    const byVerdict = zeros(VERDICTS);
    for (const x of all) for (const v of VERDICTS) byVerdict[v] += x.byVerdict[v];
    const first: FleetRequirement['first'] = {};
    for (const v of VERDICTS) {
      const ids = all.flatMap((x) => x.first[v] ?? []);
      if (ids.length) first[v] = lowest(ids, keep);
    }
    return { ...q, byVerdict, first };
  });
  const byVerdict = zeros(VERDICTS);
  for (const q of requirements) for (const v of VERDICTS) byVerdict[v] += q.byVerdict[v];
  const statuses = (pick: (r: FleetReport) => FleetReport['byStatus']) => {
    const out = zeros(FLOW_STATUSES);
    for (const st of FLOW_STATUSES) out[st] = sum(rs.map((r) => pick(r)[st]));
    return out;
  };
  const errors = rs.flatMap((r) => r.errors.map((e) => `shard ${r.fleet.shard!.index}/${r.fleet.shard!.count} (${r.runId}): ${e}`));
  const clients = sum(rs.map((r) => r.fleet.clients));
  // As one fleet keeps them: the clients the merged lists name for a detailed verdict, the lowest first, within
  // the same bound.
  const named = new Set(requirements.flatMap((q) => [...DETAILED_VERDICTS].flatMap((v) => q.first[v] ?? [])));
  const details = sorted.flatMap((s) => s.details).filter((d) => named.has(d.devId)).sort((a, b) => a.index - b.index).slice(0, new FleetTally(keep).maxDetails);
  const detailed = new Set(details.map((d) => d.devId));
  const startedAt = rs.map((r) => r.startedAt).sort()[0];
  const finishedAt = rs.map((r) => r.finishedAt).sort().at(-1)!;
  const report: FleetReport = {
    ...first,
    runId: o.runId,
    startedAt,
    finishedAt,
    durationMs: Date.parse(finishedAt) - Date.parse(startedAt),
    fleet: {
      ...first.fleet,
      shard: undefined,
      mergedFrom: rs.map((r) => r.runId),
      clients,
      range: { from: Math.min(...rs.map((r) => r.fleet.range.from)), to: Math.max(...rs.map((r) => r.fleet.range.to)), firstDevId: rs.map((r) => r.fleet.range.firstDevId).sort()[0], lastDevId: rs.map((r) => r.fleet.range.lastDevId).sort().at(-1)! },
      scenarios: first.fleet.scenarios.map((s) => ({ id: s.id, byStatus: statuses((r) => r.fleet.scenarios.find((x) => x.id === s.id)!.byStatus) })),
      workers: sum(rs.map((r) => r.fleet.workers)),
      flowsPerWorker: Math.max(...rs.map((r) => r.fleet.flowsPerWorker)),
    },
    performance: {
      // The shards ran side by side on their own machines: the fleet's rate is the sum of theirs.
      fleetMs: Math.max(...rs.map((r) => r.performance.fleetMs)),
      delegationsPerSecond: Math.round(sum(rs.map((r) => r.performance.delegationsPerSecond)) * 10) / 10,
      flowMs: { mean: clients ? Math.round(sum(rs.map((r) => r.performance.flowMs.mean * r.fleet.clients)) / clients) : 0, max: Math.max(...rs.map((r) => r.performance.flowMs.max)) },
      budgetTimeouts: sum(rs.map((r) => r.performance.budgetTimeouts)),
      peakRssBytes: Math.max(...rs.map((r) => r.performance.peakRssBytes)),
    },
    byStatus: statuses((r) => r.byStatus),
    timeouts: lowest(rs.flatMap((r) => r.timeouts), keep),
    summary: {
      judged: sum(rs.map((r) => r.summary.judged)),
      requirements: requirements.length,
      byVerdict,
      exitCode: exitCodeOf(VERDICTS.filter((v) => byVerdict[v] > 0), errors.length > 0),
      failedRequirements: requirements.filter((q) => q.byVerdict.FAIL > 0).map((q) => q.id),
      failingClients: sum(rs.map((r) => r.summary.failingClients)),
    },
    requirements,
    detailedClients: rs.flatMap((r) => r.detailedClients).filter((d) => detailed.has(d.devId)).sort((a, b) => (a.devId < b.devId ? -1 : 1)),
    traceFiles: o.traceFiles,
    errors,
  };
  if (!report.fleet.shard) delete report.fleet.shard;
  return { report, details };
}
