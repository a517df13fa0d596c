import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execute } from '../../mocks/client/command-executor.js';
import { MockClient } from '../../mocks/client/mock-client.js';
import type { MockEnv } from '../../mocks/common/env.js';
import type { ServerRole } from '../../mocks/common/server-role.js';
import { MockDms1 } from '../../mocks/dms1/mock-dms1.js';
import { MockDms2 } from '../../mocks/dms2/mock-dms2.js';
import type { BatchReply } from '../../src/dm/commands.js';
import type { SessionScript } from '../../src/dm/server-session.js';
import { mergeTreeReads, treeReadScript, UNREAD, type TreeRead } from '../../src/dm/tree-reader.js';
import type { DmAccount } from '../../src/model/account.js';
import type { Role } from '../../src/model/roles.js';
import { createPki, type Pki } from '../../src/pki/pki.js';
import { buildClientTree, deviceCredentials, loadClientFixture, type ClientFixture } from '../../src/tree/client-fixture.js';
import type { Command } from '../../src/syncml/model.js';
import { parseBody } from '../../src/trace/parse-body.js';
import { TraceRecorder } from '../../src/trace/recorder.js';
import { DmTree, type TreeSnapshot } from '../../src/tree/tree.js';

const DMS1 = 'dms1.example';
const DMS2 = 'dms2.example';

/** A DMS-2 account on the client: it holds only the rights `*` gives, plus its own account's. */
const dms2Account: DmAccount = {
  serverId: DMS2,
  name: 'DMS-2',
  addr: '{{dms2.dm}}',
  addrType: 'URI',
  aauthPref: 'DIGEST',
  appAuth: [
    { level: 'CLCRED', type: 'DIGEST', name: 'dev-dms2', secret: 'client-secret-for-dms2', data: Buffer.from('dms2-client-nonce').toString('base64') },
    { level: 'SRVCRED', type: 'DIGEST', name: DMS2, secret: 'server-secret-of-dms2', data: Buffer.from('dms2-server-nonce').toString('base64') },
  ],
};

const fixture: ClientFixture = (() => {
  const f = loadClientFixture();
  return { ...f, accounts: [...f.accounts, { path: './DMAcc/dms2', account: dms2Account }] };
})();
const devId = fixture.devInfo.devId;

/** Snapshot nodes by path, with the fields a read must reproduce. */
function byPath(nodes: TreeSnapshot['nodes']): Map<string, TreeSnapshot['nodes'][number]> {
  return new Map(nodes.map((n) => [n.path, n]));
}

const under = (path: string, roots: string[]) => roots.some((r) => path === r || path.startsWith(`${r}/`));

/** The client's own nodes a reader should have seen: under `roots`, not under a path it could not read. */
function expected(tree: DmTree, roots: string[], unread: string[]): TreeSnapshot['nodes'] {
  return tree.toJSON().nodes.filter((n) => under(n.path, roots) && !under(n.path, unread));
}

describe('treeReadScript over real TLS against the reference client', () => {
  let pki: Pki;
  let tree: DmTree;
  let client: MockClient;
  let dms1: MockDms1;
  let dms2: MockDms2;

  beforeAll(async () => {
    pki = await createPki();
    const trace = new TraceRecorder();
    const env = (role: Role): MockEnv => ({
      identity: pki.roles[role],
      trustAnchors: [pki.ca.cert],
      trace,
      parseBody,
      budgets: { requestMs: 5_000 },
      recordOutbound: () => false,
    });
    dms1 = new MockDms1({
      serverId: DMS1,
      env: env('dms1'),
      sessionBudgetMs: 10_000,
      notificationBudgetMs: 10_000,
      managedSubtrees: fixture.managedSubtrees,
      ownAccountPath: './DMAcc/dms1',
    });
    dms2 = new MockDms2({ serverId: DMS2, env: env('dms2'), sessionBudgetMs: 10_000, bootstrap: { mode: 'colocated' }, pushUrlOf: () => undefined });
    await dms1.start();
    await dms2.start();
    tree = buildClientTree(fixture, { 'dms1.dm': dms1.dmUrl, 'dms2.dm': dms2.dmUrl });
    const roleOfServerId = (id: string): Role | 'unknown' => (id === DMS1 ? 'dms1' : id === DMS2 ? 'dms2' : 'unknown');
    client = await new MockClient({ env: env('client'), tree, devInfo: fixture.devInfo, roleOfServerId }).start();
    for (const [server, id] of [[dms1, DMS1], [dms2, DMS2]] as const) {
      server.devices.set(devId, { ...fixture.devInfo, pushUrl: client.pushUrl, credentials: deviceCredentials(fixture, id) });
    }
  });

  afterAll(async () => {
    await Promise.all([dms1?.close(), dms2?.close(), client?.close()]);
  });

  async function readAs(server: ServerRole, roots: string[], o: { maxNodes?: number; maxPackages?: number } = {}) {
    let got: TreeRead | undefined;
    const outcome = await server.trigger(devId, treeReadScript(roots, (r) => (got = r), { ...o, reader: server.o.serverId }));
    await client.idle();
    if (!got) throw new Error('the script handed no read');
    return { read: got, outcome };
  }

  test('DMS-1 reads ./Vendor and ./DMAcc as the client holds them, one package per level', async () => {
    const roots = ['./Vendor', './DMAcc'];
    const before = tree.toJSON();
    const { read, outcome } = await readAs(dms1, roots);

    // The other accounts grant Get to their own server only.
    expect(read.unread).toEqual([
      { path: './DMAcc/ops', status: '425' },
      { path: './DMAcc/dms2', status: '425' },
    ]);
    expect(read.snapshot.unread).toEqual(read.unread);
    expect(read.absent).toEqual([]);
    expect(read.reader).toBe(DMS1);

    const got = DmTree.fromJSON(read.snapshot);
    expect(got.acl('.')).toBe(tree.acl('.'));
    const want = expected(tree, roots, read.unread.map((u) => u.path));
    expect(want.length).toBeGreaterThan(20);
    expect(byPath(got.toJSON().nodes.filter((n) => n.path !== '.'))).toEqual(byPath(want));
    // Reading changed nothing but the nonces, which move with every session.
    const nonceFree = (t: { nodes: Array<{ path: string }> }) => t.nodes.filter((n) => !n.path.endsWith('/AAuthData'));
    expect(nonceFree(tree.toJSON())).toEqual(nonceFree(before));
    // ./DMAcc/dms1/AppAuth/1/AAuthLevel is 4 levels below a root: 5 packages, after package 1.
    expect(outcome.received).toHaveLength(6);
  });

  test('a server with fewer rights gets 425s in unread and no invented nodes', async () => {
    const roots = ['./Vendor', './DMAcc'];
    const { read } = await readAs(dms2, roots);
    expect(read.unread).toEqual([
      { path: './Vendor/Apps', status: '425' },
      { path: './DMAcc/dms1', status: '425' },
      { path: './DMAcc/ops', status: '425' },
    ]);
    const got = byPath(read.snapshot.nodes);
    for (const u of read.unread) expect([...got.keys()].filter((p) => under(p, [u.path]))).toEqual([]);
    const want = expected(tree, roots, read.unread.map((u) => u.path));
    expect(byPath([...got.values()].filter((n) => n.path !== '.'))).toEqual(byPath(want));
    expect(got.get('./DMAcc/dms2/AppAuth/2/AAuthSecret')?.value).toBe(dms2Account.appAuth[1]!.secret);
  });

  test("a root below one the reader may not Get: the ancestors' ACLs are read, the refused one is unread", async () => {
    const { read } = await readAs(dms2, ['./Vendor/Apps/Mail']);
    expect(read.snapshot.nodes).toEqual([
      { path: '.', format: 'node', acl: tree.acl('.') },
      { path: './Vendor', format: 'node', acl: tree.acl('./Vendor') },
      { path: './Vendor/Apps', format: 'node', acl: '' },
    ]);
    expect(read.unread).toEqual([
      { path: './Vendor/Apps', status: '425' },
      { path: './Vendor/Apps/Mail', status: '425' },
    ]);
    expect(() => DmTree.fromJSON(read.snapshot)).not.toThrow();
  });

  test('a missing root is absent, not unread', async () => {
    const { read } = await readAs(dms1, ['./Vendor/Nope', './Nope/Deeper', './Vendor/Conn']);
    expect(read.absent).toEqual(['./Nope', './Vendor/Nope', './Nope/Deeper']);
    expect(read.unread).toEqual([]);
    expect(read.snapshot.nodes.map((n) => n.path)).toEqual(['.', './Vendor', './Vendor/Conn', './Vendor/Conn/APN']);
    expect(read.snapshot.nodes[1]!.acl).toBe(tree.acl('./Vendor'));
  });

  test('the union of the reads of DMS-1 and DMS-2 holds every account either may read', async () => {
    const roots = ['./Vendor', './DMAcc'];
    const a = (await readAs(dms1, roots)).read;
    const b = (await readAs(dms2, roots)).read;
    const merged = mergeTreeReads(a, b);
    expect(merged.reader).toBe(`${DMS1}+${DMS2}`);
    expect(merged.unread).toEqual([{ path: './DMAcc/ops', status: '425' }]);
    expect(merged.snapshot.unread).toEqual(merged.unread);
    const got = DmTree.fromJSON(merged.snapshot);
    expect(byPath(got.toJSON().nodes.filter((n) => n.path !== '.'))).toEqual(byPath(expected(tree, roots, ['./DMAcc/ops'])));
  });
});

/** Runs a script against a DmTree in memory, answering as the reference client does; counts packages. */
async function drive(script: SessionScript, tree: DmTree, serverId: string, tamper?: (reply: BatchReply) => void, maxMsgSize?: number, sizes: number[] = []): Promise<number> {
  const gen = script({ devId, sessionId: '1', alert: '1200', devInfo: {}, maxMsgSize });
  let next = await gen.next(undefined as unknown as BatchReply);
  let packages = 0;
  while (!next.done) {
    packages++;
    sizes.push(next.value.length);
    const commands = next.value.map((c, i) => ({ ...c, cmdId: String(i + 1) }) as Command);
    const done = execute(commands, { tree, serverId, msgId: String(packages), scrubOnAccountDelete: false });
    const reply: BatchReply = {
      outcomes: commands.map((command) => ({
        command,
        status: done.statuses.find((s) => s.cmdRef === command.cmdId),
        results: done.results.find((r) => r.cmdRef === command.cmdId),
      })),
    };
    tamper?.(reply);
    next = await gen.next(reply);
  }
  return packages;
}

describe('treeReadScript bounds and odd answers', () => {
  const tree = buildClientTree(loadClientFixture(), { 'dms1.dm': 'https://dms1.invalid/dm' });

  test('maxNodes: the nodes left over are unread with status limit', async () => {
    let read: TreeRead | undefined;
    await drive(treeReadScript(['./Vendor'], (r) => (read = r), { maxNodes: 3 }), tree, DMS1);
    expect(read!.snapshot.nodes.map((n) => n.path)).toEqual(['.', './Vendor', './Vendor/Apps', './Vendor/Conn']);
    expect(read!.unread).toEqual([
      { path: './Vendor/Security', status: UNREAD.LIMIT },
      { path: './Vendor/Ops', status: UNREAD.LIMIT },
      { path: './Vendor/Apps/Mail', status: UNREAD.LIMIT },
      { path: './Vendor/Conn/APN', status: UNREAD.LIMIT },
    ]);
  });

  test('maxPackages: the walk stops after that many levels', async () => {
    let read: TreeRead | undefined;
    const packages = await drive(treeReadScript(['./Vendor'], (r) => (read = r), { maxPackages: 1 }), tree, DMS1);
    expect(packages).toBe(1);
    expect(read!.unread.map((u) => u.path)).toEqual(['./Vendor/Apps', './Vendor/Conn', './Vendor/Security', './Vendor/Ops']);
    expect(read!.unread.every((u) => u.status === UNREAD.LIMIT)).toBe(true);
    expect(read!.reader).toBe(`session 1 of ${devId}`);
  });

  test('a client with a small MaxMsgSize: a wide level goes over several packages, and the read is the same', async () => {
    let whole: TreeRead | undefined;
    let split: TreeRead | undefined;
    const wide: number[] = [];
    const narrow: number[] = [];
    const packages = await drive(treeReadScript(['.'], (r) => (whole = r)), tree, DMS1, undefined, undefined, wide);
    const more = await drive(treeReadScript(['.'], (r) => (split = r)), tree, DMS1, undefined, 1024, narrow);
    expect(more).toBeGreaterThan(packages);
    expect(Math.max(...narrow)).toBeLessThan(Math.max(...wide));
    expect(split!.snapshot).toEqual(whole!.snapshot);
    expect(split!.unread).toEqual(whole!.unread);
  });

  test('reading the root walks the whole tree; a bad child name and a missing Results are unread', async () => {
    let read: TreeRead | undefined;
    await drive(treeReadScript(['.'], (r) => (read = r)), tree, DMS1, (reply) => {
      for (const o of reply.outcomes) {
        const uri = o.command.kind === 'Get' ? o.command.items[0]!.target : '';
        // A client listing a child name no URI can hold, and answering 200 without Results for one leaf.
        if (uri === './Vendor/Conn') o.results!.items[0]!.data = 'APN/bad?name';
        if (uri === './DevInfo/Lang') delete o.results;
      }
    });
    expect(read!.unread).toEqual([
      { path: './DevInfo/Lang', status: UNREAD.NO_RESULTS },
      { path: './DMAcc/ops', status: '425' },
      { path: './Vendor/Conn/bad?name', status: UNREAD.BAD_NAME },
    ]);
    const got = DmTree.fromJSON(read!.snapshot);
    expect(got.value('./Vendor/Conn/APN')).toBe('internet');
    expect(got.has('./DevInfo/Lang')).toBe(false);
    expect(got.acl('./DMAcc/dms1')).toBe(tree.acl('./DMAcc/dms1'));
  });

  test('roots are checked when the script is made', () => {
    expect(() => treeReadScript(['Vendor'], () => {})).toThrow(/not rooted/);
  });
});

describe('mergeTreeReads', () => {
  const read = (reader: string, nodes: TreeSnapshot['nodes'], unread: TreeRead['unread'] = [], absent: string[] = []): TreeRead => ({
    snapshot: { nodes, unread },
    absent,
    unread,
    reader,
  });
  const root = { path: '.', format: 'node', acl: 'Add=*&Get=*' };

  test("keeps a's value on a conflict, takes b's where a could not read, drops what either read", () => {
    const a = read(
      'x',
      [root, { path: './A', format: 'node', acl: '' }, { path: './A/v', format: 'chr', value: '1', acl: '' }],
      [{ path: './A', status: '425' }, { path: './B', status: '425' }],
      ['./C'],
    );
    const b = read(
      'y',
      [root, { path: './A', format: 'node', acl: 'Get=y' }, { path: './A/v', format: 'chr', value: '2', acl: '' }, { path: './B', format: 'chr', value: 'b', acl: 'Get=y' }, { path: './C', format: 'node', acl: '' }],
      [{ path: './D', status: '425' }],
    );
    const m = mergeTreeReads(a, b);
    expect(m.snapshot.nodes).toEqual([
      root,
      { path: './A', format: 'node', acl: 'Get=y' },
      { path: './A/v', format: 'chr', value: '1', acl: '' },
      { path: './B', format: 'chr', value: 'b', acl: 'Get=y' },
      { path: './C', format: 'node', acl: '' },
    ]);
    expect(m.unread).toEqual([{ path: './D', status: '425' }]);
    expect(m.absent).toEqual([]);
    expect(m.reader).toBe('x+y');
    expect(() => DmTree.fromJSON(m.snapshot)).not.toThrow();
  });
});
