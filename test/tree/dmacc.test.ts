import { describe, expect, it } from 'vitest';
import type { DmAccount } from '../../src/model/account.js';
import {
  accountNodes,
  findAccountByServerId,
  readAccounts,
  writeAccountLocal,
} from '../../src/tree/dmacc.js';
import { DmTree } from '../../src/tree/tree.js';

const DMS2: DmAccount = {
  serverId: 'dms2.example',
  name: 'Enterprise DMS',
  addr: 'https://dms2.example/dm',
  addrType: 'URI',
  portNbr: '443',
  aauthPref: 'DIGEST',
  appAuth: [
    { level: 'CLCRED', type: 'DIGEST', name: 'dev-1', secret: 'c-secret' },
    { level: 'SRVCRED', type: 'DIGEST', name: 'dms2.example', secret: 's-secret', data: 'AAECAw==' },
  ],
};

const MINIMAL: DmAccount = { serverId: 'dms1.example', addr: 'https://dms1.example/dm', addrType: 'URI', appAuth: [] };

describe('accountNodes', () => {
  it('lists the account parents-first with the StdObj node names', () => {
    const nodes = accountNodes('./DMAcc/dms2', DMS2);
    expect(nodes.map((n) => [n.path.replace('./DMAcc/dms2', '<X>'), n.format, n.value])).toEqual([
      ['<X>', 'node', undefined],
      ['<X>/AppID', 'chr', 'w7'],
      ['<X>/ServerID', 'chr', 'dms2.example'],
      ['<X>/Name', 'chr', 'Enterprise DMS'],
      ['<X>/AppAddr', 'node', undefined],
      ['<X>/AppAddr/1', 'node', undefined],
      ['<X>/AppAddr/1/Addr', 'chr', 'https://dms2.example/dm'],
      ['<X>/AppAddr/1/AddrType', 'chr', 'URI'],
      ['<X>/AppAddr/1/Port', 'node', undefined],
      ['<X>/AppAddr/1/Port/1', 'node', undefined],
      ['<X>/AppAddr/1/Port/1/PortNbr', 'chr', '443'],
      ['<X>/AAuthPref', 'chr', 'DIGEST'],
      ['<X>/AppAuth', 'node', undefined],
      ['<X>/AppAuth/1', 'node', undefined],
      ['<X>/AppAuth/1/AAuthLevel', 'chr', 'CLCRED'],
      ['<X>/AppAuth/1/AAuthType', 'chr', 'DIGEST'],
      ['<X>/AppAuth/1/AAuthName', 'chr', 'dev-1'],
      ['<X>/AppAuth/1/AAuthSecret', 'chr', 'c-secret'],
      ['<X>/AppAuth/2', 'node', undefined],
      ['<X>/AppAuth/2/AAuthLevel', 'chr', 'SRVCRED'],
      ['<X>/AppAuth/2/AAuthType', 'chr', 'DIGEST'],
      ['<X>/AppAuth/2/AAuthName', 'chr', 'dms2.example'],
      ['<X>/AppAuth/2/AAuthSecret', 'chr', 's-secret'],
      ['<X>/AppAuth/2/AAuthData', 'bin', 'AAECAw=='],
    ]);
  });

  it('leaves out optional nodes the account does not have', () => {
    const paths = accountNodes('./DMAcc/dms1', MINIMAL).map((n) => n.path);
    expect(paths).not.toContain('./DMAcc/dms1/Name');
    expect(paths).not.toContain('./DMAcc/dms1/AppAddr/1/Port');
    expect(paths).not.toContain('./DMAcc/dms1/AppAuth');
    expect(paths).toHaveLength(7);
  });

  it('rejects a malformed base', () => {
    expect(() => accountNodes('DMAcc/x', MINIMAL)).toThrow();
  });
});

describe('writeAccountLocal / readAccounts', () => {
  it('round-trips accounts', () => {
    const t = new DmTree();
    writeAccountLocal(t, './DMAcc/dms1', MINIMAL);
    writeAccountLocal(t, './DMAcc/dms2', DMS2);
    expect(readAccounts(t)).toEqual([
      { path: './DMAcc/dms1', account: MINIMAL },
      { path: './DMAcc/dms2', account: DMS2 },
    ]);
    expect(findAccountByServerId(t, 'dms2.example')).toEqual({ path: './DMAcc/dms2', account: DMS2 });
    expect(findAccountByServerId(t, 'nobody')).toBeUndefined();
  });

  it('grants Get, Replace and Delete on <X> to the account server (w7 rule); children inherit', () => {
    const t = new DmTree();
    writeAccountLocal(t, './DMAcc/dms2', DMS2);
    expect(t.acl('./DMAcc/dms2')).toBe('Get=dms2.example&Replace=dms2.example&Delete=dms2.example');
    expect(t.acl('./DMAcc/dms2/ServerID')).toBe('');
    expect(t.get('dms2.example', './DMAcc/dms2/AppAddr/1/Addr')).toMatchObject({ status: '200', value: DMS2.addr });
    expect(t.replace('dms2.example', './DMAcc/dms2/Name', 'Renamed')).toBe('200');
    expect(t.get('dms1.example', './DMAcc/dms2/Name').status).toBe('425');
    expect(t.delete('dms2.example', './DMAcc/dms2')).toBe('200');
    expect(readAccounts(t)).toEqual([]);
  });

  it('merges the w7 grant into a given ACL', () => {
    const t = new DmTree();
    writeAccountLocal(t, './DMAcc/dms2', DMS2, 'Get=dms1.example&Delete=dms1.example');
    expect(t.acl('./DMAcc/dms2')).toBe(
      'Get=dms1.example+dms2.example&Delete=dms1.example+dms2.example&Replace=dms2.example',
    );
  });

  it('a re-bootstrap replaces the account subtree', () => {
    const t = new DmTree();
    writeAccountLocal(t, './DMAcc/dms2', DMS2);
    writeAccountLocal(t, './DMAcc/dms2', { ...DMS2, name: undefined, portNbr: undefined, appAuth: [] } as DmAccount);
    expect(t.has('./DMAcc/dms2/Name')).toBe(false);
    expect(t.has('./DMAcc/dms2/AppAuth')).toBe(false);
    expect(readAccounts(t)[0]?.account.appAuth).toEqual([]);
  });

  it('only reports w7 accounts with a ServerID and an address; AddrType defaults to URI', () => {
    const t = new DmTree();
    t.setNode('./DMAcc/other/AppID', { value: 'w2' });
    t.setNode('./DMAcc/other/ServerID', { value: 'x' });
    t.setNode('./DMAcc/noaddr/AppID', { value: 'w7' });
    t.setNode('./DMAcc/noaddr/ServerID', { value: 'y' });
    t.setNode('./DMAcc/bare/AppID', { value: 'w7' });
    t.setNode('./DMAcc/bare/ServerID', { value: 'z' });
    t.setNode('./DMAcc/bare/AppAddr/a/Addr', { value: 'https://z.example/' });
    t.setNode('./DMAcc/bare/AppAuth/x/AAuthLevel', { value: 'BOGUS' });
    t.setNode('./DMAcc/bare/AppAuth/x/AAuthType', { value: 'BASIC' });
    expect(readAccounts(t)).toEqual([
      { path: './DMAcc/bare', account: { serverId: 'z', addr: 'https://z.example/', addrType: 'URI', appAuth: [] } },
    ]);
  });

  it('reads accounts under another root and returns [] when the root is missing', () => {
    const t = new DmTree();
    writeAccountLocal(t, './SyncML/DMAcc/a', MINIMAL);
    expect(readAccounts(t)).toEqual([]);
    expect(readAccounts(t, './SyncML/DMAcc')).toEqual([{ path: './SyncML/DMAcc/a', account: MINIMAL }]);
    expect(findAccountByServerId(t, MINIMAL.serverId, './SyncML/DMAcc')?.path).toBe('./SyncML/DMAcc/a');
  });

  it('an account written through the protocol API reads back the same', () => {
    const t = new DmTree();
    t.setNode('./DMAcc', { acl: 'Add=dms1.example&Get=dms1.example&Replace=dms1.example' });
    for (const n of accountNodes('./DMAcc/dms2', DMS2)) {
      const opts: { format: string; value?: string } = { format: n.format };
      if (n.value !== undefined) opts.value = n.value;
      expect(t.add('dms1.example', n.path, opts)).toBe('200');
    }
    expect(findAccountByServerId(t, 'dms2.example')?.account).toEqual(DMS2);
  });
});
