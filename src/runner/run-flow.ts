import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import type { PeerTrust } from '../../mocks/common/env.js';
import type { ServerRole } from '../../mocks/common/server-role.js';
import { DEFAULT_BUDGETS, DEFAULT_DRIVER_MS, type Budgets } from '../config/budgets.js';
import { icsFeatures, type ProxyConfig, type RunConfig } from '../config/config.js';
import { aclUri, add, del, get, replace } from '../dm/commands.js';
import type { SessionScript } from '../dm/server-session.js';
import { proxyPlaceholder } from '../drivers/placeholders.js';
import { ROLES, type Role } from '../model/roles.js';
import { createPki, type Pki } from '../pki/pki.js';
import { TREE, type TreeLayout } from '../profile.js';
import { createRoleContext } from '../roles/role-context.js';
import { createRoles } from '../roles/roles.js';
import type { Variation } from '../roles/variation.js';
import type { TraceEvent } from '../trace/events.js';
import { parseBody } from '../trace/parse-body.js';
import { allAnswered, BudgetExceeded, TraceRecorder, withBudget } from '../trace/recorder.js';
import { TransportError } from '../transport/https-post.js';
import { RecordingProxy } from '../transport/recording-proxy.js';
import { aclGrants, type AclCommand } from '../tree/acl.js';
import { loadClientFixture, withServerIds, withTreeLayout, type ClientFixture } from '../tree/client-fixture.js';
import { DmTree, type TreeSnapshot } from '../tree/tree.js';
import { UNREAD_TREE, type ReadTree } from './client-tree.js';
import { flowSetup, type FlowSetup, type Modes } from './flow-setup.js';
import { observability, type Observability, type TreeSource } from './observability.js';
import { isUnreachable, unreachableEndpoints } from './reachability.js';
import type { Scenario } from './scenario.js';
import { AFTER_FLOW_TESTER_LINKS, runTester, runTesterAfterFlow } from './tester.js';
import { DriverError, UpperTester } from './upper-tester.js';

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
  /**
   * The run's record of what its tester has played: shared by a run's flows, each case is played once per
   * run against each endpoint (in the first flow that has it); absent, every flow plays every case.
   */
  testerPlayed?: Set<string>;
}

/** Facts of the flow the checks need: who is who, what was asked. */
export interface FlowFacts {
  sessionId: string;
  devId: string;
  serverIds: { dms1: string; dms2: string; other: string[] };
  /** Subtrees DMS-1 was told to delegate (what the initiation request should carry). */
  subtrees: string[];
  dms1AccountPath: string;
  /** Where the client keeps its accounts and its Bootstrap Config MO: where the checks look. */
  treeLayout: TreeLayout;
  caFingerprint256: string;
  roleFingerprints: Partial<Record<Role, string>>;
  urls: Record<string, string>;
  /** SRVCRED the harness holds (config or fixture) per ServerID: what a Package #0 digest is checked with. */
  serverCredentials?: Record<string, { secret: string; nonce: string }>;
  /** The client's credentials with each server, as the harness holds them (the nonces move on the wire). */
  clientCredentials?: Record<string, { name: string; secret: string }>;
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
  /** The tester played each case once per run: a case this flow did not play is not judged in it. */
  testerOncePerRun: boolean;
  /** The optional features the ICS declares (catalogue `applicability.feature`). */
  features: string[];
}

/**
 * Runs one delegation end to end over real TLS, recording every message: a short script over the four
 * roles' adapters (src/roles/), each a reference mock or, per the config, a real implementation.
 */
export async function runFlow(o: FlowOptions): Promise<FlowResult> {
  const started = Date.now();
  const cfg = o.config;
  const budgets: Budgets = { ...DEFAULT_BUDGETS, ...cfg?.budgets, ...o.budgets };
  // flowMs bounds the whole flow, tree reads and probe included: each stage gets what is left of it.
  const left = () => Math.max(0, started + budgets.flowMs - Date.now());
  const within = <T>(p: Promise<T>, ms: number, what: string) => withBudget(p, Math.min(ms, left()), what);
  // The harness's own sessions are stamped, so they are never taken for steps of the delegation.
  const during = async <T>(phase: TraceEvent['phase'], work: () => Promise<T>, links?: ReadonlySet<string>): Promise<T> => {
    trace.phase = phase;
    trace.phaseLinks = links;
    try {
      return await work();
    } finally {
      trace.phase = undefined;
      trace.phaseLinks = undefined;
    }
  };
  const s = o.scenario;
  // The reference client's tree names the servers of this run (a real DMS has its own ServerID).
  // Laid out as the device's is (its accounts and Bootstrap Config MO where the configuration says).
  const fixture = withTreeLayout(cfg ? withServerIds(o.fixture ?? loadClientFixture(), cfg.serverIds) : (o.fixture ?? loadClientFixture()), cfg?.device.treeLayout ?? TREE);
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
  const devId = setup.devInfo.devId;
  const ctx = await createRoleContext({ setup, modes, config: cfg, variation: o.variation ?? {}, budgets, trace, upper, left });
  // The device info (a leaf for the probe), the managed subtrees and the accounts: what delegation touches.
  const roots = [TREE.devInfoRoot, ...setup.managedSubtrees, setup.treeLayout.dmAccRoot];
  const roleOfServerId = (id: string): Role | 'unknown' => (id === ids.dms1 ? 'dms1' : id === ids.dms2 ? 'dms2' : 'unknown');
  // The server a DM URL belongs to in this run: its own endpoints and the proxies standing in for them.
  const roleOfAddr = (addr: string): Role | 'unknown' => {
    const at = originOf(addr);
    const dmUrls: Array<[string, Role]> = [[roles.dms1.dmUrl, 'dms1'], [roles.dms2.dmUrl, 'dms2'], ...proxies.map((p) => [p.url, p.o.to] as [string, Role])];
    return dmUrls.find(([u, r]) => (r === 'dms1' || r === 'dms2') && originOf(u) === at)?.[1] ?? 'unknown';
  };
  // The reference client speaks WBXML in approach B and XML in approach A: one run covers both encodings
  // without a flow more. An ICS that declares one encoding gets that one in every flow.
  const declared = cfg?.ics.encodings ?? ['xml', 'wbxml'];
  const encoding = o.variation?.clientEncoding ?? (declared.length === 1 ? declared[0] : s.approach === 'B' ? 'wbxml' : 'xml');
  const roles = createRoles(ctx, { separate, authType: s.authType, client: { fixture, roleOfServerId, roleOfAddr, roots, encoding } });
  const { dms1, dms2, bootstrap, client } = roles;
  const proxies = (cfg?.proxies ?? []).map((p) => recordingProxy(p, { setup, trace, budgets, trust: ctx.trustOf(p.to) }));
  const readers = (...servers: Array<{ sessions?: ServerRole }>) => servers.map((x) => x.sessions).filter((x): x is ServerRole => !!x);

  const subtrees = s.delegationType.scope === 'full' ? setup.managedSubtrees : setup.partialSubtrees;
  const facts: FlowFacts = {
    sessionId,
    devId,
    serverIds: ids,
    subtrees,
    dms1AccountPath: setup.dms1AccountPath,
    treeLayout: setup.treeLayout,
    caFingerprint256: setup.caFingerprint256,
    roleFingerprints: Object.fromEntries(ROLES.map((r) => [r, (r === 'bootstrap' && !bootstrap ? dms2 : roles.of(r))?.fingerprint256]).filter(([, f]) => f)),
    urls: {},
    serverCredentials: { [ids.dms1]: { secret: setup.dms1Credentials.server.secret, nonce: setup.dms1Credentials.server.nonce.toString('base64') } },
    clientCredentials: { [ids.dms1]: { name: setup.dms1Credentials.client.name, secret: setup.dms1Credentials.client.secret } },
  };
  let initialTree: TreeSnapshot = UNREAD_TREE;
  let treeSource = setup.assignment.treeSource;
  let status: FlowStatus = 'completed';
  let delegationEnded = false;
  let error: string | undefined;
  let finalRead: ReadTree | undefined;
  let initialUnread = new Map<string, string>();
  try {
    for (const r of roles.all) await r.start();
    for (const p of proxies) await p.start();
    // URLs are known only now that the endpoints listen.
    if (bootstrap) {
      dms2.useBootstrap({ orderUrl: bootstrap.orderUrl, bootstrapUrl: bootstrap.bootstrapUrl, fingerprint256: bootstrap.fingerprint256 });
      bootstrap.knowPeer({ serverId: ids.dms2, fingerprint256: dms2.fingerprint256 });
    }
    dms1.knowDevice({ ...setup.devInfo, pushUrl: client.pushUrl, deliver: client.deliverer(ids.dms1), credentials: setup.dms1Credentials });
    dms1.knowPeer({ role: 'dms2', serverId: ids.dms2, delegationUrl: dms2.delegationUrl, fingerprint256: dms2.fingerprint256 });
    dms2.knowPeer({ role: 'dms1', serverId: ids.dms1, delegationUrl: dms1.delegationUrl, fingerprint256: dms1.fingerprint256 });
    facts.urls = {
      dms1Dm: dms1.dmUrl,
      dms1Delegation: dms1.delegationUrl,
      dms2Dm: dms2.dmUrl,
      dms2Delegation: dms2.delegationUrl,
      bootstrap: bootstrap?.bootstrapUrl ?? dms2.bootstrapUrl ?? '',
      bootstrapOrder: bootstrap?.orderUrl ?? '',
      clientPush: client.pushUrl ?? '',
      ...Object.fromEntries(proxies.map((p, i) => [proxyPlaceholder(cfg!.proxies[i]), p.url])),
    };
    Object.assign(upper.vars, {
      flow: s.id, approach: s.approach, scope: s.delegationType.scope, duration: s.delegationType.duration,
      removeAccount: String(s.removeAccount), subtrees: subtrees.join(','), sessionId, devId, man: setup.devInfo.man, mod: setup.devInfo.mod,
      dms1ServerId: ids.dms1, dms2ServerId: ids.dms2, caFile: cfg?.pki.dir ? `${cfg.pki.dir}/ca.crt` : '',
      ...Object.fromEntries(Object.entries(facts.urls).map(([k, u]) => [k.includes('.') ? k : `${k}Url`, u])),
    });

    trace.note(`flow ${s.id} starts (${ROLES.map((r) => `${r} ${modes[r]}`).join(', ')})`);
    for (const r of roles.all) await r.prepare();
    // Once set up, every real implementation must be there: nothing listening is the set-up's error.
    const absent = await unreachableEndpoints(cfg, Math.min(budgets.requestMs, left()));
    if (absent.length) throw new SetupError(absent.join('; '));
    // The tester's cases against every role under test (every role when all are mocks: the self-test).
    const order = { sessionId, devId, delegatee: ids.dms2, approach: s.approach, delegationType: s.delegationType, subtrees, removeAccount: s.removeAccount };
    await during('tls-probe', () => runTester({ ctx, roles, urls: facts.urls, order, ca: pki.ca, playedOnce: o.testerPlayed }));

    const initial = await during('tree-read', () => client.readTree(readers(dms1), 'initial tree'));
    if (initial) {
      initialTree = initial.snapshot;
      initialUnread = new Map(initial.unread.map((u) => [u.path, u.status]));
    }
    const end = await dms1.delegate(order);
    delegationEnded = true;
    if (end.unanswered) {
      status = end.unanswered.startsWith('TIMEOUT') ? 'timeout' : 'failed';
      error = `DMS-1 did not answer DelegationComplete: ${end.unanswered}`;
    } else if (end.result !== 'success') {
      status = 'failed';
      error = `DMS-2 reported failure: ${end.reason ?? 'no reason'}`;
    }
    await client.idle();
  } catch (err) {
    status = statusOf(err);
    error = (err as Error).message;
  }
  try {
    // Every mock server that may still hold an account reads; what neither may read stays unread.
    finalRead = await during('tree-read', () => client.readTree(readers(dms2, dms1), 'final tree', { afterError: status === 'error' }));
    if (status === 'completed' && dms2.sessions) {
      // A probe by the new manager: read the delegated ACLs and try one write it holds no right for,
      // so the client's 425 is on the wire to judge.
      const prober = dms2.sessions;
      trace.note('probe: DMS-2 reads the delegated ACLs and attempts one unauthorised Replace');
      await during('probe', async () => {
        await within(prober.trigger(devId, probeScript(subtrees, DmTree.fromJSON(initialTree), ids.dms2, finalRead ? DmTree.fromJSON(finalRead.snapshot) : undefined, setup.treeLayout.dmAccRoot)), budgets.sessionMs, 'the probe session');
        await client.idle();
      });
    }
    if (status !== 'error') {
      // The flow's last answers are recorded first: what the tester then records is stamped as its own.
      await allAnswered(trace, Math.min(budgets.requestMs, left()));
      // The harness's DMS-2 holds an account on the client once the delegation completed: its client cases.
      const sessions = status === 'completed' && dms2.sessions && finalRead
        ? { server: dms2.sessions, serverId: ids.dms2, devId, tree: DmTree.fromJSON(finalRead.snapshot), dmAccRoot: setup.treeLayout.dmAccRoot, reacted: (until: (e: TraceEvent) => boolean) => client.reacted(until, Math.min(budgets.silenceMs, left())), sessionMs: Math.min(budgets.sessionMs, left()) }
        : undefined;
      await during('tls-probe', () => runTesterAfterFlow({ ctx, colocated: !separate, playedOnce: o.testerPlayed, clientSessions: sessions }), AFTER_FLOW_TESTER_LINKS);
    }
  } catch (err) {
    if (status === 'completed') {
      status = statusOf(err);
      error = (err as Error).message;
    }
  } finally {
    // What a mock still sends on its own is part of this flow; then the next flow starts only once this
    // one's last exchange is answered or has run out of its budget.
    await withBudget(Promise.all(roles.all.map((r) => r.settled?.())), Math.min(budgets.requestMs, Math.max(left(), 0)), 'quiet from the mocks').catch((err: Error) => trace.note(`flow ${s.id}: ${err.message}`));
    const open = await allAnswered(trace, Math.min(budgets.requestMs, Math.max(left(), 0)));
    if (open.length) trace.note(`flow ${s.id}: ${open.length} request(s) still unanswered at its end (first: seq ${open[0].seq} on ${open[0].link})`);
    trace.note(`flow ${s.id} ends: ${status}${error ? `: ${error}` : ''}`);
    await Promise.all([...roles.all.map((r) => r.close()), ...proxies.map((p) => p.close())]);
  }
  if (status === 'error' && !finalRead) treeSource = 'none';
  const finalTree = finalRead?.snapshot ?? UNREAD_TREE;
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
    // What the device refused every harness server even before the delegation (a status such as 425) is outside
    // the comparison; what went unanswered (no Results, a package cut short) is a gap in what was observed.
    treeUnread: (finalRead?.unread ?? finalTree.unread ?? []).filter((u) => !/^\d{3}$/.test(initialUnread.get(u.path) ?? '')),
    testerOncePerRun: !!o.testerPlayed,
    features: icsFeatures(cfg?.ics),
  };
}

/** A recording TLS proxy between two real implementations, standing in for `p.to`. */
function recordingProxy(p: ProxyConfig, o: { setup: FlowSetup; trace: TraceRecorder; budgets: Budgets; trust: PeerTrust }): RecordingProxy {
  const from = p.link.split('-').find((r) => r !== p.to) as Role;
  const mutual = p.link === 'dms1-dms2' || p.link === 'dms2-bootstrap';
  return new RecordingProxy({
    link: p.link, from, to: p.to, upstream: p.upstream, mutual,
    identity: o.setup.identityOf(p.to), upstreamIdentity: mutual ? o.setup.identityOf(from) : undefined,
    trustAnchors: o.setup.trustAnchors, trace: o.trace, parseBody, host: p.listen?.host, port: p.listen?.port, budgetMs: o.budgets.requestMs,
    upstreamTrustAnchors: o.trust.anchors, pin: o.trust.pin,
  });
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

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
 * Gets of the delegated ACLs, then what the prober holds no right for: a Replace of a leaf (with another
 * value), an Add of a DMAcc account, a Delete; then a Get of each, so a change would be on the wire. `rights`
 * is the tree whose ACLs decide (the client's current one; the latest read of a real client).
 */
function probeScript(subtrees: string[], snapshot: DmTree, prober: string, rights: DmTree = snapshot, dmAccRoot: string = TREE.dmAccRoot): SessionScript {
  const nodes = snapshot.toJSON().nodes.filter((n) => n.path !== '.' && rights.has(n.path));
  const denied = (path: string, cmd: AclCommand) => !aclGrants(rights.effectiveAcl(path).acl, cmd, prober);
  const candidates = nodes.filter((n) => n.format !== 'node' && n.value !== undefined && !n.path.startsWith(`${dmAccRoot}/`) && denied(n.path, 'Replace'));
  // A writable node first: DevInfo is read-only by its AccessType, so a client may rightly answer 405 there.
  const leaf = candidates.find((n) => !n.path.startsWith(`${TREE.devInfoRoot}/`)) ?? candidates[0];
  const account = rights.has(dmAccRoot) && denied(dmAccRoot, 'Add') ? `${dmAccRoot}/dmdc-probe` : undefined;
  // A leaf it may read, when there is one, so the Get after the Delete shows whether it is still there.
  const deletable = nodes.filter((n) => n.format !== 'node' && n.path !== leaf?.path && !n.path.startsWith(TREE.devInfoRoot) && denied(n.path, 'Delete'));
  const doomed = (deletable.find((n) => !denied(n.path, 'Get')) ?? deletable[0])?.path;
  const tried = [leaf?.path, account, doomed].filter((x): x is string => !!x);
  return async function* () {
    yield [
      ...subtrees.map((s) => get(aclUri(s))),
      ...(leaf ? [replace(leaf.path, `${leaf.value}-dmdc-probe`, leaf.format)] : []),
      ...(account ? [add(account, 'node')] : []),
      ...(doomed ? [del(doomed)] : []),
    ];
    if (tried.length) yield tried.map((p) => get(p));
  };
}
