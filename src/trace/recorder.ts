import { closeSync, existsSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { answerTo, type TraceEvent } from './events.js';

export type NewTraceEvent = Omit<TraceEvent, 'seq' | 'time' | 't'>;

export interface RecorderOptions {
  /**
   * Events kept in memory: all (a flow is judged from them; the default), or only the latest N (a
   * long-running mock, whose trace is its file: memory stays bounded however long it serves).
   */
  keep?: 'all' | number;
}

const fds = new Map<string, number>();

/**
 * The descriptor a trace file is appended through, opened once for every recorder of the process that
 * writes there (a run's flows share one file): an event costs one write, not an open and a close. A file
 * removed since (a test's folder) is opened anew when a recorder first writes to it. A few are kept open.
 */
function traceFd(file: string, verify: boolean): number {
  const known = fds.get(file);
  if (known !== undefined && (!verify || existsSync(file))) return known;
  if (known !== undefined) closeSync(known);
  fds.delete(file);
  if (fds.size >= 16) {
    const [oldest, fd] = fds.entries().next().value!;
    closeSync(fd);
    fds.delete(oldest);
  }
  const fd = openSync(file, 'a');
  fds.set(file, fd);
  return fd;
}

/**
 * Closes the descriptor kept for a trace file, before the file is replaced (rewritten without secrets): a
 * recorder writing there later opens the new file instead of appending to the one replaced.
 */
export function releaseTraceFile(file: string): void {
  const fd = fds.get(file);
  if (fd === undefined) return;
  closeSync(fd);
  fds.delete(file);
}

/**
 * Collects trace events in memory and appends each to a JSON-lines file as it happens, so nothing is lost
 * if the run dies halfway.
 */
export class TraceRecorder {
  private list: TraceEvent[] = [];
  private readonly start = performance.now();
  private counter = 0;
  private readonly listeners = new Set<(e: TraceEvent) => void>();
  /** Label added to every event (the flow being run). */
  flow?: string;
  /** What the harness itself is doing, stamped on every event while set (its probe, its tree reads). */
  phase?: TraceEvent['phase'];
  /** The tester's case being played, stamped on every event while set (cases played one at a time). */
  probe?: string;
  /**
   * The links `phase` stamps, when not all: the tester's cases after a flow, while the flow's own late
   * messages (a repeated DelegationComplete) may still arrive on other links.
   */
  phaseLinks?: ReadonlySet<string>;

  private readonly keep: number;
  private opened = false;

  constructor(
    private readonly file?: string,
    o: RecorderOptions = {},
  ) {
    if (file) mkdirSync(dirname(file), { recursive: true });
    this.keep = o.keep === undefined || o.keep === 'all' ? Infinity : o.keep;
  }

  record(e: NewTraceEvent): TraceEvent {
    const event: TraceEvent = {
      seq: ++this.counter,
      time: new Date().toISOString(),
      t: Math.round((performance.now() - this.start) * 1000) / 1000,
      ...(this.flow && !e.flow ? { flow: this.flow } : {}),
      ...(this.phase && (!this.phaseLinks || this.phaseLinks.has(e.link) || e.kind === 'note') ? { phase: this.phase } : {}),
      ...(this.probe ? { probe: this.probe } : {}),
      ...e,
    };
    this.list.push(event);
    // Dropped in batches, so a bounded list costs no more per event than a full one.
    if (this.list.length > 2 * this.keep) this.list = this.list.slice(this.list.length - this.keep);
    if (this.file) {
      writeSync(traceFd(this.file, !this.opened), JSON.stringify(event) + '\n');
      this.opened = true;
    }
    for (const l of this.listeners) l(event);
    return event;
  }

  note(note: string, extra: Partial<NewTraceEvent> = {}): TraceEvent {
    return this.record({
      kind: 'note',
      link: 'unknown',
      from: 'harness',
      to: 'harness',
      observer: { role: 'harness', side: 'none' },
      note,
      ...extra,
    });
  }

  /** The events kept (all of them, unless `keep` says otherwise). */
  events(): readonly TraceEvent[] {
    return this.list;
  }

  /** Calls `fn` for every later event; returns the unsubscribe function. */
  subscribe(fn: (e: TraceEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Resolves with the first event (past or future) that matches, or rejects when the budget runs out. */
  waitFor(match: (e: TraceEvent) => boolean, budgetMs: number, what: string): Promise<TraceEvent> {
    const seen = this.list.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new BudgetExceeded(what, budgetMs));
      }, budgetMs);
      const off = this.subscribe((e) => {
        if (!match(e)) return;
        clearTimeout(timer);
        off();
        resolve(e);
      });
    });
  }
}

/**
 * Waits until every request recorded so far has its answer (a response, or the transport failure in its
 * place), for at most `budgetMs`; resolves either way with the requests still open. A flow ends only then,
 * so a late answer never lands in the next flow.
 */
export async function allAnswered(trace: TraceRecorder, budgetMs: number): Promise<TraceEvent[]> {
  const open = () => {
    const all = trace.events();
    return all.filter((q) => q.kind === 'request' && !all.some(answerTo(q)));
  };
  const deadline = Date.now() + budgetMs;
  for (let pending = open(); pending.length; pending = open()) {
    try {
      await trace.waitFor(answerTo(pending[0]), Math.max(0, deadline - Date.now()), 'the answer to an open request');
    } catch {
      return pending;
    }
  }
  return [];
}

/** The budget of a call made while answering another: shorter, so the inner one runs out first and is named. */
export const innerBudget = (outerMs: number) => Math.floor(outerMs / 2);

/** Settles like `p`, or rejects with BudgetExceeded once `ms` have passed. */
export function withBudget<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new BudgetExceeded(what, ms)), ms);
    p.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e)),
    );
  });
}

/** A wait ran out of its budget: the verdict is INCONCLUSIVE, not FAIL. */
export class BudgetExceeded extends Error {
  constructor(
    readonly what: string,
    readonly budgetMs: number,
  ) {
    super(`no ${what} within ${budgetMs} ms`);
    this.name = 'BudgetExceeded';
  }
}
