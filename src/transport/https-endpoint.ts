import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { serverContextOptions, shareServerContext, type TlsPolicy } from './secure-contexts.js';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { RequestHandler } from 'msw';
import { DEFAULT_LIMITS, type EndpointLimits } from '../config/limits.js';
import { MAX_BODY_BYTES } from '../profile.js';
import type { LinkId, Role } from '../model/roles.js';
import type { KeyPair } from '../pki/pki.js';
import { readableTlsError, tlsFacts, type TlsFacts } from '../pki/tls-facts.js';
import type { NewTraceEvent, TraceRecorder } from '../trace/recorder.js';
import { traceBody, type BodyParser } from './body-parser.js';
import { answerRaw, closeSoon, expectationFailed, methodNotAllowed, parserRefusal, type ParserRefusal } from './parser-refusal.js';
import { handlerResponse } from './handler-response.js';
import { headerReason, REASON_HEADER, refusal, takeReason } from './reason-header.js';

// Re-exported: the endpoint's options carry it.
export type { TlsPolicy };

export { REASON_HEADER, reasonHeader, refusal } from './reason-header.js';

/** What a handler may learn about the connection a request came on. */
export interface ConnectionInfo {
  id: string;
  tls: TlsFacts;
  remoteAddress?: string;
}

export interface Classified {
  peer: Role | 'unknown';
  link: LinkId | 'unknown';
  /** The role this request is for, when the endpoint hosts more than one (a Bootstrap Server inside DMS-2). */
  local?: Role;
}

export interface EndpointOptions {
  /** Who serves: the role of this mock. */
  role: Role;
  identity: KeyPair;
  /** PEM CA certificates trusted for client certificates. */
  trustAnchors: string[];
  /** Mutual TLS: a client without a certificate chaining to a trust anchor is refused, reason recorded. */
  mutual: boolean;
  /** Take any client certificate presented, verified or not (mutants only). */
  acceptUnverifiedClient?: boolean;
  handlers: RequestHandler[];
  trace: TraceRecorder;
  /** Who is on the other end of a request and on which link (path and decoded body tell). */
  classify: (req: { path: string; body: Buffer; contentType?: string }) => Classified;
  /** The peer when it is known before any request (DMS↔DMS endpoint), for TLS events. */
  fixedPeer?: { peer: Role; link: LinkId };
  parseBody?: BodyParser;
  maxBodyBytes?: number;
  /** The protocol's own answer to a body over the limit (default: a plain-text 413). */
  tooLarge?: (reason: string) => Response;
  host?: string;
  port?: number;
  /** The reference mocks keep TLS ≥ 1.2; mutants may weaken it. */
  tls?: TlsPolicy;
  /** How long a peer may take and how many connections it may hold (DEFAULT_LIMITS for what is not set). */
  limits?: Partial<EndpointLimits>;
}

const connections = new Map<string, ConnectionInfo>();
const CONNECTION_HEADER = 'x-dmdc-connection';

/** The connection a handled request arrived on (set by the endpoint, never taken from the wire). */
export function connectionOf(request: Request): ConnectionInfo | undefined {
  const id = request.headers.get(CONNECTION_HEADER);
  return id ? connections.get(id) : undefined;
}

let endpointCounter = 0;

type Conn = TLSSocket & {
  /** Set once the connection passed the endpoint's TLS checks; nothing is read from one without it. */
  dmdcConnection?: string;
  dmdcRequested?: boolean;
  /** The answer being made to the request under way on this connection. */
  dmdcAnswering?: ServerResponse;
  /** That request was answered before its body came whole (too slow): with this. */
  dmdcCut?: ParserRefusal;
};

/**
 * A real HTTPS server whose routes are msw request handlers. It records every TLS connection, request and
 * response in the trace with the facts read from the socket, and answers hostile input itself: a body over
 * the limit, a method other than POST, a request the HTTP parser refuses, a peer too slow or holding too
 * many connections. A handler's exception never crashes it.
 */
export class HttpsEndpoint {
  private server?: Server;
  private readonly tag: string;
  private readonly limits: EndpointLimits;
  private connCounter = 0;
  private exchangeCounter = 0;
  private readonly sockets = new Set<TLSSocket>();
  /** Every TCP connection, handshake done or not: close() ends them all, a stalled handshake included. */
  private readonly connections = new Set<Socket>();
  /** A tester's case is being played: requests are refused unhandled. */
  private hostile = false;
  url = '';
  port = 0;
  /** TCP connections accepted so far (the tester tells by it whether a peer connected at all). */
  accepted = 0;

  constructor(private readonly o: EndpointOptions) {
    this.tag = `${o.role}${++endpointCounter}`;
    this.limits = { ...DEFAULT_LIMITS, ...o.limits };
  }

  async start(): Promise<this> {
    const o = this.o;
    const limits = this.limits;
    const server = createServer({
      ...serverContextOptions(o),
      requestCert: o.mutual,
      // Verified below ourselves, so the reason a peer was refused is recorded, not just a reset.
      rejectUnauthorized: false,
      handshakeTimeout: limits.headersMs,
      // Node refuses headersTimeout > requestTimeout.
      headersTimeout: Math.min(limits.headersMs, limits.requestMs),
      requestTimeout: limits.requestMs,
      // Node looks for expired requests only this often (30 s by default): a stalled peer would hold on longer.
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(limits.headersMs / 4))),
      // Node would answer a missing Host itself (a bare 400, in no trace): onRequest does, with a reason.
      requireHostHeader: false,
    });
    shareServerContext(server, o);
    server.maxConnections = limits.connections;
    server.on('drop', (d?: { remoteAddress?: string; remotePort?: number }) => {
      this.record({ kind: 'error', remote: d && `${d.remoteAddress}:${d.remotePort}`, reason: `CONNECTION_LIMIT: ${limits.connections} connections already open on this endpoint; closed at once` });
    });
    server.on('connection', (socket: Socket) => {
      this.accepted++;
      remotes.set(socket, `${socket.remoteAddress}:${socket.remotePort}`);
      this.connections.add(socket);
      socket.once('close', () => this.connections.delete(socket));
    });
    server.on('secureConnection', (socket: TLSSocket) => this.onSecureConnection(socket));
    server.on('tlsClientError', (err: Error & { code?: string }, socket: TLSSocket) => {
      this.record({ kind: 'tls-error', connection: `${this.tag}-c${++this.connCounter}`, remote: remoteOf(socket), reason: `${err.code ?? 'TLS_ERROR'}: ${readableTlsError(err.message)}` });
    });
    server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => this.onClientError(err, socket as Conn));
    // CONNECT never reaches 'request'; unanswered, Node would just close the connection.
    server.on('connect', (req: IncomingMessage, socket: Duplex) => this.refuseUnparsed(socket as Conn, methodNotAllowed(req.method ?? 'CONNECT'), req));
    // Unanswered, Node would send a bare 417 itself; the peer may wait for a 100 before its body: none is read.
    server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => this.serve(req, res, expectationFailed(req.headers.expect)));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.serve(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    this.url = `https://${o.host === '0.0.0.0' ? '127.0.0.1' : (o.host ?? '127.0.0.1')}:${this.port}`;
    return this;
  }

  /**
   * Presents another certificate (and TLS policy) to the connections opened while `work` runs: the harness
   * playing a hostile server at the address the peer knows. Requests are refused meanwhile (`refusing`).
   */
  async posing<T>(as: { identity: KeyPair; tls?: TlsPolicy }, work: () => Promise<T>): Promise<T> {
    const server = this.server!;
    shareServerContext(server, { identity: as.identity, trustAnchors: this.o.trustAnchors, tls: as.tls });
    try {
      return await this.refusing(work);
    } finally {
      shareServerContext(server, this.o);
    }
  }

  /**
   * While `work` runs (a tester's case), a request is recorded and refused, never handled: a peer that
   * wrongly goes on must not set anything in motion, nor leave a session that runs into the flow.
   */
  async refusing<T>(work: () => Promise<T>): Promise<T> {
    this.hostile = true;
    try {
      return await work();
    } finally {
      this.hostile = false;
    }
  }

  async close(): Promise<void> {
    if (!this.server) return;
    for (const s of this.sockets) s.destroy();
    for (const s of this.connections) s.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  /** Records an event this endpoint observed on its server side, about its usual peer unless said otherwise. */
  private record(e: Omit<NewTraceEvent, 'link' | 'from' | 'to' | 'observer'> & Partial<Pick<NewTraceEvent, 'link' | 'from' | 'to'>>): void {
    const o = this.o;
    this.o.trace.record({ link: o.fixedPeer?.link ?? 'unknown', from: o.fixedPeer?.peer ?? 'unknown', to: o.role, observer: { role: o.role, side: 'server' }, ...e });
  }

  private onSecureConnection(socket: Conn): void {
    const o = this.o;
    const id = `${this.tag}-c${++this.connCounter}`;
    const facts = tlsFacts(socket);
    const remote = remoteOf(socket);
    // Binding profile §2: a client-initiated renegotiation is refused (the socket errors and is closed).
    if (!o.tls?.allowRenegotiation) socket.disableRenegotiation();
    // A refused renegotiation (or another failure of the TLS layer) ends the connection, and says why.
    socket.on('error', (err: Error & { code?: string }) => {
      if (isTlsLayer(err.code)) this.record({ kind: 'tls-error', connection: id, remote, tls: facts, reason: `${err.code}: ${readableTlsError(err.message)}` });
      socket.destroy();
    });
    if (o.mutual && !facts.authorized && !(o.acceptUnverifiedClient && facts.peerCertificate)) {
      this.record({
        kind: 'tls-error',
        connection: id,
        remote,
        tls: facts,
        reason: facts.peerCertificate
          ? `client certificate refused: ${facts.authorizationError ?? 'not authorized'}`
          : 'client certificate required but none presented',
      });
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    // Posing as a hostile server, a peer that refuses it may close only after the handshake (a client that
    // checks the certificate once TLS is up sends no alert): that close, with no request, is its refusal.
    const hostile = this.hostile;
    socket.once('close', () => {
      this.sockets.delete(socket);
      connections.delete(id);
      if (hostile && !socket.dmdcRequested) {
        this.record({ kind: 'error', connection: id, tls: facts, reason: 'CLOSED: the peer closed the connection after the handshake without sending a request' });
      }
    });
    connections.set(id, { id, tls: facts, remoteAddress: socket.remoteAddress });
    socket.dmdcConnection = id;
    this.record({ kind: 'tls', connection: id, remote, tls: facts });
  }

  /** A request Node's HTTP parser refused, or one too slow: answered and recorded here, never handled. */
  private onClientError(err: Error & { code?: string }, socket: Conn): void {
    // The peer went away, or TLS failed under HTTP (recorded by the socket's own handler): no one to answer.
    if (err.code === 'ECONNRESET' || isTlsLayer(err.code) || !socket.dmdcConnection) return void socket.destroy();
    const r = parserRefusal(err, this.limits);
    const answering = socket.dmdcAnswering;
    if (!answering) return this.refuseUnparsed(socket, r);
    // A body that stopped coming: the request under way gets the answer, and records it once its body ends.
    if (!answering.headersSent) {
      socket.dmdcCut = r;
      answering.writeHead(r.status, { 'content-type': 'text/plain', connection: 'close', [REASON_HEADER]: headerReason(r.reason) });
      return void answering.end(r.reason, () => closeSoon(socket));
    }
    // Bytes after a request that are none: its answer, under way, goes out first.
    answering.once('close', () => this.refuseUnparsed(socket, r));
  }

  /** Answers on the socket itself (no handler will) and records it; `req` when Node parsed the request (CONNECT). */
  private refuseUnparsed(socket: Conn, r: ParserRefusal, req?: IncomingMessage): void {
    const connection = socket.dmdcConnection;
    if (!connection) return void socket.destroy();
    socket.dmdcRequested = true;
    const tls = connections.get(connection)?.tls;
    const exchange = req ? `${this.tag}-x${++this.exchangeCounter}` : undefined;
    if (req) this.record({ kind: 'request', connection, exchange, tls, http: { method: req.method, path: req.url, headers: flatHeaders(req.headers) }, reason: r.reason });
    const sent = answerRaw(socket, r);
    this.record({ kind: req ? 'response' : 'error', connection, exchange, tls, ...(sent ? { http: { status: r.status } } : {}), reason: r.reason });
  }

  /** Handles a request; `refuse` answers it without reading its body. */
  private serve(req: IncomingMessage, res: ServerResponse, refuse?: ParserRefusal): void {
    this.onRequest(req, res, refuse).catch((err: unknown) => {
      // Last line of defence: a broken request must never take the endpoint down.
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`internal error: ${(err as Error).message}`);
      this.record({ kind: 'error', connection: (req.socket as Conn).dmdcConnection, http: { status: 500 }, reason: `the harness failed answering: ${(err as Error).message}` });
    });
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse, refuse?: ParserRefusal): Promise<void> {
    const o = this.o;
    const socket = req.socket as Conn;
    // A connection refused after its handshake (a client certificate that does not verify) may still have
    // sent its request: nothing of it is read, answered or recorded.
    if (!socket.dmdcConnection) {
      socket.destroy();
      return;
    }
    socket.dmdcRequested = true;
    socket.dmdcAnswering = res;
    res.once('close', () => socket.dmdcAnswering === res && (socket.dmdcAnswering = undefined));
    const connection = socket.dmdcConnection;
    const info = connections.get(connection);
    const exchange = `${this.tag}-x${++this.exchangeCounter}`;
    const path = (req.url ?? '/').split('?')[0];
    const contentType = req.headers['content-type'];
    const limit = o.maxBodyBytes ?? MAX_BODY_BYTES;

    const { body, oversized } = refuse ? { body: Buffer.alloc(0), oversized: false } : await readBody(req, res, limit);
    const { peer, link, local = o.role } = safeClassify(() => o.classify({ path, body, contentType }));
    const base = { link, connection, exchange, tls: info?.tls, from: peer, to: local };
    // Answered already: the peer took too long to send its body (onClientError).
    const cut = socket.dmdcCut;
    this.record({
      ...base,
      kind: 'request',
      http: { method: req.method, path: req.url, headers: flatHeaders(req.headers) },
      body: traceBody(contentType, body, oversized || cut ? undefined : o.parseBody),
      reason: oversized ? `body larger than ${limit} bytes` : (cut ?? refuse)?.reason,
    });
    if (cut) return this.record({ ...base, from: local, to: peer, kind: 'response', http: { status: cut.status }, reason: cut.reason });

    const response = refuse
      ? refusalOf(refuse)
      : oversized
        ? (o.tooLarge ?? ((why) => refusal(413, why)))(`body larger than ${limit} bytes`)
        : req.method !== 'POST'
          ? refusalOf(methodNotAllowed(req.method ?? ''))
          : req.httpVersion === '1.1' && req.headers.host === undefined
            ? refusal(400, 'no Host header: an HTTP/1.1 request must carry one (RFC 9112, section 3.2)')
            : this.hostile
              ? refusal(503, 'the harness is playing a tester case: this request should not have been sent')
              : await this.dispatch(req, body, connection);

    const out = Buffer.from(await response.arrayBuffer());
    const headers = Object.fromEntries(response.headers.entries());
    const reason = takeReason(headers);
    // The rest of an oversized body is read and dropped, so the peer gets the 413 before the connection closes;
    // a body never read ends with the connection.
    if (oversized || refuse) headers.connection = 'close';
    res.writeHead(response.status, headers);
    res.end(out);
    this.record({
      ...base,
      from: local,
      to: peer,
      kind: 'response',
      http: { status: response.status, headers },
      body: traceBody(headers['content-type'], out, o.parseBody),
      reason,
    });
    if (oversized) req.resume();
  }

  private async dispatch(req: IncomingMessage, body: Buffer, connection: string): Promise<Response> {
    const method = req.method ?? 'POST';
    let request: Request;
    try {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) {
        if (v === undefined || k.startsWith('x-dmdc-') || k.startsWith(':')) continue;
        headers.set(k, Array.isArray(v) ? v.join(', ') : v);
      }
      headers.set(CONNECTION_HEADER, connection);
      request = new Request(`${this.url}${req.url ?? '/'}`, { method, headers, body: new Uint8Array(body) });
    } catch (err) {
      // What Node's parser let through and the Fetch API does not take (a target that is no URL path).
      return refusal(400, `request not readable: ${(err as Error).message}`);
    }
    try {
      const found = await handlerResponse(this.o.handlers, request);
      return found ?? refusal(404, `no route for ${method} ${req.url}`);
    } catch (err) {
      return refusal(500, `handler failed: ${(err as Error).message}`);
    }
  }
}

const isTlsLayer = (code: string | undefined) => !!code && (code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_'));
const refusalOf = (r: ParserRefusal) => refusal(r.status, r.reason, r.headers);
/** Where each TCP connection came from, noted when it is accepted: a socket destroyed since no longer says. */
const remotes = new WeakMap<object, string>();
/** Where a TLS connection came from (by the TCP socket under it). */
const remoteOf = (s: TLSSocket & { _parent?: object }) => remotes.get(s._parent ?? s) ?? (s.remoteAddress ? `${s.remoteAddress}:${s.remotePort}` : undefined);

function safeClassify(f: () => Classified): Classified {
  try {
    return f();
  } catch {
    return { peer: 'unknown', link: 'unknown' };
  }
}

function flatHeaders(h: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/**
 * Reads at most `limit` bytes; past it, keeps what came and reports the body as oversized. A body that
 * stopped coming ends when its request was answered without it (onClientError) or its connection closed.
 */
function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<{ body: Buffer; oversized: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let oversized = false;
    const finish = () => resolve({ body: Buffer.concat(chunks), oversized });
    req.on('data', (c: Buffer) => {
      if (oversized) return;
      size += c.length;
      if (size > limit) {
        oversized = true;
        req.pause();
        finish();
        return;
      }
      chunks.push(c);
    });
    req.on('end', finish);
    req.on('error', finish);
    req.on('close', finish);
    res.once('close', finish);
  });
}
