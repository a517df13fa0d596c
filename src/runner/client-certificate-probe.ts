import { isReal, type RunConfig } from '../config/config.js';
import type { TraceRecorder } from '../trace/recorder.js';
import { playTlsServerCase, type ServerEndpoint } from './tls-server-cases.js';

/** The probe's case id: the trace marks its connections with it. */
export const NO_CLIENT_CERTIFICATE = 'no-client-certificate';

/**
 * Where a real implementation is the TLS server of a mutually authenticated link. From its client side the
 * harness sees that the server authenticated itself and that the harness presented a certificate, never
 * whether the server required one; a connection without a certificate shows that.
 */
export function mutualEndpoints(cfg: RunConfig | undefined, separateBootstrap: boolean): ServerEndpoint[] {
  const out: ServerEndpoint[] = [];
  const r = cfg?.roles;
  if (r && isReal(r.dms1)) out.push({ role: 'dms1', peer: 'dms2', link: 'dms1-dms2', url: r.dms1.delegationUrl, mutual: true });
  if (r && isReal(r.dms2)) out.push({ role: 'dms2', peer: 'dms1', link: 'dms1-dms2', url: r.dms2.delegationUrl, mutual: true });
  if (r && separateBootstrap && isReal(r.bootstrap)) out.push({ role: 'bootstrap', peer: 'dms2', link: 'dms2-bootstrap', url: r.bootstrap.orderUrl, mutual: true });
  return out;
}

/**
 * One POST without a client certificate. A server that requires the certificate refuses at the TLS layer
 * (`tls-error`); any HTTP answer means it accepted an unauthenticated client.
 */
export function probeWithoutCertificate(ep: ServerEndpoint, o: { trace: TraceRecorder; trustAnchors: string[]; timeoutMs: number; pin?: string }): Promise<void> {
  return playTlsServerCase({ id: NO_CLIENT_CERTIFICATE }, { ...ep, mutual: false }, o);
}
