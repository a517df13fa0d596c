import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { LinkId, Role } from '../model/roles.js';
import type { KeyPair } from '../pki/pki.js';
import { tlsFacts, type TlsFacts } from '../pki/tls-facts.js';
import type { TraceRecorder } from '../trace/recorder.js';
import { traceBody, type BodyParser } from './body-parser.js';
import { MAX_BODY_BYTES } from '../profile.js';
import type { TlsPolicy } from './https-endpoint.js';

export interface PostOptions {
  url: string;
  body: string | Buffer;
  contentType: string;
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

/** One HTTPS POST on a fresh connection, with a budget, recording what the client side saw. */
export function postHttps(o: PostOptions): Promise<PostResult> {
  const exchange = `${o.from}-post${++counter}`;
  const url = new URL(o.url);
  const body = typeof o.body === 'string' ? Buffer.from(o.body) : o.body;
  const observer = { role: o.from, side: 'client' as const };
  const base = { link: o.link, exchange, observer };
  let facts: TlsFacts | undefined;

  return new Promise<PostResult>((resolve, reject) => {
    let settled = false;
    const fail = (code: string, message: string) => {
      if (settled) return;
      settled = true;
      // Keep what we tried to send: a refused message is evidence too.
      o.trace?.record({
        ...base,
        kind: 'error',
        from: o.from,
        to: o.to,
        tls: facts,
        reason: `${code}: ${message}`,
        body: facts ? undefined : traceBody(o.contentType, body, o.parseBody),
      });
      reject(new TransportError(`${o.from} → ${o.to} ${o.url}: ${code}: ${message}`, code, facts));
    };

    const req = httpsRequest(
      {
        method: 'POST',
        hostname: url.hostname,
        port: url.port || 443,
        path: url.pathname + url.search,
        headers: { 'content-type': o.contentType, 'content-length': String(body.length) },
        key: o.identity?.key,
        cert: o.identity?.cert,
        ca: o.trustAnchors,
        rejectUnauthorized: true,
        servername: isIp(url.hostname) ? undefined : url.hostname,
        minVersion: o.tls?.minVersion ?? 'TLSv1.2',
        maxVersion: o.tls?.maxVersion,
        ciphers: o.tls?.ciphers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const limit = o.maxResponseBytes ?? MAX_BODY_BYTES;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > limit) {
            res.destroy();
            fail('RESPONSE_TOO_LARGE', `response body larger than ${limit} bytes`);
            return;
          }
          chunks.push(c);
        });
        res.on('error', (err) => fail('RESPONSE_ERROR', err.message));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
          const out = Buffer.concat(chunks);
          o.trace?.record({
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
    const timer = setTimeout(() => {
      fail('TIMEOUT', `no response within ${o.timeoutMs} ms`);
      req.destroy();
    }, o.timeoutMs);
    req.on('socket', (socket) => {
      (socket as TLSSocket).once('secureConnect', () => {
        facts = tlsFacts(socket as TLSSocket);
        o.trace?.record({ ...base, kind: 'tls', from: o.from, to: o.to, tls: facts });
        // The request is on the wire only once TLS is up; record it then, so ordering checks see the truth.
        o.trace?.record({
          ...base,
          kind: 'request',
          from: o.from,
          to: o.to,
          tls: facts,
          http: { method: 'POST', url: o.url, path: url.pathname + url.search, headers: { 'content-type': o.contentType } },
          body: traceBody(o.contentType, body, o.parseBody),
        });
      });
    });
    req.on('error', (err: Error & { code?: string }) => {
      clearTimeout(timer);
      fail(err.code ?? 'REQUEST_ERROR', err.message);
    });
    req.end(body);
  });
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
