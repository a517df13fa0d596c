import { describe, expect, it } from 'vitest';
import { TREE } from '../../src/profile.js';
import { bootConfigEntryNodes, readBootConfigUrls } from '../../src/tree/bootconfig.js';
import { buildClientTree, loadClientFixture, withTreeLayout } from '../../src/tree/client-fixture.js';
import { findAccountByServerId, readAccounts } from '../../src/tree/dmacc.js';
import { DmTree } from '../../src/tree/tree.js';

const layout = { dmAccRoot: './SyncML/DMAcc', bootConfigRoot: './Vendor/BootCfg', bootConfigUrlLeaf: 'ServerURL' };

describe('a TreeLayout other than the profile default', () => {
  it('puts the Bootstrap Config entry and its URL leaf where the layout says', () => {
    expect(bootConfigEntryNodes('dms2', 'https://bs.example/bootstrap', layout)).toEqual([
      { path: './Vendor/BootCfg/dms2', format: 'node' },
      { path: './Vendor/BootCfg/dms2/ServerURL', format: 'chr', value: 'https://bs.example/bootstrap' },
    ]);
    expect(() => bootConfigEntryNodes('a/b', 'u', layout)).toThrow();
    const t = new DmTree();
    for (const n of bootConfigEntryNodes('dms2', 'https://bs.example/bootstrap', layout)) t.setNode(n.path, { format: n.format, ...(n.value ? { value: n.value } : {}) });
    expect(readBootConfigUrls(t, layout)).toEqual([{ path: './Vendor/BootCfg/dms2', url: 'https://bs.example/bootstrap' }]);
    // The profile's layout looks elsewhere and finds nothing.
    expect(readBootConfigUrls(t)).toEqual([]);
  });

  it('leaves the fixture as it is for the default layout', () => {
    const f = loadClientFixture();
    expect(withTreeLayout(f, TREE)).toBe(f);
  });

  it('moves the fixture\'s accounts and Bootstrap Config MO, ACLs and all, adding the interior nodes a root needs', () => {
    const f = loadClientFixture();
    const moved = withTreeLayout(f, layout);
    const paths = moved.nodes.map((n) => n.path);
    expect(paths.filter((p) => p.startsWith('./DMAcc') || p.startsWith('./BootConfig'))).toEqual([]);
    expect(moved.nodes.find((n) => n.path === './SyncML')).toEqual({ path: './SyncML', format: 'node', acl: '' });
    expect(moved.nodes.find((n) => n.path === './SyncML/DMAcc')?.acl).toBe(f.nodes.find((n) => n.path === './DMAcc')?.acl);
    expect(moved.nodes.find((n) => n.path === './Vendor/BootCfg')?.acl).toBe(f.nodes.find((n) => n.path === './BootConfig')?.acl);
    expect(moved.nodes).toHaveLength(f.nodes.length + 1);
    expect(moved.accounts.map((a) => a.path)).toEqual(['./SyncML/DMAcc/dms1', './SyncML/DMAcc/ops']);
    // A tree is built from it (parents before children) and its accounts are found under the new root.
    const tree = buildClientTree(moved, { 'dms1.dm': 'https://dms1.example/dm' });
    expect(readAccounts(tree, layout.dmAccRoot).map((a) => a.account.serverId)).toEqual(['dms1.example', 'ops.example']);
    expect(findAccountByServerId(tree, 'dms1.example', layout.dmAccRoot)?.account.addr).toBe('https://dms1.example/dm');
    expect(readAccounts(tree)).toEqual([]);
    expect(tree.has('./Vendor/BootCfg')).toBe(true);
  });
});
