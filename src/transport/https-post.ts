import { request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { LinkId, Role } from '../model/roles.js';
import type { KeyPair } from '../pki/pki.js';
import { readableTlsError, tlsFacts, type TlsFacts } from '../pki/tls-facts.js';
import type { TraceRecorder } from '../trace/recorder.js';
import { traceBody, type BodyParser } from './body-parser.js';
import { MAX_BODY_BYTES } from '../profile.js';
import type { TlsPolicy } from './https-endpoint.js';
import { clientContext } from './secure-contexts.js';

export interface PostOptions {
  url: string;
  body: string | Buffer;
  /** Omitted: the request carries no Content-Type header (a tester case). */
  contentType?: string;
  /** Further request headers (e.g. x-syncml-hmac), recorded with the request. */
  headers?: Record<string, string>;
  /** Our certificate, for mutual TLS. */
  identity?: KeyPair;
  /** CA certificates trusted for the server's certificate. */
  trustAnchors: string[];
  timeoutMs: number;
  /** Who sends, who receives, on which link. */
  from: Role;
  to: Role;
  link: LinkId;
  /**
   * Record the exchange from the client side. The harness records each message once: on the server side
   * when the server is a mock, on the client side when the server is a real implementation.
   */
  trace?: TraceRecorder;
  parseBody?: BodyParser;
  tls?: TlsPolicy;
  maxResponseBytes?: number;
  /** SHA-256 fingerprint the server's certificate must have (a configured pin); anything else is refused. */
  pin?: string;
  /** Who observes, when not `from` itself (a recording proxy forwarding for it). */
  observer?: 'proxy';
  /** Record only the TLS outcome (the proxy records the messages on its inbound side). */
  recordTlsOnly?: boolean;
  /** The tester case this connection plays (carried by every event it records). */
  probe?: string;
  /** Go on with a server certificate that does not verify (mutants only: a client that trusts anyone). */
  acceptUnverifiedServer?: boolean;
  /**
   * The connection of a DM session: the first request opens it, the next ones go on it while the server
   * keeps it open (its TLS facts, read once, are each request's). Absent: a fresh connection per request.
   */
  keep?: KeptConnection;
}

/**
 * How long a kept connection may sit idle and still be used: well inside the keep-alive timeout of common
 * servers (5 s for Node's and Apache's), so a request does not meet a socket the server is just closing.
 */
const KEEP_IDLE_MS = 1_000;
/** Sockets whose error and close are already watched (a socket goes back to its KeptConnection after each answer). */
const watched = new WeakSet<TLSSocket>();

/**
 * One TLS connection kept across requests to one origin, as HTTP/1.1 persistent connections are: a DM
 * session's packages, a server's messages to its peer. One request at a time uses it; another request
 * meanwhile opens its own.
 */
export class KeptConnection {
  private socket?: TLSSocket;
  private facts?: TlsFacts;
  private origin?: string;
  private heldAt = 0;

  /** The kept socket and its TLS facts, handed to one request, if it is open to `origin` and not idle too long. */
  take(origin: string): { socket: TLSSocket; facts: TlsFacts } | undefined {
    const s = this.socket;
    this.socket = undefined;
    if (!s) return undefined;
    if (!s.destroyed && s.writable && this.origin === origin && performance.now() - this.heldAt < KEEP_IDLE_MS) return { socket: s, facts: this.facts! };
    s.end();
    return undefined;
  }

  /** Takes the socket back after an answer, for the next request. */
  hold(socket: TLSSocket, facts: TlsFacts, origin: string): void {
    if (this.socket && this.socket !== socket) this.socket.end();
    Object.assign(this, { socket, facts, origin, heldAt: performance.now() });
    if (watched.has(socket)) return;
    watched.add(socket);
    // Between requests nobody waits on it: a reset then only means the next request opens a new one.
    socket.on('error', () => socket.destroy());
    socket.once('close', () => {
      if (this.socket === socket) this.socket = undefined;
    });
  }

  close(): void {
    this.socket?.end();
    this.socket = undefined;
  }
}

/** Kept connections by origin: a server's, to each peer it calls. */
export class KeptConnections {
  private readonly byOrigin = new Map<string, KeptConnection>();

  for(url: string): KeptConnection {
    const origin = new URL(url).origin;
    let kept = this.byOrigin.get(origin);
    if (!kept) this.byOrigin.set(origin, (kept = new KeptConnection()));
    return kept;
  }

  close(): void {
    for (const k of this.byOrigin.values()) k.close();
    this.byOrigin.clear();
  }
}

export interface PostResult {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  tls: TlsFacts;
}

/** A request that got no HTTP response: TLS refusal, reset, refused connection, timeout. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly tls?: TlsFacts,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

let counter = 0;

/** A failure of the TLS layer itself (an alert, a bad record), as opposed to the socket or HTTP. */
const isTlsLayer = (code: string | undefined) => !!code && (code.startsWith('ERR_SSL_') || code === 'EPROTO');

/**
 * One HTTPS POST on a fresh connection (or on a DM session's kept one), with a budget, recording what the client side saw. The server's
 * certificate is verified here, not inside Node's handshake, so a refused certificate is evidence with its
 * facts (subject, issuer, why), and nothing is sent to a server that did not authenticate.
 */
export function postHttps(o: PostOptions): Promise<PostResult> {
  const exchange = `${o.from}-post${++counter}`;
  const url = new URL(o.url);
  const body = typeof o.body === 'string' ? Buffer.from(o.body) : o.body;
  const observer = { role: o.observer ?? o.from, side: 'client' as const };
  const base = { link: o.link, exchange, observer, ...(o.probe ? { probe: o.probe } : {}) };
  const messages = o.recordTlsOnly ? undefined : o.trace;
  const typed: Record<string, string> = { ...o.headers, ...(o.contentType === undefined ? {} : { 'content-type': o.contentType }) };
  let facts: TlsFacts | undefined;
  let tcpUp = false;

  return new Promise<PostResult>((resolve, reject) => {
    let settled = false;
    const finish = () => {
      settled = true;
      clearTimeout(timer);
    };
    /** No HTTP answer. A failure of the handshake (or of the TLS layer) is a `tls-error`; the rest an `error`. */
    const fail = (code: string, message: string, tlsRefusal = false) => {
      if (settled) return;
      finish();
      socket.destroy();
      const reason = `${code}: ${readableTlsError(message)}`;
      if (tlsRefusal) o.trace?.record({ ...base, kind: 'tls-error', from: o.from, to: o.to, tls: facts, reason });
      // Keep what we tried to send: a refused message is evidence too.
      else messages?.record({ ...base, kind: 'error', from: o.from, to: o.to, tls: facts, reason, body: facts ? undefined : traceBody(o.contentType, body, o.parseBody) });
      reject(new TransportError(`${o.from} → ${o.to} ${o.url}: ${reason}`, code, facts));
    };

    const kept = o.keep?.take(url.origin);
    const socket =
      kept?.socket ??
      tlsConnect({
        host: url.hostname,
        port: Number(url.port || 443),
        secureContext: clientContext({ identity: o.identity, trustAnchors: o.trustAnchors, tls: o.tls }),
        rejectUnauthorized: false,
        servername: isIp(url.hostname) ? undefined : url.hostname,
      });
    const timer = setTimeout(() => fail('TIMEOUT', `no response within ${o.timeoutMs} ms`), o.timeoutMs);
    if (kept) tcpUp = true;
    else socket.once('connect', () => (tcpUp = true));
    const onError = (err: Error & { code?: string }) => {
      const code = err.code ?? 'REQUEST_ERROR';
      // TCP was up and TLS was not (or the TLS layer broke): the peer refused the handshake.
      fail(code, err.message, (tcpUp && !facts) || isTlsLayer(code));
    };
    socket.on('error', onError);
    const exchangeOn = () => {
      // The request is on the wire only once TLS is up; record it then, so ordering checks see the truth.
      messages?.record({
        ...base,
        kind: 'request',
        from: o.from,
        to: o.to,
        tls: facts,
        http: { method: 'POST', url: o.url, path: url.pathname + url.search, headers: typed },
        body: traceBody(o.contentType, body, o.parseBody),
      });
      const req = httpRequest(
        {
          method: 'POST',
          host: url.host,
          path: url.pathname + url.search,
          headers: { host: url.host, ...typed, 'content-length': String(body.length), ...(o.keep ? { connection: 'keep-alive' } : {}) },
          createConnection: () => socket,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          const limit = o.maxResponseBytes ?? MAX_BODY_BYTES;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > limit) return fail('RESPONSE_TOO_LARGE', `response body larger than ${limit} bytes`);
            chunks.push(c);
          });
          res.on('error', (err: Error & { code?: string }) => fail(err.code ?? 'RESPONSE_ERROR', err.message, isTlsLayer(err.code)));
          res.on('end', () => {
            if (settled) return;
            finish();
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
            socket.off('error', onError);
            // A server that closes after each answer says so; the session's next request then opens a new one.
            if (o.keep && !/\bclose\b/i.test(headers.connection ?? '')) o.keep.hold(socket, facts!, url.origin);
            else socket.end();
            const out = Buffer.concat(chunks);
            messages?.record({
              ...base,
              kind: 'response',
              from: o.to,
              to: o.from,
              tls: facts,
              http: { status: res.statusCode, headers },
              body: traceBody(headers['content-type'], out, o.parseBody),
            });
            resolve({ status: res.statusCode ?? 0, headers, body: out, tls: facts! });
          });
        },
      );
      // A TLS 1.3 server refuses a missing client certificate only after the handshake: that alert, read
      // here, is a refusal of the TLS layer.
      req.on('error', (err: Error & { code?: string }) => fail(err.code ?? 'REQUEST_ERROR', err.message, isTlsLayer(err.code)));
      req.end(body);
    };
    if (kept) {
      facts = kept.facts;
      return exchangeOn();
    }
    socket.once('secureConnect', () => {
      facts = tlsFacts(socket);
      if (!facts.authorized && !o.acceptUnverifiedServer) return fail(facts.authorizationError ?? 'UNAUTHORIZED', `server certificate ${facts.peerSubject ?? '(none)'} refused`, true);
      if (o.pin && facts.peerFingerprint256 !== o.pin) {
        return fail('PIN_MISMATCH', `server certificate ${facts.peerSubject ?? '(none)'} (SHA-256 ${facts.peerFingerprint256}) is not the pinned one (${o.pin})`, true);
      }
      o.trace?.record({ ...base, kind: 'tls', from: o.from, to: o.to, tls: facts });
      exchangeOn();
    });
  });
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
