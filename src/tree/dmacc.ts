/**
 * DMAcc helpers (DM 1.2.1 StdObj §7.1.3.1, spec-digest §4.2): the nodes of one account `<X>`, writing an
 * account the way a bootstrap does, and reading accounts back from a tree.
 *
 * List-like interior nodes (AppAddr/<X>, Port/<X>, AppAuth/<X>) are named 1, 2, ... when written; when read,
 * any names are accepted and AppAddr/Port take their first child.
 */
import type { AppAuth, DmAccount } from '../model/account.js';
import { TREE } from '../profile.js';
import { parseAcl, serializeAcl, withServer } from './acl.js';
import { joinUri, splitUri, type DmTree, type SetNodeSpec } from './tree.js';

/** AppID value marking a DM account (w7 = the OMA DM application id of Client Provisioning). */
export const DMACC_APP_ID = 'w7';

/** A node name for an account `<X>`, from its ServerID (node names may not hold '/'). */
export function accountNodeName(serverId: string): string {
  return serverId.replace(/[^A-Za-z0-9._-]/g, '_');
}

export interface AccountNode {
  path: string;
  format: 'node' | 'chr' | 'bin';
  value?: string;
}

const ADDR_TYPES: ReadonlyArray<DmAccount['addrType']> = ['URI', 'IPv4', 'IPv6'];
const AUTH_LEVELS: ReadonlyArray<AppAuth['level']> = ['CLCRED', 'SRVCRED', 'OBEX', 'HTTP'];

/** The nodes of `account` at `base` (e.g. './DMAcc/dms2'), parents before children. */
export function accountNodes(base: string, account: DmAccount): AccountNode[] {
  splitUri(base); // throws on a malformed base
  const out: AccountNode[] = [];
  const node = (rel: string): void => void out.push({ path: `${base}/${rel}`, format: 'node' });
  const leaf = (rel: string, value: string | undefined, format: 'chr' | 'bin' = 'chr'): void => {
    if (value !== undefined) out.push({ path: `${base}/${rel}`, format, value });
  };
  out.push({ path: base, format: 'node' });
  leaf('AppID', DMACC_APP_ID);
  leaf('ServerID', account.serverId);
  leaf('Name', account.name);
  node('AppAddr');
  node('AppAddr/1');
  leaf('AppAddr/1/Addr', account.addr);
  leaf('AppAddr/1/AddrType', account.addrType);
  if (account.portNbr !== undefined) {
    node('AppAddr/1/Port');
    node('AppAddr/1/Port/1');
    leaf('AppAddr/1/Port/1/PortNbr', account.portNbr);
  }
  leaf('AAuthPref', account.aauthPref);
  if (account.appAuth.length > 0) node('AppAuth');
  account.appAuth.forEach((auth, i) => {
    const at = `AppAuth/${i + 1}`;
    node(at);
    leaf(`${at}/AAuthLevel`, auth.level);
    leaf(`${at}/AAuthType`, auth.type);
    leaf(`${at}/AAuthName`, auth.name);
    leaf(`${at}/AAuthSecret`, auth.secret);
    leaf(`${at}/AAuthData`, auth.data, 'bin');
  });
  return out;
}

/**
 * Writes an account device-side, as a bootstrap would. An existing subtree at `base` is replaced (a
 * re-bootstrap updates the account). The w7 rule is a MUST (spec-digest §4.2): `<X>` always grants Get,
 * Replace and Delete to the account's ServerID, on top of any `acl` given; its descendants inherit.
 */
export function writeAccountLocal(tree: DmTree, base: string, account: DmAccount, acl = ''): void {
  const nodes = accountNodes(base, account);
  const ownAcl = serializeAcl(withServer(parseAcl(acl), ['Get', 'Replace', 'Delete'], account.serverId));
  if (tree.has(base)) tree.removeLocal(base);
  for (const n of nodes) {
    const spec: SetNodeSpec = { format: n.format };
    if (n.value !== undefined) spec.value = n.value;
    if (n.path === base) spec.acl = ownAcl;
    tree.setNode(n.path, spec);
  }
}

/** Accounts under `root`: its children whose AppID is w7 and which name a ServerID and an Addr. */
export function readAccounts(tree: DmTree, root: string = TREE.dmAccRoot): Array<{ path: string; account: DmAccount }> {
  const out: Array<{ path: string; account: DmAccount }> = [];
  for (const name of tree.children(root)) {
    const path = joinUri([...splitUri(root), name]);
    const account = readAccount(tree, path);
    if (account !== undefined) out.push({ path, account });
  }
  return out;
}

export function findAccountByServerId(
  tree: DmTree,
  serverId: string,
  root: string = TREE.dmAccRoot,
): { path: string; account: DmAccount } | undefined {
  return readAccounts(tree, root).find((a) => a.account.serverId === serverId);
}

function readAccount(tree: DmTree, base: string): DmAccount | undefined {
  const val = (rel: string): string | undefined => tree.value(`${base}/${rel}`);
  if (val('AppID') !== DMACC_APP_ID) return undefined;
  const serverId = val('ServerID');
  const addrNode = tree.children(`${base}/AppAddr`)[0];
  if (serverId === undefined || addrNode === undefined) return undefined;
  const at = `AppAddr/${addrNode}`;
  const addr = val(`${at}/Addr`);
  // AddrType defaults to URI (StdObj); an unknown value makes the account unusable.
  const addrType = (val(`${at}/AddrType`) ?? 'URI') as DmAccount['addrType'];
  if (addr === undefined || !ADDR_TYPES.includes(addrType)) return undefined;

  const account: DmAccount = { serverId, addr, addrType, appAuth: [] };
  const name = val('Name');
  if (name !== undefined) account.name = name;
  const portNode = tree.children(`${base}/${at}/Port`)[0];
  const portNbr = portNode === undefined ? undefined : val(`${at}/Port/${portNode}/PortNbr`);
  if (portNbr !== undefined) account.portNbr = portNbr;
  const aauthPref = val('AAuthPref');
  if (aauthPref !== undefined) account.aauthPref = aauthPref;
  for (const n of tree.children(`${base}/AppAuth`)) {
    const a = (leaf: string): string | undefined => val(`AppAuth/${n}/${leaf}`);
    const level = a('AAuthLevel') as AppAuth['level'] | undefined;
    const type = a('AAuthType');
    // An entry without a known level or a type cannot be used to authenticate, so it is not reported.
    if (level === undefined || !AUTH_LEVELS.includes(level) || type === undefined) continue;
    const auth: AppAuth = { level, type };
    const aname = a('AAuthName');
    if (aname !== undefined) auth.name = aname;
    const secret = a('AAuthSecret');
    if (secret !== undefined) auth.secret = secret;
    const data = a('AAuthData');
    if (data !== undefined) auth.data = data;
    account.appAuth.push(auth);
  }
  return account;
}

/**
 * Stores a nonce (base64, as AAuthData is `bin`) in the account's AppAuth entry of `level`: what a client
 * keeps between sessions when a peer hands it a NextNonce (DM 1.2.1 Security, per-session nonces).
 */
export function storeNonce(tree: DmTree, base: string, level: AppAuth['level'], nonce: string): void {
  const n = tree.children(`${base}/AppAuth`).find((x) => tree.value(`${base}/AppAuth/${x}/AAuthLevel`) === level);
  if (n !== undefined) tree.setNode(`${base}/AppAuth/${n}/AAuthData`, { format: 'bin', value: nonce });
}
