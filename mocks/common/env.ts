import type { LinkId, Role } from '../../src/model/roles.js';
import type { Identity } from '../../src/pki/pki.js';
import type { TraceRecorder } from '../../src/trace/recorder.js';
import type { BodyParser } from '../../src/transport/body-parser.js';
import type { TlsPolicy } from '../../src/transport/https-endpoint.js';
import { postHttps, type PostResult } from '../../src/transport/https-post.js';

/** What every mock gets from the run: its identity, whom it trusts, where to record, its budgets. */
export interface MockEnv {
  identity: Identity;
  /** PEM CA certificates trusted for peers. */
  trustAnchors: string[];
  trace: TraceRecorder;
  parseBody: BodyParser;
  budgets: { requestMs: number };
  /**
   * Record an outgoing exchange from the client side. True when the peer is not a mock of this run (its
   * server side would not record), so each message is in the trace exactly once.
   */
  recordOutbound: (peer: Role) => boolean;
  host?: string;
  port?: number;
  /** TLS policy of this mock's servers and clients (mutants may weaken it). */
  tls?: TlsPolicy;
  /** Present no client certificate on DMS↔DMS calls (a mutant). */
  omitClientCertificate?: boolean;
}

export interface Send {
  from: Role;
  to: Role;
  link: LinkId;
  url: string;
  body: string | Buffer;
  contentType: string;
  /** Present our certificate (DMS↔DMS mutual TLS). */
  mutual?: boolean;
}

export function send(env: MockEnv, s: Send): Promise<PostResult> {
  return postHttps({
    url: s.url,
    body: s.body,
    contentType: s.contentType,
    identity: s.mutual && !env.omitClientCertificate ? env.identity : undefined,
    trustAnchors: env.trustAnchors,
    timeoutMs: env.budgets.requestMs,
    from: s.from,
    to: s.to,
    link: s.link,
    trace: env.recordOutbound(s.to) ? env.trace : undefined,
    parseBody: env.parseBody,
    tls: env.tls,
  });
}
