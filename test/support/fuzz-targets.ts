import type { ConfigureRequest } from '../../src/cli/mock-control.js';
import type { Role } from '../../src/model/roles.js';
import type { Pki } from '../../src/pki/pki.js';
import type { ClientFixture } from '../../src/tree/client-fixture.js';
import type { SeedKind } from './fuzz-inputs.js';
import type { FuzzTarget } from './fuzz-run.js';

/** The URLs each mock prints (`dmdc mock`'s JSON line): dm, delegation, bootstrap, order, push. */
export type MockUrls = Record<Role, Record<string, string>>;

/**
 * Every endpoint of the four reference mocks, each with the client certificate its peer would present:
 * the fuzz inputs then get past TLS and the peer checks, to the parsers.
 */
export function fuzzTargets(urls: MockUrls, pki: Pki, f: ClientFixture): FuzzTarget[] {
  const t = (mock: Role, key: string, kind: SeedKind, o: Partial<FuzzTarget> = {}): FuzzTarget => {
    const path = new URL(urls[mock][key]).pathname;
    return { name: `${mock} ${path}`, mock, url: urls[mock][key], kind, path, trustAnchors: [pki.ca.cert], ...o };
  };
  return [
    t('dms1', 'dm', 'dm', { serverId: f.servers.dms1 }),
    t('dms1', 'delegation', 'delegation', { identity: pki.roles.dms2 }),
    t('dms2', 'dm', 'dm', { serverId: f.servers.dms2 }),
    t('dms2', 'bootstrap', 'bootstrap'),
    t('dms2', 'delegation', 'delegation', { identity: pki.roles.dms1 }),
    t('bootstrap', 'bootstrap', 'bootstrap'),
    t('bootstrap', 'order', 'order', { identity: pki.roles.dms2 }),
    t('client', 'push', 'push', { serverId: f.servers.dms1 }),
  ];
}

/** How the mocks are wired to each other, as a lab would through the control API: peers pinned, push URL known. */
export function fuzzWiring(urls: MockUrls, f: ClientFixture): Record<Role, ConfigureRequest> {
  return {
    dms1: { peers: [{ serverId: f.servers.dms2, delegationUrl: urls.dms2.delegation }], pushUrl: urls.client.push },
    dms2: { peers: [{ serverId: f.servers.dms1, delegationUrl: urls.dms1.delegation }], pushUrl: urls.client.push },
    bootstrap: {},
    client: { dms1Url: urls.dms1.dm },
  };
}
