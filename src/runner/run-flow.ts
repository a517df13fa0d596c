import { randomBytes } from 'node:crypto';
import type { ClientQuirks } from '../../mocks/client/mock-client.js';
import { MockClient } from '../../mocks/client/mock-client.js';
import type { MockEnv } from '../../mocks/common/env.js';
import { MockBootstrap } from '../../mocks/bootstrap/mock-bootstrap.js';
import { MockDms1, type Dms1Quirks } from '../../mocks/dms1/mock-dms1.js';
import { MockDms2, type Dms2Quirks } from '../../mocks/dms2/mock-dms2.js';
import type { Role } from '../model/roles.js';
import { createCa, createPki, issueLeaf, type Identity, type Pki } from '../pki/pki.js';
import { parseBody } from '../trace/parse-body.js';
import type { TraceEvent } from '../trace/events.js';
import { BudgetExceeded, TraceRecorder, withBudget } from '../trace/recorder.js';
import type { TlsPolicy } from '../transport/https-endpoint.js';
import type { DmTree, TreeSnapshot } from '../tree/tree.js';
import { aclGrants } from '../tree/acl.js';
import { aclUri, get, replace } from '../dm/commands.js';
import type { SessionScript } from '../dm/server-session.js';
import { buildClientTree, deviceCredentials, loadClientFixture, type ClientFixture } from './client-fixture.js';
import type { Scenario } from './scenario.js';

/** Deliberate deviations from the reference behaviour (the mutants are made of these). */
export interface Variation {
  dms1?: Dms1Quirks;
  dms2?: Dms2Quirks;
  client?: ClientQuirks;
  /** TLS policy per role (e.g. a DMS that offers and accepts TLS 1.1). */
  tls?: Partial<Record<Role, TlsPolicy>>;
  /** Roles that present no client certificate on mutual-TLS links. */
  omitClientCertificate?: Partial<Record<Role, boolean>>;
  /** Roles whose certificate comes from a CA the others do not trust. */
  foreignCertificate?: Partial<Record<Role, boolean>>;
  /** Server-side deviations of DMS-1 / DMS-2. */
  server?: Partial<Record<'dms1' | 'dms2', { badPkg0Digest?: boolean; delegationContentType?: string }>>;
}

export interface Budgets {
  /** One HTTP exchange. */
  requestMs: number;
  /** One DM session after a Package #0. */
  sessionMs: number;
  /** Waiting for the peer's next delegation message. */
  notificationMs: number;
  /** The whole flow. */
  flowMs: number;
}

export const DEFAULT_BUDGETS: Budgets = { requestMs: 5_000, sessionMs: 10_000, notificationMs: 10_000, flowMs: 30_000 };

export interface FlowOptions {
  scenario: Scenario;
  /** Reuse one PKI across flows (certificates are per run, not per flow). */
  pki?: Pki;
  /** Trace file to append to (JSON lines). */
  traceFile?: string;
  budgets?: Partial<Budgets>;
  variation?: Variation;
  fixture?: ClientFixture;
}

/** Facts of the flow the checks need: who is who, what was asked. */
export interface FlowFacts {
  sessionId: string;
  devId: string;
  serverIds: { dms1: string; dms2: string; other: string[] };
  /** Subtrees DMS-1 was told to delegate (what the initiation request should carry). */
  subtrees: string[];
  dms1AccountPath: string;
  caFingerprint256: string;
  roleFingerprints: Record<Role, string>;
  urls: Record<string, string>;
}

export type FlowStatus = 'completed' | 'failed' | 'timeout';

export interface FlowResult {
  scenario: Scenario;
  events: TraceEvent[];
  initialTree: TreeSnapshot;
  finalTree: TreeSnapshot;
  facts: FlowFacts;
  status: FlowStatus;
  /** Why the flow did not complete, as the harness saw it. */
  error?: string;
  durationMs: number;
}

/** Runs one delegation end to end with all four reference mocks over real TLS, recording every message. */
export async function runFlow(o: FlowOptions): Promise<FlowResult> {
  const started = Date.now();
  const budgets = { ...DEFAULT_BUDGETS, ...o.budgets };
  const s = o.scenario;
  const v = o.variation ?? {};
  const fixture = o.fixture ?? loadClientFixture();
  const pki = o.pki ?? (await createPki());
  const trace = new TraceRecorder(o.traceFile);
  trace.flow = s.id;
  const sessionId = `${s.id}-${randomBytes(4).toString('hex')}`;
  const ids = fixture.servers;

  const foreign = new Map<Role, Identity>();
  for (const role of Object.keys(v.foreignCertificate ?? {}) as Role[]) {
    foreign.set(role, await issueLeaf(await createCa({ caName: 'foreign CA' }), `dmdc ${role}`));
  }
  const env = (role: Role): MockEnv => ({
    identity: foreign.get(role) ?? pki.roles[role],
    trustAnchors: [pki.ca.cert],
    trace,
    parseBody,
    budgets: { requestMs: budgets.requestMs },
    // Every role is a mock here: each message is recorded once, on its server side.
    recordOutbound: () => false,
    tls: v.tls?.[role],
    omitClientCertificate: v.omitClientCertificate?.[role],
  });
  const roleOfServerId = (id: string): Role | 'unknown' => (id === ids.dms1 ? 'dms1' : id === ids.dms2 ? 'dms2' : 'unknown');

  const dms1 = new MockDms1({
    serverId: ids.dms1,
    env: env('dms1'),
    sessionBudgetMs: budgets.sessionMs,
    notificationBudgetMs: budgets.notificationMs,
    managedSubtrees: fixture.managedSubtrees,
    ownAccountPath: fixture.accounts.find((a) => a.account.serverId === ids.dms1)!.path,
    quirks: v.dms1,
    ...v.server?.dms1,
  });
  const bs = s.approach === 'B' && s.bootstrap === 'separate' ? new MockBootstrap(env('bootstrap')) : undefined;
  let client: MockClient | undefined;
  const dms2 = new MockDms2({
    serverId: ids.dms2,
    env: env('dms2'),
    sessionBudgetMs: budgets.sessionMs,
    bootstrap: bs
      ? { mode: 'separate', server: { role: 'bootstrap', serverId: 'bootstrap', delegationUrl: '' }, bootstrapUrl: '' }
      : { mode: 'colocated' },
    pushUrlOf: (devId) => (devId === fixture.devInfo.devId ? client?.pushUrl : undefined),
    quirks: v.dms2,
    ...v.server?.dms2,
  });
  await dms1.start();
  await dms2.start();
  if (bs) {
    await bs.start();
    // URLs are known only now that the endpoints listen.
    Object.assign(dms2.options.bootstrap, {
      server: { role: 'bootstrap', serverId: 'bootstrap', delegationUrl: bs.orderUrl, fingerprint256: pki.roles.bootstrap.fingerprint256 },
      bootstrapUrl: bs.bootstrapUrl,
    });
    bs.pinned.push(pki.roles.dms2.fingerprint256);
  }
  const tree = buildClientTree(fixture, { 'dms1.dm': dms1.dmUrl });
  client = await new MockClient({ env: env('client'), tree, devInfo: fixture.devInfo, roleOfServerId, quirks: v.client }).start();

  dms1.devices.set(fixture.devInfo.devId, { ...fixture.devInfo, pushUrl: client.pushUrl, credentials: deviceCredentials(fixture, ids.dms1) });
  dms1.peers.set(ids.dms2, { role: 'dms2', serverId: ids.dms2, delegationUrl: dms2.delegationUrl, fingerprint256: pki.roles.dms2.fingerprint256 });
  dms2.peers.set(ids.dms1, { role: 'dms1', serverId: ids.dms1, delegationUrl: dms1.delegationUrl, fingerprint256: pki.roles.dms1.fingerprint256 });

  const subtrees = s.delegationType.scope === 'full' ? fixture.managedSubtrees : fixture.partialSubtrees;
  const initialTree = tree.toJSON();
  const facts: FlowFacts = {
    sessionId,
    devId: fixture.devInfo.devId,
    serverIds: ids,
    subtrees,
    dms1AccountPath: fixture.accounts.find((a) => a.account.serverId === ids.dms1)!.path,
    caFingerprint256: pki.ca.fingerprint256,
    roleFingerprints: Object.fromEntries(Object.entries(pki.roles).map(([r, id]) => [r, id.fingerprint256])) as Record<Role, string>,
    urls: {
      dms1Dm: dms1.dmUrl,
      dms1Delegation: dms1.delegationUrl,
      dms2Dm: dms2.dmUrl,
      dms2Delegation: dms2.delegationUrl,
      bootstrap: dms2.bootstrapUrl,
      clientPush: client.pushUrl,
    },
  };

  trace.note(`flow ${s.id} starts`);
  let status: FlowStatus = 'completed';
  let error: string | undefined;
  try {
    const done = await withBudget(
      dms1.delegate({
        sessionId,
        devId: fixture.devInfo.devId,
        delegatee: ids.dms2,
        approach: s.approach,
        delegationType: s.delegationType,
        subtrees,
        removeAccount: s.removeAccount,
      }),
      budgets.flowMs,
      'end of the flow',
    );
    if (done.result !== 'success') {
      status = 'failed';
      error = `DMS-2 reported failure: ${done.reason ?? 'no reason'}`;
    }
    await withBudget(client.idle(), budgets.sessionMs, 'the client to finish its sessions');
    if (status === 'completed') {
      // A probe by the new manager: read the delegated ACLs and try one write it holds no right for,
      // so the client's 425 is on the wire to judge.
      trace.note('probe: DMS-2 reads the delegated ACLs and attempts one unauthorised Replace');
      await dms2.trigger(fixture.devInfo.devId, probeScript(subtrees, tree.clone(), ids.dms2));
      await withBudget(client.idle(), budgets.sessionMs, 'the client to finish its sessions');
    }
  } catch (err) {
    status = err instanceof BudgetExceeded ? 'timeout' : 'failed';
    error = (err as Error).message;
  } finally {
    trace.note(`flow ${s.id} ends: ${status}${error ? `: ${error}` : ''}`);
    await Promise.all([dms1.close(), dms2.close(), client.close(), bs?.close()]);
  }
  return { scenario: s, events: [...trace.events()], initialTree, finalTree: tree.toJSON(), facts, status, error, durationMs: Date.now() - started };
}

/** Gets of the delegated ACLs, then a same-value Replace on a leaf the prober may not replace. */
function probeScript(subtrees: string[], snapshot: DmTree, prober: string): SessionScript {
  const leaf = snapshot
    .toJSON()
    .nodes.find((n) => n.format !== 'node' && n.value !== undefined && !n.path.startsWith('./DMAcc') && !aclGrants(snapshot.effectiveAcl(n.path).acl, 'Replace', prober));
  return async function* () {
    yield [...subtrees.map((s) => get(aclUri(s))), ...(leaf ? [replace(leaf.path, leaf.value!, leaf.format)] : [])];
  };
}
