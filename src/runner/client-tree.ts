import type { DriverSpec } from '../config/config.js';
import { mergeTreeReads, treeReadScript, type TreeRead } from '../dm/tree-reader.js';
import type { ServerRole } from '../../mocks/common/server-role.js';
import { DmTree, type TreeSnapshot } from '../tree/tree.js';
import { DriverError, type UpperTester } from './upper-tester.js';

/** A tree nobody could read: only the root, and everything marked unread. */
export const UNREAD_TREE: TreeSnapshot = { nodes: [{ path: '.', format: 'node', acl: '' }], unread: [{ path: '.', status: 'not read' }] };

export interface ReadTree {
  snapshot: TreeSnapshot;
  unread: Array<{ path: string; status: string }>;
}

/** Reads a real client's tree over the protocol: one session per mock server that holds an account. */
export async function readOverProtocol(readers: ServerRole[], devId: string, roots: string[], note: (s: string) => void): Promise<ReadTree> {
  let merged: TreeRead | undefined;
  for (const server of readers) {
    let read: TreeRead | undefined;
    try {
      await server.trigger(devId, treeReadScript(roots, (r) => (read = r)));
    } catch (err) {
      note(`tree read by ${server.o.serverId} failed: ${(err as Error).message}`);
    }
    if (read) merged = merged ? mergeTreeReads(merged, read) : read;
  }
  if (!merged) return { snapshot: UNREAD_TREE, unread: UNREAD_TREE.unread! };
  return { snapshot: merged.snapshot, unread: merged.unread };
}

/** Reads a real client's tree through its readTree driver: a TreeSnapshot as JSON. */
export async function readByDriver(upper: UpperTester, spec: DriverSpec): Promise<ReadTree> {
  const text = await upper.run('client.readTree', spec);
  let snapshot: TreeSnapshot;
  try {
    snapshot = JSON.parse(text) as TreeSnapshot;
    if (!Array.isArray(snapshot?.nodes)) throw new Error('no "nodes" array');
    DmTree.fromJSON(snapshot);
  } catch (err) {
    throw new DriverError(`driver client.readTree returned no tree snapshot: ${(err as Error).message}`);
  }
  return { snapshot, unread: snapshot.unread ?? [] };
}
