/**
 * An in-memory OMA DM management tree (TND 1.2.1 §8) with node properties and ACL enforcement, used by the
 * mock DM Client and as the reference the conformance checks compare a real client against.
 *
 * Two faces:
 * - the local API (setNode, removeLocal, ...) is the device acting on its own tree: fixtures, bootstrap
 *   processing, ACL scrubbing. It checks structure but never ACLs;
 * - the protocol API (add, replace, delete, get, getProperty, replaceProperty) is a DM command from an
 *   authenticated Server Identifier. It returns the DM status code the client would send and enforces the ACL
 *   rules of spec-digest §3 and the command rules of §2.2. Every change it makes is appended to `changes`.
 *
 * Checks run in a fixed order: URI syntax (400), existence (404/418), structure (405, e.g. root delete, child
 * of a leaf), then rights (425); so a structural refusal is reported as 405 even to a server without rights.
 */
import {
  type Acl,
  type AclCommand,
  aclGrants,
  parseAcl,
  parseAclLeniently,
  serializeAcl,
  serverIdProblem,
  withoutServer,
  withServer,
  ANY_SERVER,
} from './acl.js';

/** Node formats of TND 1.2.1 §8.3.4 (plus the DM 1.2 additions date, time, float). */
export const NODE_FORMATS = ['b64', 'bin', 'bool', 'chr', 'int', 'node', 'null', 'xml', 'date', 'time', 'float'] as const;
export type NodeFormat = (typeof NODE_FORMATS)[number];

export type TreeStatus = '200' | '400' | '404' | '405' | '406' | '415' | '418' | '425';

/**
 * Who may Replace a node's ACL. TND says an interior node's ACL is governed by Replace on the node, a leaf's
 * is not governed by the leaf, and "for both ... the right to change the ACL is also controlled by the ACL of
 * the parent". spec-digest §6 item 6: "also" reads either as "alternatively sufficient" or as libdmclient
 * implements it, so both readings are selectable:
 * - 'node-or-parent': interior node: Replace on the node OR on its parent; leaf: Replace on the parent;
 * - 'libdmclient': interior node: Replace on the node only; leaf: Replace on the parent only.
 * The root has no parent, so its ACL always needs Replace on the root.
 */
export type AclChangeRule = 'node-or-parent' | 'libdmclient';

export interface DmTreeOptions {
  aclChangeRule?: AclChangeRule;
  /** ACL of a new tree's root; TND's recommended default is `Add=*&Get=*`. */
  rootAcl?: string;
  /**
   * Refuse (405) a root ACL whose Add is not `*` (TND: root Add SHOULD stay `*`, a change MAY fail with 405).
   * Default true.
   */
  protectRootAdd?: boolean;
}

/** One mutation, kept as evidence. For a device-side server-id scrub, `serverId` is the id removed. */
export interface TreeChange {
  serverId: string;
  op: 'Add' | 'Replace' | 'Delete' | 'ScrubServerId';
  path: string;
  prop?: string;
  before?: string;
  after?: string;
}

export interface TreeSnapshot {
  nodes: Array<{ path: string; format: string; type?: string; value?: string; acl: string; title?: string }>;
  /** Paths a reader over the protocol could not read, with the DM status it got (never set by toJSON). */
  unread?: Array<{ path: string; status: string }>;
}

/** Read-only view of a node. `acl` is the node's own value ('' = inherited). */
export interface NodeView {
  path: string;
  name: string;
  format: string;
  type?: string;
  value?: string;
  acl: string;
  title?: string;
  verNo: number;
  interior: boolean;
}

export interface SetNodeSpec {
  format?: string;
  type?: string;
  value?: string;
  acl?: string;
  title?: string;
}

export interface GetResult {
  status: TreeStatus;
  /** Leaf value, or the child-name list `a/b/c` of an interior node. */
  value?: string;
  format?: string;
  type?: string;
  children?: string[];
}

/** A local-API call the tree cannot honour; `status` is the DM code the same request would get. */
export class TreeError extends Error {
  constructor(
    readonly status: TreeStatus,
    message: string,
  ) {
    super(message);
    this.name = 'TreeError';
  }
}

const ROOT = '.';
const DEFAULT_ROOT_ACL = 'Add=*&Get=*';
/** VerNo is a 16-bit counter (TND §8.3.9). */
const VERNO_MOD = 0x10000;

interface Rec {
  name: string;
  format: string;
  type?: string;
  value?: string;
  acl: string;
  title?: string;
  verNo: number;
  /** Insertion order; this is the order of Get child lists and of snapshots. */
  children: Map<string, Rec>;
}

/** Why `segment` cannot be a node name, or undefined. */
function segmentProblem(segment: string): string | undefined {
  if (segment === '') return 'empty segment';
  if (segment === '.' || segment === '..') return `segment '${segment}' not allowed`;
  if (segment.includes('/')) return "'/' not allowed in a node name";
  if (segment.includes('?')) return "'?' not allowed in a node name";
  if (/\p{Cc}/u.test(segment)) return 'control character in a node name';
  return undefined;
}

const PLAIN_PATH = /^[^?\p{Cc}]*$/u;

/** The segments of a `.`-rooted URI (`.` → []); throws TreeError('400') when malformed. */
export function splitUri(uri: string): string[] {
  if (uri === ROOT) return [];
  if (!uri.startsWith('./')) throw new TreeError('400', `URI ${JSON.stringify(uri)} is not rooted at '.'`);
  const rest = uri.slice(2);
  const segments = rest.split('/');
  // Most URIs are plain: one test of the whole, then only the cheap checks per segment; the full check
  // below names what is wrong.
  if (PLAIN_PATH.test(rest) && segments.every((s) => s !== '' && s !== '.' && s !== '..')) return segments;
  for (const s of segments) {
    const problem = segmentProblem(s);
    if (problem !== undefined) throw new TreeError('400', `URI ${JSON.stringify(uri)}: ${problem}`);
  }
  return segments;
}

export function joinUri(segments: readonly string[]): string {
  return [ROOT, ...segments].join('/');
}

export function isValidUri(uri: string): boolean {
  return tryParseUri(uri) !== undefined;
}

function isFormat(f: string): f is NodeFormat {
  return (NODE_FORMATS as readonly string[]).includes(f);
}

function creatorAcl(serverId: string): string {
  return serializeAcl({ Add: [serverId], Delete: [serverId], Replace: [serverId] });
}

function tryParseUri(uri: string): string[] | undefined {
  try {
    return splitUri(uri);
  } catch {
    return undefined;
  }
}

function assertServerId(serverId: string): void {
  const problem = serverId === ANY_SERVER ? "'*' is not a server identifier" : serverIdProblem(serverId);
  if (problem !== undefined) throw new TypeError(`invalid authenticated server id: ${problem}`);
}

function assertAcl(acl: string): void {
  parseAcl(acl); // throws AclSyntaxError naming the entry
}

function copyRec(r: Rec): Rec {
  const out: Rec = { ...r, children: new Map() };
  for (const [k, c] of r.children) out.children.set(k, copyRec(c));
  return out;
}

export class DmTree {
  readonly changes: TreeChange[] = [];
  readonly aclChangeRule: AclChangeRule;
  readonly protectRootAdd: boolean;
  private root: Rec;

  constructor(options: DmTreeOptions = {}) {
    this.aclChangeRule = options.aclChangeRule ?? 'node-or-parent';
    this.protectRootAdd = options.protectRootAdd ?? true;
    const rootAcl = options.rootAcl ?? DEFAULT_ROOT_ACL;
    assertAcl(rootAcl);
    this.root = { name: ROOT, format: 'node', acl: rootAcl, verNo: 0, children: new Map() };
  }

  get options(): Required<Omit<DmTreeOptions, 'rootAcl'>> {
    return { aclChangeRule: this.aclChangeRule, protectRootAdd: this.protectRootAdd };
  }

  // ---- local (device-side) API: no ACL checks ----

  /**
   * Creates or updates a node, creating missing ancestors as interior nodes with an empty ACL. A new node
   * without `format` is a `chr` leaf when given a value, an interior node otherwise.
   */
  setNode(path: string, spec: SetNodeSpec = {}): void {
    const segs = splitUri(path);
    if (spec.acl !== undefined) assertAcl(spec.acl);
    if (spec.format !== undefined && !isFormat(spec.format)) {
      throw new TreeError('415', `${path}: unknown format ${JSON.stringify(spec.format)}`);
    }
    // Validate everything before creating anything, so a refused call leaves the tree untouched.
    const chain = this.chain(segs);
    const existing = chain.length === segs.length + 1 ? chain[chain.length - 1] : undefined;
    const anchor = existing === undefined ? chain[chain.length - 1]! : chain[chain.length - 2];
    if (anchor !== undefined && anchor.format !== 'node') {
      throw new TreeError('405', `${joinUri(segs.slice(0, chain.length - (existing ? 2 : 1)))} is a leaf`);
    }
    const format = spec.format ?? existing?.format ?? (spec.value === undefined ? 'node' : 'chr');
    if (format === 'node' && spec.value !== undefined) throw new TreeError('405', `${path}: an interior node has no value`);
    if (format !== 'node' && segs.length === 0) throw new TreeError('405', 'the root is an interior node');
    if (format !== 'node' && (existing?.children.size ?? 0) > 0) {
      throw new TreeError('405', `${path} has children, it cannot become a leaf`);
    }

    let rec = chain[chain.length - 1]!;
    for (let i = chain.length - 1; i < segs.length; i++) {
      const next: Rec = { name: segs[i]!, format: 'node', acl: '', verNo: 0, children: new Map() };
      rec.children.set(next.name, next);
      rec = next;
    }
    if (format === 'node') delete rec.value;
    rec.format = format;
    if (spec.type !== undefined) rec.type = spec.type;
    if (spec.value !== undefined) rec.value = spec.value;
    if (spec.acl !== undefined) rec.acl = spec.acl;
    if (spec.title !== undefined) rec.title = spec.title;
  }

  node(path: string): NodeView | undefined {
    const segs = splitUri(path);
    const rec = this.lookup(segs);
    return rec === undefined ? undefined : this.view(segs, rec);
  }

  has(path: string): boolean {
    return this.lookup(splitUri(path)) !== undefined;
  }

  /** Child names in order; [] for a leaf or a missing node. */
  children(path: string): string[] {
    return [...(this.lookup(splitUri(path))?.children.keys() ?? [])];
  }

  value(path: string): string | undefined {
    return this.lookup(splitUri(path))?.value;
  }

  /** The node's own ACL value ('' when it inherits or the node is missing). */
  acl(path: string): string {
    return this.lookup(splitUri(path))?.acl ?? '';
  }

  /** Removes a node and its subtree; false when missing. The root cannot be removed. */
  removeLocal(path: string): boolean {
    const segs = splitUri(path);
    if (segs.length === 0) throw new TreeError('405', 'the root cannot be removed');
    const parent = this.lookup(segs.slice(0, -1));
    return parent?.children.delete(segs[segs.length - 1]!) ?? false;
  }

  /**
   * The ACL in force at `path`: the nearest node, itself included, with an ACL value. Inheritance is
   * all-or-nothing: a node with any ACL value inherits nothing. For a missing path the walk starts at its
   * nearest existing ancestor (what an Add there is checked against).
   */
  effectiveAcl(path: string): { acl: string; from: string } {
    const segs = splitUri(path);
    return this.effectiveOf(this.chain(segs), segs);
  }

  /**
   * TND §8.3.7.1.4, deletion of a Server Identifier: every reference to `serverId` is removed from every ACL;
   * a command left without ids is dropped, an ACL left empty becomes inherited, and a root command left
   * without ids becomes `*`. Returns the paths whose ACL changed.
   */
  deleteServerId(serverId: string): string[] {
    assertServerId(serverId);
    const changed: string[] = [];
    this.walk((segs, rec) => {
      if (rec.acl === '') return;
      const before = parseAcl(rec.acl);
      let after = withoutServer(before, serverId);
      if (segs.length === 0) {
        // Rebuild in the original command order, emptied root commands turned into '*'.
        const rebuilt: typeof after = {};
        for (const cmd of Object.keys(before) as AclCommand[]) rebuilt[cmd] = after[cmd] ?? [ANY_SERVER];
        after = rebuilt;
      }
      const next = serializeAcl(after);
      if (next === rec.acl) return;
      const path = joinUri(segs);
      this.changes.push({ serverId, op: 'ScrubServerId', path, prop: 'ACL', before: rec.acl, after: next });
      rec.acl = next;
      this.bump(rec);
      changed.push(path);
    });
    return changed;
  }

  // ---- protocol API: a command from an authenticated server ----

  /**
   * Add (spec-digest §2.2, §3.2). Needs Add on the parent's effective ACL. Missing interior ancestors are
   * created implicitly with an empty ACL, except that an interior node created by a server lacking Replace
   * on its parent gets `Add=<id>&Delete=<id>&Replace=<id>` (the creator rule).
   */
  add(serverId: string, path: string, opts: { format?: string; type?: string; value?: string } = {}): TreeStatus {
    assertServerId(serverId);
    const segs = tryParseUri(path);
    if (segs === undefined) return '400';
    const format = opts.format ?? (opts.value === undefined ? 'node' : 'chr');
    if (!isFormat(format)) return '415';
    if (format === 'node' && opts.value !== undefined) return '400';
    const chain = this.chain(segs);
    if (chain.length === segs.length + 1) return '418';
    const anchor = chain[chain.length - 1]!;
    if (anchor.format !== 'node') return '405';
    if (!this.grants(this.effectiveOf(chain, segs).acl, 'Add', serverId)) return '425';

    const lineage = [...chain];
    for (let i = chain.length - 1; i < segs.length; i++) {
      const last = i === segs.length - 1;
      const rec: Rec = { name: segs[i]!, format: last ? format : 'node', acl: '', verNo: 0, children: new Map() };
      if (last && opts.type !== undefined) rec.type = opts.type;
      if (last && opts.value !== undefined) rec.value = opts.value;
      const parentAcl = this.effectiveOf(lineage, segs).acl;
      if (rec.format === 'node' && !this.grants(parentAcl, 'Replace', serverId)) rec.acl = creatorAcl(serverId);
      lineage[lineage.length - 1]!.children.set(rec.name, rec);
      lineage.push(rec);
      const nodePath = joinUri(segs.slice(0, i + 1));
      const change: TreeChange = { serverId, op: 'Add', path: nodePath };
      if (rec.value !== undefined) change.after = rec.value;
      this.changes.push(change);
      if (rec.acl !== '') this.changes.push({ serverId, op: 'Add', path: nodePath, prop: 'ACL', before: '', after: rec.acl });
    }
    return '200';
  }

  /** Replace of a leaf value; never creates (404). Needs Replace on the node. */
  replace(serverId: string, path: string, value: string, meta: { format?: string; type?: string } = {}): TreeStatus {
    assertServerId(serverId);
    const segs = tryParseUri(path);
    if (segs === undefined) return '400';
    const chain = this.chain(segs);
    if (chain.length !== segs.length + 1) return '404';
    const rec = chain[chain.length - 1]!;
    if (rec.format === 'node' || meta.format === 'node') return '405';
    if (meta.format !== undefined && !isFormat(meta.format)) return '415';
    if (!this.grants(this.effectiveOf(chain, segs).acl, 'Replace', serverId)) return '425';
    const change: TreeChange = { serverId, op: 'Replace', path: joinUri(segs), after: value };
    if (rec.value !== undefined) change.before = rec.value;
    this.changes.push(change);
    rec.value = value;
    if (meta.format !== undefined) rec.format = meta.format;
    if (meta.type !== undefined) rec.type = meta.type;
    this.bump(rec);
    return '200';
  }

  /** Delete of a node and its subtree. Needs Delete on the node; the root gives 405. */
  delete(serverId: string, path: string): TreeStatus {
    assertServerId(serverId);
    const segs = tryParseUri(path);
    if (segs === undefined) return '400';
    const chain = this.chain(segs);
    if (chain.length !== segs.length + 1) return '404';
    if (segs.length === 0) return '405';
    if (!this.grants(this.effectiveOf(chain, segs).acl, 'Delete', serverId)) return '425';
    const rec = chain[chain.length - 1]!;
    const change: TreeChange = { serverId, op: 'Delete', path: joinUri(segs) };
    if (rec.value !== undefined) change.before = rec.value;
    this.changes.push(change);
    chain[chain.length - 2]!.children.delete(rec.name);
    return '200';
  }

  /** Get of a node. Needs Get on the node; an interior node yields its child-name list. */
  get(serverId: string, path: string): GetResult {
    assertServerId(serverId);
    const segs = tryParseUri(path);
    if (segs === undefined) return { status: '400' };
    const chain = this.chain(segs);
    if (chain.length !== segs.length + 1) return { status: '404' };
    if (!this.grants(this.effectiveOf(chain, segs).acl, 'Get', serverId)) return { status: '425' };
    const rec = chain[chain.length - 1]!;
    const out: GetResult = { status: '200', format: rec.format };
    if (rec.type !== undefined) out.type = rec.type;
    if (rec.format === 'node') {
      out.children = [...rec.children.keys()];
      out.value = out.children.join('/');
    } else if (rec.value !== undefined) {
      out.value = rec.value;
    }
    return out;
  }

  /**
   * Get `<uri>?prop=<name>`. Needs Get on the node. ACL gives the node's own value, '' when it inherits
   * (TND: the client SHOULD NOT return the inherited value). TStamp is not kept (406).
   */
  getProperty(serverId: string, path: string, name: string): { status: TreeStatus; value?: string } {
    assertServerId(serverId);
    const segs = tryParseUri(path);
    if (segs === undefined) return { status: '400' };
    const chain = this.chain(segs);
    if (chain.length !== segs.length + 1) return { status: '404' };
    const rec = chain[chain.length - 1]!;
    if (!this.grants(this.effectiveOf(chain, segs).acl, 'Get', serverId)) return { status: '425' };
    switch (name) {
      case 'ACL':
        return { status: '200', value: rec.acl };
      case 'Format':
        return { status: '200', value: rec.format };
      case 'Type':
        return { status: '200', value: rec.type ?? '' };
      case 'Name':
        return { status: '200', value: rec.name };
      case 'Title':
        return { status: '200', value: rec.title ?? '' };
      case 'VerNo':
        return { status: '200', value: String(rec.verNo) };
      case 'Size':
        // Size exists for leaves only.
        if (rec.format === 'node') return { status: '405' };
        return { status: '200', value: String(Buffer.byteLength(rec.value ?? '', 'utf8')) };
      default:
        return { status: '406' };
    }
  }

  /**
   * Replace `<uri>?prop=<name>`. ACL: new value must parse (else 400, old ACL kept), change rights follow
   * `aclChangeRule`; Name renames (Replace on the node, 418 on a sibling clash); Title needs Replace on the
   * node; Format, Type, Size, TStamp, VerNo are read-only (405); unknown properties 406.
   */
  replaceProperty(serverId: string, path: string, name: string, value: string): TreeStatus {
    assertServerId(serverId);
    const segs = tryParseUri(path);
    if (segs === undefined) return '400';
    const chain = this.chain(segs);
    if (chain.length !== segs.length + 1) return '404';
    const rec = chain[chain.length - 1]!;
    const uri = joinUri(segs);
    switch (name) {
      case 'ACL': {
        let acl: Acl;
        try {
          acl = parseAcl(value);
        } catch {
          return '400';
        }
        if (segs.length === 0 && this.protectRootAdd && !acl.Add?.includes(ANY_SERVER)) return '405';
        if (!this.mayChangeAcl(serverId, chain, segs)) return '425';
        this.changes.push({ serverId, op: 'Replace', path: uri, prop: 'ACL', before: rec.acl, after: value });
        rec.acl = value;
        this.bump(rec);
        return '200';
      }
      case 'Title': {
        if (!this.grants(this.effectiveOf(chain, segs).acl, 'Replace', serverId)) return '425';
        const change: TreeChange = { serverId, op: 'Replace', path: uri, prop: 'Title', after: value };
        if (rec.title !== undefined) change.before = rec.title;
        this.changes.push(change);
        rec.title = value;
        this.bump(rec);
        return '200';
      }
      case 'Name': {
        if (segs.length === 0) return '405';
        if (segmentProblem(value) !== undefined) return '400';
        const parent = chain[chain.length - 2]!;
        if (value !== rec.name && parent.children.has(value)) return '418';
        if (!this.grants(this.effectiveOf(chain, segs).acl, 'Replace', serverId)) return '425';
        this.changes.push({ serverId, op: 'Replace', path: uri, prop: 'Name', before: rec.name, after: value });
        // Rebuild the parent's map so the renamed node keeps its place among its siblings.
        const entries = [...parent.children.entries()].map(([k, c]): [string, Rec] => (k === rec.name ? [value, c] : [k, c]));
        parent.children = new Map(entries);
        rec.name = value;
        this.bump(rec);
        return '200';
      }
      case 'Format':
      case 'Type':
      case 'Size':
      case 'TStamp':
      case 'VerNo':
        return '405';
      default:
        return '406';
    }
  }

  // ---- snapshots ----

  /** Every node, parents before children, siblings in insertion order. */
  toJSON(): TreeSnapshot {
    const nodes: TreeSnapshot['nodes'] = [];
    this.walk((segs, rec) => {
      const n: TreeSnapshot['nodes'][number] = { path: joinUri(segs), format: rec.format, acl: rec.acl };
      if (rec.type !== undefined) n.type = rec.type;
      if (rec.value !== undefined) n.value = rec.value;
      if (rec.title !== undefined) n.title = rec.title;
      nodes.push(n);
    });
    return { nodes };
  }

  /** Rebuilds a tree; the snapshot must start with the root and list parents before children. */
  static fromJSON(s: TreeSnapshot, options: Omit<DmTreeOptions, 'rootAcl'> = {}): DmTree {
    const first = s.nodes[0];
    if (first === undefined || first.path !== ROOT) throw new TreeError('400', 'snapshot must start with the root');
    const tree = new DmTree({ ...options, rootAcl: first.acl });
    for (const n of s.nodes) {
      const segs = splitUri(n.path);
      if (segs.length > 0) {
        if (tree.lookup(segs) !== undefined) throw new TreeError('418', `snapshot lists ${n.path} twice`);
        const parent = tree.lookup(segs.slice(0, -1));
        if (parent === undefined) throw new TreeError('404', `snapshot lists ${n.path} before its parent`);
        if (parent.format !== 'node') throw new TreeError('405', `snapshot puts ${n.path} under a leaf`);
      } else if (n !== first) {
        throw new TreeError('418', 'snapshot lists the root twice');
      }
      // A snapshot is evidence: an ACL a broken device stored is kept as it is, so checks can judge it.
      const spec: SetNodeSpec = { format: n.format };
      if (n.type !== undefined) spec.type = n.type;
      if (n.value !== undefined) spec.value = n.value;
      if (n.title !== undefined) spec.title = n.title;
      tree.setNode(n.path, spec);
      tree.forceAcl(n.path, n.acl);
    }
    return tree;
  }

  /** Independent deep copy, including properties, options and the change log. */
  clone(): DmTree {
    const tree = new DmTree({ ...this.options, rootAcl: this.root.acl });
    tree.root = copyRec(this.root);
    tree.changes.push(...this.changes.map((c) => ({ ...c })));
    return tree;
  }

  // ---- internals ----

  /**
   * False only in a deliberately broken client (a mutant): every right is granted. The reference client
   * always enforces ACLs.
   */
  enforceAcls = true;
  /** Read stored ACLs leniently (a client that stores them unchecked: mutants only). */
  lenientAcls = false;

  private grants(acl: string, cmd: AclCommand, serverId: string): boolean {
    return !this.enforceAcls || aclGrants(this.lenientAcls ? parseAclLeniently(acl) : acl, cmd, serverId);
  }

  /** Device-side ACL write without the grammar check: only a broken client (a mutant) does this. */
  forceAcl(path: string, acl: string): void {
    const rec = this.lookup(splitUri(path));
    if (!rec) throw new TreeError('404', `${path} does not exist`);
    rec.acl = acl;
  }

  private lookup(segs: readonly string[]): Rec | undefined {
    let rec: Rec | undefined = this.root;
    for (const s of segs) {
      rec = rec.children.get(s);
      if (rec === undefined) return undefined;
    }
    return rec;
  }

  /** Existing nodes from the root along `segs`; its length is segs.length + 1 when the node exists. */
  private chain(segs: readonly string[]): Rec[] {
    const out: Rec[] = [this.root];
    for (const s of segs) {
      const next = out[out.length - 1]!.children.get(s);
      if (next === undefined) break;
      out.push(next);
    }
    return out;
  }

  private effectiveOf(chain: readonly Rec[], segs: readonly string[]): { acl: string; from: string } {
    for (let i = chain.length - 1; i >= 0; i--) {
      if (chain[i]!.acl !== '') return { acl: chain[i]!.acl, from: joinUri(segs.slice(0, i)) };
    }
    return { acl: '', from: ROOT };
  }

  private mayChangeAcl(serverId: string, chain: readonly Rec[], segs: readonly string[]): boolean {
    const onNode = this.grants(this.effectiveOf(chain, segs).acl, 'Replace', serverId);
    if (chain.length === 1) return onNode;
    const onParent = this.grants(this.effectiveOf(chain.slice(0, -1), segs).acl, 'Replace', serverId);
    const interior = chain[chain.length - 1]!.format === 'node';
    if (!interior) return onParent;
    return this.aclChangeRule === 'node-or-parent' ? onNode || onParent : onNode;
  }

  private bump(rec: Rec): void {
    rec.verNo = (rec.verNo + 1) % VERNO_MOD;
  }

  private view(segs: readonly string[], rec: Rec): NodeView {
    const v: NodeView = {
      path: joinUri(segs),
      name: rec.name,
      format: rec.format,
      acl: rec.acl,
      verNo: rec.verNo,
      interior: rec.format === 'node',
    };
    if (rec.type !== undefined) v.type = rec.type;
    if (rec.value !== undefined) v.value = rec.value;
    if (rec.title !== undefined) v.title = rec.title;
    return v;
  }

  private walk(visit: (segs: string[], rec: Rec) => void): void {
    const go = (segs: string[], rec: Rec): void => {
      visit(segs, rec);
      for (const [name, child] of rec.children) go([...segs, name], child);
    };
    go([], this.root);
  }
}
