import { describe, expect, it } from 'vitest';
import { DmTree, type AclChangeRule } from '../../src/tree/tree.js';

describe('425 without the right', () => {
  function tree(): DmTree {
    const t = new DmTree();
    t.setNode('./A', { acl: 'Add=owner&Get=owner&Replace=owner&Delete=owner' });
    t.setNode('./A/leaf', { value: 'v' });
    return t;
  }

  it('Add needs Add on the parent', () => {
    const t = tree();
    expect(t.add('intruder', './A/new', { value: 'x' })).toBe('425');
    expect(t.add('intruder', './A/p/q/new', { value: 'x' })).toBe('425');
    expect(t.has('./A/new')).toBe(false);
    expect(t.has('./A/p')).toBe(false);
    expect(t.add('owner', './A/new', { value: 'x' })).toBe('200');
  });

  it('Replace needs Replace on the node', () => {
    const t = tree();
    expect(t.replace('intruder', './A/leaf', 'w')).toBe('425');
    expect(t.value('./A/leaf')).toBe('v');
  });

  it('Delete needs Delete on the node', () => {
    const t = tree();
    expect(t.delete('intruder', './A/leaf')).toBe('425');
    expect(t.delete('intruder', './A')).toBe('425');
    expect(t.has('./A/leaf')).toBe(true);
  });

  it('Get and Get ?prop need Get on the node', () => {
    const t = tree();
    expect(t.get('intruder', './A/leaf')).toEqual({ status: '425' });
    expect(t.get('intruder', './A')).toEqual({ status: '425' });
    expect(t.getProperty('intruder', './A', 'ACL')).toEqual({ status: '425' });
    expect(t.getProperty('intruder', './A/leaf', 'Format')).toEqual({ status: '425' });
  });

  it('Replace ?prop=ACL and Title need rights', () => {
    const t = tree();
    expect(t.replaceProperty('intruder', './A', 'ACL', 'Get=*')).toBe('425');
    expect(t.replaceProperty('intruder', './A/leaf', 'ACL', 'Get=*')).toBe('425');
    expect(t.replaceProperty('intruder', './A/leaf', 'Title', 't')).toBe('425');
    expect(t.replaceProperty('intruder', './A/leaf', 'Name', 'n')).toBe('425');
    expect(t.acl('./A')).toBe('Add=owner&Get=owner&Replace=owner&Delete=owner');
    expect(t.acl('./A/leaf')).toBe('');
    expect(t.changes).toEqual([]);
  });

  it('the default root ACL lets any server Add and Get, nothing else', () => {
    const t = new DmTree();
    expect(t.add('anyone', './Top', { value: '1' })).toBe('200');
    expect(t.get('someone-else', './Top')).toMatchObject({ status: '200', value: '1' });
    expect(t.replace('anyone', './Top', '2')).toBe('425');
    expect(t.delete('anyone', './Top')).toBe('425');
  });
});

describe('* grants any authenticated server', () => {
  it('for every command', () => {
    const t = new DmTree();
    t.setNode('./S', { acl: 'Add=*&Get=*&Replace=*&Delete=*' });
    t.setNode('./S/x', { value: '1' });
    for (const id of ['a', 'b.example', '321_ibm.com']) {
      expect(t.get(id, './S/x').status).toBe('200');
      expect(t.replace(id, './S/x', id)).toBe('200');
      expect(t.add(id, `./S/${id}`, { value: id })).toBe('200');
      expect(t.delete(id, `./S/${id}`)).toBe('200');
    }
    expect(t.value('./S/x')).toBe('321_ibm.com');
  });

  it('wins over the other ids of the command', () => {
    const t = new DmTree();
    t.setNode('./S', { acl: 'Get=a+*' });
    expect(t.get('z', './S').status).toBe('200');
  });
});

describe('who may change an ACL', () => {
  // parent grants Replace to P only; the interior node grants Replace to N only; the leaf grants Replace to L.
  function tree(rule: AclChangeRule): DmTree {
    const t = new DmTree({ aclChangeRule: rule });
    t.setNode('./P', { acl: 'Get=*&Replace=P' });
    t.setNode('./P/I', { acl: 'Get=*&Replace=N' });
    t.setNode('./P/I/leaf', { value: 'v', acl: 'Get=*&Replace=L' });
    return t;
  }

  it.each<[AclChangeRule, string, string, string]>([
    // rule, server, node, expected
    ['node-or-parent', 'N', './P/I', '200'],
    ['node-or-parent', 'P', './P/I', '200'],
    ['node-or-parent', 'X', './P/I', '425'],
    ['node-or-parent', 'N', './P/I/leaf', '200'],
    ['node-or-parent', 'L', './P/I/leaf', '425'],
    ['libdmclient', 'N', './P/I', '200'],
    ['libdmclient', 'P', './P/I', '425'],
    ['libdmclient', 'X', './P/I', '425'],
    ['libdmclient', 'N', './P/I/leaf', '200'],
    ['libdmclient', 'L', './P/I/leaf', '425'],
  ])('%s: %s replacing the ACL of %s → %s', (rule, server, node, expected) => {
    const t = tree(rule);
    const before = t.acl(node);
    expect(t.replaceProperty(server, node, 'ACL', `Get=*&Replace=${server}`)).toBe(expected);
    expect(t.acl(node)).toBe(expected === '200' ? `Get=*&Replace=${server}` : before);
  });

  it('Replace on a leaf governs its value but not its ACL', () => {
    const t = tree('node-or-parent');
    expect(t.replace('L', './P/I/leaf', 'w')).toBe('200');
    expect(t.replaceProperty('L', './P/I/leaf', 'ACL', 'Replace=L')).toBe('425');
  });

  it('the root ACL needs Replace on the root and must keep Add=*', () => {
    const t = new DmTree({ rootAcl: 'Add=*&Get=*&Replace=admin' });
    expect(t.replaceProperty('other', '.', 'ACL', 'Add=*&Get=*&Replace=other')).toBe('425');
    expect(t.replaceProperty('admin', '.', 'ACL', 'Add=admin&Get=*&Replace=admin')).toBe('405');
    expect(t.replaceProperty('admin', '.', 'ACL', '')).toBe('405');
    expect(t.acl('.')).toBe('Add=*&Get=*&Replace=admin');
    expect(t.replaceProperty('admin', '.', 'ACL', 'Add=*&Get=admin&Replace=admin')).toBe('200');
    expect(t.acl('.')).toBe('Add=*&Get=admin&Replace=admin');
    const lax = new DmTree({ rootAcl: 'Add=*&Replace=admin', protectRootAdd: false });
    expect(lax.replaceProperty('admin', '.', 'ACL', 'Add=admin&Replace=admin')).toBe('200');
  });

  it('a server controlling the parent can take over a child in two steps', () => {
    const t = tree('libdmclient');
    expect(t.replace('P', './P/I/leaf', 'w')).toBe('425');
    expect(t.replaceProperty('P', './P/I/leaf', 'ACL', 'Get=*&Replace=P')).toBe('425'); // leaf's parent is ./P/I
    expect(t.replaceProperty('N', './P/I/leaf', 'ACL', 'Get=*&Replace=N')).toBe('200');
    expect(t.replace('N', './P/I/leaf', 'w')).toBe('200');
  });

  it('an empty value makes the node inherit again', () => {
    const t = tree('node-or-parent');
    expect(t.replaceProperty('N', './P/I', 'ACL', '')).toBe('200');
    expect(t.effectiveAcl('./P/I')).toEqual({ acl: 'Get=*&Replace=P', from: './P' });
  });

  it('a bad ACL is rejected with 400 and the old ACL kept', () => {
    const t = tree('node-or-parent');
    for (const bad of ['Get=', 'Get=*&Foo=a', 'Get=a b', 'Get=a&Get=b', 'Replace=N+']) {
      expect(t.replaceProperty('N', './P/I', 'ACL', bad)).toBe('400');
      expect(t.acl('./P/I')).toBe('Get=*&Replace=N');
    }
    expect(t.changes).toEqual([]);
  });
});

describe('Get ?prop=ACL', () => {
  it("returns the node's own value, '' when it inherits", () => {
    const t = new DmTree();
    t.setNode('./A', { acl: 'Get=s&Replace=s' });
    t.setNode('./A/x', { value: '1' });
    expect(t.getProperty('s', './A', 'ACL')).toEqual({ status: '200', value: 'Get=s&Replace=s' });
    expect(t.getProperty('s', './A/x', 'ACL')).toEqual({ status: '200', value: '' });
    expect(t.getProperty('s', './missing', 'ACL')).toEqual({ status: '404' });
  });
});

describe('creator rule for new interior nodes', () => {
  it('without Replace on the parent the creator gets Add, Delete and Replace', () => {
    const t = new DmTree();
    expect(t.add('dms2', './Corp')).toBe('200');
    expect(t.acl('./Corp')).toBe('Add=dms2&Delete=dms2&Replace=dms2');
    // The new ACL grants no Get (the root's Get=* is no longer inherited); the creator can fix that itself.
    expect(t.get('dms2', './Corp').status).toBe('425');
    expect(t.replaceProperty('dms2', './Corp', 'ACL', 'Add=dms2&Delete=dms2&Replace=dms2&Get=dms2')).toBe('200');
    expect(t.get('dms2', './Corp').status).toBe('200');
  });

  it('applies to implicitly created parents; deeper ones inherit from them', () => {
    const t = new DmTree();
    expect(t.add('dms2', './Corp/Apps/x', { value: '1' })).toBe('200');
    expect(t.acl('./Corp')).toBe('Add=dms2&Delete=dms2&Replace=dms2');
    expect(t.acl('./Corp/Apps')).toBe('');
    expect(t.acl('./Corp/Apps/x')).toBe('');
    expect(t.changes.filter((c) => c.prop === 'ACL')).toEqual([
      { serverId: 'dms2', op: 'Add', path: './Corp', prop: 'ACL', before: '', after: 'Add=dms2&Delete=dms2&Replace=dms2' },
    ]);
  });

  it('does not apply to leaves', () => {
    const t = new DmTree();
    expect(t.add('dms2', './leaf', { value: '1' })).toBe('200');
    expect(t.acl('./leaf')).toBe('');
  });

  it('with Replace on the parent the new node stays empty (inherits)', () => {
    const t = new DmTree();
    t.setNode('./Corp', { acl: 'Add=dms2&Get=dms2&Replace=dms2' });
    expect(t.add('dms2', './Corp/Apps')).toBe('200');
    expect(t.acl('./Corp/Apps')).toBe('');
    expect(t.effectiveAcl('./Corp/Apps').from).toBe('./Corp');
  });

  it('with Replace granted through * the new node also stays empty', () => {
    const t = new DmTree();
    t.setNode('./Open', { acl: 'Add=*&Replace=*' });
    expect(t.add('x', './Open/n')).toBe('200');
    expect(t.acl('./Open/n')).toBe('');
  });
});

describe('deleting a server identifier', () => {
  it('scrubs every ACL, drops emptied commands and makes empty ACLs inherit', () => {
    const t = new DmTree({ rootAcl: 'Add=*&Get=*&Replace=dms1' });
    t.setNode('./A', { acl: 'Get=dms1+dms2&Replace=dms1&Delete=dms2' });
    t.setNode('./A/B', { acl: 'Get=dms1&Replace=dms1' });
    t.setNode('./C', { acl: 'Get=dms2' });
    const changed = t.deleteServerId('dms1');
    expect(changed).toEqual(['.', './A', './A/B']);
    expect(t.acl('./A')).toBe('Get=dms2&Delete=dms2');
    expect(t.acl('./A/B')).toBe('');
    expect(t.effectiveAcl('./A/B')).toEqual({ acl: 'Get=dms2&Delete=dms2', from: './A' });
    expect(t.acl('./C')).toBe('Get=dms2');
    expect(t.changes).toContainEqual({
      serverId: 'dms1',
      op: 'ScrubServerId',
      path: './A/B',
      prop: 'ACL',
      before: 'Get=dms1&Replace=dms1',
      after: '',
    });
  });

  it('turns an emptied root command into * and keeps the others', () => {
    const t = new DmTree({ rootAcl: 'Add=*&Get=dms1+dms2&Replace=dms1&Delete=dms2' });
    t.deleteServerId('dms1');
    expect(t.acl('.')).toBe('Add=*&Get=dms2&Replace=*&Delete=dms2');
  });

  it('changes nothing when the id is not referenced', () => {
    const t = new DmTree();
    t.setNode('./A', { acl: 'Get=dms2' });
    expect(t.deleteServerId('dms9')).toEqual([]);
    expect(t.acl('./A')).toBe('Get=dms2');
    expect(t.changes).toEqual([]);
  });
});
