import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { getResponse, type RequestHandler } from 'msw';
import { MAX_BODY_BYTES } from '../profile.js';
import type { LinkId, Role } from '../model/roles.js';
import type { KeyPair } from '../pki/pki.js';
import { readableTlsError, tlsFacts, type TlsFacts } from '../pki/tls-facts.js';
import type { TraceRecorder } from '../trace/recorder.js';
import { traceBody, type BodyParser } from './body-parser.js';

/** What a handler may learn about the connection a request came on. */
export interface ConnectionInfo {
  id: string;
  tls: TlsFacts;
  remoteAddress?: string;
}

export interface TlsPolicy {
  minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  ciphers?: string;
  /** A server that goes through with a client-initiated TLS 1.2 renegotiation (mutants only). */
  allowRenegotiation?: boolean;
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
  host?: string;
  port?: number;
  /** The reference mocks keep TLS ≥ 1.2; mutants may weaken it. */
  tls?: TlsPolicy;
  /** Budget for a client to send a whole request. */
  requestTimeoutMs?: number;
}

const connections = new Map<string, ConnectionInfo>();
const CONNECTION_HEADER = 'x-dmdc-connection';

/** The connection a handled request arrived on (set by the endpoint, never taken from the wire). */
export function connectionOf(request: Request): ConnectionInfo | undefined {
  const id = request.headers.get(CONNECTION_HEADER);
  return id ? connections.get(id) : undefined;
}

/** Response header a handler sets to explain a refusal; the endpoint copies it into the trace. */
export const REASON_HEADER = 'x-dmdc-reason';

/**
 * The REASON_HEADER for a refusal's reason. A header value must be printable ASCII, and reasons quote
 * transport errors ("dms2 → bootstrap …"): anything else would make the answer itself fail.
 */
export function reasonHeader(reason: string | undefined): Record<string, string> {
  return reason ? { [REASON_HEADER]: reason.replace(/→/g, '->').replace(/[^\x20-\x7e]/g, '?') } : {};
}

/** A plain-text refusal whose reason also travels in REASON_HEADER, so it lands in the trace. */
export function refusal(status: number, reason: string): Response {
  return new Response(reason, { status, headers: { 'content-type': 'text/plain', ...reasonHeader(reason) } });
}

let endpointCounter = 0;

/**
 * A real HTTPS server whose routes are msw request handlers. It records every TLS connection, request and
 * response in the trace with the facts read from the socket, enforces a body limit, and never lets a
 * handler's exception crash it.
 */
export class HttpsEndpoint {
  private server?: Server;
  private readonly tag: string;
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
  }

  async start(): Promise<this> {
    const o = this.o;
    const server = createServer({
      key: o.identity.key,
      cert: o.identity.cert,
      ca: o.trustAnchors,
      requestCert: o.mutual,
      // Verified below ourselves, so the reason a peer was refused is recorded, not just a reset.
      rejectUnauthorized: false,
      minVersion: o.tls?.minVersion ?? 'TLSv1.2',
      maxVersion: o.tls?.maxVersion,
      ciphers: o.tls?.ciphers,
      requestTimeout: o.requestTimeoutMs ?? 30_000,
    });
    server.on('connection', (socket: Socket) => {
      this.accepted++;
      this.connections.add(socket);
      socket.once('close', () => this.connections.delete(socket));
    });
    server.on('secureConnection', (socket: TLSSocket) => this.onSecureConnection(socket));
    server.on('tlsClientError', (err: Error & { code?: string }, socket: TLSSocket) => {
      this.o.trace.record({
        kind: 'tls-error',
        link: o.fixedPeer?.link ?? 'unknown',
        from: o.fixedPeer?.peer ?? 'unknown',
        to: o.role,
        observer: { role: o.role, side: 'server' },
        reason: `${err.code ?? 'TLS_ERROR'}: ${readableTlsError(err.message)}`,
        note: socket?.remoteAddress ? `from ${socket.remoteAddress}` : undefined,
      });
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.onRequest(req, res).catch((err: unknown) => {
        // Last line of defence: a broken request must never take the endpoint down.
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`internal error: ${(err as Error).message}`);
      });
    });
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
    const context = (identity: KeyPair, tls: TlsPolicy | undefined) => ({ key: identity.key, cert: identity.cert, ca: this.o.trustAnchors, minVersion: tls?.minVersion ?? 'TLSv1.2', maxVersion: tls?.maxVersion, ciphers: tls?.ciphers }) as const;
    server.setSecureContext(context(as.identity, as.tls));
    try {
      return await this.refusing(work);
    } finally {
      server.setSecureContext(context(this.o.identity, this.o.tls));
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

  private onSecureConnection(socket: TLSSocket): void {
    const o = this.o;
    // Binding profile §2: a client-initiated renegotiation is refused (the socket errors and is closed).
    if (!o.tls?.allowRenegotiation) socket.disableRenegotiation();
    socket.on('error', () => socket.destroy());
    const id = `${this.tag}-c${++this.connCounter}`;
    const facts = tlsFacts(socket);
    const peer = o.fixedPeer?.peer ?? 'unknown';
    const link = o.fixedPeer?.link ?? 'unknown';
    if (o.mutual && !facts.authorized && !(o.acceptUnverifiedClient && facts.peerCertificate)) {
      o.trace.record({
        kind: 'tls-error',
        link,
        from: peer,
        to: o.role,
        observer: { role: o.role, side: 'server' },
        connection: id,
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
      if (hostile && !(socket as TLSSocket & { dmdcRequested?: boolean }).dmdcRequested) {
        o.trace.record({ kind: 'error', link, from: peer, to: o.role, observer: { role: o.role, side: 'server' }, connection: id, tls: facts, reason: 'CLOSED: the peer closed the connection after the handshake without sending a request' });
      }
    });
    connections.set(id, { id, tls: facts, remoteAddress: socket.remoteAddress });
    (socket as TLSSocket & { dmdcConnection?: string }).dmdcConnection = id;
    o.trace.record({
      kind: 'tls',
      link,
      from: peer,
      to: o.role,
      observer: { role: o.role, side: 'server' },
      connection: id,
      tls: facts,
    });
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const o = this.o;
    const socket = req.socket as TLSSocket & { dmdcConnection?: string };
    // A connection refused after its handshake (a client certificate that does not verify) may still have
    // sent its request: nothing of it is read, answered or recorded.
    if (!socket.dmdcConnection) {
      socket.destroy();
      return;
    }
    (socket as TLSSocket & { dmdcRequested?: boolean }).dmdcRequested = true;
    const connection = socket.dmdcConnection;
    const info = connections.get(connection);
    const exchange = `${this.tag}-x${++this.exchangeCounter}`;
    const path = (req.url ?? '/').split('?')[0];
    const contentType = req.headers['content-type'];
    const limit = o.maxBodyBytes ?? MAX_BODY_BYTES;

    const { body, oversized } = await readBody(req, limit);
    const { peer, link, local = o.role } = safeClassify(() => o.classify({ path, body, contentType }));
    const base = {
      link,
      connection,
      exchange,
      tls: info?.tls,
      observer: { role: o.role, side: 'server' as const },
    };
    o.trace.record({
      ...base,
      kind: 'request',
      from: peer,
      to: local,
      http: { method: req.method, path: req.url, headers: flatHeaders(req.headers) },
      body: traceBody(contentType, body, oversized ? undefined : o.parseBody),
      reason: oversized ? `body larger than ${limit} bytes` : undefined,
    });

    let response: Response;
    if (oversized) {
      response = refusal(413, `body larger than ${limit} bytes`);
    } else if (this.hostile) {
      response = refusal(503, 'the harness is playing a tester case: this request should not have been sent');
    } else {
      response = await this.dispatch(req, body, connection);
    }

    const out = Buffer.from(await response.arrayBuffer());
    const headers = Object.fromEntries(response.headers.entries());
    res.writeHead(response.status, headers);
    res.end(out);
    o.trace.record({
      ...base,
      kind: 'response',
      from: local,
      to: peer,
      http: { status: response.status, headers },
      body: traceBody(headers['content-type'], out, o.parseBody),
      reason: headers[REASON_HEADER],
    });
    if (oversized) req.socket.destroy();
  }

  private async dispatch(req: IncomingMessage, body: Buffer, connection: string): Promise<Response> {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined || k.startsWith('x-dmdc-') || k.startsWith(':')) continue;
      headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    }
    headers.set(CONNECTION_HEADER, connection);
    const method = req.method ?? 'GET';
    const request = new Request(`${this.url}${req.url ?? '/'}`, {
      method,
      headers,
      body: method === 'GET' || method === 'HEAD' ? undefined : new Uint8Array(body),
    });
    try {
      const found = await getResponse(this.o.handlers, request);
      return found ?? refusal(404, `no route for ${method} ${req.url}`);
    } catch (err) {
      return refusal(500, `handler failed: ${(err as Error).message}`);
    }
  }
}

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

/** Reads at most `limit` bytes; past it, keeps what came and reports the body as oversized. */
function readBody(req: IncomingMessage, limit: number): Promise<{ body: Buffer; oversized: boolean }> {
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
    req.on('end', () => {
      if (!oversized) finish();
    });
    req.on('error', () => finish());
  });
}
