import { describe, expect, it } from 'vitest';
import {
  AclSyntaxError,
  aclGrants,
  aclServers,
  parseAcl,
  serializeAcl,
  validateAcl,
  withoutServer,
  withServer,
} from '../../src/tree/acl.js';

const SPEC_EXAMPLE =
  'Add=www.sonera.fi-8765&Delete=www.sonera.fi-8765&Replace=www.sonera.fi-8765+321_ibm.com&Get=*';

function rejection(s: string): AclSyntaxError {
  try {
    parseAcl(s);
  } catch (e) {
    if (e instanceof AclSyntaxError) return e;
    throw e;
  }
  throw new Error(`${JSON.stringify(s)} was accepted`);
}

describe('ACL grammar', () => {
  it('parses the TND example and serializes it back unchanged', () => {
    const acl = parseAcl(SPEC_EXAMPLE);
    expect(acl).toEqual({
      Add: ['www.sonera.fi-8765'],
      Delete: ['www.sonera.fi-8765'],
      Replace: ['www.sonera.fi-8765', '321_ibm.com'],
      Get: ['*'],
    });
    expect(Object.keys(acl)).toEqual(['Add', 'Delete', 'Replace', 'Get']);
    expect(serializeAcl(acl)).toBe(SPEC_EXAMPLE);
  });

  it('treats the empty string as "No value"', () => {
    expect(parseAcl('')).toEqual({});
    expect(serializeAcl({})).toBe('');
    expect(validateAcl('')).toEqual({ ok: true });
  });

  it('accepts all five commands and non-ASCII printable ids', () => {
    const acl = parseAcl('Exec=a&Get=b&Replace=c&Delete=d&Add=sérveur.example');
    expect(acl.Exec).toEqual(['a']);
    expect(acl.Add).toEqual(['sérveur.example']);
  });

  it.each([
    ['Get=', 'Get=', 'command Get has no server identifier'],
    ['Add=a&Read=b', 'Read=b', 'unknown command "Read"'],
    ['get=a', 'get=a', 'unknown command "get"'],
    ['Add=a&Add=b', 'Add=b', 'duplicate command Add'],
    ['Get=a b', 'Get=a b', 'contains white-space'],
    ['Get=a\tb', 'Get=a\tb', 'contains white-space'],
    ['Get=a\u0007b', 'Get=a\u0007b', 'non-printable character U+0007'],
    ['Get=a=b', 'Get=a=b', "illegal character '='"],
    ['Get=a*b', 'Get=a*b', "illegal character '*'"],
    ['Get=a++b', 'Get=a++b', 'empty server identifier'],
    ['Get=a+', 'Get=a+', 'empty server identifier'],
    ['Get=*&', '', "stray '&'"],
    ['Get*', 'Get*', "missing '='"],
    [' Get=*', ' Get=*', 'unknown command " Get"'],
  ])('rejects %j naming the entry and the reason', (input, entry, reason) => {
    const err = rejection(input);
    expect(err.entry).toBe(entry);
    expect(err.reason).toContain(reason);
    expect(err.message).toContain(JSON.stringify(entry));
    const v = validateAcl(input);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.reason).toContain(reason);
  });

  it("rejects '&' inside an id (it splits entries) and '+' where an id is expected", () => {
    expect(rejection('Get=a&b').reason).toContain("missing '='");
    expect(rejection('Get=+a').reason).toContain('empty server identifier');
  });

  it('keeps the given command order when serializing', () => {
    expect(serializeAcl({ Get: ['*'], Add: ['a', 'b'] })).toBe('Get=*&Add=a+b');
    expect(serializeAcl({ Add: ['a', 'b'], Get: ['*'] })).toBe('Add=a+b&Get=*');
  });

  it('refuses to serialize an illegal id', () => {
    expect(() => serializeAcl({ Get: ['a b'] })).toThrow(AclSyntaxError);
  });
});

describe('ACL evaluation and editing', () => {
  it('grants by exact id or by *', () => {
    const acl = parseAcl(SPEC_EXAMPLE);
    expect(aclGrants(acl, 'Replace', '321_ibm.com')).toBe(true);
    expect(aclGrants(acl, 'Add', '321_ibm.com')).toBe(false);
    expect(aclGrants(acl, 'Get', 'anyone')).toBe(true);
    expect(aclGrants(acl, 'Exec', 'www.sonera.fi-8765')).toBe(false);
    expect(aclGrants('Get=a+*', 'Get', 'b')).toBe(true);
    expect(aclGrants('', 'Get', 'a')).toBe(false);
  });

  it('lists every server named', () => {
    expect([...aclServers(parseAcl(SPEC_EXAMPLE))].sort()).toEqual(['*', '321_ibm.com', 'www.sonera.fi-8765']);
  });

  it('withServer appends new commands and ids without touching the input', () => {
    const base = parseAcl('Get=a&Replace=*');
    const out = withServer(base, ['Get', 'Replace', 'Delete'], 'b');
    expect(serializeAcl(out)).toBe('Get=a+b&Replace=*&Delete=b');
    expect(serializeAcl(base)).toBe('Get=a&Replace=*');
    expect(serializeAcl(withServer(out, 'Get', 'b'))).toBe('Get=a+b&Replace=*&Delete=b');
    expect(serializeAcl(withServer(out, 'Get', '*'))).toBe('Get=*&Replace=*&Delete=b');
    expect(() => withServer(base, 'Get', 'x y')).toThrow(AclSyntaxError);
  });

  it('withoutServer drops commands left with no ids', () => {
    const out = withoutServer(parseAcl('Add=a&Get=a+b&Delete=a'), 'a');
    expect(serializeAcl(out)).toBe('Get=b');
    expect(withoutServer(parseAcl('Get=a'), 'a')).toEqual({});
  });
});
