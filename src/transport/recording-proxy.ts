import { http } from 'msw';
import type { LinkId, Role } from '../model/roles.js';
import type { Identity, KeyPair } from '../pki/pki.js';
import type { TraceRecorder } from '../trace/recorder.js';
import type { BodyParser } from './body-parser.js';
import { HttpsEndpoint, refusal } from './https-endpoint.js';
import { postHttps, TransportError } from './https-post.js';

export interface RecordingProxyOptions {
  link: LinkId;
  /** The real implementation that connects to the proxy. */
  from: Role;
  /** The real implementation the proxy forwards to. */
  to: Role;
  /** Origin (or base URL) of `to`; the request's path and query are appended. */
  upstream: string;
  /** What the proxy presents to `from`, which must trust it. */
  identity: Identity;
  /** Trusted both for `from`'s client certificate and for `to`'s server certificate. */
  trustAnchors: string[];
  /** What the proxy presents to `to` as client certificate on a mutual link. */
  upstreamIdentity?: KeyPair;
  mutual: boolean;
  trace: TraceRecorder;
  parseBody: BodyParser;
  host?: string;
  port?: number;
  /** Budget for one upstream exchange. */
  budgetMs: number;
  /** What `to`'s certificate must chain to, when it has its own trust anchor (default: trustAnchors). */
  upstreamTrustAnchors?: string[];
  /** The certificate fingerprint `to` must present, when one is configured. */
  pin?: string;
}

/** Statuses whose response has no body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * A TLS proxy on a link between two real implementations, so the harness sees messages it neither sends nor
 * receives. The inbound side is an HttpsEndpoint, which records each request and response with the TLS facts
 * of the `from` → proxy connection; the upstream call is not recorded, so every message is in the trace once.
 *
 * Labels: the endpoint's role is `to` and its peer is `from` on `link`, so the events read as the message on
 * that link. The observer is really the proxy (observer.role = `to`, side server): the TLS facts are those
 * `from` negotiated with the proxy, checked against the harness's trust anchors, not with `to` itself.
 *
 * Only POST is forwarded (every message of the protocol is a POST; postHttps sends nothing else), and of the
 * request headers only content-type.
 */
export class RecordingProxy {
  private endpoint?: HttpsEndpoint;

  constructor(readonly o: RecordingProxyOptions) {}

  async start(): Promise<this> {
    const o = this.o;
    this.endpoint = await new HttpsEndpoint({
      role: o.to,
      identity: o.identity,
      trustAnchors: o.trustAnchors,
      mutual: o.mutual,
      handlers: [http.all('*', ({ request }) => this.forward(request))],
      trace: o.trace,
      classify: () => ({ peer: o.from, link: o.link }),
      fixedPeer: { peer: o.from, link: o.link },
      parseBody: o.parseBody,
      host: o.host,
      port: o.port,
    }).start();
    return this;
  }

  async close(): Promise<void> {
    await this.endpoint?.close();
    this.endpoint = undefined;
  }

  /** Where `from` must be pointed instead of `to` (the {proxy.<link>} placeholder). */
  get url(): string {
    if (!this.endpoint) throw new Error(`recording proxy for ${this.o.link} is not started`);
    return this.endpoint.url;
  }

  private async forward(request: Request): Promise<Response> {
    const o = this.o;
    const { pathname, search } = new URL(request.url);
    const target = `${o.upstream.replace(/\/+$/, '')}${pathname}${search}`;
    try {
      const r = await postHttps({
        url: target,
        body: Buffer.from(await request.arrayBuffer()),
        // postHttps always sends a content type; a request without one gets the neutral one.
        contentType: request.headers.get('content-type') ?? 'application/octet-stream',
        identity: o.mutual ? o.upstreamIdentity : undefined,
        trustAnchors: o.upstreamTrustAnchors ?? o.trustAnchors,
        timeoutMs: o.budgetMs,
        from: o.from,
        to: o.to,
        link: o.link,
        // The messages are recorded on the inbound side; the upstream handshake shows the implementation's
        // certificate (or its refusal), so it is recorded here.
        trace: o.trace,
        recordTlsOnly: true,
        observer: 'proxy',
        pin: o.pin,
      });
      if (r.status < 200 || r.status > 599) return this.fail(`upstream ${target} answered status ${r.status}`);
      const headers = r.headers['content-type'] ? { 'content-type': r.headers['content-type'] } : undefined;
      const body = NULL_BODY.has(r.status) ? null : new Uint8Array(r.body);
      return new Response(body, { status: r.status, headers });
    } catch (err) {
      const why = err instanceof TransportError ? err.message : `${(err as Error).message}`;
      return this.fail(`upstream ${target} failed: ${why}`);
    }
  }

  private fail(reason: string): Response {
    this.o.trace.note(`proxy ${this.o.link}: ${reason}`, { link: this.o.link });
    return refusal(502, `proxy: ${reason}`);
  }
}
