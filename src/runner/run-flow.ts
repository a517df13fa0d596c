import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import type { ClientQuirks } from '../../mocks/client/mock-client.js';
import { MockClient } from '../../mocks/client/mock-client.js';
import type { MockEnv, PeerTrust } from '../../mocks/common/env.js';
import { MockBootstrap, type BootstrapQuirks } from '../../mocks/bootstrap/mock-bootstrap.js';
import { MockDms1, type Dms1Quirks } from '../../mocks/dms1/mock-dms1.js';
import { MockDms2, type Dms2Quirks } from '../../mocks/dms2/mock-dms2.js';
import type { Role } from '../model/roles.js';
import { createCa, createPki, issueLeaf, type Identity, type Pki } from '../pki/pki.js';
import { parseBody } from '../trace/parse-body.js';
import { answerTo, type TraceEvent } from '../trace/events.js';
import { allAnswered, BudgetExceeded, TraceRecorder, withBudget } from '../trace/recorder.js';
import type { TlsPolicy } from '../transport/https-endpoint.js';
import { DmTree, type TreeSnapshot } from '../tree/tree.js';
import { aclGrants } from '../tree/acl.js';
import { aclUri, get, replace } from '../dm/commands.js';
import type { SessionScript } from '../dm/server-session.js';
import { buildClientTree, loadClientFixture, withServerIds, type ClientFixture } from '../tree/client-fixture.js';
import type { Scenario } from './scenario.js';
import { isReal, type RunConfig } from '../config/config.js';
import { TransportError } from '../transport/https-post.js';
import { RecordingProxy } from '../transport/recording-proxy.js';
import { ROLES } from '../model/roles.js';
import { TREE } from '../profile.js';
import { flowSetup, type Modes } from './flow-setup.js';
import { observability, type Observability, type TreeSource } from './observability.js';
import { readByDriver, readOverProtocol, UNREAD_TREE, type ReadTree } from './client-tree.js';
import { DriverError, UpperTester } from './upper-tester.js';
import { proxyPlaceholder } from '../drivers/placeholders.js';
import { isUnreachable, unreachableEndpoints } from './reachability.js';
import { playTester, serverEndpoints } from './tls-server-cases.js';
import type { ServerRole, ServerRoleOptions } from '../../mocks/common/server-role.js';
import { DEFAULT_BUDGETS, DEFAULT_DRIVER_MS, type Budgets } from '../config/budgets.js';

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
  /** Roles whose certificate comes from a CA the others do not trust. */
  foreignCertificate?: Partial<Record<Role, boolean>>;
  /** Server-side deviations of DMS-1 / DMS-2. */
  server?: Partial<Record<'dms1' | 'dms2', Pick<ServerRoleOptions, 'badPkg0Digest' | 'delegationContentType' | 'dmAnswer' | 'malformedAnswerTo' | 'challengeFirst' | 'clientCertificateOptional' | 'clientCertificateUnverified' | 'delegationServerTls'>>>;
}


const REAL_PEER_GRACE_MS = 300;
const MOCK_PEER_GRACE_MS = 40;

export interface FlowOptions {
  scenario: Scenario;
  /** Reuse one PKI across flows (certificates are per run, not per flow). */
  pki?: Pki;
  /** Trace file to append to (JSON lines). */
  traceFile?: string;
  budgets?: Partial<Budgets>;
  variation?: Variation;
  fixture?: ClientFixture;
  /** Which roles are real implementations and how to reach them; absent: every role is a reference mock. */
  config?: RunConfig;
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
  roleFingerprints: Partial<Record<Role, string>>;
  urls: Record<string, string>;
  /** SRVCRED the harness holds (config or fixture) per ServerID: what a Package #0 digest is checked with. */
  serverCredentials?: Record<string, { secret: string; nonce: string }>;
}

/** completed / failed as the harness saw it; timeout: a budget ran out; error: the test bed failed (a driver). */
export type FlowStatus = 'completed' | 'failed' | 'timeout' | 'error';

export interface FlowResult {
  scenario: Scenario;
  events: TraceEvent[];
  initialTree: TreeSnapshot;
  finalTree: TreeSnapshot;
  facts: FlowFacts;
  status: FlowStatus;
  /** Why the flow did not complete, as the harness saw it. */
  error?: string;
  /** DMS-2's DelegationComplete arrived (success or not): the client's tree is the delegation's end state. */
  delegationEnded: boolean;
  durationMs: number;
  /** Which roles were mocks and which real implementations. */
  roles: Modes;
  /** What this role assignment lets the harness see. */
  observability: Observability;
  /** How the trees were obtained, and what could not be read. */
  treeSource: TreeSource;
  treeUnread: Array<{ path: string; status: string }>;
}

/**
 * Runs one delegation end to end over real TLS, recording every message. Each role is a reference mock or,
 * per the config, a real implementation reached at its URLs and driven through its drivers.
 */
export async function runFlow(o: FlowOptions): Promise<FlowResult> {
  const started = Date.now();
  const cfg = o.config;
  const budgets: Budgets = { ...DEFAULT_BUDGETS, ...cfg?.budgets, ...o.budgets };
  // flowMs bounds the whole flow, tree reads and probe included: each stage gets what is left of it.
  const left = () => Math.max(0, started + budgets.flowMs - Date.now());
  const within = <T>(p: Promise<T>, ms: number, what: string) => withBudget(p, Math.min(ms, left()), what);
  // The harness's own sessions are stamped, so they are never taken for steps of the delegation.
  const during = async <T>(phase: TraceEvent['phase'], work: () => Promise<T>): Promise<T> => {
    trace.phase = phase;
    try {
      return await work();
    } finally {
      trace.phase = undefined;
    }
  };
  const s = o.scenario;
  const v = o.variation ?? {};
  // The reference client's tree names the servers of this run (a real DMS has its own ServerID).
  const fixture = cfg ? withServerIds(o.fixture ?? loadClientFixture(), cfg.serverIds) : (o.fixture ?? loadClientFixture());
  const pki = cfg?.pki ?? o.pki ?? (await createPki());
  const setup = flowSetup(cfg, fixture, pki);
  const { ids } = setup;
  const separate = s.approach === 'B' && s.bootstrap === 'separate';
  // A Bootstrap Server inside DMS-2 is as real as DMS-2 is.
  const modes: Modes = { ...setup.modes, bootstrap: separate ? setup.modes.bootstrap : setup.modes.dms2 };
  const trace = new TraceRecorder(o.traceFile);
  trace.flow = s.id;
  const upper = new UpperTester(trace, cfg?.budgets.driverMs ?? DEFAULT_DRIVER_MS, cfg?.file ? dirname(cfg.file) : undefined);
  const sessionId = `${s.id}-${randomBytes(4).toString('hex')}`;
  const real = {
    dms1: cfg && isReal(cfg.roles.dms1) ? cfg.roles.dms1 : undefined,
    dms2: cfg && isReal(cfg.roles.dms2) ? cfg.roles.dms2 : undefined,
    bootstrap: cfg && isReal(cfg.roles.bootstrap) ? cfg.roles.bootstrap : undefined,
    client: cfg && isReal(cfg.roles.client) ? cfg.roles.client : undefined,
  };

  const foreign = new Map<Role, Identity>();
  for (const role of Object.keys(v.foreignCertificate ?? {}) as Role[]) {
    foreign.set(role, await issueLeaf(await createCa({ caName: 'foreign CA' }), `dmdc ${role}`));
  }
  const env = (role: Role): MockEnv => {
    const rc = cfg?.roles[role];
    return {
      identity: foreign.get(role) ?? setup.identityOf(role),
      trustAnchors: setup.trustAnchors,
      trace,
      parseBody,
      budgets: { requestMs: budgets.requestMs },
      // Each message is recorded once: on its server side when that is a mock, else on the mock's client side.
      recordOutbound: (peer) => modes[peer] === 'real',
      host: rc?.mode === 'mock' ? rc.host : undefined,
      port: rc?.mode === 'mock' ? rc.port : undefined,
      tls: v.tls?.[role],
      omitClientCertificate: v.omitClientCertificate?.[role],
      peerTrust,
    };
  };
  const roleOfServerId = (id: string): Role | 'unknown' => (id === ids.dms1 ? 'dms1' : id === ids.dms2 ? 'dms2' : 'unknown');
  // The server a DM URL belongs to in this run: its own endpoints and the proxies standing in for them.
  const roleOfAddr = (addr: string): Role | 'unknown' => {
    const at = originOf(addr);
    const dmUrls: Array<[string | undefined, Role]> = [[dms1?.dmUrl ?? real.dms1?.dmUrl, 'dms1'], [dms2?.dmUrl ?? real.dms2?.dmUrl, 'dms2'], ...(cfg?.proxies ?? []).map((p, i) => [proxies[i]?.url, p.to] as [string | undefined, Role])];
    return dmUrls.find(([u, r]) => u && (r === 'dms1' || r === 'dms2') && originOf(u) === at)?.[1] ?? 'unknown';
  };
  // A real implementation's certificate is verified against its own trust anchor when one is configured,
  // and a certificate configured for it is pinned: the harness talks to nothing else.
  const peerTrust = (role: Role): PeerTrust => (modes[role] === 'real' ? { anchors: real[role]?.trustAnchorPem, pin: real[role]?.certificateFingerprint256 } : {});
  const fingerprintOf = (role: Role) => (modes[role] === 'mock' ? setup.identityOf(role).fingerprint256 : real[role]?.certificateFingerprint256);
  const devId = setup.devInfo.devId;
  const deliverFor = (serverId: string) => (real.client && !real.client.pushUrl && real.client.drivers?.trigger ? upper.deliverer(real.client.drivers.trigger, serverId) : undefined);

  const dms1 = modes.dms1 === 'mock'
    ? new MockDms1({
        serverId: ids.dms1,
        env: env('dms1'),
        sessionBudgetMs: budgets.sessionMs,
        notificationBudgetMs: budgets.notificationMs,
        managedSubtrees: setup.managedSubtrees,
        ownAccountPath: setup.dms1AccountPath,
        quirks: v.dms1,
        // Late and duplicate messages of a real DMS-2 are recorded in their own flow; the reference DMS-2
        // sends nothing late, so a short window (for a mutant's back-to-back duplicate) keeps flows fast.
        graceMs: setup.modes.dms2 === 'real' ? REAL_PEER_GRACE_MS : MOCK_PEER_GRACE_MS,
        ...v.server?.dms1,
      })
    : undefined;
  const bs = separate && modes.bootstrap === 'mock' ? new MockBootstrap(env('bootstrap'), v.bootstrap) : undefined;
  let client: MockClient | undefined;
  const clientPushUrl = () => client?.pushUrl ?? real.client?.pushUrl;
  const dms2 = modes.dms2 === 'mock'
    ? new MockDms2({
        serverId: ids.dms2,
        env: env('dms2'),
        sessionBudgetMs: budgets.sessionMs,
        bootstrap: separate
          ? { mode: 'separate', server: { role: 'bootstrap', serverId: 'bootstrap', delegationUrl: '' }, bootstrapUrl: '' }
          : { mode: 'colocated' },
        pushUrlOf: (id) => (id === devId ? clientPushUrl() : undefined),
        deliverOf: (id) => (id === devId ? deliverFor(ids.dms2) : undefined),
        quirks: v.dms2,
        ...v.server?.dms2,
      })
    : undefined;
  const proxies = (cfg?.proxies ?? []).map((p) => {
    const from = p.link.split('-').find((r) => r !== p.to) as Role;
    const mutual = p.link === 'dms1-dms2' || p.link === 'dms2-bootstrap';
    return new RecordingProxy({
      link: p.link, from, to: p.to, upstream: p.upstream, mutual,
      identity: setup.identityOf(p.to), upstreamIdentity: mutual ? setup.identityOf(from) : undefined,
      trustAnchors: setup.trustAnchors, trace, parseBody, host: p.listen?.host, port: p.listen?.port, budgetMs: budgets.requestMs, upstreamTrustAnchors: peerTrust(p.to).anchors, pin: peerTrust(p.to).pin,
    });
  });
  const closeAll = () => Promise.all([dms1?.close(), dms2?.close(), client?.close(), bs?.close(), ...proxies.map((p) => p.close())]);

  const subtrees = s.delegationType.scope === 'full' ? setup.managedSubtrees : setup.partialSubtrees;
  const facts: FlowFacts = {
    sessionId,
    devId,
    serverIds: ids,
    subtrees,
    dms1AccountPath: setup.dms1AccountPath,
    caFingerprint256: setup.caFingerprint256,
    roleFingerprints: Object.fromEntries(ROLES.map((r) => [r, fingerprintOf(r)]).filter(([, f]) => f)),
    urls: {},
    serverCredentials: { [ids.dms1]: { secret: setup.dms1Credentials.server.secret, nonce: setup.dms1Credentials.server.nonce.toString('base64') } },
  };
  let tree: DmTree | undefined;
  let initialTree: TreeSnapshot = UNREAD_TREE;
  let treeSource = setup.assignment.treeSource;
  let status: FlowStatus = 'completed';
  let delegationEnded = false;
  let error: string | undefined;
  let finalRead: ReadTree | undefined;
  // The device info (a leaf for the probe), the managed subtrees and the accounts: what delegation touches.
  const roots = [TREE.devInfoRoot, ...setup.managedSubtrees, TREE.dmAccRoot];
  let initialUnread = new Set<string>();
  try {
    await dms1?.start();
    await dms2?.start();
    await bs?.start();
    for (const p of proxies) await p.start();
    if (dms2 && separate) {
      // URLs are known only now that the endpoints listen.
      Object.assign(dms2.options.bootstrap, {
        server: { role: 'bootstrap', serverId: 'bootstrap', delegationUrl: bs?.orderUrl ?? real.bootstrap!.orderUrl, fingerprint256: fingerprintOf('bootstrap') },
        bootstrapUrl: bs?.bootstrapUrl ?? real.bootstrap!.bootstrapUrl,
      });
    }
    const dms2Fp = fingerprintOf('dms2');
    if (bs && dms2Fp) bs.pinned.push(dms2Fp);
    const dms1DmUrl = dms1?.dmUrl ?? real.dms1!.dmUrl;
    if (modes.client === 'mock') {
      tree = buildClientTree(fixture, { 'dms1.dm': dms1DmUrl });
      client = await new MockClient({ env: env('client'), tree, devInfo: fixture.devInfo, roleOfServerId, roleOfAddr, quirks: v.client }).start();
    }
    const dms1Delegation = dms1?.delegationUrl ?? real.dms1!.delegationUrl;
    const dms2Delegation = dms2?.delegationUrl ?? real.dms2!.delegationUrl;
    dms1?.devices.set(devId, { ...setup.devInfo, pushUrl: clientPushUrl(), deliver: deliverFor(ids.dms1), credentials: setup.dms1Credentials });
    dms1?.peers.set(ids.dms2, { role: 'dms2', serverId: ids.dms2, delegationUrl: dms2Delegation, fingerprint256: dms2Fp });
    dms2?.peers.set(ids.dms1, { role: 'dms1', serverId: ids.dms1, delegationUrl: dms1Delegation, fingerprint256: fingerprintOf('dms1') });
    facts.urls = {
      dms1Dm: dms1DmUrl,
      dms1Delegation,
      dms2Dm: dms2?.dmUrl ?? real.dms2!.dmUrl,
      dms2Delegation,
      bootstrap: bs?.bootstrapUrl ?? dms2?.bootstrapUrl ?? real.bootstrap?.bootstrapUrl ?? '',
      bootstrapOrder: bs?.orderUrl ?? real.bootstrap?.orderUrl ?? '',
      clientPush: clientPushUrl() ?? '',
      ...Object.fromEntries(proxies.map((p, i) => [proxyPlaceholder(cfg!.proxies[i]), p.url])),
    };
    Object.assign(upper.vars, {
      flow: s.id, approach: s.approach, scope: s.delegationType.scope, duration: s.delegationType.duration,
      removeAccount: String(s.removeAccount), subtrees: subtrees.join(','), sessionId, devId, man: setup.devInfo.man, mod: setup.devInfo.mod,
      dms1ServerId: ids.dms1, dms2ServerId: ids.dms2, caFile: cfg?.pki.dir ? `${cfg.pki.dir}/ca.crt` : '',
      ...Object.fromEntries(Object.entries(facts.urls).map(([k, u]) => [k.includes('.') ? k : `${k}Url`, u])),
    });

    trace.note(`flow ${s.id} starts (${ROLES.map((r) => `${r} ${modes[r]}`).join(', ')})`);
    for (const r of ROLES) if (real[r]?.drivers?.reset) await upper.run(`${r}.reset`, real[r]!.drivers!.reset!);
    for (const r of ROLES) if (real[r]?.drivers?.setup) await upper.run(`${r}.setup`, real[r]!.drivers!.setup!);
    // Once set up, every real implementation must be there: nothing listening is the set-up's error.
    const absent = await unreachableEndpoints(cfg, Math.min(budgets.requestMs, left()));
    if (absent.length) throw new SetupError(absent.join('; '));
    // The tester's TLS cases against every server endpoint of a real role (of every role when all are
    // mocks: the self-test), and, on a real one's mutual endpoints, a connection without a certificate.
    const anyReal = ROLES.some((r) => modes[r] === 'real');
    const targets = serverEndpoints(facts.urls).filter((ep) => !anyReal || modes[ep.role] === 'real');
    await during('tls-probe', () =>
      playTester(targets, targets.filter((ep) => ep.mutual && modes[ep.role] === 'real'), {
        trace,
        timeoutMs: Math.min(budgets.requestMs, left()),
        trustOf: (role) => ({ anchors: peerTrust(role).anchors ?? setup.trustAnchors, pin: peerTrust(role).pin }),
        identityOf: (role) => setup.identityOf(role),
        ca: pki.ca,
      }),
    );

    if (tree) initialTree = tree.toJSON();
    else if (treeSource === 'protocol') {
      trace.note('initial tree: read over the protocol by the harness DMS-1');
      const read = await during('tree-read', () => within(readOverProtocol([dms1!], devId, roots, (n) => trace.note(n)), budgets.sessionMs, 'the initial tree read'));
      initialTree = read.snapshot;
      initialUnread = new Set(read.unread.map((u) => u.path));
    } else if (treeSource === 'driver') initialTree = (await readByDriver(upper, real.client!.drivers!.readTree!)).snapshot;

    if (dms1) {
      const done = await within(
        dms1.delegate({ sessionId, devId, delegatee: ids.dms2, approach: s.approach, delegationType: s.delegationType, subtrees, removeAccount: s.removeAccount }),
        budgets.flowMs,
        'end of the flow',
      );
      delegationEnded = true;
      if (done.result !== 'success') {
        status = 'failed';
        error = `DMS-2 reported failure: ${done.reason ?? 'no reason'}`;
      }
    } else {
      await upper.run('dms1.startDelegation', real.dms1!.drivers.startDelegation);
      // The end is judged from the wire, whatever the driver said: DelegationComplete and its answer.
      // A call of the harness's DMS-2 that DMS-1 refused or left unanswered ends the wait: nothing follows it.
      const complete = await trace.waitFor(
        (e) => (e.kind === 'request' && e.link === 'dms1-dms2' && (e.body?.parsed?.value as { type?: string } | undefined)?.type === 'DelegationComplete') || failedCallTo('dms1')(e),
        left(),
        'DelegationComplete on the DMS-1↔DMS-2 link',
      );
      if (complete.kind !== 'request') throw new TransportError(`dms2 → dms1: ${complete.reason}`, complete.reason?.split(':')[0] ?? 'REQUEST_ERROR');
      const answer = await trace.waitFor(answerTo(complete), Math.min(budgets.requestMs, left()), 'the answer to DelegationComplete');
      const result = (complete.body?.parsed?.value as { result?: string; reason?: string } | undefined);
      delegationEnded = true;
      // Unanswered, DelegationComplete is silence, as any other unanswered notification is.
      if (answer.kind === 'error') {
        status = answer.reason?.startsWith('TIMEOUT') ? 'timeout' : 'failed';
        error = `DMS-1 did not answer DelegationComplete: ${answer.reason}`;
      } else if (result?.result !== 'success') {
        status = 'failed';
        error = `DMS-2 reported failure: ${result?.reason ?? 'no reason'}`;
      }
    }
    if (client) await within(client.idle(), budgets.sessionMs, 'the client to finish its sessions');
  } catch (err) {
    status = statusOf(err);
    error = (err as Error).message;
  }
  try {
    if (status !== 'error' && !tree && treeSource === 'protocol') {
      // Every mock server that may still hold an account reads; what neither may read stays unread.
      trace.note('final tree: read over the protocol by the harness servers');
      const readers = [dms2, dms1].filter((x): x is NonNullable<typeof x> => !!x) as ServerRole[];
      finalRead = await during('tree-read', () => within(readOverProtocol(readers, devId, roots, (n) => trace.note(n)), left(), 'the final tree read'));
    } else if (status !== 'error' && !tree && treeSource === 'driver') finalRead = await readByDriver(upper, real.client!.drivers!.readTree!);
    if (status === 'completed' && dms2) {
      // A probe by the new manager: read the delegated ACLs and try one write it holds no right for,
      // so the client's 425 is on the wire to judge.
      const known = tree ? tree.clone() : DmTree.fromJSON(initialTree);
      trace.note('probe: DMS-2 reads the delegated ACLs and attempts one unauthorised Replace');
      await during('probe', async () => {
        await within(dms2.trigger(devId, probeScript(subtrees, known, ids.dms2, finalRead ? DmTree.fromJSON(finalRead.snapshot) : undefined)), budgets.sessionMs, 'the probe session');
        if (client) await within(client.idle(), budgets.sessionMs, 'the client to finish its sessions');
      });
    }
  } catch (err) {
    if (status === 'completed') {
      status = statusOf(err);
      error = (err as Error).message;
    }
  } finally {
    // The next flow starts only once this one's last exchange is answered or has run out of its budget.
    const open = await allAnswered(trace, Math.min(budgets.requestMs, Math.max(left(), 0)));
    if (open.length) trace.note(`flow ${s.id}: ${open.length} request(s) still unanswered at its end (first: seq ${open[0].seq} on ${open[0].link})`);
    trace.note(`flow ${s.id} ends: ${status}${error ? `: ${error}` : ''}`);
    await closeAll();
  }
  if (status === 'error' && !tree) treeSource = 'none';
  const finalTree = tree ? tree.toJSON() : (finalRead?.snapshot ?? UNREAD_TREE);
  return {
    scenario: s,
    events: [...trace.events()],
    initialTree,
    finalTree,
    facts,
    status,
    error,
    delegationEnded,
    durationMs: Date.now() - started,
    roles: modes,
    observability: observability({ ...setup.assignment, roles: modes, treeSource }),
    treeSource,
    // What no harness server could read even before the delegation is outside the comparison.
    treeUnread: (finalRead?.unread ?? (tree ? [] : (finalTree.unread ?? []))).filter((u) => !initialUnread.has(u.path)),
  };
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/** A DMS↔DMS call of a harness mock to `role` that got no answer (refused at TLS, reset, timed out). */
const failedCallTo = (role: Role) => (e: TraceEvent) =>
  (e.kind === 'tls-error' || e.kind === 'error') && e.observer.side === 'client' && e.link === 'dms1-dms2' && e.to === role && e.phase !== 'tls-probe';

/** A real implementation the set-up names is not there. */
class SetupError extends Error {}

/**
 * A budget that ran out (ours or a request's) is INCONCLUSIVE; a driver that failed, or an implementation
 * nobody can reach, is the test bed's ERROR.
 */
function statusOf(err: unknown): FlowStatus {
  if (err instanceof DriverError || err instanceof SetupError) return 'error';
  if (err instanceof TransportError && isUnreachable(err.code)) return 'error';
  if (err instanceof BudgetExceeded) return 'timeout';
  if (err instanceof TransportError && err.code === 'TIMEOUT') return 'timeout';
  return 'failed';
}

/**
 * Gets of the delegated ACLs, then a same-value Replace on a leaf the prober may not replace. `rights` is
 * the tree whose ACLs decide (the client's current one; the latest read of a real client).
 */
function probeScript(subtrees: string[], snapshot: DmTree, prober: string, rights: DmTree = snapshot): SessionScript {
  const candidates = snapshot
    .toJSON()
    .nodes.filter((n) => n.format !== 'node' && n.value !== undefined && !n.path.startsWith(`${TREE.dmAccRoot}/`) && rights.has(n.path) && !aclGrants(rights.effectiveAcl(n.path).acl, 'Replace', prober));
  // A writable node first: DevInfo is read-only by its AccessType, so a client may rightly answer 405 there.
  const leaf = candidates.find((n) => !n.path.startsWith(`${TREE.devInfoRoot}/`)) ?? candidates[0];
  return async function* () {
    yield [...subtrees.map((s) => get(aclUri(s))), ...(leaf ? [replace(leaf.path, leaf.value!, leaf.format)] : [])];
  };
}
