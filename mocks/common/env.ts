import type { EndpointLimits } from '../../src/config/limits.js';
import type { LinkId, Role } from '../../src/model/roles.js';
import type { Identity } from '../../src/pki/pki.js';
import type { TreeLayout } from '../../src/profile.js';
import type { TraceRecorder } from '../../src/trace/recorder.js';
import type { BodyParser } from '../../src/transport/body-parser.js';
import { HttpsEndpoint, type EndpointOptions, type TlsPolicy } from '../../src/transport/https-endpoint.js';
import { postHttps, type KeptConnection, type PostResult } from '../../src/transport/https-post.js';

/** What every mock gets from the run: its identity, whom it trusts, where to record, its budgets. */
export interface MockEnv {
  identity: Identity;
  /** PEM CA certificates trusted for peers. */
  trustAnchors: string[];
  trace: TraceRecorder;
  parseBody: BodyParser;
  budgets: { requestMs: number };
  /** What the mock's endpoints allow a peer (DEFAULT_LIMITS for what is not set). */
  limits?: Partial<EndpointLimits>;
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
  /** Go on with any server certificate, verified or not (a mutant). */
  acceptUnverifiedServer?: boolean;
  /**
   * How a peer's server certificate is verified when it is not the run's CA: a real implementation's own
   * trust anchor and its configured certificate (pinned).
   */
  peerTrust?: (peer: Role) => PeerTrust;
  /**
   * Where the device keeps its accounts and its Bootstrap Config MO (the run's device.treeLayout; TREE when
   * absent): where DMS-1 adds the Bootstrap Config entry, a bootstrap adds the account, the client reads both.
   */
  treeLayout?: TreeLayout;
}

export type EndpointSpec = Pick<EndpointOptions, 'role' | 'mutual' | 'classify' | 'fixedPeer' | 'handlers' | 'acceptUnverifiedClient' | 'tooLarge'> & {
  /** A role with two endpoints listens on env.port and env.port + 1; port 0 stays "any free port". */
  portOffset?: number;
  /** Apply the mock's TLS policy (default true; a side link not under test keeps the default). */
  withTlsPolicy?: boolean;
};

/** An HTTPS endpoint of a mock, with the identity, trust, trace and address the run gave it. */
export function mockEndpoint(env: MockEnv, spec: EndpointSpec): HttpsEndpoint {
  const { portOffset = 0, withTlsPolicy = true, ...rest } = spec;
  return new HttpsEndpoint({
    ...rest,
    identity: env.identity,
    trustAnchors: env.trustAnchors,
    trace: env.trace,
    parseBody: env.parseBody,
    host: env.host,
    port: env.port ? env.port + portOffset : 0,
    tls: withTlsPolicy ? env.tls : undefined,
    limits: env.limits,
  });
}

export interface PeerTrust {
  anchors?: string[];
  pin?: string;
}

export interface Send {
  from: Role;
  to: Role;
  link: LinkId;
  url: string;
  body: string | Buffer;
  contentType: string;
  /** Further request headers (x-syncml-hmac). */
  headers?: Record<string, string>;
  /** Present our certificate (DMS↔DMS mutual TLS). */
  mutual?: boolean;
  /** Budget of this exchange when not the run's requestMs (a call nested in answering another). */
  timeoutMs?: number;
  /** The DM session's connection, kept across its packages. */
  keep?: KeptConnection;
}

export function send(env: MockEnv, s: Send): Promise<PostResult> {
  return postHttps({
    url: s.url,
    body: s.body,
    contentType: s.contentType,
    headers: s.headers,
    identity: s.mutual && !env.omitClientCertificate ? env.identity : undefined,
    trustAnchors: env.peerTrust?.(s.to).anchors ?? env.trustAnchors,
    timeoutMs: s.timeoutMs ?? env.budgets.requestMs,
    from: s.from,
    to: s.to,
    link: s.link,
    trace: env.recordOutbound(s.to) ? env.trace : undefined,
    parseBody: env.parseBody,
    tls: env.tls,
    pin: env.peerTrust?.(s.to).pin,
    acceptUnverifiedServer: env.acceptUnverifiedServer,
    keep: s.keep,
  });
}
