import { describe, expect, it } from 'vitest';
import { AclSyntaxError } from '../../src/tree/acl.js';
import { DmTree, TreeError, isValidUri, splitUri } from '../../src/tree/tree.js';

describe('URIs', () => {
  it('accepts `.`-rooted URIs and splits them', () => {
    expect(splitUri('.')).toEqual([]);
    expect(splitUri('./DMAcc/dms1')).toEqual(['DMAcc', 'dms1']);
  });

  it.each(['', 'DMAcc', '/DMAcc', './', './a/', './a//b', './a/../b', './a/./b', '../a', './a?prop=ACL'])(
    'rejects %j',
    (uri) => {
      expect(isValidUri(uri)).toBe(false);
      expect(() => splitUri(uri)).toThrow(TreeError);
    },
  );

  it('gives 400 to protocol commands with a malformed URI', () => {
    const t = new DmTree();
    expect(t.add('s', './a/', { value: 'x' })).toBe('400');
    expect(t.get('s', 'a').status).toBe('400');
    expect(t.replace('s', './a//b', 'x')).toBe('400');
    expect(t.delete('s', './..')).toBe('400');
    expect(t.getProperty('s', '', 'ACL').status).toBe('400');
    expect(t.replaceProperty('s', './a/', 'ACL', 'Get=*')).toBe('400');
  });
});

describe('local API', () => {
  it('starts with a root whose ACL is Add=*&Get=*', () => {
    const t = new DmTree();
    expect(t.acl('.')).toBe('Add=*&Get=*');
    expect(t.node('.')?.interior).toBe(true);
  });

  it('creates missing interior ancestors with an empty ACL', () => {
    const t = new DmTree();
    t.setNode('./A/B/leaf', { value: 'v', type: 'text/plain' });
    expect(t.node('./A')).toMatchObject({ format: 'node', acl: '', interior: true });
    expect(t.node('./A/B/leaf')).toMatchObject({ format: 'chr', value: 'v', type: 'text/plain', name: 'leaf' });
    expect(t.children('./A')).toEqual(['B']);
    expect(t.value('./A/B/leaf')).toBe('v');
    expect(t.has('./A/B')).toBe(true);
    expect(t.has('./A/C')).toBe(false);
  });

  it('updates an existing node in place', () => {
    const t = new DmTree();
    t.setNode('./A/x', { format: 'int', value: '1' });
    t.setNode('./A/x', { value: '2', acl: 'Get=s' });
    expect(t.node('./A/x')).toMatchObject({ format: 'int', value: '2', acl: 'Get=s' });
  });

  it('refuses impossible structures without changing the tree', () => {
    const t = new DmTree();
    t.setNode('./leaf', { value: 'v' });
    expect(() => t.setNode('./leaf/child/x', { value: 'v' })).toThrow(TreeError);
    expect(t.children('./leaf')).toEqual([]);
    expect(() => t.setNode('./n', { format: 'node', value: 'v' })).toThrow(TreeError);
    expect(t.has('./n')).toBe(false);
    t.setNode('./p/c', { value: 'v' });
    expect(() => t.setNode('./p', { format: 'chr' })).toThrow(TreeError);
    expect(() => t.setNode('.', { format: 'chr' })).toThrow(TreeError);
    expect(() => t.setNode('./q', { format: 'weird' })).toThrow(TreeError);
    expect(() => t.setNode('./q', { acl: 'Get=' })).toThrow(AclSyntaxError);
    expect(t.has('./q')).toBe(false);
  });

  it('removes subtrees but never the root', () => {
    const t = new DmTree();
    t.setNode('./A/B/c', { value: 'v' });
    expect(t.removeLocal('./A/B')).toBe(true);
    expect(t.has('./A/B/c')).toBe(false);
    expect(t.has('./A')).toBe(true);
    expect(t.removeLocal('./A/B')).toBe(false);
    expect(() => t.removeLocal('.')).toThrow(TreeError);
  });
});

describe('ACL inheritance', () => {
  it('a valueless node inherits from its nearest ancestor with a value', () => {
    const t = new DmTree();
    t.setNode('./A', { acl: 'Get=s1&Replace=s1' });
    t.setNode('./A/B/C/leaf', { value: 'v' });
    expect(t.effectiveAcl('./A/B/C/leaf')).toEqual({ acl: 'Get=s1&Replace=s1', from: './A' });
    expect(t.effectiveAcl('./A')).toEqual({ acl: 'Get=s1&Replace=s1', from: './A' });
    expect(t.effectiveAcl('./Z')).toEqual({ acl: 'Add=*&Get=*', from: '.' });
    expect(t.effectiveAcl('./A/missing/deeper')).toEqual({ acl: 'Get=s1&Replace=s1', from: './A' });
  });

  it('is all-or-nothing: a node with any value inherits no command from above', () => {
    const t = new DmTree();
    t.setNode('./A', { acl: 'Get=s1&Replace=s1&Delete=s1' });
    t.setNode('./A/B', { acl: 'Get=s2' });
    t.setNode('./A/B/leaf', { value: 'v' });
    expect(t.effectiveAcl('./A/B/leaf')).toEqual({ acl: 'Get=s2', from: './A/B' });
    // s1 holds Replace and Delete on ./A but they are not inherited into ./A/B.
    expect(t.replace('s1', './A/B/leaf', 'w')).toBe('425');
    expect(t.delete('s1', './A/B')).toBe('425');
    expect(t.get('s1', './A/B/leaf').status).toBe('425');
    expect(t.get('s2', './A/B/leaf')).toMatchObject({ status: '200', value: 'v' });
  });
});

describe('protocol commands', () => {
  function tree(): DmTree {
    const t = new DmTree();
    t.setNode('./A', { acl: 'Add=s&Get=s&Replace=s&Delete=s' });
    return t;
  }

  it('Add creates leaves and interior nodes, 418 when present, 405 under a leaf', () => {
    const t = tree();
    expect(t.add('s', './A/x', { format: 'int', value: '5', type: 'text/plain' })).toBe('200');
    expect(t.node('./A/x')).toMatchObject({ format: 'int', value: '5', type: 'text/plain', acl: '' });
    expect(t.add('s', './A/x', { value: '6' })).toBe('418');
    expect(t.value('./A/x')).toBe('5');
    expect(t.add('s', './A/x/y', { value: '1' })).toBe('405');
    expect(t.add('s', './A/n')).toBe('200');
    expect(t.node('./A/n')?.interior).toBe(true);
    expect(t.add('s', '.')).toBe('418');
  });

  it('Add creates missing parents implicitly, with an empty ACL when the creator has Replace', () => {
    const t = tree();
    expect(t.add('s', './A/p/q/leaf', { value: 'v' })).toBe('200');
    expect(t.node('./A/p')).toMatchObject({ interior: true, acl: '' });
    expect(t.node('./A/p/q')).toMatchObject({ interior: true, acl: '' });
    expect(t.value('./A/p/q/leaf')).toBe('v');
  });

  it('Add rejects unknown formats (415) and values on interior nodes (400)', () => {
    const t = tree();
    expect(t.add('s', './A/x', { format: 'blob', value: 'v' })).toBe('415');
    expect(t.add('s', './A/x', { format: 'node', value: 'v' })).toBe('400');
    expect(t.has('./A/x')).toBe(false);
  });

  it('Replace changes leaf values only and never creates', () => {
    const t = tree();
    t.setNode('./A/x', { value: '1' });
    expect(t.replace('s', './A/x', '2')).toBe('200');
    expect(t.value('./A/x')).toBe('2');
    expect(t.replace('s', './A/missing', '2')).toBe('404');
    expect(t.has('./A/missing')).toBe(false);
    expect(t.replace('s', './A', 'x')).toBe('405');
    expect(t.replace('s', './A/x', '3', { format: 'int' })).toBe('200');
    expect(t.node('./A/x')).toMatchObject({ format: 'int', value: '3' });
  });

  it('Delete removes the subtree; root 405; missing 404', () => {
    const t = tree();
    t.setNode('./A/B/c', { value: 'v' });
    expect(t.delete('s', './A/B')).toBe('200');
    expect(t.has('./A/B')).toBe(false);
    expect(t.delete('s', './A/B')).toBe('404');
    expect(t.delete('s', '.')).toBe('405');
    const admin = new DmTree({ rootAcl: 'Add=*&Get=*&Delete=*' });
    expect(admin.delete('s', '.')).toBe('405');
  });

  it('Get returns leaf value/format/type and the child list of an interior node', () => {
    const t = tree();
    t.setNode('./A/b', { value: '1', format: 'int', type: 'text/plain' });
    t.setNode('./A/a', { value: 'x' });
    t.setNode('./A/c/d', { value: 'y' });
    expect(t.get('s', './A/b')).toEqual({ status: '200', value: '1', format: 'int', type: 'text/plain' });
    expect(t.get('s', './A')).toEqual({ status: '200', format: 'node', value: 'b/a/c', children: ['b', 'a', 'c'] });
    expect(t.get('s', './A/zz')).toEqual({ status: '404' });
  });

  it('properties: Format, Type, Name, Size, VerNo, Title; read-only ones give 405, unknown 406', () => {
    const t = tree();
    t.setNode('./A/x', { value: 'héllo', type: 'text/plain' });
    expect(t.getProperty('s', './A/x', 'Format')).toEqual({ status: '200', value: 'chr' });
    expect(t.getProperty('s', './A/x', 'Type')).toEqual({ status: '200', value: 'text/plain' });
    expect(t.getProperty('s', './A/x', 'Name')).toEqual({ status: '200', value: 'x' });
    expect(t.getProperty('s', './A/x', 'Size')).toEqual({ status: '200', value: '6' });
    expect(t.getProperty('s', './A', 'Size').status).toBe('405');
    expect(t.getProperty('s', './A/x', 'VerNo')).toEqual({ status: '200', value: '0' });
    expect(t.replace('s', './A/x', 'bye')).toBe('200');
    expect(t.getProperty('s', './A/x', 'VerNo')).toEqual({ status: '200', value: '1' });
    expect(t.replaceProperty('s', './A/x', 'Title', 'Greeting')).toBe('200');
    expect(t.getProperty('s', './A/x', 'Title')).toEqual({ status: '200', value: 'Greeting' });
    expect(t.getProperty('s', './A/x', 'TStamp').status).toBe('406');
    expect(t.getProperty('s', './A/x', 'Colour').status).toBe('406');
    expect(t.replaceProperty('s', './A/x', 'Format', 'int')).toBe('405');
    expect(t.replaceProperty('s', './A/x', 'Type', 'x')).toBe('405');
    expect(t.replaceProperty('s', './A/x', 'Colour', 'red')).toBe('406');
    expect(t.node('./A/x')?.format).toBe('chr');
  });

  it('Name renames in place; 418 on a sibling clash, 405 on the root', () => {
    const t = tree();
    t.setNode('./A/a', { value: '1' });
    t.setNode('./A/b/c', { value: '2' });
    t.setNode('./A/z', { value: '3' });
    expect(t.replaceProperty('s', './A/b', 'Name', 'a')).toBe('418');
    expect(t.replaceProperty('s', './A/b', 'Name', 'x/y')).toBe('400');
    expect(t.replaceProperty('s', './A/b', 'Name', 'B2')).toBe('200');
    expect(t.children('./A')).toEqual(['a', 'B2', 'z']);
    expect(t.value('./A/B2/c')).toBe('2');
    expect(t.has('./A/b')).toBe(false);
    expect(t.replaceProperty('s', '.', 'Name', 'root')).toBe('405');
  });

  it('records every protocol mutation in changes', () => {
    const t = tree();
    t.setNode('./A/x', { value: '1' });
    expect(t.changes).toEqual([]);
    t.replace('s', './A/x', '2');
    t.add('s', './A/n/leaf', { value: 'v' });
    t.replaceProperty('s', './A/x', 'ACL', 'Get=s');
    t.delete('s', './A/n');
    t.replace('other', './A/x', 'refused');
    expect(t.changes).toEqual([
      { serverId: 's', op: 'Replace', path: './A/x', before: '1', after: '2' },
      { serverId: 's', op: 'Add', path: './A/n' },
      { serverId: 's', op: 'Add', path: './A/n/leaf', after: 'v' },
      { serverId: 's', op: 'Replace', path: './A/x', prop: 'ACL', before: '', after: 'Get=s' },
      { serverId: 's', op: 'Delete', path: './A/n' },
    ]);
  });

  it('rejects an invalid authenticated server id as a harness error', () => {
    const t = tree();
    expect(() => t.get('*', './A')).toThrow(TypeError);
    expect(() => t.get('a b', './A')).toThrow(TypeError);
  });
});

describe('snapshots', () => {
  function sample(): DmTree {
    const t = new DmTree({ rootAcl: 'Add=*&Get=*&Replace=root' });
    t.setNode('./DMAcc', { acl: 'Get=*' });
    t.setNode('./DMAcc/dms1/AppID', { value: 'w7' });
    t.setNode('./DMAcc/dms1/AppAuth/1/AAuthData', { format: 'bin', value: 'AAEC' });
    t.setNode('./Vendor/x', { format: 'int', type: 'text/plain', value: '3', title: 'Counter' });
    return t;
  }

  it('lists nodes parents-first, deterministically, and round-trips', () => {
    const t = sample();
    const snap = t.toJSON();
    expect(snap.nodes.map((n) => n.path)).toEqual([
      '.',
      './DMAcc',
      './DMAcc/dms1',
      './DMAcc/dms1/AppID',
      './DMAcc/dms1/AppAuth',
      './DMAcc/dms1/AppAuth/1',
      './DMAcc/dms1/AppAuth/1/AAuthData',
      './Vendor',
      './Vendor/x',
    ]);
    expect(snap.nodes[0]).toEqual({ path: '.', format: 'node', acl: 'Add=*&Get=*&Replace=root' });
    expect(snap.nodes[8]).toEqual({ path: './Vendor/x', format: 'int', type: 'text/plain', value: '3', acl: '', title: 'Counter' });
    const back = DmTree.fromJSON(JSON.parse(JSON.stringify(snap)));
    expect(back.toJSON()).toEqual(snap);
    expect(JSON.stringify(sample().toJSON())).toBe(JSON.stringify(snap));
  });

  it('keeps the tree options given to fromJSON', () => {
    const back = DmTree.fromJSON(sample().toJSON(), { aclChangeRule: 'libdmclient' });
    expect(back.aclChangeRule).toBe('libdmclient');
  });

  it('rejects snapshots out of order, and keeps a bad ACL as evidence', () => {
    expect(() => DmTree.fromJSON({ nodes: [] })).toThrow(TreeError);
    expect(() =>
      DmTree.fromJSON({ nodes: [{ path: '.', format: 'node', acl: 'Add=*' }, { path: './a/b', format: 'chr', acl: '' }] }),
    ).toThrow(/before its parent/);
    // A snapshot records what a device stored; an invalid ACL must survive so a check can judge it.
    const kept = DmTree.fromJSON({ nodes: [{ path: '.', format: 'node', acl: 'Add=*' }, { path: './a', format: 'node', acl: 'Get=' }] });
    expect(kept.acl('./a')).toBe('Get=');
    expect(() => kept.setNode('./b', { acl: 'Get=' })).toThrow(AclSyntaxError);
  });

  it('clone is independent of the original', () => {
    const t = sample();
    t.setNode('./Open', { acl: 'Replace=s&Get=s' });
    t.setNode('./Open/v', { value: '1' });
    t.replace('s', './Open/v', '2');
    const c = t.clone();
    expect(c.toJSON()).toEqual(t.toJSON());
    expect(c.changes).toEqual(t.changes);
    c.replace('s', './Open/v', '3');
    c.setNode('./New', {});
    expect(t.value('./Open/v')).toBe('2');
    expect(t.has('./New')).toBe(false);
    expect(t.changes).toHaveLength(1);
    expect(c.changes).toHaveLength(2);
  });
});
