import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MockBootstrap } from '../../mocks/bootstrap/mock-bootstrap.js';
import { MockClient } from '../../mocks/client/mock-client.js';
import type { MockEnv } from '../../mocks/common/env.js';
import type { ServerRole } from '../../mocks/common/server-role.js';
import { MockDms1 } from '../../mocks/dms1/mock-dms1.js';
import { MockDms2 } from '../../mocks/dms2/mock-dms2.js';
import { MUTANTS, rolesOf, variationFor } from '../../mocks/mutants.js';
import { isRole, ROLES, type Role } from '../model/roles.js';
import { createCa, createPki, issueLeaf, writePki, type Pki } from '../pki/pki.js';
import { FileChecks, readPkiDir } from '../config/config-files.js';
import type { EndpointLimits } from '../config/limits.js';
import { loadConfig } from '../config/load-config.js';
import { buildClientTree, deviceCredentials, loadClientFixture, withTreeLayout, type ClientFixture } from '../tree/client-fixture.js';
import { TREE, type TreeLayout } from '../profile.js';
import type { Variation } from '../roles/variation.js';
import { parseBody } from '../trace/parse-body.js';
import { TraceRecorder, withBudget } from '../trace/recorder.js';
import { findAccountByServerId, readAccounts, storeNonce } from '../tree/dmacc.js';
import type { DmTree } from '../tree/tree.js';
import type { SyncmlEncoding } from '../syncml/encoding.js';
import { ControlError, parseConfigure, startControl, type ConfigureRequest, type ControlledMock, type ControlServer, type DelegateRequest, type PeerSpec } from './mock-control.js';

export const MOCK_HELP = `dmdc mock <role> [options]

Serves one reference mock (dms1 | dms2 | bootstrap | client) so a real implementation can talk to it.

Options:
  --port N         first port to listen on; 0 picks free ports (default 0). A DMS and the Bootstrap Server
                   also listen on N+1 (delegation API / bootstrap orders, mutual TLS) when N is not 0.
  --host H         address to listen on (default 127.0.0.1)
  --out DIR        where to write certificates and the trace (default .dmdc-mock/<role>)
  --pki DIR        use the CA and role certificates already in DIR (ca.crt, <role>.crt/.key for every role,
                   as another \`dmdc mock --out DIR\` wrote them) instead of making new ones, so several mock
                   processes trust each other
  --peer ID=URL    a peer DM server's ServerID and delegation URL (repeatable), e.g.
                   --peer dms1.example=https://127.0.0.1:9001/delegation
  --dms1-url URL   (client) DMS-1's DM URL, written into the client's DMS-1 account
  --encoding E     (client) xml (default) or wbxml: how it encodes its SyncML messages
  --max-msg-size N (client) the MaxMsgSize it declares, in bytes (default 20000): servers split larger packages
  --keep-nonces    (client) a reset restores the fixture tree but keeps the nonces the client holds, as a
                   device's outlive a restore of its tree: a later run starts from nonces it never saw
  --push-url URL   (dms1, dms2) the client's Package #0 endpoint
  --mutant ID      run a deliberately broken variant: the mutant's changes to THIS role only (quirks, TLS
                   policy, client certificate, foreign certificate, server switches); see mocks/mutants.ts
  --config FILE    a run configuration (as for dmdc run): its "limits" apply to this mock's endpoints (how
                   long a peer may take to send a request, how many connections it may hold), its
                   "pki.hosts" to the certificates made without --pki, its "device.treeLayout" to where
                   the mock writes and reads accounts and the Bootstrap Config MO; the rest of it is not
                   used here
  --control        also serve the control API below on http://127.0.0.1 (an ephemeral port)
  --control-port N the control API's port (implies --control)
  --help           this text

Writes to DIR: ca.crt (trust anchor of this run), <role>.crt/.key (the mock's own identity) and a
certificate/key pair for every other role (dms1.crt, dms2.crt, bootstrap.crt, client.crt and keys):
a peer presents the one of its role on mutual-TLS links. Prints one JSON line with the URLs (and
"mutant", "control" when given). A mutant with a foreign certificate presents a certificate of a fresh CA
that is not written anywhere.

Control API (--control; JSON in and out; 400 bad JSON or field, 404 unknown path, 409 not for this role):
  GET  /control/health     {role, mutant?}
  POST /control/configure  {peers?: [{serverId, delegationUrl}], pushUrl?, dms1Url?, bootstrap?}
                           dms1, dms2: peers (replaced; the other DMS), pushUrl (the client's Package #0
                           endpoint); dms2: bootstrap {orderUrl, bootstrapUrl} a stand-alone Bootstrap Server,
                           null the one inside DMS-2; client: dms1Url (the DMS-1 account's Addr, kept on reset)
  POST /control/reset      client: waits for its sessions, then rebuilds the tree from the fixture; dms1, dms2,
                           bootstrap: forget pending delegations and orders (configuration stays)
  POST /control/delegate   (dms1) {delegatee, approach: A|B, scope: full|partial, duration: temporary|permanent,
                           subtrees?: [..] | "a,b" (partial; default the fixture's), removeAccount?: bool
                           (default false), devId?, sessionId?} -> 202 {sessionId}; the delegation runs in the
                           background and, when it ends, one JSON line {"event":"delegation-end","sessionId",
                           "result"|"error"} is printed (and noted in the trace)
  GET  /control/tree       (client) the DM tree as a TreeSnapshot`;

/** What the command runs: the mock's URLs, how to stop it, and what the control API may do with it. */
export interface RunningMock {
  urls: Record<string, string>;
  close: () => Promise<void>;
  control: ControlledMock;
}

export interface MockContext {
  role: Role;
  env: MockEnv;
  /** The PKI it serves: its peers present the certificates it issued for their roles (pre-exchanged). */
  pki: Pki;
  fixture: ClientFixture;
  variation: Variation;
  mutant?: string;
  /** The client role's encoding, MaxMsgSize and whether a reset keeps its nonces. */
  client?: ClientOptions;
}

export interface ClientOptions {
  encoding?: SyncmlEncoding;
  maxMsgSize?: number;
  keepNonces?: boolean;
}

/** `dmdc mock <role>`: one mock on real sockets until SIGINT/SIGTERM. */
export async function mockCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      out: { type: 'string' },
      pki: { type: 'string' },
      config: { type: 'string' },
      peer: { type: 'string', multiple: true, default: [] },
      'dms1-url': { type: 'string' },
      'push-url': { type: 'string' },
      encoding: { type: 'string' },
      'max-msg-size': { type: 'string' },
      'keep-nonces': { type: 'boolean', default: false },
      mutant: { type: 'string' },
      control: { type: 'boolean', default: false },
      'control-port': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(MOCK_HELP);
    return 0;
  }
  const fail = (why: string) => (console.error(`dmdc mock: ${why}`), 2);
  const role = positionals[0];
  if (!isRole(role)) return fail(`role must be one of ${ROLES.join(', ')}${role ? `, not "${role}"` : ''}\n\n${MOCK_HELP}`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65534) return fail(`--port must be an integer from 0 to 65534, not "${values.port}"`);
  const controlPort = values['control-port'] === undefined ? (values.control ? 0 : undefined) : Number(values['control-port']);
  if (controlPort !== undefined && (!Number.isInteger(controlPort) || controlPort < 0 || controlPort > 65535)) {
    return fail(`--control-port must be an integer from 0 to 65535, not "${values['control-port']}"`);
  }
  if (values.encoding !== undefined && values.encoding !== 'xml' && values.encoding !== 'wbxml') return fail(`--encoding must be xml or wbxml, not "${values.encoding}"`);
  const maxMsgSize = values['max-msg-size'] === undefined ? undefined : Number(values['max-msg-size']);
  // Below 1024 bytes not even a SyncHdr and one status fit in XML.
  if (maxMsgSize !== undefined && (!Number.isInteger(maxMsgSize) || maxMsgSize < 1024)) return fail(`--max-msg-size must be an integer of at least 1024, not "${values['max-msg-size']}"`);
  const clientOptions: ClientOptions = { encoding: values.encoding as SyncmlEncoding | undefined, maxMsgSize, keepNonces: values['keep-nonces'] };
  const peers: PeerSpec[] = [];
  for (const p of values.peer as string[]) {
    const eq = p.indexOf('=');
    if (eq <= 0 || eq === p.length - 1) return fail(`--peer must be ID=URL, not "${p}"`);
    peers.push({ serverId: p.slice(0, eq), delegationUrl: p.slice(eq + 1) });
  }
  let flags: ConfigureRequest;
  try {
    flags = parseConfigure({
      ...(peers.length ? { peers } : {}),
      ...(values['push-url'] ? { pushUrl: values['push-url'] } : {}),
      ...(values['dms1-url'] ? { dms1Url: values['dms1-url'] } : {}),
    });
  } catch (err) {
    return fail((err as Error).message);
  }
  let variation: Variation = {};
  if (values.mutant !== undefined) {
    const mutant = MUTANTS.find((m) => m.id === values.mutant);
    const own = MUTANTS.filter((m) => variationFor(m.variation, role)).map((m) => m.id);
    const hint = `mutants of the ${role} mock: ${own.join(', ') || 'none'}`;
    if (!mutant) return fail(`unknown mutant "${values.mutant}"; ${hint}`);
    const v = variationFor(mutant.variation, role);
    if (!v) return fail(`mutant ${mutant.id} does not change the ${role} mock (it changes ${rolesOf(mutant.variation).join(', ')}); ${hint}`);
    variation = v;
  }

  let limits: EndpointLimits | undefined;
  let hosts: string[] | undefined;
  let treeLayout: TreeLayout | undefined;
  if (values.config !== undefined) {
    const loaded = await loadConfig(values.config);
    if (!loaded.ok) return fail(`${values.config} is not a valid configuration: ${loaded.errors.join('; ')}`);
    limits = loaded.config.limits;
    hosts = loaded.config.pki.hosts;
    treeLayout = loaded.config.device.treeLayout;
  }

  const out = resolve(values.out ?? join('.dmdc-mock', role));
  mkdirSync(out, { recursive: true });
  let pki: Pki;
  if (values.pki !== undefined) {
    const files = new FileChecks(process.cwd());
    const loaded = readPkiDir(resolve(values.pki), files, '--pki');
    if (!loaded) return fail(files.errors.join('; '));
    pki = loaded;
  } else pki = await createPki(hosts ? { hostNames: hosts } : {});

  // Nothing in a mock's process reads its events back: they live in the file alone.
  const trace = new TraceRecorder(join(out, 'trace.jsonl'), { keep: 0 });
  const env: MockEnv = {
    identity: variation.foreignCertificate?.[role] ? await issueLeaf(await createCa({ caName: 'foreign CA' }), `dmdc ${role}`) : pki.roles[role],
    trustAnchors: [pki.ca.cert],
    trace,
    parseBody,
    budgets: { requestMs: 10_000 },
    limits,
    // Alone, the mock's peers are real implementations: record both sides.
    recordOutbound: () => true,
    host: values.host,
    port,
    tls: variation.tls?.[role],
    omitClientCertificate: variation.omitClientCertificate?.[role],
    acceptUnverifiedServer: variation.trustAnyServer?.[role],
    treeLayout,
  };
  const fixture = withTreeLayout(loadClientFixture(), treeLayout ?? TREE);
  const running = await startMock({ role, env, pki, fixture, variation, mutant: values.mutant, client: clientOptions });

  // The command-line wiring goes through the same operations as the control API; a flag another role has
  // no use for is ignored, as it always was.
  running.control.configure(Object.fromEntries(Object.entries(flags).filter(([k]) => running.control.accepts.includes(k as keyof ConfigureRequest))));

  let control: ControlServer | undefined;
  try {
    control = controlPort === undefined ? undefined : await startControl(running.control, controlPort);
  } catch (err) {
    // Listening endpoints would keep the process alive after the error.
    await running.close();
    return fail(`control API: ${(err as Error).message}`);
  }
  // Only a mock that listens writes its certificates: one that failed to start must not replace those of
  // a mock still running from the same folder.
  if (values.pki === undefined || resolve(values.pki) !== out) writePki(out, pki);
  console.log(
    JSON.stringify({
      role,
      ...(values.mutant ? { mutant: values.mutant } : {}),
      ...running.urls,
      ...(control ? { control: control.url } : {}),
      certificates: out,
      trace: join(out, 'trace.jsonl'),
    }),
  );

  await new Promise<void>((done) => {
    const stop = () => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await control?.close();
  await running.close();
  return 0;
}

/** Starts the mock of `ctx.role` as the command serves it (the fuzz tests start it in-process too). */
export function startMock(ctx: MockContext): Promise<RunningMock> {
  return ctx.role === 'client' ? startClient(ctx) : ctx.role === 'bootstrap' ? startBootstrap(ctx) : startServer(ctx);
}

const PLACEHOLDER_DMS1_URL = 'https://127.0.0.1:1/dm';

async function startClient({ role, env, fixture, variation, mutant, client: o = {} }: MockContext): Promise<RunningMock> {
  let dms1Url = PLACEHOLDER_DMS1_URL;
  const freshTree = () => buildClientTree(fixture, { 'dms1.dm': dms1Url });
  const roleOfServerId = (id: string): Role | 'unknown' => (id === fixture.servers.dms1 ? 'dms1' : id === fixture.servers.dms2 ? 'dms2' : 'unknown');
  const client = await new MockClient({ env, tree: freshTree(), devInfo: fixture.devInfo, roleOfServerId, encoding: o.encoding, maxMsgSize: o.maxMsgSize, quirks: variation.client }).start();
  return {
    urls: { push: client.pushUrl },
    close: () => client.close(),
    control: {
      role,
      mutant,
      accepts: ['dms1Url'],
      configure(c) {
        if (c.dms1Url === undefined) return;
        dms1Url = c.dms1Url;
        // The account may be gone (a permanent delegation removed it): then the next reset brings it back.
        setAccountAddr(client.tree, fixture.servers.dms1, dms1Url, env.treeLayout?.dmAccRoot);
      },
      async reset() {
        // A session still running would write into the new tree.
        await withBudget(client.idle(), 15_000, 'the client to finish its sessions').catch((err: Error) => env.trace.note(`control: reset: ${err.message}`));
        const tree = freshTree();
        if (o.keepNonces) keepNonces(client.tree, tree, env.treeLayout?.dmAccRoot);
        client.reset(tree);
        env.trace.note(`control: client reset to the fixture tree${o.keepNonces ? ', its nonces kept' : ''}`);
      },
      tree: () => client.tree.toJSON(),
    },
  };
}

/** Points the account of `serverId` at `addr` (its first AppAddr entry), if the tree holds that account. */
function setAccountAddr(tree: DmTree, serverId: string, addr: string, dmAccRoot?: string): void {
  const acc = findAccountByServerId(tree, serverId, dmAccRoot);
  const entry = acc && tree.children(`${acc.path}/AppAddr`)[0];
  if (acc && entry !== undefined) tree.setNode(`${acc.path}/AppAddr/${entry}/Addr`, { value: addr });
}

async function startBootstrap({ role, env, pki, fixture, variation, mutant }: MockContext): Promise<RunningMock> {
  const bs = await new MockBootstrap(env, variation.bootstrap).start();
  // DMS-2 is its one peer: the certificate of the PKI issued for DMS-2, ordering under its ServerID.
  bs.pinned.push(pki.roles.dms2.fingerprint256);
  bs.serverIds.push(fixture.servers.dms2);
  return {
    urls: { bootstrap: bs.bootstrapUrl, order: bs.orderUrl },
    close: () => bs.close(),
    control: {
      role,
      mutant,
      accepts: [],
      configure() {},
      reset: () => bs.service.reset(),
    },
  };
}

async function startServer(ctx: MockContext): Promise<RunningMock> {
  const { role, env, pki, fixture, variation: v, mutant } = ctx;
  const common = { serverId: fixture.servers[role as 'dms1' | 'dms2'], env, sessionBudgetMs: 30_000 };
  let server: ServerRole;
  let control: ControlledMock;
  const peerRole = role === 'dms1' ? 'dms2' : 'dms1';
  // Each peer is pinned to the certificate of the PKI issued for its role.
  const setPeers = (peers: PeerSpec[]) => {
    server.peers.clear();
    for (const p of peers) server.peers.set(p.serverId, { role: peerRole, serverId: p.serverId, delegationUrl: p.delegationUrl, fingerprint256: pki.roles[peerRole].fingerprint256 });
  };
  if (role === 'dms1') {
    const dms1 = new MockDms1({
      ...common,
      notificationBudgetMs: 60_000,
      managedSubtrees: fixture.managedSubtrees,
      ownAccountPath: fixture.accounts.find((a) => a.account.serverId === fixture.servers.dms1)!.path,
      quirks: v.dms1,
      ...v.server?.dms1,
    });
    server = dms1;
    control = {
      role,
      mutant,
      accepts: ['peers', 'pushUrl'],
      configure(c) {
        if (c.peers) setPeers(c.peers);
        if (c.pushUrl) dms1.devices.set(fixture.devInfo.devId, { ...fixture.devInfo, pushUrl: c.pushUrl, credentials: deviceCredentials(fixture, fixture.servers.dms1) });
      },
      reset: () => dms1.reset(),
      delegate: (d) => startDelegation(ctx, dms1, d),
    };
  } else {
    let pushUrl: string | undefined;
    const dms2 = new MockDms2({ ...common, bootstrap: { mode: 'colocated' }, pushUrlOf: () => pushUrl, quirks: v.dms2, ...v.server?.dms2 });
    server = dms2;
    control = {
      role,
      mutant,
      accepts: ['peers', 'pushUrl', 'bootstrap'],
      configure(c) {
        if (c.peers) setPeers(c.peers);
        if (c.pushUrl) pushUrl = c.pushUrl;
        if (c.bootstrap === null) dms2.options.bootstrap = { mode: 'colocated' };
        else if (c.bootstrap) {
          // No certificate pinned: any Bootstrap Server certificate the trust anchors accept will do.
          dms2.options.bootstrap = {
            mode: 'separate',
            server: { role: 'bootstrap', serverId: 'bootstrap', delegationUrl: c.bootstrap.orderUrl },
            bootstrapUrl: c.bootstrap.bootstrapUrl,
          };
        }
      },
      reset: () => dms2.reset(),
    };
  }
  await server.start();
  return {
    urls: { dm: server.dmUrl, delegation: server.delegationUrl, ...(server instanceof MockDms2 ? { bootstrap: server.bootstrapUrl } : {}) },
    close: () => server.close(),
    control,
  };
}

/**
 * Starts DMS-1's side of a delegation and returns at once; its end (DelegationComplete, or the error that
 * stopped it) is printed as a JSON line and noted in the trace. It never throws past this point.
 */
function startDelegation({ env, fixture }: MockContext, dms1: MockDms1, d: DelegateRequest): { sessionId: string } {
  const sessionId = d.sessionId ?? `ctl-${randomBytes(4).toString('hex')}`;
  const devId = d.devId ?? fixture.devInfo.devId;
  if (!dms1.peers.has(d.delegatee)) throw new ControlError(409, `no peer ${d.delegatee}: configure peers first (known: ${[...dms1.peers.keys()].join(', ') || 'none'})`);
  if (!dms1.devices.has(devId)) throw new ControlError(409, `no device ${devId}: configure pushUrl first`);
  if (dms1.isPending(sessionId)) throw new ControlError(409, `SessionId ${sessionId} is already in use`);
  const scope = d.delegationType.scope;
  const order = {
    sessionId,
    devId,
    delegatee: d.delegatee,
    approach: d.approach,
    delegationType: d.delegationType,
    // A full delegation hands over every subtree DMS-1 manages, whatever the request lists.
    subtrees: scope === 'partial' ? (d.subtrees ?? fixture.partialSubtrees) : undefined,
    removeAccount: d.removeAccount ?? false,
  };
  env.trace.note(`control: delegation ${sessionId} starts: approach ${order.approach}, ${scope}/${order.delegationType.duration}, ${order.subtrees?.join(',') ?? 'every managed subtree'}${order.removeAccount ? ', removing the account' : ''}`);
  const report = (end: Record<string, string>) => console.log(JSON.stringify({ event: 'delegation-end', sessionId, ...end }));
  dms1.delegate(order).then(
    (done) => {
      env.trace.note(`control: delegation ${sessionId} ended: ${done.result}${done.reason ? `: ${done.reason}` : ''}`);
      report({ result: done.result, ...(done.reason ? { reason: done.reason } : {}) });
    },
    (err: unknown) => {
      const message = (err as Error).message ?? String(err);
      env.trace.note(`control: delegation ${sessionId} failed: ${message}`);
      console.error(`dmdc mock: delegation ${sessionId} failed: ${message}`);
      report({ error: message });
    },
  );
  return { sessionId };
}

/** Carries the nonces (AAuthData) of every account in `from` over to the same account, by ServerID, in `to`. */
function keepNonces(from: DmTree, to: DmTree, dmAccRoot?: string): void {
  const held = new Map(readAccounts(from, dmAccRoot).map((a) => [a.account.serverId, a.account]));
  for (const { path, account } of readAccounts(to, dmAccRoot)) {
    for (const auth of held.get(account.serverId)?.appAuth ?? []) {
      if (auth.data !== undefined && (auth.level === 'CLCRED' || auth.level === 'SRVCRED')) storeNonce(to, path, auth.level, auth.data);
    }
  }
}
