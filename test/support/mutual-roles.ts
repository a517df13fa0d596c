import { http } from 'msw';
import { afterEach, beforeAll } from 'vitest';
import { MockBootstrap, type BootstrapQuirks } from '../../mocks/bootstrap/mock-bootstrap.js';
import type { MockEnv } from '../../mocks/common/env.js';
import type { ServerRoleOptions } from '../../mocks/common/server-role.js';
import { MockDms1 } from '../../mocks/dms1/mock-dms1.js';
import { MockDms2 } from '../../mocks/dms2/mock-dms2.js';
import type { Check, JudgeContext } from '../../src/checks/check.js';
import type { Role } from '../../src/model/roles.js';
import { createPki, type Pki } from '../../src/pki/pki.js';
import { PATHS } from '../../src/profile.js';
import type { RequirementRef } from '../../src/report/model.js';
import { serverEndpoints, type ServerEndpoint } from '../../src/runner/tls-server-cases.js';
import { parseBody } from '../../src/trace/parse-body.js';
import type { TraceRecorder } from '../../src/trace/recorder.js';
import { HttpsEndpoint } from '../../src/transport/https-endpoint.js';

/**
 * The three reference mocks with mutually authenticated endpoints, started directly and their peers
 * configured as run-flow does: what the tester's cases against those endpoints are played on.
 */
export const SERVER_IDS = { dms1: 'dms1.example', dms2: 'dms2.example' };

/** Per test file: the run's PKI (made once), and what a test started, closed after it. */
export function useEndpoints(): { pki: Pki; closers: Array<() => Promise<void>> } {
  const state = { pki: undefined as unknown as Pki, closers: [] as Array<() => Promise<void>> };
  beforeAll(async () => {
    state.pki = await createPki();
  });
  afterEach(async () => {
    for (const close of state.closers.splice(0)) await close();
  });
  return state;
}

/** What the tester needs to pose as each role of `pki`, recording into `trace`. */
export const testerOptions = (pki: Pki, trace: TraceRecorder, timeoutMs = 2000) => ({ trace, timeoutMs, trustOf: () => ({ anchors: [pki.ca.cert] }), identityOf: (r: Role) => pki.roles[r], ca: pki.ca });

export async function startMutualRoles(pki: Pki, trace: TraceRecorder, closers: Array<() => Promise<void>>, o: { server?: Partial<ServerRoleOptions>; bootstrap?: BootstrapQuirks } = {}) {
  const ids = SERVER_IDS;
  const env = (role: Role): MockEnv => ({ identity: pki.roles[role], trustAnchors: [pki.ca.cert], trace, parseBody, budgets: { requestMs: 2000 }, recordOutbound: () => false });
  const server = { sessionBudgetMs: 2000, ...o.server };
  const dms1 = await new MockDms1({ ...server, serverId: ids.dms1, env: env('dms1'), notificationBudgetMs: 2000, managedSubtrees: ['./Vendor'], ownAccountPath: './DMAcc/DMS1' }).start();
  const dms2 = await new MockDms2({ ...server, serverId: ids.dms2, env: env('dms2'), bootstrap: { mode: 'colocated' }, pushUrlOf: () => undefined }).start();
  const bs = await new MockBootstrap(env('bootstrap'), o.bootstrap).start();
  closers.push(() => dms1.close(), () => dms2.close(), () => bs.close());
  dms1.peers.set(ids.dms2, { role: 'dms2', serverId: ids.dms2, delegationUrl: dms2.delegationUrl, fingerprint256: pki.roles.dms2.fingerprint256 });
  dms2.peers.set(ids.dms1, { role: 'dms1', serverId: ids.dms1, delegationUrl: dms1.delegationUrl, fingerprint256: pki.roles.dms1.fingerprint256 });
  bs.pinned.push(pki.roles.dms2.fingerprint256);
  bs.serverIds.push(ids.dms2);
  const urls = { dms1Dm: dms1.dmUrl, dms1Delegation: dms1.delegationUrl, dms2Dm: dms2.dmUrl, dms2Delegation: dms2.delegationUrl, bootstrap: bs.bootstrapUrl, bootstrapOrder: bs.orderUrl };
  return { dms1, dms2, bs, targets: serverEndpoints(urls) };
}

/** A DMS-2 delegation endpoint that takes the connection and never answers (any body size). */
export async function silentDelegationEndpoint(pki: Pki, trace: TraceRecorder, closers: Array<() => Promise<void>>): Promise<ServerEndpoint> {
  const silent = await new HttpsEndpoint({
    role: 'dms2', identity: pki.roles.dms2, trustAnchors: [pki.ca.cert], mutual: true, trace, parseBody,
    handlers: [http.post('*', () => new Promise<never>(() => {}))],
    fixedPeer: { peer: 'dms1', link: 'dms1-dms2' }, classify: () => ({ peer: 'dms1', link: 'dms1-dms2' }),
    maxBodyBytes: 1024 * 1024,
  }).start();
  closers.push(() => silent.close());
  return { role: 'dms2', peer: 'dms1', link: 'dms1-dms2', url: `${silent.url}${PATHS.delegation}`, mutual: true };
}

/** Runs `check` for requirement `id` over the tester's connections recorded in `trace`. */
export function judgeProbes(check: Check, trace: TraceRecorder, id: string) {
  const ctx = { probes: [...trace.events()].filter((e) => e.phase === 'tls-probe'), judges: () => true } as unknown as JudgeContext;
  return check.run(ctx, { id } as RequirementRef);
}
