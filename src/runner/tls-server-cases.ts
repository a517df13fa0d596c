import type { LinkId, Role } from '../model/roles.js';
import { createCa, issueLeaf, type KeyPair } from '../pki/pki.js';
import { MEDIA } from '../profile.js';
import type { TraceRecorder } from '../trace/recorder.js';
import { postHttps } from '../transport/https-post.js';
import { playRenegotiation } from './tls-renegotiation.js';
import type { TlsPolicy } from '../transport/https-endpoint.js';

/** A TLS server endpoint of a role, and the peer the harness plays when it connects there. */
export interface ServerEndpoint {
  role: Role;
  peer: Role;
  link: LinkId;
  url: string;
  /** Mutually authenticated: the harness presents the peer's certificate. */
  mutual: boolean;
}

/**
 * The tester's TLS cases against a role as TLS server (DESIGN.md §8): each offers one thing the role must
 * refuse, everything else valid. Data, apart from the mechanism that plays them.
 */
export interface TlsServerCase {
  id: string;
  /** How the harness's client departs from a valid one: the TLS versions it offers… */
  tls?: TlsPolicy;
  /** …or the client certificates it presents on a mutual endpoint, one connection each. */
  certificates?: HostileCertificate[];
  /** …or, after a valid TLS 1.2 handshake, it asks for a renegotiation. */
  renegotiate?: boolean;
  /** Which endpoints the case is played against. */
  endpoints: 'all' | 'mutual';
  /**
   * What counts as accepting: completing the handshake (an old version must not be negotiated at all),
   * answering over HTTP (a TLS 1.3 server may refuse a client certificate just after the handshake), or
   * going through with a renegotiation.
   */
  acceptedWhen: 'handshake' | 'answer' | 'renegotiation';
  /** What the case offers, for the verdict text. */
  offers: string;
}

/** A certificate that does not verify: from a foreign CA, expired, self-signed, or issued for another host. */
export type HostileCertificate = 'foreign-ca' | 'expired' | 'self-signed' | 'other-host';

/**
 * The connection without a client certificate to a real implementation's mutual endpoint. From its client
 * side the harness sees that the server authenticated itself and that the harness presented a certificate,
 * never whether the server required one; this connection shows it (judged by TLS-DMS-MUTUAL, TLS-DMS-BS).
 */
export const NO_CLIENT_CERTIFICATE = 'no-client-certificate';

// OpenSSL 3 offers TLS below 1.2 only at security level 0.
export const TLS_SERVER_CASES: readonly TlsServerCase[] = [
  { id: 'NEG-TLS-V10', tls: { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }, endpoints: 'all', acceptedWhen: 'handshake', offers: 'only TLS 1.0' },
  { id: 'NEG-TLS-V11', tls: { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }, endpoints: 'all', acceptedWhen: 'handshake', offers: 'only TLS 1.1' },
  { id: 'NEG-TLS-RENEGOTIATION', renegotiate: true, endpoints: 'all', acceptedWhen: 'renegotiation', offers: 'a client-initiated renegotiation' },
  // One case, three certificates: a server that verifies none is one fault, one red id.
  {
    id: 'NEG-TLS-CLIENT-CERT',
    certificates: ['foreign-ca', 'expired', 'self-signed'],
    endpoints: 'mutual',
    acceptedWhen: 'answer',
    offers: 'a client certificate that does not verify (from a foreign CA, expired, or self-signed)',
  },
];

const DAY = 86_400_000;
const hostile = new Map<string, Promise<KeyPair>>();

/**
 * The certificate a hostile peer presents as `role`, made once per run CA: from a foreign CA, issued by the
 * run's CA but expired, self-signed, or for another host name. Only the one thing the case is about is wrong.
 */
export function hostileCertificate(kind: HostileCertificate, ca: KeyPair, role: Role): Promise<KeyPair> {
  const key = `${kind} ${role} ${ca.cert}`;
  let made = hostile.get(key);
  if (!made) {
    const name = `dmdc ${role}`;
    made =
      kind === 'foreign-ca'
        ? createCa({ caName: 'dmdc foreign CA' }).then((foreign) => issueLeaf(foreign, name))
        : kind === 'expired'
          ? issueLeaf(ca, name, { notBefore: new Date(Date.now() - 10 * DAY), notAfter: new Date(Date.now() - DAY) })
          : kind === 'other-host'
            ? issueLeaf(ca, name, { hostNames: ['another-host.invalid'] })
            : createCa({ caName: name });
    hostile.set(key, made);
  }
  return made;
}

/** Every TLS server endpoint of the flow, from its URLs (mock or real alike); the push endpoint when there is one. */
export function serverEndpoints(urls: Record<string, string>): ServerEndpoint[] {
  const all: Array<ServerEndpoint | undefined> = [
    { role: 'dms1', peer: 'client', link: 'dms1-client', url: urls.dms1Dm, mutual: false },
    { role: 'dms1', peer: 'dms2', link: 'dms1-dms2', url: urls.dms1Delegation, mutual: true },
    { role: 'dms2', peer: 'client', link: 'dms2-client', url: urls.dms2Dm, mutual: false },
    { role: 'dms2', peer: 'dms1', link: 'dms1-dms2', url: urls.dms2Delegation, mutual: true },
    urls.bootstrapOrder ? { role: 'bootstrap', peer: 'client', link: 'client-bootstrap', url: urls.bootstrap, mutual: false } : undefined,
    urls.bootstrapOrder ? { role: 'bootstrap', peer: 'dms2', link: 'dms2-bootstrap', url: urls.bootstrapOrder, mutual: true } : undefined,
    urls.clientPush ? { role: 'client', peer: 'dms1', link: 'dms1-client', url: urls.clientPush, mutual: false } : undefined,
  ];
  return all.filter((e): e is ServerEndpoint => !!e && !!e.url);
}

/**
 * Plays one case against one endpoint: one POST with an empty body, which no conformant server acts on. A
 * refusal at the TLS layer is recorded as `tls-error`, an HTTP answer as `response`; every event carries the
 * case id. The caller stamps the trace `tls-probe`: no step of the delegation.
 */
export async function playTlsServerCase(c: Pick<TlsServerCase, 'id' | 'tls'>, ep: ServerEndpoint, o: { trace: TraceRecorder; trustAnchors: string[]; identity?: KeyPair; timeoutMs: number; pin?: string }): Promise<void> {
  await postHttps({
    url: ep.url,
    body: '',
    contentType: ep.link === 'dms1-dms2' || ep.link === 'dms2-bootstrap' ? MEDIA.delegation : MEDIA.syncml,
    identity: ep.mutual ? o.identity : undefined,
    trustAnchors: o.trustAnchors,
    timeoutMs: o.timeoutMs,
    from: ep.peer,
    to: ep.role,
    link: ep.link,
    trace: o.trace,
    pin: o.pin,
    tls: c.tls,
    probe: c.id,
  }).catch(() => undefined);
}

/** What the tester needs from the flow: where to record, the budget, and how to trust and pose as each role. */
export interface TesterOptions {
  trace: TraceRecorder;
  timeoutMs: number;
  /** Trust anchors and pin for an endpoint's role. */
  trustOf: (role: Role) => { anchors: string[]; pin?: string };
  /** The valid certificate of the peer the harness plays. */
  identityOf: (role: Role) => KeyPair;
  /** The run's CA, which issues the expired certificate. */
  ca: KeyPair;
}

/**
 * Plays every case against `targets`, and the connection without a client certificate against those of
 * `withoutCertificate` (mutual endpoints of real implementations), all at once.
 */
export function playTester(targets: readonly ServerEndpoint[], withoutCertificate: readonly ServerEndpoint[], o: TesterOptions): Promise<unknown> {
  const how = (ep: ServerEndpoint, identity?: KeyPair) => ({ trace: o.trace, timeoutMs: o.timeoutMs, trustAnchors: o.trustOf(ep.role).anchors, pin: o.trustOf(ep.role).pin, identity });
  const plays = TLS_SERVER_CASES.flatMap((c) =>
    targets
      .filter((ep) => c.endpoints === 'all' || ep.mutual)
      .flatMap((ep) =>
        c.certificates
          ? c.certificates.map(async (kind) => playTlsServerCase({ id: `${c.id}/${kind}` }, ep, how(ep, await hostileCertificate(kind, o.ca, ep.peer))))
          : c.renegotiate
            ? [playRenegotiation(c.id, ep, how(ep, o.identityOf(ep.peer)))]
            : [playTlsServerCase(c, ep, how(ep, o.identityOf(ep.peer)))],
      ),
  );
  return Promise.all([...withoutCertificate.map((ep) => playTlsServerCase({ id: NO_CLIENT_CERTIFICATE }, { ...ep, mutual: false }, how(ep))), ...plays]);
}
