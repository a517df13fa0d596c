import { connect } from 'node:tls';
import { isIP } from 'node:net';
import type { KeyPair } from '../pki/pki.js';
import { readableTlsError, tlsFacts } from '../pki/tls-facts.js';
import type { TraceRecorder } from '../trace/recorder.js';
import { clientContext } from '../transport/secure-contexts.js';
import type { LinkId, Role } from '../model/roles.js';

/** The note of the `tls` event that records a renegotiation the server went through with. */
export const RENEGOTIATED = 'renegotiated';

let counter = 0;

/**
 * A client-initiated renegotiation (DESIGN.md §8): a TLS 1.2 handshake, then a request for a new one before
 * any application data. The first handshake is a `tls` event; the server's refusal (an alert, a closed
 * connection) a `tls-error`; a renegotiation it went through with a second `tls` event noted RENEGOTIATED.
 * A server that speaks only TLS 1.3, which has no renegotiation, refuses at the first handshake.
 */
export function playRenegotiation(probe: string, ep: { role: Role; peer: Role; link: LinkId; url: string; mutual: boolean }, o: { trace: TraceRecorder; trustAnchors: string[]; identity?: KeyPair; timeoutMs: number; pin?: string }): Promise<void> {
  const url = new URL(ep.url);
  const base = { link: ep.link, from: ep.peer, to: ep.role, exchange: `${ep.peer}-reneg${++counter}`, observer: { role: ep.peer, side: 'client' as const }, probe };
  return new Promise((resolve) => {
    let done = false;
    const end = (record?: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      record?.();
      socket.destroy();
      resolve();
    };
    const socket = connect({
      host: url.hostname,
      port: Number(url.port || 443),
      secureContext: clientContext({ identity: ep.mutual ? o.identity : undefined, trustAnchors: o.trustAnchors, tls: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } }),
      rejectUnauthorized: false,
      servername: isIP(url.hostname) ? undefined : url.hostname,
    });
    const timer = setTimeout(() => end(() => o.trace.record({ ...base, kind: 'error', reason: `TIMEOUT: no outcome within ${o.timeoutMs} ms` })), o.timeoutMs);
    socket.on('error', (err: Error & { code?: string }) => end(() => o.trace.record({ ...base, kind: 'tls-error', reason: `${err.code ?? 'TLS_ERROR'}: ${readableTlsError(err.message)}` })));
    socket.once('close', () => end(() => o.trace.record({ ...base, kind: 'tls-error', reason: 'CLOSED: the server closed the connection' })));
    // Reading, so the server's closing the connection is seen at once.
    socket.resume();
    socket.once('secureConnect', () => {
      const facts = tlsFacts(socket);
      // Only a server that authenticated itself is asked; anything else is the trust rules' to judge.
      if (!facts.authorized || (o.pin && facts.peerFingerprint256 !== o.pin)) {
        return end(() => o.trace.record({ ...base, kind: 'tls-error', tls: facts, reason: `server certificate ${facts.peerSubject ?? '(none)'} refused by the harness` }));
      }
      o.trace.record({ ...base, kind: 'tls', tls: facts });
      const asked = socket.renegotiate({ rejectUnauthorized: false }, (err) => {
        if (err) end(() => o.trace.record({ ...base, kind: 'tls-error', tls: facts, reason: `renegotiation refused: ${readableTlsError(err.message)}` }));
        else end(() => o.trace.record({ ...base, kind: 'tls', tls: tlsFacts(socket), note: RENEGOTIATED }));
      });
      if (!asked) end(() => o.trace.record({ ...base, kind: 'error', reason: 'the harness could not ask for a renegotiation' }));
    });
  });
}
