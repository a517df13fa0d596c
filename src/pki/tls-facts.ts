import type { TLSSocket } from 'node:tls';

/** What the harness saw of one TLS connection, read from the socket (never from a peer's claims). */
export interface TlsFacts {
  protocol: string | null;
  cipher: string | null;
  /** Did the peer present a certificate at all? */
  peerCertificate: boolean;
  peerSubject?: string;
  peerIssuer?: string;
  peerFingerprint256?: string;
  /** Whether the peer's certificate chained to our trust anchors. */
  authorized: boolean;
  authorizationError?: string;
  /** Server name the client asked for (SNI), server side only. */
  servername?: string;
}

function dn(x: unknown): string | undefined {
  if (!x || typeof x !== 'object') return undefined;
  return Object.entries(x as Record<string, unknown>)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
    .join(', ');
}

export function tlsFacts(socket: TLSSocket): TlsFacts {
  const peer = socket.getPeerCertificate();
  const hasPeer = !!peer && Object.keys(peer).length > 0;
  const err = socket.authorizationError;
  const servername = (socket as TLSSocket & { servername?: string | false }).servername;
  return {
    protocol: socket.getProtocol(),
    cipher: socket.getCipher()?.name ?? null,
    peerCertificate: hasPeer,
    peerSubject: hasPeer ? dn(peer.subject) : undefined,
    peerIssuer: hasPeer ? dn(peer.issuer) : undefined,
    peerFingerprint256: hasPeer ? peer.fingerprint256 : undefined,
    authorized: socket.authorized,
    authorizationError: err ? String((err as Error).message ?? err) : undefined,
    servername: typeof servername === 'string' ? servername : undefined,
  };
}

/** TLS 1.2 or newer, as the profile requires on every link. */
export function isTls12OrNewer(protocol: string | null | undefined): boolean {
  return protocol === 'TLSv1.2' || protocol === 'TLSv1.3';
}

/** OpenSSL's text without its source locations: "tlsv1 alert protocol version (SSL alert number 70)". */
export function readableTlsError(message: string): string {
  const m = /SSL routines:[^:]*:([^:]+):[^\n]*?(SSL alert number \d+)?\s*$/.exec(message);
  return m ? `${m[1]}${m[2] ? ` (${m[2]})` : ''}` : message.trim();
}
