import { readFileSync } from 'node:fs';
import type { DmAccount } from '../model/account.js';
import { TREE, type TreeLayout } from '../profile.js';
import { validateAcl } from './acl.js';
import { readAccounts, writeAccountLocal } from './dmacc.js';
import { DmTree, joinUri, splitUri, type TreeSnapshot } from './tree.js';
import { packageFile } from '../package-root.js';

/**
 * The reference client's initial tree and the harness facts around it. `nodes` is the whole tree, ACLs
 * included; `devInfo` and `accounts` are read from it, so the file has one source of truth.
 */
export interface ClientFixture {
  devInfo: { devId: string; man: string; mod: string; dmV: string; lang: string };
  /** Every node, root first, parents before children; `acl` is the node's own ACL ('' = inherited). */
  nodes: TreeSnapshot['nodes'];
  /** The DMAcc accounts the nodes hold (with `{{name}}` placeholders unfilled). */
  accounts: Array<{ path: string; account: DmAccount }>;
  servers: { dms1: string; dms2: string; other: string[] };
  managedSubtrees: string[];
  partialSubtrees: string[];
}

/** What the fixture file holds: the tree and the harness facts, nothing derived. */
type ClientFixtureFile = Omit<ClientFixture, 'devInfo' | 'accounts'>;

export const DEFAULT_CLIENT_FIXTURE = packageFile('fixtures', 'trees', 'client-initial.json');

export function loadClientFixture(file = DEFAULT_CLIENT_FIXTURE): ClientFixture {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as ClientFixtureFile & { $comment?: string };
  const tree = treeOf(raw.nodes, file);
  const info = (leaf: string): string => {
    const v = tree.value(`${TREE.devInfoRoot}/${leaf}`);
    if (v === undefined) throw new Error(`${file}: no ${TREE.devInfoRoot}/${leaf} node`);
    return v;
  };
  return {
    devInfo: { devId: info('DevId'), man: info('Man'), mod: info('Mod'), dmV: info('DmV'), lang: info('Lang') },
    nodes: raw.nodes,
    accounts: readAccounts(tree),
    servers: raw.servers,
    managedSubtrees: raw.managedSubtrees,
    partialSubtrees: raw.partialSubtrees,
  };
}

/** The tree of `nodes` exactly; a fixture is a promise about a device, so a bad ACL is an error, not evidence. */
function treeOf(nodes: TreeSnapshot['nodes'], source: string): DmTree {
  for (const n of nodes) {
    const v = validateAcl(n.acl);
    if (!v.ok) throw new Error(`${source}: ACL of ${n.path}: ${v.reason}`);
  }
  return DmTree.fromJSON({ nodes });
}

/**
 * Builds the client's tree from the fixture's nodes, filling `{{name}}` placeholders in values (URLs known
 * only once the servers listen). An account added to `accounts` in code at a path no node holds is written
 * the way a bootstrap writes one.
 */
export function buildClientTree(f: ClientFixture, vars: Record<string, string>): DmTree {
  const fill = (s: string) => s.replace(/\{\{([\w.]+)\}\}/g, (_m, k: string) => vars[k] ?? `{{${k}}}`);
  const tree = treeOf(f.nodes.map((n) => (n.value === undefined ? n : { ...n, value: fill(n.value) })), 'client fixture');
  for (const a of f.accounts) if (!tree.has(a.path)) writeAccountLocal(tree, a.path, { ...a.account, addr: fill(a.account.addr) });
  return tree;
}

/** The credentials a server keeps for the device, from the device's account for that server. */
export function deviceCredentials(f: ClientFixture, serverId: string) {
  const acc = f.accounts.find((a) => a.account.serverId === serverId)?.account;
  const cl = acc?.appAuth.find((x) => x.level === 'CLCRED');
  const srv = acc?.appAuth.find((x) => x.level === 'SRVCRED');
  if (!cl?.secret || !srv?.secret) throw new Error(`fixture has no credentials for ${serverId}`);
  return {
    devId: f.devInfo.devId,
    client: { name: cl.name ?? f.devInfo.devId, secret: cl.secret, nonce: Buffer.from(cl.data ?? '', 'base64') },
    server: { name: srv.name ?? serverId, secret: srv.secret, nonce: Buffer.from(srv.data ?? '', 'base64') },
  };
}

/**
 * The fixture with other ServerIDs for DMS-1 and DMS-2 (a real server under test has its own): in its
 * accounts, credentials and every ACL.
 */
export function withServerIds(f: ClientFixture, ids: { dms1: string; dms2: string }): ClientFixture {
  let text = JSON.stringify(f);
  for (const role of ['dms1', 'dms2'] as const) {
    const from = f.servers[role].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // Whole identifiers only: a JSON string of its own, or an ACL list member.
    text = text.replace(new RegExp(`(?<=["=+])${from}(?=["+&])`, 'g'), ids[role]);
  }
  return JSON.parse(text) as ClientFixture;
}

/**
 * The fixture laid out as `layout` says (a device whose DDF keeps accounts or the Bootstrap Config MO
 * elsewhere): the DMAcc and BootConfig subtrees move, with their ACLs, to the configured roots; interior
 * nodes a new root needs are added with inherited ACLs. The default layout returns the fixture itself.
 */
export function withTreeLayout(f: ClientFixture, layout: TreeLayout): ClientFixture {
  const moves: Array<[string, string]> = (
    [
      [TREE.dmAccRoot, layout.dmAccRoot],
      [TREE.bootConfigRoot, layout.bootConfigRoot],
    ] as Array<[string, string]>
  ).filter(([from, to]) => from !== to);
  if (!moves.length) return f;
  const moved = (path: string): string => {
    for (const [from, to] of moves) if (path === from || path.startsWith(`${from}/`)) return `${to}${path.slice(from.length)}`;
    return path;
  };
  const nodes = f.nodes.map((n) => ({ ...n, path: moved(n.path) }));
  const present = new Set(nodes.map((n) => n.path));
  for (const n of [...nodes]) {
    const segs = splitUri(n.path);
    for (let i = 1; i < segs.length; i++) {
      const parent = joinUri(segs.slice(0, i));
      if (!present.has(parent)) {
        present.add(parent);
        nodes.push({ path: parent, format: 'node', acl: '' });
      }
    }
  }
  // Parents before children: a stable sort by depth keeps the fixture's order within each level.
  const depth = (p: string) => splitUri(p).length;
  nodes.sort((a, b) => depth(a.path) - depth(b.path));
  return { ...f, nodes, accounts: f.accounts.map((a) => ({ ...a, path: moved(a.path) })) };
}
