/**
 * Plays hostile inputs against mock endpoints over correct TLS (the endpoint's client certificate where it
 * asks for one) and tallies how each ended, then finds each input's answer in the mock's trace.
 */
import { connect } from 'node:tls';
import type { Role } from '../../src/model/roles.js';
import type { KeyPair } from '../../src/pki/pki.js';
import { STATUS } from '../../src/syncml/codes.js';
import type { SyncMLMessage } from '../../src/syncml/model.js';
import type { TraceEvent } from '../../src/trace/events.js';
import { clientContext } from '../../src/transport/secure-contexts.js';
import type { FuzzInput, SeedTarget } from './fuzz-inputs.js';

export interface FuzzTarget extends SeedTarget {
  /** Shown in the figures, e.g. "dms2 /delegation". */
  name: string;
  /** The mock serving it: its trace and its memory are the mock's. */
  mock: Role;
  /** Full URL, path included. */
  url: string;
  /** Presented on a mutual-TLS endpoint (the certificate its peer role has). */
  identity?: KeyPair;
  trustAnchors: string[];
}

export interface Outcome {
  input: FuzzInput;
  /** Wall-clock ms when the connection was opened, to find it in the trace. */
  at: number;
  /** Our side's port: the endpoint records it as the connection's `remote`. */
  port?: number;
  /** The HTTP status answered. */
  status?: number;
  /** Size of the answer's header block: over 16 KiB a Node client refuses it (HPE_HEADER_OVERFLOW). */
  headerBytes?: number;
  /** The handshake failed or the connection closed before it completed. */
  tlsRefused?: string;
  /** Closed after the handshake without an HTTP answer. */
  dropped?: boolean;
  /** Neither answered nor closed within the budget. */
  hang?: boolean;
}

/** Node's default limit on a header block, and how much of an answer is read to measure it. */
const NODE_MAX_HEADER = 16 * 1024;
const MAX_HEAD = NODE_MAX_HEADER + 1024;

/** How long to wait for the endpoint to close after its answer (it was asked to: Connection: close). */
const CLOSE_GRACE_MS = 300;

/** Sends one input on a fresh connection and says how it ended, within `budgetMs`. */
export function sendInput(t: FuzzTarget, input: FuzzInput, budgetMs: number): Promise<Outcome> {
  const u = new URL(t.url);
  const at = Date.now();
  return new Promise((resolve) => {
    let head = '';
    let headerBytes: number | undefined;
    let secure = false;
    let port: number | undefined;
    let error: string | undefined;
    let finished = false;
    const timers = new Set<NodeJS.Timeout>();
    const status = () => finalHead(head).status;
    const done = (o: Partial<Outcome>) => {
      if (finished) return;
      finished = true;
      for (const x of timers) clearTimeout(x);
      socket.destroy();
      resolve({ input, at, port, headerBytes, ...o });
    };
    const socket = connect({ host: u.hostname, port: Number(u.port), secureContext: clientContext({ identity: t.identity, trustAnchors: t.trustAnchors }), rejectUnauthorized: false });
    timers.add(setTimeout(() => done(status() ? { status: status() } : { hang: true }), budgetMs));
    socket.on('secureConnect', () => {
      secure = true;
      port = socket.localPort;
      if (!input.dribbleMs) return void socket.write(input.bytes);
      let i = 0;
      const drip = () => {
        if (finished || i >= input.bytes.length) return;
        socket.write(input.bytes.subarray(i, ++i));
        timers.add(setTimeout(drip, input.dribbleMs));
      };
      drip();
    });
    socket.on('data', (c: Buffer) => {
      const had = status();
      if (headerBytes === undefined && head.length < MAX_HEAD) {
        head += c.toString('latin1');
        headerBytes = finalHead(head).headerBytes ?? (head.length >= MAX_HEAD ? head.length : undefined);
      }
      if (!had && status()) timers.add(setTimeout(() => done({ status: status() }), CLOSE_GRACE_MS));
    });
    socket.on('error', (e: Error & { code?: string }) => (error ??= e.code ?? e.message));
    socket.on('close', () => done(status() ? { status: status() } : secure ? { dropped: true } : { tlsRefused: error ?? 'closed during the handshake' }));
  });
}

/** The status and header size of the answer in `head`, past any interim one (100 Continue): the answer. */
function finalHead(head: string): { status?: number; headerBytes?: number } {
  for (let at = 0; ; ) {
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(head.slice(at));
    const end = head.indexOf('\r\n\r\n', at);
    if (!m) return {};
    if (!m[1].startsWith('1')) return { status: Number(m[1]), ...(end >= 0 ? { headerBytes: end + 4 - at } : {}) };
    if (end < 0) return {};
    at = end + 4;
  }
}

/** How much of an input's bytes an outcome keeps once it is played: enough to show how it starts. */
const KEPT_BYTES = 30;

/**
 * Plays `inputs` against `t`, `concurrency` at a time, in order of start. Each outcome keeps only the start
 * of its input's bytes, so a long run holds no more than the inputs in flight.
 */
export async function fuzzTarget(t: FuzzTarget, inputs: Iterable<FuzzInput>, o: { budgetMs: number; concurrency: number }): Promise<Outcome[]> {
  const out: Outcome[] = [];
  const source = inputs[Symbol.iterator]();
  const worker = async () => {
    for (let n = source.next(); !n.done; n = source.next()) {
      const i = out.push(undefined as never) - 1;
      const r = await sendInput(t, n.value, o.budgetMs);
      out[i] = { ...r, input: { ...r.input, bytes: Buffer.from(r.input.bytes.subarray(0, KEPT_BYTES)) } };
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  return out;
}

/**
 * Plays each target's inputs, the mocks side by side, and within a mock one listening port at a time: Linux
 * lets a client port serve connections to two different ports at once, and the client port is what finds a
 * connection in the mock's trace.
 */
export async function fuzzMocks(targets: FuzzTarget[], inputsOf: (t: FuzzTarget, i: number) => Iterable<FuzzInput>, o: { budgetMs: number; concurrency: number }): Promise<Map<FuzzTarget, Outcome[]>> {
  const out = new Map<FuzzTarget, Outcome[]>();
  const play = (t: FuzzTarget) => fuzzTarget(t, inputsOf(t, targets.indexOf(t)), o).then((r) => void out.set(t, r));
  const origin = (t: FuzzTarget) => new URL(t.url).origin;
  await Promise.all(
    [...new Set(targets.map((t) => t.mock))].map(async (mock) => {
      const mine = targets.filter((t) => t.mock === mock);
      for (const port of new Set(mine.map(origin))) await Promise.all(mine.filter((t) => origin(t) === port).map(play));
    }),
  );
  return out;
}

/** The figures of every target, each mock's trace read once (`traceOf`). */
export async function allFigures(outcomes: Map<FuzzTarget, Outcome[]>, traceOf: (mock: Role) => Promise<readonly TraceEvent[]> | readonly TraceEvent[]): Promise<Map<FuzzTarget, Figures>> {
  const out = new Map<FuzzTarget, Figures>();
  for (const mock of new Set([...outcomes.keys()].map((t) => t.mock))) {
    const mine = [...outcomes.keys()].filter((t) => t.mock === mock);
    const connections = connectionsOf(mine.flatMap((t) => outcomes.get(t)!), await traceOf(mock));
    for (const t of mine) out.set(t, figures(outcomes.get(t)!, connections));
  }
  return out;
}

export interface Figures {
  inputs: number;
  /** HTTP answers by status class ("2xx" …). */
  answered: Record<string, number>;
  tlsRefused: number;
  /** Closed after the handshake with no HTTP answer (a stalled peer the endpoint ended is one). */
  dropped: number;
  hangs: number;
  fiveXX: number;
  /** Answers whose headers a Node client cannot read (over 16 KiB). */
  hugeHeaders: number;
  /** Inputs past the handshake: each must be in the trace with its answer. */
  httpLevel: number;
  traced: number;
  /** A few inputs that were not, with why. */
  untraced: Array<{ mutation: string; start: string; status?: number; why: string }>;
}

/** A SyncML answer that refuses at the SyncML level (HTTP 200 with a SyncHdr status such as 401 or 407). */
function syncmlRefusal(e: TraceEvent): boolean {
  const msg = e.body?.parsed?.codec === 'syncml' ? (e.body.parsed.value as SyncMLMessage | undefined) : undefined;
  const hdr = msg?.body.find((c) => c.kind === 'Status' && c.cmd === 'SyncHdr');
  return !!hdr && hdr.kind === 'Status' && hdr.data !== STATUS.OK && hdr.data !== STATUS.AUTH_ACCEPTED;
}

/**
 * The events of each outcome's connection in the mock's trace (`outcomes`: every one played against the mock,
 * whatever its endpoint). Ports are reused over a long run: an outcome's connection is the first opened from
 * its port since it started that no earlier outcome took.
 */
export function connectionsOf(outcomes: Outcome[], trace: readonly TraceEvent[]): Map<Outcome, TraceEvent[]> {
  const byRemote = new Map<string, TraceEvent[]>();
  const byConnection = new Map<string, TraceEvent[]>();
  const add = (m: Map<string, TraceEvent[]>, k: string, e: TraceEvent) => void (m.get(k)?.push(e) ?? m.set(k, [e]));
  for (const e of trace) {
    if (e.observer.side !== 'server') continue;
    // By port alone: the address is ours (127.0.0.1, or its IPv6-mapped form).
    if (e.remote) add(byRemote, e.remote.slice(e.remote.lastIndexOf(':') + 1), e);
    if (e.connection) add(byConnection, e.connection, e);
  }
  const taken = new Set<string | TraceEvent>();
  const out = new Map<Outcome, TraceEvent[]>();
  for (const o of outcomes.filter((x) => x.port).sort((a, b) => a.at - b.at)) {
    const opened = byRemote.get(String(o.port))?.find((e) => Date.parse(e.time) >= o.at && !taken.has(e.connection ?? e));
    if (!opened) continue;
    taken.add(opened.connection ?? opened);
    out.set(o, opened.connection ? byConnection.get(opened.connection)! : [opened]);
  }
  return out;
}

/** Why `o` is not in the trace as it should be, or undefined when it is. */
function untracedWhy(o: Outcome, evs: TraceEvent[] | undefined): string | undefined {
  if (!evs) return 'no event of the connection';
  if (o.dropped) return evs.some((e) => (e.kind === 'error' || e.kind === 'tls-error') && e.reason) ? undefined : 'dropped with no reason in the trace';
  const answer = evs.find((e) => (e.kind === 'response' || e.kind === 'error') && e.http?.status === o.status);
  if (!answer) return `no answer ${o.status} in the trace`;
  const refused = o.status! >= 400 || syncmlRefusal(answer);
  return refused && !answer.reason ? `answer ${o.status} (seq ${answer.seq}) has no reason` : undefined;
}

/** The figures of one endpoint: how its inputs ended and whether the mock's trace has each answer. */
export function figures(outcomes: Outcome[], connections: Map<Outcome, TraceEvent[]>): Figures {
  const f: Figures = { inputs: outcomes.length, answered: {}, tlsRefused: 0, dropped: 0, hangs: 0, fiveXX: 0, hugeHeaders: 0, httpLevel: 0, traced: 0, untraced: [] };
  for (const o of outcomes) {
    if (o.hang) f.hangs++;
    if (o.tlsRefused) f.tlsRefused++;
    if (o.dropped) f.dropped++;
    if (o.status) {
      const c = `${Math.floor(o.status / 100)}xx`;
      f.answered[c] = (f.answered[c] ?? 0) + 1;
      if (o.status >= 500) f.fiveXX++;
      if ((o.headerBytes ?? 0) > NODE_MAX_HEADER) f.hugeHeaders++;
    }
    if (!o.status && !o.dropped) continue;
    f.httpLevel++;
    const why = untracedWhy(o, connections.get(o));
    if (!why) f.traced++;
    else if (f.untraced.length < 10) f.untraced.push({ mutation: o.input.mutation, start: o.input.bytes.subarray(0, KEPT_BYTES).toString('latin1'), status: o.status, why });
  }
  return f;
}
