import { describe, expect, it } from 'vitest';
import { bootConfigEntryNodes, readBootConfigUrls } from '../../src/tree/bootconfig.js';
import { DmTree } from '../../src/tree/tree.js';

describe('Bootstrap Config MO', () => {
  it('describes an entry under the profile root', () => {
    expect(bootConfigEntryNodes('dms2', 'https://bs.example/bootstrap')).toEqual([
      { path: './BootConfig/dms2', format: 'node' },
      { path: './BootConfig/dms2/URL', format: 'chr', value: 'https://bs.example/bootstrap' },
    ]);
  });

  it('rejects entry names that are not a single node name', () => {
    expect(() => bootConfigEntryNodes('a/b', 'u')).toThrow();
    expect(() => bootConfigEntryNodes('', 'u')).toThrow();
    expect(() => bootConfigEntryNodes('..', 'u')).toThrow();
  });

  it('reads back entries added by a server, skipping entries without a URL', () => {
    const t = new DmTree();
    for (const n of bootConfigEntryNodes('dms2', 'https://bs.example/bootstrap')) {
      const opts: { format: string; value?: string } = { format: n.format };
      if (n.value !== undefined) opts.value = n.value;
      expect(t.add('dms1.example', n.path, opts)).toBe('200');
    }
    t.setNode('./BootConfig/empty', {});
    expect(readBootConfigUrls(t)).toEqual([{ path: './BootConfig/dms2', url: 'https://bs.example/bootstrap' }]);
  });

  it('returns [] when the MO is absent', () => {
    expect(readBootConfigUrls(new DmTree())).toEqual([]);
  });
});
