/**
 * Bootstrap Config MO (`urn:oma:mo:oma-dm-bootstrapcfg:1.0`). Its node layout was not found (spec-digest §4.4,
 * §7.1 Q5), so the binding profile fixes one: `<TREE.bootConfigRoot>/<entry>/<TREE.bootConfigUrlLeaf>` holds a
 * Bootstrap Server URL, as approach B step 4 ("adding a new entry in the Bootstrap Config MO") needs.
 */
import { TREE } from '../profile.js';
import { joinUri, splitUri, TreeError, type DmTree } from './tree.js';

export interface BootConfigNode {
  path: string;
  format: 'node' | 'chr';
  value?: string;
}

/** The entry node and its URL leaf, parents first (the MO root itself is left to implicit creation). */
export function bootConfigEntryNodes(entryName: string, url: string): BootConfigNode[] {
  const entry = `${TREE.bootConfigRoot}/${entryName}`;
  const segs = splitUri(entry);
  if (segs.length !== splitUri(TREE.bootConfigRoot).length + 1) {
    throw new TreeError('400', `entry name ${JSON.stringify(entryName)} must be a single node name`);
  }
  return [
    { path: joinUri(segs), format: 'node' },
    { path: `${joinUri(segs)}/${TREE.bootConfigUrlLeaf}`, format: 'chr', value: url },
  ];
}

/** Every entry with a URL value; `path` is the entry node (what a server would Delete). */
export function readBootConfigUrls(tree: DmTree): Array<{ path: string; url: string }> {
  const out: Array<{ path: string; url: string }> = [];
  for (const name of tree.children(TREE.bootConfigRoot)) {
    const path = `${TREE.bootConfigRoot}/${name}`;
    const url = tree.value(`${path}/${TREE.bootConfigUrlLeaf}`);
    if (url !== undefined) out.push({ path, url });
  }
  return out;
}
