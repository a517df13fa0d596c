import type { ClientQuirks } from '../../mocks/client/mock-client.js';
import type { BootstrapQuirks } from '../../mocks/bootstrap/mock-bootstrap.js';
import type { Dms1Quirks } from '../../mocks/dms1/mock-dms1.js';
import type { Dms2Quirks } from '../../mocks/dms2/mock-dms2.js';
import type { ServerRoleOptions } from '../../mocks/common/server-role.js';
import type { Role } from '../model/roles.js';
import type { TlsPolicy } from '../transport/https-endpoint.js';
import type { SyncmlEncoding } from '../syncml/encoding.js';

/** Deliberate deviations from the reference behaviour (the mutants are made of these). */
export interface Variation {
  dms1?: Dms1Quirks;
  dms2?: Dms2Quirks;
  client?: ClientQuirks;
  bootstrap?: BootstrapQuirks;
  /** TLS policy per role (e.g. a DMS that offers and accepts TLS 1.1). */
  tls?: Partial<Record<Role, TlsPolicy>>;
  /** Roles that present no client certificate on mutual-TLS links. */
  omitClientCertificate?: Partial<Record<Role, boolean>>;
  /** Roles that go on with a server certificate that does not verify. */
  trustAnyServer?: Partial<Record<Role, boolean>>;
  /** Roles whose certificate comes from a CA the others do not trust. */
  foreignCertificate?: Partial<Record<Role, boolean>>;
  /** Server-side deviations of DMS-1 / DMS-2. */
  server?: Partial<Record<'dms1' | 'dms2', ServerVariation>>;
  /** The reference client's SyncML encoding in every flow (by default WBXML in approach B, XML in A). */
  clientEncoding?: SyncmlEncoding;
  /** The MaxMsgSize the reference client declares (default 20000 bytes): a small one makes servers split packages. */
  clientMaxMsgSize?: number;
}

export type ServerVariation = Pick<
  ServerRoleOptions,
  'badPkg0Digest' | 'delegationContentType' | 'dmAnswer' | 'malformedAnswerTo' | 'challengeFirst' | 'clientCertificateOptional' | 'clientCertificateUnverified' | 'delegationServerTls' | 'acceptAnyPeer' | 'acceptAnyCredentials' | 'acceptAnyDelegationMessage' | 'ignoreClientNonces' | 'reuseHmacNonce' | 'maxMsgSize' | 'ignoreMaxMsgSize' | 'wrongMac'
>;
