import type { RunConfig } from '../config/config.js';
import type { DeviceCredentials } from '../dm/server-session.js';
import { ROLES, type LinkId, type Role } from '../model/roles.js';
import type { Identity, Pki } from '../pki/pki.js';
import { TREE, type TreeLayout } from '../profile.js';
import type { ClientFixture } from '../tree/client-fixture.js';
import { deviceCredentials } from '../tree/client-fixture.js';
import type { RoleAssignment, TreeSource } from './observability.js';

export type Modes = Record<Role, 'mock' | 'real'>;

/** What a flow needs to know about the run, whether it comes from a config file or the embedded default. */
export interface FlowSetup {
  modes: Modes;
  ids: { dms1: string; dms2: string; other: string[] };
  devInfo: ClientFixture['devInfo'];
  managedSubtrees: string[];
  partialSubtrees: string[];
  dms1AccountPath: string;
  /** Where the client keeps its accounts and its Bootstrap Config MO (device.treeLayout; TREE by default). */
  treeLayout: TreeLayout;
  /** The client's DMS-1 account as DMS-1 keeps it. */
  dms1Credentials: DeviceCredentials;
  identityOf(role: Role): Identity;
  trustAnchors: string[];
  caFingerprint256: string;
  assignment: RoleAssignment;
}

/** The roles the tester plays its cases against: the real ones; every role when all are mocks (the self-test). */
export function underTest(modes: Modes, role: Role): boolean {
  return modes[role] === 'real' || ROLES.every((r) => modes[r] === 'mock');
}

export function modesOf(config: RunConfig | undefined): Modes {
  return Object.fromEntries(ROLES.map((r) => [r, config?.roles[r].mode ?? 'mock'])) as Modes;
}

/** How the final tree is read: the mock's own tree, over the protocol by a mock server, or by a driver. */
export function treeSourceOf(config: RunConfig | undefined): TreeSource {
  const c = config?.roles.client;
  if (!c || c.mode === 'mock') return 'mock';
  const driver = c.drivers?.readTree ? 'driver' : 'none';
  if (c.treeRead === 'driver') return driver;
  // Over the protocol the initial tree is read by the harness's DMS-1 (the only server on the device then).
  return config!.roles.dms1.mode === 'mock' ? 'protocol' : driver;
}

export function flowSetup(config: RunConfig | undefined, fixture: ClientFixture, pki: Pki): FlowSetup {
  const modes = modesOf(config);
  const d = config?.device;
  const acc = d?.dms1Account;
  const devInfo = { ...fixture.devInfo, ...(modes.client === 'real' && d ? { devId: d.devId, man: d.man, mod: d.mod } : {}) };
  const client = config?.roles.client;
  return {
    modes,
    ids: config ? { ...config.serverIds, other: d!.otherServers } : fixture.servers,
    devInfo,
    managedSubtrees: d?.managedSubtrees ?? fixture.managedSubtrees,
    partialSubtrees: d?.partialSubtrees ?? fixture.partialSubtrees,
    dms1AccountPath: d?.dms1AccountPath ?? fixture.accounts.find((a) => a.account.serverId === fixture.servers.dms1)!.path,
    treeLayout: d?.treeLayout ?? TREE,
    dms1Credentials:
      modes.client === 'real' && acc
        ? {
            devId: devInfo.devId,
            client: { name: acc.clientName, secret: acc.clientSecret, nonce: Buffer.from(acc.clientNonce, 'base64') },
            server: { name: acc.serverName ?? config!.serverIds.dms1, secret: acc.serverSecret, nonce: Buffer.from(acc.serverNonce, 'base64') },
          }
        : deviceCredentials(fixture, fixture.servers.dms1),
    identityOf: (role) => {
      const r = config?.roles[role];
      return (r?.mode === 'mock' && r.identity) || (config?.pki ?? pki).roles[role];
    },
    trustAnchors: config?.trustAnchors ?? [pki.ca.cert],
    caFingerprint256: (config?.pki ?? pki).ca.fingerprint256,
    assignment: {
      roles: modes,
      proxies: (config?.proxies ?? []).map((p) => ({ link: p.link as LinkId, to: p.to })),
      pushByDriver: modes.client === 'real' && !!client && client.mode === 'real' && !client.pushUrl,
      treeSource: treeSourceOf(config),
    },
  };
}
