/**
 * Reads a DM Client's tree over the protocol, for a client the harness cannot look into: a session script
 * that Gets every node of some subtrees and its `?prop=ACL`, and turns the answers into a TreeSnapshot.
 *
 * The walk is breadth-first, one package per level, so a subtree of depth d costs d round trips. An interior
 * node's Results data is its child-name list `a/b/c` (TND: Meta Format `node`); a leaf's is its value.
 * ACLs are read for every walked node and for every ancestor of each root up to `.`, because an inherited
 * ACL cannot be judged without them.
 */
import type { Item } from '../syncml/model.js';
import { isValidUri, joinUri, splitUri, type TreeSnapshot } from '../tree/tree.js';
import { aclUri, get, statusOf, type BatchReply } from './commands.js';
import type { SessionScript } from './server-session.js';

type SnapshotNode = TreeSnapshot['nodes'][number];

/** One path the reader could not read, with the DM status it got (or one of the UNREAD markers). */
export interface Unread {
  path: string;
  status: string;
}

/**
 * What a reader saw. `snapshot` starts with `.`, lists parents before children, and holds only nodes known
 * to exist: walked nodes, and the ancestors of the roots as interior nodes (`format: 'node'`) with their ACL
 * when it could be read. A path in `unread` that is also in the snapshot is there with an unknown ACL ('').
 */
export interface TreeRead {
  snapshot: TreeSnapshot;
  /** Paths the client answered 404 for (an absent root, or an ancestor of one). */
  absent: string[];
  /** Paths not read: one entry per path, the first failure met. Mirrored in snapshot.unread. */
  unread: Unread[];
  /** Who read: the server identifier of the session, or several joined with '+' after a merge. */
  reader: string;
}

/** Unread statuses that are not DM status codes: the client said nothing a DM code could carry. */
export const UNREAD = {
  /** The walk stopped at maxNodes or maxPackages before reaching the path. */
  LIMIT: 'limit',
  /** The client answered neither a non-200 Status nor Results. */
  NO_RESULTS: 'no-results',
  /** A child name the client listed cannot be addressed as a URI segment. */
  BAD_NAME: 'bad-name',
} as const;

export interface TreeReadOptions {
  /** Most nodes to Get (ancestor ACLs not counted). Default 500. */
  maxNodes?: number;
  /** Most packages of the session. Default 50 (a wide level goes over several for a small MaxMsgSize). */
  maxPackages?: number;
  /** Who reads, for TreeRead.reader: a script is not told its server's identifier. */
  reader?: string;
}

const ROOT = '.';

interface Ask {
  path: string;
  what: 'node' | 'acl';
}

/**
 * A session script reading `roots` (each a `.`-rooted URI, checked at once) and handing the result to
 * `sink` when the walk ends. A session that fails before the end hands nothing.
 */
export function treeReadScript(roots: string[], sink: (r: TreeRead) => void, o: TreeReadOptions = {}): SessionScript {
  const maxNodes = o.maxNodes ?? 500;
  const maxPackages = o.maxPackages ?? 50;
  const rootPaths = unique(roots.map((r) => joinUri(splitUri(r))));
  const rootSet = new Set(rootPaths);
  const ancestors = unique(rootPaths.flatMap(ancestorsOf)).filter((p) => !rootSet.has(p));

  return async function* (start) {
    const r = new ReadState(ancestors);
    const seen = new Set(rootPaths);
    let frontier = rootPaths;
    let extra: Ask[] = ancestors.map((path) => ({ path, what: 'acl' }));
    let packages = 0;
    let walked = 0;
    while (frontier.length > 0 || extra.length > 0) {
      if (packages >= maxPackages) {
        r.limit([...extra.map((a) => a.path), ...frontier]);
        break;
      }
      const now = frontier.slice(0, Math.max(0, maxNodes - walked));
      r.limit(frontier.slice(now.length));
      if (now.length === 0 && extra.length === 0) break;
      const asks: Ask[] = [...extra, ...now.flatMap((path): Ask[] => [{ path, what: 'node' }, { path, what: 'acl' }])];
      extra = [];
      walked += now.length;
      const next: string[] = [];
      // A wide level goes over several packages, each small enough for one message of the client's.
      const batches = fitToMessage(asks, start.maxMsgSize);
      for (const [b, batch] of batches.entries()) {
        if (b > 0 && packages >= maxPackages) {
          r.limit(batches.slice(b).flat().map((a) => a.path));
          break;
        }
        packages++;
        const reply: BatchReply = yield batch.map((a) => get(a.what === 'acl' ? aclUri(a.path) : a.path));
        batch.forEach((a, i) => {
          for (const child of r.take(a, reply, i)) {
            if (seen.has(child)) continue;
            seen.add(child);
            next.push(child);
          }
        });
      }
      frontier = next;
    }
    sink(r.result(o.reader ?? `session ${start.sessionId} of ${start.devId}`));
  };
}

/** Bytes a message's SyncHdr and statuses take, and each Get, in XML (the larger encoding): an estimate. */
const MESSAGE_OVERHEAD = 700;
const GET_OVERHEAD = 110;

/** `asks` cut into batches whose Gets fit one message of `maxMsgSize` bytes (all in one without a limit). */
function fitToMessage(asks: Ask[], maxMsgSize?: number): Ask[][] {
  if (!maxMsgSize) return [asks];
  const room = Math.max(maxMsgSize - MESSAGE_OVERHEAD, GET_OVERHEAD);
  const out: Ask[][] = [[]];
  let used = 0;
  for (const a of asks) {
    const size = GET_OVERHEAD + a.path.length + (a.what === 'acl' ? 9 : 0);
    if (out.at(-1)!.length && used + size > room) {
      out.push([]);
      used = 0;
    }
    out.at(-1)!.push(a);
    used += size;
  }
  return out;
}

/** What the answers said so far. */
class ReadState {
  private readonly nodes = new Map<string, Omit<SnapshotNode, 'acl'>>();
  private readonly acls = new Map<string, string>();
  private readonly unread = new Map<string, string>();
  private readonly absent = new Set<string>();

  constructor(private readonly ancestors: readonly string[]) {}

  limit(paths: readonly string[]): void {
    for (const p of paths) this.fail(p, UNREAD.LIMIT);
  }

  /** Records the answer to ask `i`; returns the child paths to walk next. */
  take(a: Ask, reply: BatchReply, i: number): string[] {
    const uri = a.what === 'acl' ? aclUri(a.path) : a.path;
    const results = reply.outcomes[i]?.results;
    // A missing Status with Results present is taken as read: judging the Status is the wire checks' job.
    const status = statusOf(reply, i) ?? (results ? '200' : UNREAD.NO_RESULTS);
    if (status === '404') {
      this.absent.add(a.path);
      return [];
    }
    const item: Item | undefined = results?.items.find((it) => it.source === uri) ?? results?.items[0];
    if (status !== '200' || item === undefined) {
      this.fail(a.path, status === '200' ? UNREAD.NO_RESULTS : status);
      return [];
    }
    const data = item.data ?? '';
    if (a.what === 'acl') {
      this.acls.set(a.path, data);
      return [];
    }
    const format = item.meta?.format ?? results?.meta?.format ?? 'chr';
    const type = item.meta?.type ?? results?.meta?.type;
    const node: Omit<SnapshotNode, 'acl'> = { path: a.path, format };
    if (type) node.type = type;
    if (format !== 'node') {
      node.value = data;
      this.nodes.set(a.path, node);
      return [];
    }
    this.nodes.set(a.path, node);
    const children: string[] = [];
    for (const name of data.split('/').filter((n) => n !== '')) {
      const child = a.path === ROOT ? `./${name}` : `${a.path}/${name}`;
      if (isValidUri(child)) children.push(child);
      else this.fail(child, UNREAD.BAD_NAME);
    }
    return children;
  }

  result(reader: string): TreeRead {
    const out = new Map<string, SnapshotNode>();
    const placeholder = (path: string) => {
      if (!out.has(path)) out.set(path, { path, format: 'node', acl: this.acls.get(path) ?? '' });
    };
    placeholder(ROOT);
    for (const p of this.ancestors) if (!this.absent.has(p) && !ancestorsOf(p).some((x) => this.absent.has(x))) placeholder(p);
    for (const [path, n] of this.nodes) {
      for (const p of ancestorsOf(path)) placeholder(p);
      // A walked node replaces the placeholder an ancestor ask may have put there.
      out.set(path, { ...n, acl: this.acls.get(path) ?? '' });
    }
    const nodes = [...out.values()].sort((x, y) => depth(x.path) - depth(y.path));
    const unread = [...this.unread].map(([path, status]) => ({ path, status }));
    const absent = [...this.absent].filter((p) => !out.has(p));
    return { snapshot: { nodes, unread: unread.map((u) => ({ ...u })) }, absent, unread, reader };
  }

  private fail(path: string, status: string): void {
    if (!this.unread.has(path)) this.unread.set(path, status);
  }
}

/**
 * Union of two reads of the same device (e.g. by DMS-1 and by DMS-2). A node read by either is in the
 * union; an unread or absent path the other read is neither. When both read a node, `a`'s entry is kept,
 * conflicting values included and without a note (the reads are evidence of one moment each; the caller
 * orders them), except that an entry `a` could not read (listed in its unread) gives way to `b`'s.
 * "Read" means in the snapshot and not unread, so a root's ancestor whose ACL was read counts as read,
 * though its children were not listed.
 */
export function mergeTreeReads(a: TreeRead, b: TreeRead): TreeRead {
  const aUnread = new Map(a.unread.map((u) => [u.path, u.status]));
  const bUnread = new Map(b.unread.map((u) => [u.path, u.status]));
  const aPaths = new Set(a.snapshot.nodes.map((n) => n.path));
  const bPaths = new Set(b.snapshot.nodes.map((n) => n.path));
  // a's order, then b's extra nodes in b's order: parents still come before children.
  const nodes = new Map(a.snapshot.nodes.map((n) => [n.path, { ...n }]));
  for (const n of b.snapshot.nodes) {
    if (!nodes.has(n.path) || (aUnread.has(n.path) && !bUnread.has(n.path))) nodes.set(n.path, { ...n });
  }
  const readBy = (paths: Set<string>, unread: Map<string, string>, path: string) => paths.has(path) && !unread.has(path);
  const unread: Unread[] = [];
  const listed = new Set<string>();
  for (const [path, status] of aUnread) {
    if (readBy(bPaths, bUnread, path)) continue;
    unread.push({ path, status });
    listed.add(path);
  }
  for (const [path, status] of bUnread) {
    if (!listed.has(path) && !readBy(aPaths, aUnread, path)) unread.push({ path, status });
  }
  const absent = unique([...a.absent, ...b.absent]).filter((p) => !nodes.has(p));
  return {
    snapshot: { nodes: [...nodes.values()], unread: unread.map((u) => ({ ...u })) },
    absent,
    unread,
    reader: unique([...a.reader.split('+'), ...b.reader.split('+')]).join('+'),
  };
}

/** `.`, `./A`, ... up to the parent of `path`; [] for `.`. */
function ancestorsOf(path: string): string[] {
  const segs = splitUri(path);
  return segs.map((_, i) => joinUri(segs.slice(0, i)));
}

function depth(path: string): number {
  return splitUri(path).length;
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}
