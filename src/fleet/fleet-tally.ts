/**
 * What a fleet keeps of its judged clients: counts per requirement and verdict, and of the clients only the
 * few a reader needs (the lowest-index K per requirement and non-passing verdict, with the details of those
 * that failed), so memory does not grow with the size of the fleet. A worker keeps one, the main thread
 * merges the workers' into one.
 */
import type { FlowReport, RequirementResult } from '../report/model.js';
import type { FlowStatus } from '../runner/run-flow.js';
import { VERDICTS, type Verdict } from '../verdict/verdict.js';

/** The verdicts whose first clients are named. */
export const LISTED_VERDICTS: readonly Verdict[] = ['FAIL', 'ERROR', 'INCONCLUSIVE', 'WARN', 'BLOCKED'];
/** The verdicts whose first clients are kept in detail (their flow and results): what needs a look. */
export const DETAILED_VERDICTS: ReadonlySet<Verdict> = new Set(['FAIL', 'ERROR', 'INCONCLUSIVE']);
export const FLOW_STATUSES: readonly FlowStatus[] = ['completed', 'failed', 'timeout', 'error'];

export interface ClientRef {
  index: number;
  devId: string;
}

/** One client as the report shows it in detail: its flow as build-report makes it, and its judged results. */
export interface ClientDetail extends ClientRef {
  scenario: string;
  flow: FlowReport;
  results: RequirementResult[];
}

/** A tally as it crosses from a worker to the main thread: small, whatever the number of clients. */
export interface TallyData {
  clients: number;
  /** Clients with at least one FAIL. */
  failingClients: number;
  byRequirement: Record<string, Record<Verdict, number>>;
  /** Per requirement and listed verdict, the lowest-index clients that had it. */
  first: Record<string, Partial<Record<Verdict, ClientRef[]>>>;
  statuses: Record<FlowStatus, number>;
  byScenario: Record<string, Record<FlowStatus, number>>;
  /** The lowest-index clients whose flow ran out of a budget. */
  timeouts: ClientRef[];
  flowMs: { total: number; max: number };
  details: ClientDetail[];
  errors: string[];
  errorCount: number;
}

/** A count of 0 for each key (verdicts, flow statuses). */
export const zeros = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
const MAX_ERRORS = 20;

export class FleetTally {
  private clients = 0;
  private failingClients = 0;
  private readonly counts = new Map<string, Record<Verdict, number>>();
  private readonly first = new Map<string, Map<Verdict, ClientRef[]>>();
  private readonly statuses = zeros(FLOW_STATUSES);
  private readonly byScenario = new Map<string, Record<FlowStatus, number>>();
  private timeouts: ClientRef[] = [];
  private flowMs = { total: 0, max: 0 };
  /** How many detailed-verdict lists name each client: its detail is kept while one does. */
  private readonly named = new Map<number, number>();
  private readonly details = new Map<number, ClientDetail>();
  private readonly errors: string[] = [];
  private errorCount = 0;

  /**
   * @param keep how many clients are named per requirement and verdict (K)
   * @param maxDetails the details kept at most, whatever the lists name (a safety bound; by index)
   */
  constructor(
    readonly keep: number,
    readonly maxDetails = Math.max(1, 5 * keep),
  ) {}

  /** One judged client. `detail` is called only when the client is one of the few kept in detail. */
  add(client: ClientRef & { scenario: string }, flow: { status: FlowStatus; durationMs: number }, results: readonly RequirementResult[], detail: () => ClientDetail): void {
    this.clients++;
    this.statuses[flow.status]++;
    this.scenarioCounts(client.scenario)[flow.status]++;
    this.flowMs.total += flow.durationMs;
    this.flowMs.max = Math.max(this.flowMs.max, flow.durationMs);
    if (flow.status === 'timeout') this.timeouts = lowest(this.timeouts, client, this.keep).list;
    let failed = false;
    for (const r of results) {
      this.countsOf(r.requirementId)[r.verdict]++;
      failed ||= r.verdict === 'FAIL';
      if (LISTED_VERDICTS.includes(r.verdict)) this.list(r.requirementId, r.verdict, client);
    }
    if (failed) this.failingClients++;
    if (this.named.has(client.index)) this.keepDetail(client.index, detail);
  }

  /** A client whose flow could not be run or judged: a harness error, not a verdict. */
  harnessError(client: ClientRef, err: unknown): void {
    this.errorCount++;
    if (this.errors.length < MAX_ERRORS) this.errors.push(`${client.devId}: ${(err as Error)?.stack ?? String(err)}`);
  }

  /** Another tally (a worker's) into this one. */
  merge(d: TallyData): void {
    this.clients += d.clients;
    this.failingClients += d.failingClients;
    for (const [id, by] of Object.entries(d.byRequirement)) {
      const mine = this.countsOf(id);
      for (const v of VERDICTS) mine[v] += by[v];
    }
    for (const [id, by] of Object.entries(d.first)) for (const [v, refs] of Object.entries(by) as Array<[Verdict, ClientRef[]]>) for (const ref of refs) this.list(id, v, ref);
    for (const s of FLOW_STATUSES) this.statuses[s] += d.statuses[s];
    for (const [id, by] of Object.entries(d.byScenario)) {
      const mine = this.scenarioCounts(id);
      for (const s of FLOW_STATUSES) mine[s] += by[s];
    }
    for (const ref of d.timeouts) this.timeouts = lowest(this.timeouts, ref, this.keep).list;
    this.flowMs = { total: this.flowMs.total + d.flowMs.total, max: Math.max(this.flowMs.max, d.flowMs.max) };
    for (const detail of d.details) if (this.named.has(detail.index)) this.keepDetail(detail.index, () => detail);
    this.errorCount += d.errorCount;
    this.errors.push(...d.errors.slice(0, Math.max(0, MAX_ERRORS - this.errors.length)));
  }

  data(): TallyData {
    return {
      clients: this.clients,
      failingClients: this.failingClients,
      byRequirement: Object.fromEntries(this.counts),
      first: Object.fromEntries([...this.first].map(([id, by]) => [id, Object.fromEntries(by)])),
      statuses: { ...this.statuses },
      byScenario: Object.fromEntries(this.byScenario),
      timeouts: [...this.timeouts],
      flowMs: { ...this.flowMs },
      details: [...this.details.values()].sort((a, b) => a.index - b.index),
      errors: [...this.errors],
      errorCount: this.errorCount,
    };
  }

  private countsOf(id: string): Record<Verdict, number> {
    let c = this.counts.get(id);
    if (!c) this.counts.set(id, (c = zeros(VERDICTS)));
    return c;
  }

  private scenarioCounts(id: string): Record<FlowStatus, number> {
    let c = this.byScenario.get(id);
    if (!c) this.byScenario.set(id, (c = zeros(FLOW_STATUSES)));
    return c;
  }

  private list(id: string, verdict: Verdict, client: ClientRef): void {
    let by = this.first.get(id);
    if (!by) this.first.set(id, (by = new Map()));
    const { list, added, dropped } = lowest(by.get(verdict) ?? [], client, this.keep);
    by.set(verdict, list);
    if (!DETAILED_VERDICTS.has(verdict)) return;
    if (added) this.named.set(client.index, (this.named.get(client.index) ?? 0) + 1);
    if (dropped) {
      const left = (this.named.get(dropped.index) ?? 1) - 1;
      if (left > 0) this.named.set(dropped.index, left);
      else {
        this.named.delete(dropped.index);
        this.details.delete(dropped.index);
      }
    }
  }

  /** Keeps the detail of a named client; past maxDetails, the lowest indices win. */
  private keepDetail(index: number, detail: () => ClientDetail): void {
    if (this.details.has(index)) return;
    if (this.details.size >= this.maxDetails) {
      const highest = Math.max(...this.details.keys());
      if (highest < index) return;
      this.details.delete(highest);
    }
    this.details.set(index, detail());
  }
}

/** `list` (ascending by index, at most `k`) with `ref` in its place, if it is among the k lowest. */
function lowest(list: ClientRef[], ref: ClientRef, k: number): { list: ClientRef[]; added: boolean; dropped?: ClientRef } {
  if (list.some((r) => r.index === ref.index)) return { list, added: false };
  if (list.length >= k && list[list.length - 1].index < ref.index) return { list, added: false };
  const next = [...list, ref].sort((a, b) => a.index - b.index);
  const dropped = next.length > k ? next.pop() : undefined;
  return { list: next, added: true, dropped };
}
