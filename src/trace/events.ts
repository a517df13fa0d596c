import type { LinkId, Role } from '../model/roles.js';
import type { TlsFacts } from '../pki/tls-facts.js';

/**
 * One line of trace.jsonl. Every TLS connection, request, response and transport failure on every link is
 * one event, recorded by the endpoint that observed it (a mock's server or client side, or a proxy).
 */
export type TraceEventKind =
  /** A TLS connection was established (facts read from the socket). */
  | 'tls'
  /** A TLS connection was refused or failed; `reason` says why. */
  | 'tls-error'
  | 'request'
  | 'response'
  /** A transport failure with no HTTP response: reset, timeout, refused connection. */
  | 'error'
  /** A harness note: a stage of the flow started or ended, a driver was called, a budget ran out. */
  | 'note'
  /**
   * A message the harness built and handed to a driver instead of sending it (a Package #0 through a client's
   * trigger driver): not on the wire, but known to the byte, so what it starts is judged against it.
   */
  | 'handover';

export interface ParsedBody {
  /** Which codec read the body. */
  codec: 'syncml' | 'delegation' | 'notification' | 'none';
  /** A SyncML body's encoding on the wire. */
  encoding?: 'xml' | 'wbxml';
  /** One line for humans. */
  summary?: string;
  /** The decoded message (codec-specific), when it decoded. */
  value?: unknown;
  /** Why decoding failed, naming the element. */
  error?: string;
}

export interface TraceBody {
  contentType?: string;
  bytes: number;
  encoding: 'utf8' | 'base64';
  raw: string;
  parsed?: ParsedBody;
}

export interface TraceEvent {
  seq: number;
  /** Wall-clock time, ISO 8601. */
  time: string;
  /** Milliseconds since the run started (monotonic), for ordering and durations. */
  t: number;
  kind: TraceEventKind;
  link: LinkId | 'unknown';
  from: Role | 'harness' | 'unknown';
  to: Role | 'harness' | 'unknown';
  /** The endpoint that saw this event and from which side of the connection. */
  observer: { role: Role | 'proxy' | 'harness'; side: 'server' | 'client' | 'none' };
  connection?: string;
  /** Address and port the connection came from (server side, on the event that opens or refuses it). */
  remote?: string;
  /** Pairs a request with its response. */
  exchange?: string;
  tls?: TlsFacts;
  http?: { method?: string; url?: string; path?: string; status?: number; headers?: Record<string, string> };
  body?: TraceBody;
  /** Why a message or connection was refused, or why a transport failed. */
  reason?: string;
  /** Free-form harness detail for `note` events (stage names, flow ids). */
  note?: string;
  /** The flow this event belongs to, when the run has several. */
  flow?: string;
  /**
   * Set while the harness runs sessions of its own after or before the delegation (reading a real
   * client's tree, the unauthorised-Replace probe, a connection without a client certificate): that
   * traffic is no step of the delegation.
   */
  phase?: 'tree-read' | 'probe' | 'tls-probe';
  /** The tester case a harness connection plays (with phase `tls-probe`). */
  probe?: string;
  /** Recorded during another flow (a late message of this flow's delegation): that flow and its seq there. */
  attributedFrom?: { flow: string; seq: number };
}

/**
 * Matches what answers `request`: its response, or the transport failure in its place. The TLS event of
 * the same exchange, recorded before the request, is neither.
 */
export const answerTo = (request: TraceEvent) => (e: TraceEvent): boolean =>
  // A TLS 1.3 server refuses a missing client certificate after the request went out: that refusal is its end.
  (e.kind === 'response' || e.kind === 'error' || e.kind === 'tls-error') && e.exchange === request.exchange && e.link === request.link;

/** An event of the tester's cases, played before the flow: never traffic of the delegation. */
export const isTesterEvent = (e: Pick<TraceEvent, 'phase'>): boolean => e.phase === 'tls-probe';

/** The body's bytes as they went on the wire (what a MAC or a size is computed over). */
export const bodyBytes = (e: Pick<TraceEvent, 'body'>): Buffer => Buffer.from(e.body?.raw ?? '', e.body?.encoding === 'base64' ? 'base64' : 'utf8');
