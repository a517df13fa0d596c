/**
 * fleet.json: the aggregate of a fleet run. Per requirement the clients by verdict and the first clients
 * that did not pass; the run's shape (shard, DevId range, workers), its speed and its peak memory. The
 * failing clients' own flows go to report.html, not here: this file stays small whatever the fleet's size.
 */
import { provenanceIn, type CatalogueEntry } from '../catalogue/catalogue.js';
import type { Role } from '../model/roles.js';
import { runHeader, type RunHeader } from '../report/build-report.js';
import type { Provenance, RunReport, Severity } from '../report/model.js';
import type { FlowStatus } from '../runner/run-flow.js';
import { exitCodeOf, VERDICTS, type Verdict } from '../verdict/verdict.js';
import { fleetDevId } from './fleet-plan.js';
import type { IndexRange, Shard } from '../runner/shard.js';
import type { FleetRunOutcome } from './fleet-run.js';
import { FLOW_STATUSES, zeros, type ClientDetail } from './fleet-tally.js';

export interface FleetRequirement {
  id: string;
  title: string;
  category: string;
  severity: Severity;
  provenance: Provenance;
  byVerdict: Record<Verdict, number>;
  /** The lowest-index DevIds with each non-passing verdict (at most `fleet.keep`). */
  first: Partial<Record<Verdict, string[]>>;
}

export interface FleetReport extends RunHeader {
  kind: 'fleet';
  config?: { file?: string; name?: string };
  selection: RunReport['selection'];
  fleet: {
    /** N: the whole fleet, every shard. */
    size: number;
    /** The clients of this run (its shard's). */
    clients: number;
    shard?: Shard;
    /** A merged fleet (dmdc merge): the run ids of its shards. */
    mergedFrom?: string[];
    /** Client indices [from, to) and the DevIds at either end. */
    range: IndexRange & { firstDevId: string; lastDevId: string };
    /** The scenarios dealt round-robin, and how many clients got each, by how their flows ended. */
    scenarios: Array<{ id: string; byStatus: Record<FlowStatus, number> }>;
    concurrency: number;
    workers: number;
    flowsPerWorker: number;
    /** K: clients named per requirement and verdict. */
    keep: number;
  };
  performance: {
    /** Workers started to last tally. */
    fleetMs: number;
    delegationsPerSecond: number;
    flowMs: { mean: number; max: number };
    /** Flows whose status is timeout (a budget ran out). */
    budgetTimeouts: number;
    /** process.resourceUsage().maxRSS: the whole process, every thread. */
    peakRssBytes: number;
  };
  byStatus: Record<FlowStatus, number>;
  /** The first clients whose flow ran out of a budget. */
  timeouts: string[];
  summary: {
    /** Requirement × client verdicts counted. */
    judged: number;
    requirements: number;
    byVerdict: Record<Verdict, number>;
    exitCode: 0 | 1 | 2 | 3;
    failedRequirements: string[];
    /** Clients with at least one FAIL. */
    failingClients: number;
  };
  requirements: FleetRequirement[];
  /** The clients kept in detail (in report.html): the first with a FAIL, ERROR or INCONCLUSIVE. */
  detailedClients: Array<{ devId: string; flowId: string; scenario: string; status: FlowStatus; failed: string[] }>;
  traceFiles: string[];
  errors: string[];
}

export interface FleetReportInput {
  runId: string;
  startedAt: Date;
  size: number;
  shard?: Shard;
  range: IndexRange;
  scenarioIds: string[];
  concurrency: number;
  entries: readonly CatalogueEntry[];
  roles: Record<Role, 'mock' | 'real'>;
  mutant?: string;
  config?: { file?: string; name?: string };
  selection: RunReport['selection'];
  outcome: FleetRunOutcome;
  /** Trace files as the report names them (relative to the run directory). */
  traceFiles: string[];
  errors: string[];
  peakRssBytes: number;
}

export function buildFleetReport(i: FleetReportInput): { report: FleetReport; details: ClientDetail[] } {
  const finished = new Date();
  const t = i.outcome.tally.data();
  const byVerdict = zeros(VERDICTS);
  const requirements = i.entries.map((e): FleetRequirement => {
    const counts = t.byRequirement[e.id] ?? zeros(VERDICTS);
    for (const v of VERDICTS) byVerdict[v] += counts[v];
    const first = Object.fromEntries(Object.entries(t.first[e.id] ?? {}).map(([v, refs]) => [v, refs.map((r) => r.devId)]));
    return {
      id: e.id, title: e.title, category: e.category, severity: e.severity,
      provenance: provenanceIn(e, i.selection.approaches),
      byVerdict: counts, first,
    };
  });
  const errors = [...i.errors, ...i.outcome.errors, ...t.errors, ...(t.errorCount > t.errors.length ? [`… and ${t.errorCount - t.errors.length} more client errors`] : [])];
  const present = VERDICTS.filter((v) => byVerdict[v] > 0);
  const exitCode = exitCodeOf(present, errors.length > 0);
  const fleetSeconds = i.outcome.durationMs / 1000;
  const failed = (d: ClientDetail) => d.results.filter((r) => r.verdict === 'FAIL').map((r) => r.requirementId);
  const report: FleetReport = {
    ...runHeader(i, finished),
    kind: 'fleet',
    ...(i.config && (i.config.file || i.config.name) ? { config: i.config } : {}),
    selection: i.selection,
    fleet: {
      size: i.size,
      clients: i.range.to - i.range.from,
      ...(i.shard ? { shard: i.shard } : {}),
      range: { ...i.range, firstDevId: fleetDevId(i.range.from), lastDevId: fleetDevId(Math.max(i.range.from, i.range.to - 1)) },
      scenarios: i.scenarioIds.map((id) => ({ id, byStatus: t.byScenario[id] ?? zeros(FLOW_STATUSES) })),
      concurrency: i.concurrency,
      workers: i.outcome.workers,
      flowsPerWorker: i.outcome.flowsPerWorker,
      keep: i.outcome.tally.keep,
    },
    performance: {
      fleetMs: i.outcome.durationMs,
      delegationsPerSecond: fleetSeconds > 0 ? round(t.clients / fleetSeconds) : 0,
      flowMs: { mean: t.clients ? Math.round(t.flowMs.total / t.clients) : 0, max: t.flowMs.max },
      budgetTimeouts: t.statuses.timeout,
      peakRssBytes: i.peakRssBytes,
    },
    byStatus: t.statuses,
    timeouts: t.timeouts.map((r) => r.devId),
    summary: {
      judged: VERDICTS.reduce((n, v) => n + byVerdict[v], 0),
      requirements: i.entries.length,
      byVerdict,
      exitCode,
      failedRequirements: requirements.filter((r) => r.byVerdict.FAIL > 0).map((r) => r.id),
      failingClients: t.failingClients,
    },
    requirements,
    detailedClients: t.details.map((d) => ({ devId: d.devId, flowId: d.flow.id, scenario: d.scenario, status: d.flow.status, failed: failed(d) })),
    traceFiles: i.traceFiles,
    errors,
  };
  return { report, details: t.details };
}

const round = (x: number) => Math.round(x * 10) / 10;
