import type { LinkId, Role } from '../model/roles.js';
import type { KeyPair } from '../pki/pki.js';
import type { TraceEvent } from '../trace/events.js';
import type { TraceRecorder } from '../trace/recorder.js';
import type { HttpsEndpoint, TlsPolicy } from '../transport/https-endpoint.js';
import { hostileCertificate, type HostileCertificate } from './tls-server-cases.js';

/**
 * The tester's TLS cases against a role as TLS client (DESIGN.md §8): the harness endpoint it connects to
 * presents one thing it must refuse, everything else valid. Data, apart from the mechanism that plays them.
 */
export interface TlsClientCase {
  id: string;
  /** The server certificates the harness presents, one connection each… */
  certificates?: Array<Extract<HostileCertificate, 'foreign-ca' | 'expired' | 'other-host'>>;
  /** …or the TLS versions it offers, with the endpoint's valid certificate. */
  tls?: TlsPolicy;
  offers: string;
}

export const TLS_CLIENT_CASES: readonly TlsClientCase[] = [
  { id: 'NEG-TLS-SERVER-CERT', certificates: ['foreign-ca', 'expired', 'other-host'], offers: 'a server certificate that does not verify (from a foreign CA, expired, or issued for another host name)' },
  // A role that takes TLS 1.1 as server takes it as client too, as a rule: one fault, one id (NEG-TLS-V11).
  // OpenSSL 3 offers TLS below 1.2 only at security level 0.
  { id: 'NEG-TLS-V11', tls: { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }, offers: 'only TLS 1.1' },
];

/** The variant of a case played against a role as TLS client with the endpoint's valid certificate. */
export const AS_CLIENT = 'as-client';

/** A probe of these cases: never a connection of the harness as TLS client (those of tls-server-cases). */
export const isTlsClientCaseProbe = (probe: string | undefined) =>
  !!probe && TLS_CLIENT_CASES.some((c) => (c.certificates ?? [AS_CLIENT]).some((v) => probe === `${c.id}/${v}`));

/** A connection a role under test opens to a harness endpoint, and how the harness makes it open one. */
export interface ClientConnection {
  /** The role under test: the TLS client. */
  role: Role;
  /** The harness role whose endpoint it connects to. */
  server: Role;
  link: LinkId;
  endpoint: HttpsEndpoint;
  /** Makes the role connect (a Package #0 for the client; a delegation for DMS-1). */
  provoke(): Promise<unknown>;
  /** Resolves once the role has reacted to the case (`until` matches its first event there) or the budget is over. */
  settle(until: (e: TraceEvent) => boolean): Promise<void>;
}

/**
 * How the role under test ended a connection to the hostile endpoint: it sent a request (accepted), or the
 * handshake failed or the connection closed with none (refused). A completed handshake alone decides
 * nothing: a client that checks the certificate once TLS is up closes just after it.
 */
export const endedOnHostileEndpoint = (c: Pick<ClientConnection, 'role' | 'link'>, probe: string) => (e: TraceEvent) =>
  e.probe === probe && e.link === c.link && e.from === c.role && e.observer.side === 'server' && (e.kind === 'tls-error' || e.kind === 'error' || e.kind === 'request');

/**
 * Plays every case against every connection, one at a time: while a case runs, the endpoint presents the
 * hostile certificate or TLS version and every event is stamped with the case (`trace.probe`). A role that
 * does not react to one case (nothing handed over, no connection, no end) is silent: its other cases on that
 * connection are not played, so one silence costs one budget. Resolves with the roles found silent.
 */
export async function playTlsClientCases(connections: readonly ClientConnection[], o: { trace: TraceRecorder; ca: KeyPair; identityOf: (role: Role) => KeyPair; timeoutMs: () => number }): Promise<Set<Role>> {
  const silent = new Set<Role>();
  for (const c of connections) {
    cases: for (const tc of TLS_CLIENT_CASES) {
      for (const kind of tc.certificates ?? [undefined]) {
        const probe = `${tc.id}/${kind ?? AS_CLIENT}`;
        const identity = kind ? await hostileCertificate(kind, o.ca, c.server) : o.identityOf(c.server);
        o.trace.probe = probe;
        try {
          o.trace.note(`tester: ${probe} against ${c.role} as TLS client (${c.link})`, { link: c.link, to: c.role });
          const reacted = await c.endpoint.posing({ identity, tls: tc.tls }, async () => {
            // A Package #0 is answered before the session it asks for: the wait starts once it is handed over.
            const ended = endedOnHostileEndpoint(c, probe);
            const connected = c.endpoint.accepted;
            const provoked = await c.provoke().then(() => true, (err: Error) => (o.trace.note(`${probe}: ${err.message}`), false));
            if (!provoked) return false;
            await c.settle(ended);
            if (c.endpoint.accepted === connected) return false;
            // The endpoint records the connection's end once its socket closes, a moment after the peer gave up.
            return o.trace.waitFor(ended, o.timeoutMs(), `${c.role}'s connection to end`).then(() => true, () => false);
          });
          if (!reacted) {
            silent.add(c.role);
            o.trace.note(`tester: ${c.role} did not react to ${probe}: its other cases on ${c.link} are not played`, { link: c.link, to: c.role, reason: 'SILENT' });
            break cases;
          }
        } finally {
          o.trace.probe = undefined;
        }
      }
    }
  }
  return silent;
}
