import { isReal, type RunConfig } from '../config/config.js';
import type { LinkId, Role } from '../model/roles.js';
import { MEDIA } from '../profile.js';
import type { TraceRecorder } from '../trace/recorder.js';
import { postHttps } from '../transport/https-post.js';

/** A mutual-TLS server endpoint of a real implementation, and the role the harness plays when it calls it. */
export interface MutualEndpoint {
  role: Role;
  peer: Role;
  link: LinkId;
  url: string;
}

/**
 * Where a real implementation is the TLS server of a mutually authenticated link. From its client side the
 * harness sees that the server authenticated itself and that the harness presented a certificate, never
 * whether the server required one; a connection without a certificate shows that.
 */
export function mutualEndpoints(cfg: RunConfig | undefined, separateBootstrap: boolean): MutualEndpoint[] {
  const out: MutualEndpoint[] = [];
  const r = cfg?.roles;
  if (r && isReal(r.dms1)) out.push({ role: 'dms1', peer: 'dms2', link: 'dms1-dms2', url: r.dms1.delegationUrl });
  if (r && isReal(r.dms2)) out.push({ role: 'dms2', peer: 'dms1', link: 'dms1-dms2', url: r.dms2.delegationUrl });
  if (r && separateBootstrap && isReal(r.bootstrap)) out.push({ role: 'bootstrap', peer: 'dms2', link: 'dms2-bootstrap', url: r.bootstrap.orderUrl });
  return out;
}

/**
 * One POST without a client certificate (and with an empty body, which no conformant server acts on). A
 * server that requires the certificate refuses at the TLS layer (`tls-error`); any HTTP answer means it
 * accepted an unauthenticated client. The trace is stamped `tls-probe` by the caller: no step of the delegation.
 */
export async function probeWithoutCertificate(ep: MutualEndpoint, o: { trace: TraceRecorder; trustAnchors: string[]; timeoutMs: number; pin?: string }): Promise<void> {
  await postHttps({ url: ep.url, body: '', contentType: MEDIA.delegation, trustAnchors: o.trustAnchors, timeoutMs: o.timeoutMs, from: ep.peer, to: ep.role, link: ep.link, trace: o.trace, pin: o.pin }).catch(() => undefined);
}
