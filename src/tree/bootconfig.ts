/**
 * Bootstrap Config MO (`urn:oma:mo:oma-dm-bootstrapcfg:1.0`). Its node layout was not found (spec-digest §4.4,
 * §7.1 Q5), so the binding profile fixes one: `<TREE.bootConfigRoot>/<entry>/<TREE.bootConfigUrlLeaf>` holds a
 * Bootstrap Server URL, as approach B step 4 ("adding a new entry in the Bootstrap Config MO") needs. A device
 * whose DDF puts the MO elsewhere is described by a TreeLayout (the configuration's `device.treeLayout`).
 */
import { TREE, type TreeLayout } from '../profile.js';
import { joinUri, splitUri, TreeError, type DmTree } from './tree.js';

export interface BootConfigNode {
  path: string;
  format: 'node' | 'chr';
  value?: string;
}

/** The entry node and its URL leaf, parents first (the MO root itself is left to implicit creation). */
export function bootConfigEntryNodes(entryName: string, url: string, layout: TreeLayout = TREE): BootConfigNode[] {
  const entry = `${layout.bootConfigRoot}/${entryName}`;
  const segs = splitUri(entry);
  if (segs.length !== splitUri(layout.bootConfigRoot).length + 1) {
    throw new TreeError('400', `entry name ${JSON.stringify(entryName)} must be a single node name`);
  }
  return [
    { path: joinUri(segs), format: 'node' },
    { path: `${joinUri(segs)}/${layout.bootConfigUrlLeaf}`, format: 'chr', value: url },
  ];
}

/** Every entry with a URL value; `path` is the entry node (what a server would Delete). */
export function readBootConfigUrls(tree: DmTree, layout: TreeLayout = TREE): Array<{ path: string; url: string }> {
  const out: Array<{ path: string; url: string }> = [];
  for (const name of tree.children(layout.bootConfigRoot)) {
    const path = `${layout.bootConfigRoot}/${name}`;
    const url = tree.value(`${path}/${layout.bootConfigUrlLeaf}`);
    if (url !== undefined) out.push({ path, url });
  }
  return out;
}
