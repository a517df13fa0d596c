import type { DelegationOrder } from '../../mocks/dms1/mock-dms1.js';
import { icsFeatures } from '../config/config.js';
import type { Role } from '../model/roles.js';
import type { KeyPair } from '../pki/pki.js';
import type { RoleContext } from '../roles/role-context.js';
import type { FlowRoles } from '../roles/roles.js';
import { underTest } from './flow-setup.js';
import { playPkg0DigestCase } from './pkg0-digest-case.js';
import { playServerAuthCase } from './server-auth-case.js';
import { bootstrapUrlOf, playBootstrapCases } from './bootstrap-cases.js';
import { playTlsClientCases, type ClientConnection } from './tls-client-cases.js';
import { playDmAuthCases, type DmAuthTarget } from './dm-auth-cases.js';
import { playDelegationApiCases } from './delegation-api-cases.js';
import { playPeerIdentityCases } from './peer-identity-cases.js';
import { playClientSessionCases, type ClientSessionCaseInput } from './client-session-cases.js';
import { playTester, serverEndpoints } from './tls-server-cases.js';

export interface TesterInput {
  ctx: RoleContext;
  roles: FlowRoles;
  urls: Record<string, string>;
  /** The flow's delegation: the tester's own attempts copy it under their own session ids. */
  order: DelegationOrder;
  ca: KeyPair;
  /**
   * What the run's tester has played in earlier flows (endpoint and connection keys): given, each case is
   * played once per run against each endpoint; absent, every flow plays every case.
   */
  playedOnce?: Set<string>;
}

/**
 * The tester (DESIGN.md §8), before the flow: every case against every role under test through its adapter.
 * Cases against a role as TLS server run at once; those that make a role connect to a harness endpoint
 * posing as a hostile server run one at a time, since the endpoint is the flow's own.
 */
export async function runTester({ ctx, roles, urls, order, ca, playedOnce }: TesterInput): Promise<void> {
  const { modes, setup, budgets, trace } = ctx;
  const fresh = (key: string) => !playedOnce || (!playedOnce.has(key) && !!playedOnce.add(key));
  const testing = (role: Role) => underTest(modes, role);
  const budget = () => Math.min(budgets.requestMs, ctx.left());
  const endpoints = serverEndpoints(urls).filter((ep) => testing(ep.role));
  const targets = endpoints.filter((ep) => fresh(`${ep.role} ${ep.link} ${ep.mutual ? 'mutual' : 'server'}`));
  const asServer = {
    trace,
    timeoutMs: budget(),
    trustOf: (role: Role) => ({ anchors: ctx.trustOf(role).anchors ?? setup.trustAnchors, pin: ctx.trustOf(role).pin }),
    identityOf: (role: Role) => setup.identityOf(role),
    ca,
  };
  const asPeer = { ...asServer, serverIds: setup.ids, devId: 'tester-no-device' };
  const { dms1, dms2, client } = roles;
  const { devId, ...devInfo } = setup.devInfo;
  // As the run's device: DMS-1 holds its account (the harness knows the client credentials), DMS-2 not yet.
  const dmAuthTargets: DmAuthTarget[] = [
    ...(testing('dms1') && fresh('dms1 dm-auth') ? [{ role: 'dms1' as const, url: dms1.dmUrl, serverId: setup.ids.dms1, devId, devInfo, credentials: setup.dms1Credentials.client }] : []),
    ...(testing('dms2') && fresh('dms2 dm-auth') ? [{ role: 'dms2' as const, url: dms2.dmUrl, serverId: setup.ids.dms2, devId, devInfo }] : []),
  ];
  await Promise.all([
    // The connection without a certificate is every flow's: TLS-DMS-MUTUAL and TLS-DMS-BS cite it.
    playTester(targets, endpoints.filter((ep) => ep.mutual && modes[ep.role] === 'real'), asServer),
    // Under a DevId of no device: a server that wrongly takes the message has nothing real to act on.
    playPeerIdentityCases(targets, asPeer),
    playDelegationApiCases(targets, asPeer),
    playDmAuthCases(dmAuthTargets, asServer),
  ]);

  const harnessDms1 = dms1.sessions;
  const harnessDms2 = dms2.sessions;
  let attempt = 0;
  const connections: ClientConnection[] = [
    ...(harnessDms1 && testing('client') && fresh('client dms1-client as-client')
      ? [{ role: 'client' as const, server: 'dms1' as const, link: 'dms1-client' as const, endpoint: harnessDms1.dmEndpoint, provoke: () => harnessDms1.sendPackage0(order.devId), settle: async (until: Parameters<ClientConnection['settle']>[0]) => void (await client.reacted(until, budget())) }]
      : []),
    ...(harnessDms2 && testing('dms1') && fresh('dms1 dms1-dms2 as-client')
      ? [{
          role: 'dms1' as const, server: 'dms2' as const, link: 'dms1-dms2' as const, endpoint: harnessDms2.delegationEndpoint,
          provoke: () => dms1.attempt({ ...order, sessionId: `${order.sessionId}-tester-${++attempt}` }),
          settle: (until: Parameters<ClientConnection['settle']>[0]) => trace.waitFor(until, budget(), 'DMS-1 to connect').then(() => undefined, () => undefined),
        }]
      : []),
  ];
  const silent = await playTlsClientCases(connections, { trace, ca, identityOf: (role) => setup.identityOf(role), timeoutMs: budget });
  // A client silent to everything before would make these cases' silence meaningless: not sent.
  const skip = silent.has('client') ? "not sent: the client did not react to the tester's Package #0 before" : undefined;
  // Only for a client that authenticates its server in SyncML (ICS): another would only cost the watch.
  if (harnessDms1 && testing('client') && icsFeatures(ctx.config?.ics).includes('server-auth-application') && fresh('client server-auth')) {
    await playServerAuthCase({ trace, skip, server: harnessDms1, devId: order.devId, reacted: (until) => client.reacted(until, Math.min(budgets.silenceMs, ctx.left())), answeredMs: budget() });
  }
  if (harnessDms1 && testing('client') && fresh('client pkg0')) {
    await harnessDms1.dmEndpoint.refusing(() => playPkg0DigestCase({ trace, skip, send: () => harnessDms1.sendPackage0(order.devId, { badDigest: true }), reacted: (until) => client.reacted(until, Math.min(budgets.silenceMs, ctx.left())) }));
  }
}

/**
 * The links the tester uses after a flow (a Bootstrap Server inside DMS-2 shares DMS-2's DM endpoint, whose
 * handshakes are labelled dms2-client): what arrives on others then is the flow's own.
 */
export const AFTER_FLOW_TESTER_LINKS: ReadonlySet<string> = new Set(['client-bootstrap', 'dms2-client']);

/**
 * The tester's cases that need the flow to have run first: a Bootstrap Server asked again, once the client
 * fetched its bootstrap, at the URL the client used (a co-located one is known only from the wire); and the
 * DM client cases, in sessions of the harness's DMS-2, which holds an account on the client only now.
 */
export async function runTesterAfterFlow({ ctx, colocated, playedOnce, clientSessions }: { ctx: RoleContext; colocated: boolean; playedOnce?: Set<string>; clientSessions?: Omit<ClientSessionCaseInput, 'trace'> }): Promise<void> {
  const { modes, setup, budgets, trace } = ctx;
  const url = bootstrapUrlOf(trace.events());
  const fresh = (key: string) => !playedOnce || (!playedOnce.has(key) && !!playedOnce.add(key));
  if (url && underTest(modes, 'bootstrap') && fresh(`bootstrap ${colocated ? 'in DMS-2' : 'stand-alone'} requests`)) {
    const trust = ctx.trustOf('bootstrap');
    await playBootstrapCases(url, setup.devInfo, { trace, trustAnchors: trust.anchors ?? setup.trustAnchors, pin: trust.pin, timeoutMs: Math.min(budgets.requestMs, ctx.left()) });
  }
  if (clientSessions && underTest(modes, 'client') && fresh('client dm-session cases')) await playClientSessionCases({ ...clientSessions, trace });
}
