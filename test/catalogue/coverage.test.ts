import { describe, expect, it } from 'vitest';
import { loadCatalogue, type Catalogue, type CatalogueEntry } from '../../src/catalogue/catalogue.js';
import { coverageProblems, type CheckDeclaration } from '../../src/catalogue/coverage.js';

function req(id: string, checks: string[]): CatalogueEntry {
  return {
    id,
    title: `requirement ${id}`,
    category: 'step',
    approach: 'B',
    step: id,
    section: 'test',
    text: 'test',
    provenance: 'spec',
    severity: 'MUST',
    roles: ['dms1'],
    applicability: { approach: 'B' },
    checks,
    proof: 'test',
    observe: ['dms1-dms2'],
  };
}

const cat = (...entries: CatalogueEntry[]): Catalogue => ({ version: '1.0', entries });
const registry = (entries: Record<string, CheckDeclaration>): ReadonlyMap<string, CheckDeclaration> =>
  new Map(Object.entries(entries));

/** The check ids the catalogue is written against. */
const CHECK_IDS = [
  'step-observed', 'step-content', 'tls-mutual', 'tls-version', 'tls-trust-anchor', 'tls-on-link', 'order',
  'session-pkg1-alert', 'session-pkg1-devinfo', 'session-id-kept', 'session-msgid', 'session-status-every-command',
  'session-credentials', 'session-acl-425', 'session-pkg0-digest', 'final-dms2-account', 'final-acl-delegated',
  'final-others-preserved', 'final-acl-syntax', 'final-dms1-removed', 'final-dms1-kept', 'wire-content-type',
  'wire-schema-valid', 'wire-session-id', 'wire-responses', 'final-no-overgrant', 'once-per-delegation',
  'arch-two-servers-one-client', 'arch-second-server-manages', 'final-dms2-account-acl', 'final-permanent-handover', 'tls-case-refused',
  'tls-client-case-refused', 'pkg0-digest-refused', 'peer-identity-refused', 'dm-auth-refused', 'server-auth-refused', 'bootstrap-case-refused',
  'delegation-api-refused', 'client-acl-grammar-refused', 'client-forged-header-refused', 'nonce-client-follows', 'nonce-server-follows',
  'hmac-client-every-message', 'hmac-server-every-message', 'basic-client-credentials', 'message-size-and-next-message',
];

describe('coverageProblems', () => {
  it('finds nothing when every requirement has known checks that declare it', () => {
    const checks = registry({ a: { requirements: ['B.1', 'B.2'] }, b: {} });
    expect(coverageProblems(cat(req('B.1', ['a']), req('B.2', ['a', 'b'])), checks)).toEqual([]);
  });

  it('reports a requirement with no check', () => {
    expect(coverageProblems(cat(req('B.1', [])), registry({ a: {} }))).toEqual(['requirement B.1 lists no check']);
  });

  it('reports a requirement citing an unknown check', () => {
    expect(coverageProblems(cat(req('B.1', ['a', 'ghost'])), registry({ a: {} }))).toEqual([
      'requirement B.1 cites unknown check "ghost"',
    ]);
  });

  it('reports a check citing a requirement that is not in the catalogue', () => {
    const checks = registry({ a: { requirements: ['B.1', 'B.99'] } });
    expect(coverageProblems(cat(req('B.1', ['a'])), checks)).toEqual([
      'check "a" cites requirement B.99, which is not in the catalogue',
    ]);
  });

  it('reports a requirement listing a check that does not declare it', () => {
    const checks = registry({ a: { requirements: ['B.1'] } });
    expect(coverageProblems(cat(req('B.1', ['a']), req('B.2', ['a'])), checks)).toEqual([
      'requirement B.2 lists check "a", which does not declare B.2 among its requirements',
    ]);
  });

  it('does not ask a check without a requirements list to declare anything', () => {
    expect(coverageProblems(cat(req('B.1', ['a']), req('B.2', ['a'])), registry({ a: {} }))).toEqual([]);
  });

  it('reports duplicate requirement ids once', () => {
    const problems = coverageProblems(cat(req('B.1', ['a']), req('B.1', ['a']), req('B.1', ['a'])), registry({ a: {} }));
    expect(problems).toEqual(['requirement B.1 appears 3 times in the catalogue']);
  });

  it('reports every problem of a mixed input', () => {
    const checks = registry({ a: { requirements: ['B.1', 'NOPE'] } });
    const problems = coverageProblems(cat(req('B.1', ['a']), req('B.2', ['a', 'x']), req('B.3', [])), checks);
    expect(problems).toHaveLength(4);
  });

  it('finds the bundled catalogue fully covered by the check ids it is written against', () => {
    const checks = registry(Object.fromEntries(CHECK_IDS.map((id) => [id, {}])));
    const catalogue = loadCatalogue();
    expect(coverageProblems(catalogue, checks)).toEqual([]);
    const used = new Set(catalogue.entries.flatMap((e) => e.checks));
    expect([...used].sort()).toEqual([...CHECK_IDS].sort());
  });

  it('catches a check missing from the registry of the bundled catalogue', () => {
    const checks = registry(Object.fromEntries(CHECK_IDS.filter((id) => id !== 'order').map((id) => [id, {}])));
    const problems = coverageProblems(loadCatalogue(), checks);
    expect(problems).toHaveLength(17);
    expect(problems).toContain('requirement ORD-8B-LAST cites unknown check "order"');
  });
});
