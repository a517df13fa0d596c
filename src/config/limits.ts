/**
 * What every endpoint of the harness (its mocks, its proxies) allows a peer, so a slow or hostile peer is
 * refused within a bound instead of holding sockets and memory; a run config may override each.
 */
export interface EndpointLimits {
  /** From a connection's first byte to a request's complete headers, TLS handshake included. */
  headersMs: number;
  /** For a whole request, body included (at least headersMs). */
  requestMs: number;
  /** Connections open at once on one endpoint; one more is closed at once, and traced. */
  connections: number;
}

export const DEFAULT_LIMITS: EndpointLimits = { headersMs: 5_000, requestMs: 10_000, connections: 64 };
