import type { Approach, DelegationType } from '../delegation/messages.js';
import type { LinkId, Role } from '../model/roles.js';
import type { Identity, Pki } from '../pki/pki.js';
import { AUTH_TYPES, type AuthType } from '../syncml/auth.js';
import type { SyncmlEncoding } from '../syncml/encoding.js';
import type { TreeLayout } from '../profile.js';
import type { ClientFixture } from '../tree/client-fixture.js';
import type { Budgets } from './budgets.js';
import type { EndpointLimits } from './limits.js';

/**
 * The run configuration as the user writes it (fixtures/config/dmdc-config.schema.json is its schema).
 * File paths are relative to the config file. `load-config.ts` validates it and resolves it to a RunConfig.
 */
export interface ConfigFile {
  $schema?: string;
  /** Label of the implementation under test, shown in the reports. */
  name?: string;
  roles?: Partial<{ dms1: Dms1Config; dms2: Dms2Config; bootstrap: BootstrapConfig; client: ClientConfig }>;
  device?: DeviceConfig;
  /** Where the harness keeps its CA and the certificates its mocks present (created when absent). */
  pki?: {
    dir?: string;
    /** DNS names and IP addresses the harness's leaf certificates carry as subjectAltName (default: DEFAULT_PKI_HOSTS). */
    hosts?: string[];
  };
  ics?: IcsConfig;
  budgets?: Partial<Budgets> & { driverMs?: number };
  /** What every endpoint of the harness's mocks allows a peer (time to send a request, connections). */
  limits?: Partial<EndpointLimits>;
  /** Recording TLS proxies between two real implementations (opt-in). */
  proxies?: ProxyConfig[];
}

/** A role played by a reference mock: where it listens and what it presents. */
export interface MockRoleConfig {
  mode: 'mock';
  /** ServerID of a mock DMS (defaults from fixtures/trees/client-initial.json). */
  serverId?: string;
  host?: string;
  /** First port (a DMS and the Bootstrap Server also use port + 1); 0 or absent: any free port. */
  port?: number;
  /** Certificate and key this mock presents (default: the harness PKI's one for the role). */
  identity?: { cert: string; key: string };
}

/** What every real implementation declares. */
export interface RealRoleBase {
  mode: 'real';
  /** PEM file: the CA certificate(s) the harness trusts for this implementation's certificate. */
  trustAnchor?: string;
  /** PEM file: this implementation's own certificate, pinned when given. */
  certificate?: string;
  drivers?: {
    /** Before every flow, after reset, once the harness's mocks listen (e.g. to tell the IUT their URLs). */
    setup?: DriverSpec;
    /** Before each flow (e.g. restore the device's initial state). */
    reset?: DriverSpec;
  };
}

export interface Dms1Config extends RealRoleBase {
  serverId: string;
  /** DMS-1's DM URL (the client's DMS-1 account points here). */
  dmUrl: string;
  /** DMS-1's delegation API (DMS-2 sends BootstrapComplete / DelegationComplete here). */
  delegationUrl: string;
  drivers: RealRoleBase['drivers'] & { startDelegation: DriverSpec };
}

export interface Dms2Config extends RealRoleBase {
  serverId: string;
  /** DMS-2's DM URL, as it should appear in the account it gives the client. */
  dmUrl: string;
  delegationUrl: string;
}

export interface BootstrapConfig extends RealRoleBase {
  /** Where DMS-2 orders a device's bootstrap (profile message BootstrapOrder, mutual TLS). */
  orderUrl: string;
  /** The Bootstrap Server URL DMS-2 hands to DMS-1. */
  bootstrapUrl: string;
}

export interface ClientConfig extends RealRoleBase {
  /** The client's Package #0 endpoint; or give drivers.trigger. */
  pushUrl?: string;
  /** How the harness's final tree reading is done: over the protocol (default) or by drivers.readTree. */
  treeRead?: 'protocol' | 'driver';
  drivers?: RealRoleBase['drivers'] & {
    /** Deliver a Package #0 (placeholders {pkg0Hex}, {pkg0Base64}, {pkg0File}, {serverId}). */
    trigger?: DriverSpec;
    /** Print (command) or return (http) the device's DM tree as a TreeSnapshot JSON. */
    readTree?: DriverSpec;
  };
}

export type RoleConfig = MockRoleConfig | Dms1Config | Dms2Config | BootstrapConfig | ClientConfig;

/** The device under delegation and its account with DMS-1 (for a real client: as provisioned on it). */
export interface DeviceConfig {
  devId?: string;
  man?: string;
  mod?: string;
  /** Credentials of the client's DMS-1 account (md5 digest). */
  dms1Account?: {
    clientName: string;
    clientSecret: string;
    /** base64 */
    clientNonce: string;
    serverName?: string;
    serverSecret: string;
    /** base64 */
    serverNonce: string;
  };
  /** Subtrees DMS-1 manages on the device (a full delegation hands them all over). */
  managedSubtrees?: string[];
  /** Subtrees a partial delegation hands over. */
  partialSubtrees?: string[];
  /** ServerIDs of other servers whose rights must survive. */
  otherServers?: string[];
  /** Where DMS-1's account sits on the client. */
  dms1AccountPath?: string;
  /** Where the client keeps its accounts and its Bootstrap Config MO (default: the binding profile's TREE). */
  treeLayout?: Partial<TreeLayout>;
}

/** What the implementation(s) under test declare they support; unsupported cases are NOT_APPLICABLE. */
export interface IcsConfig {
  approaches?: Approach[];
  scopes?: Array<DelegationType['scope']>;
  durations?: Array<DelegationType['duration']>;
  /** Optional step B.8b / A.5: DMS-1 deletes its own account in a permanent delegation. */
  removeAccount?: boolean;
  /** Where the Bootstrap Server sits in approach B. */
  bootstrapPlacements?: Array<'colocated' | 'separate'>;
  /**
   * Session authentication types (DMAcc AAuthType) the implementation supports: DIGEST (syncml:auth-md5),
   * HMAC (syncml:auth-MAC), BASIC (syncml:auth-basic). The flows take them in turn (the account the
   * harness's DMS-2 gives the client is of the flow's type); each type's requirements apply where it is declared.
   */
  authTypes?: AuthType[];
  /**
   * SyncML encodings the DM client speaks (default both). The reference client takes them as the flows go:
   * with both, WBXML in approach B and XML in approach A; with one, that one everywhere.
   */
  encodings?: SyncmlEncoding[];
  /** How the DM client authenticates its DM server: its SyncML credentials (default) or TLS alone. */
  serverAuthentication?: 'application' | 'transport';
}

/** An upper-tester action: a shell command or an HTTP call, with {placeholders}. */
export type DriverSpec =
  | { command: string; timeoutMs?: number }
  | { http: { method?: 'GET' | 'POST' | 'PUT'; url: string; headers?: Record<string, string>; body?: string }; timeoutMs?: number };

export interface ProxyConfig {
  link: LinkId;
  /** The real implementation the proxy stands in for (the server side of the proxied connections). */
  to: Role;
  /** Where the proxy listens (port 0: any free port; the {proxy.<link>.<to>} placeholder gives its URL). */
  listen?: { host?: string; port?: number };
  /** The real implementation the proxy forwards to (origin, e.g. https://dms2.lab:8443). */
  upstream: string;
}

/** A validated configuration with defaults applied, files read and paths absolute. */
export interface RunConfig {
  file?: string;
  name?: string;
  roles: { dms1: ResolvedRole<Dms1Config>; dms2: ResolvedRole<Dms2Config>; bootstrap: ResolvedRole<BootstrapConfig>; client: ResolvedRole<ClientConfig> };
  device: Required<Omit<DeviceConfig, 'dms1Account' | 'treeLayout'>> & { dms1Account: NonNullable<DeviceConfig['dms1Account']>; treeLayout: TreeLayout };
  serverIds: { dms1: string; dms2: string };
  /** Identities the harness's mocks present, and the CA that signed them; `hosts`: what their leaves name. */
  pki: { dir?: string; hosts: string[]; ca: Identity; roles: Record<Role, Identity> };
  /** PEM certificates the harness trusts: its own CA and every real role's trust anchor. */
  trustAnchors: string[];
  ics: Required<IcsConfig>;
  budgets: Budgets & { driverMs: number };
  limits: EndpointLimits;
  proxies: ProxyConfig[];
}

export type ResolvedRole<R extends RealRoleBase> =
  | (Omit<MockRoleConfig, 'identity'> & { identity?: Identity })
  | (R & { trustAnchorPem?: string[]; certificateFingerprint256?: string });

/**
 * The optional features an ICS declares, as catalogue entries name them in `applicability.feature`. No
 * ICS (the all-mock default) declares them all: the reference mocks implement every one.
 */
export function icsFeatures(ics?: IcsConfig): string[] {
  const auth = (ics?.authTypes ?? AUTH_TYPES).map((t) => `auth-${t.toLowerCase()}`);
  return [...(ics?.removeAccount === false ? [] : ['step-8b']), ...(ics?.serverAuthentication === 'transport' ? [] : ['server-auth-application']), ...auth];
}

export function isReal<R extends RealRoleBase>(r: ResolvedRole<R>): r is R & { trustAnchorPem?: string[]; certificateFingerprint256?: string } {
  return r.mode === 'real';
}

/** Defaults `loadConfig` falls back on. */
export interface LoadConfigOptions {
  defaults?: {
    /** Source of the device defaults (default: fixtures/trees/client-initial.json). */
    fixture?: ClientFixture;
    /** PKI used when the configuration names no pki.dir (default: a fresh one). */
    pki?: Pki;
  };
}
