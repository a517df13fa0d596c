import { createSecureContext, createServer, type SecureContext, type SecureContextOptions, type Server as TlsServer } from 'node:tls';
import type { KeyPair } from '../pki/pki.js';

/** The TLS versions and ciphers a context allows: the profile's, or a mutant's. */
export interface TlsPolicy {
  minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  ciphers?: string;
  /** A server that goes through with a client-initiated TLS 1.2 renegotiation (mutants only). */
  allowRenegotiation?: boolean;
}

const clientContexts = new Map<string, SecureContext>();
const serverContexts = new Map<string, SecureContext>();

/** The context options of an identity, trust anchors and version policy (TLS 1.2 at least by default). */
const contextOptions = (identity: KeyPair | undefined, trustAnchors: readonly string[], tls: TlsPolicy | undefined): SecureContextOptions => ({
  key: identity?.key, cert: identity?.cert, ca: [...trustAnchors], minVersion: tls?.minVersion ?? 'TLSv1.2', maxVersion: tls?.maxVersion, ciphers: tls?.ciphers,
});

const keyOf = (identity: KeyPair | undefined, trustAnchors: readonly string[], tls: TlsPolicy | undefined) =>
  [identity?.cert ?? '', trustAnchors.join('\n'), tls?.minVersion ?? 'TLSv1.2', tls?.maxVersion ?? '', tls?.ciphers ?? ''].join('\u0000');

/**
 * One TLS client context per identity, trust anchors and version policy, made once and reused: building
 * one (parsing keys and certificates) costs about as much as a handshake. Facts are still read per
 * connection.
 */
export function clientContext(o: { identity?: KeyPair; trustAnchors: readonly string[]; tls?: TlsPolicy }): SecureContext {
  const key = keyOf(o.identity, o.trustAnchors, o.tls);
  let made = clientContexts.get(key);
  if (!made) {
    made = createSecureContext(contextOptions(o.identity, o.trustAnchors, o.tls));
    clientContexts.set(key, made);
  }
  return made;
}

type Shared = TlsServer & { _sharedCreds?: SecureContext; sessionIdContext?: string };

/** Whether this Node lets a server's context be replaced (see shareServerContext). */
const CAN_SHARE = '_sharedCreds' in createServer({});

/**
 * The TLS options to create a server with: none of its own when it will share a context (building one it
 * would throw away costs close to a millisecond), else its identity, trust anchors and policy.
 */
export function serverContextOptions(o: ServerContext) {
  return CAN_SHARE ? {} : contextOptions(o.identity, o.trustAnchors, o.tls);
}

export interface ServerContext {
  identity: KeyPair;
  trustAnchors: readonly string[];
  tls?: TlsPolicy;
}

/**
 * Has `server` (created with serverContextOptions) present `o`: the one context of that identity, trust
 * anchors and policy, made once per process, as each flow starts several servers. Node takes no ready
 * context for a server, so the one in its `_sharedCreds` field is replaced; where a Node release no longer
 * has that field, the server builds its own from the options instead.
 */
export function shareServerContext(server: TlsServer, o: ServerContext): void {
  const options = contextOptions(o.identity, o.trustAnchors, o.tls);
  if (!CAN_SHARE) return server.setSecureContext(options);
  const own = server as Shared;
  const key = keyOf(o.identity, o.trustAnchors, o.tls);
  let made = serverContexts.get(key);
  if (!made) {
    // What the server would build from the same options: a server's cipher order, its session id context.
    made = createSecureContext({ ...options, honorCipherOrder: true, sessionIdContext: own.sessionIdContext });
    serverContexts.set(key, made);
  }
  own._sharedCreds = made;
}
