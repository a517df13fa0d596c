import type { KeyPair } from '../pki/pki.js';
import { thirdServerCertificate } from './peer-identity-cases.js';
import { hostileCertificate, type HostileCertificate } from './tls-server-cases.js';

const KINDS: readonly HostileCertificate[] = ['foreign-ca', 'expired', 'self-signed', 'other-host'];
/** The roles whose certificates the tester's cases imitate: the DM servers, on the mutual links and to the client. */
const IMITATED = ['dms1', 'dms2'] as const;

/**
 * Starts making every certificate the tester presents in a run (each made once per run CA, then reused), so
 * that with the certificate thread on they are ready by the time the first flow plays its cases.
 */
export function makeTesterCertificatesAhead(ca: KeyPair): void {
  const made = [...KINDS.flatMap((kind) => IMITATED.map((role) => hostileCertificate(kind, ca, role))), thirdServerCertificate(ca)];
  // A certificate that cannot be made fails the case that presents it, with the reason; not here.
  for (const m of made) m.catch(() => {});
}
