import { describe, expect, it } from 'vitest';
import {
  applicable,
  findEntry,
  loadCatalogue,
  matchesGlob,
  type ApplicabilityScenario,
  type CatalogueEntry,
} from '../../src/catalogue/catalogue.js';
import { defaultScenarios } from '../../src/runner/scenario.js';

const catalogue = loadCatalogue();

function entry(id: string): CatalogueEntry {
  const e = findEntry(catalogue, id);
  if (!e) throw new Error(`catalogue has no ${id}`);
  return e;
}

function synthetic(applicability: CatalogueEntry['applicability']): CatalogueEntry {
  return {
    id: 'X.1',
    title: 'synthetic',
    category: 'step',
    section: 'none',
    text: 'none',
    provenance: 'profile',
    severity: 'MUST',
    roles: ['client'],
    applicability,
    checks: ['step-observed'],
    proof: 'none',
    observe: ['dms1-client'],
  };
}

const flow = (over: Partial<ApplicabilityScenario> = {}): ApplicabilityScenario => ({
  approach: 'B',
  delegationType: { scope: 'full', duration: 'permanent' },
  removeAccount: true,
  bootstrap: 'colocated',
  ...over,
});

describe('applicable', () => {
  it('applies an entry without conditions to every flow', () => {
    for (const s of defaultScenarios()) expect(applicable(entry('TLS-DMS-MUTUAL'), s)).toEqual({ ok: true });
  });

  it('judges the approach', () => {
    expect(applicable(entry('B.3'), flow({ approach: 'B' }))).toEqual({ ok: true });
    expect(applicable(entry('B.3'), flow({ approach: 'A' }))).toEqual({
      ok: false,
      reason: 'approach B only; this flow is approach A',
    });
    expect(applicable(entry('A.3'), flow({ approach: 'B' }))).toEqual({
      ok: false,
      reason: 'approach A only; this flow is approach B',
    });
  });

  it('judges the delegation duration', () => {
    const temporary = flow({ delegationType: { scope: 'full', duration: 'temporary' }, removeAccount: false });
    expect(applicable(entry('FIN-DMS1-KEPT'), temporary)).toEqual({ ok: true });
    expect(applicable(entry('FIN-DMS1-KEPT'), flow())).toEqual({
      ok: false,
      reason: 'temporary delegations only; this flow is permanent',
    });
  });

  it('judges the delegation scope', () => {
    const partialOnly = synthetic({ scope: 'partial' });
    expect(applicable(partialOnly, flow({ delegationType: { scope: 'partial', duration: 'permanent' } }))).toEqual({ ok: true });
    expect(applicable(partialOnly, flow())).toEqual({ ok: false, reason: 'partial delegations only; this flow is full' });
  });

  it('judges whether DMS-1 removes its account', () => {
    expect(applicable(entry('ORD-8B-LAST'), flow({ removeAccount: true }))).toEqual({ ok: true });
    const kept = applicable(entry('ORD-8B-LAST'), flow({ removeAccount: false }));
    expect(kept.ok).toBe(false);
    if (!kept.ok) expect(kept.reason).toBe(
      'only when DMS-1 removes its own account (optional step A.5 / B.8b); in this flow DMS-1 keeps it',
    );
    const keepOnly = applicable(synthetic({ removeAccount: false }), flow({ removeAccount: true }));
    expect(keepOnly.ok).toBe(false);
    if (!keepOnly.ok) expect(keepOnly.reason).toMatch(/^only when DMS-1 keeps its own account/);
  });

  it('judges where the Bootstrap Server sits', () => {
    expect(applicable(entry('TLS-DMS-BS'), flow({ bootstrap: 'separate' }))).toEqual({ ok: true });
    expect(applicable(entry('TLS-DMS-BS'), flow({ bootstrap: 'colocated' }))).toEqual({
      ok: false,
      reason: 'only with a stand-alone Bootstrap Server; this flow uses a Bootstrap Server inside DMS-2',
    });
  });

  it('judges declared ICS features when they are given', () => {
    const b8b = entry('B.8b');
    expect(applicable(b8b, flow())).toEqual({ ok: true });
    expect(applicable(b8b, flow(), { features: ['step-8b', 'auth-md5'] })).toEqual({ ok: true });
    expect(applicable(b8b, flow(), { features: new Set(['auth-md5']) })).toEqual({
      ok: false,
      reason: 'needs ICS feature step-8b, which the implementation does not declare',
    });
  });

  it('names every fact that excludes an entry', () => {
    const r = applicable(entry('B.8b'), flow({
      approach: 'A',
      delegationType: { scope: 'full', duration: 'temporary' },
      removeAccount: false,
    }));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason.split(' | ')).toHaveLength(3);
      expect(r.reason).toContain('approach B only; this flow is approach A');
      expect(r.reason).toContain('permanent delegations only; this flow is temporary');
      expect(r.reason).toContain('in this flow DMS-1 keeps it');
    }
  });

  it('selects exactly one optional-removal step per default flow that removes the account', () => {
    for (const s of defaultScenarios()) {
      const steps = ['A.5', 'B.8b'].filter((id) => applicable(entry(id), s).ok);
      expect(steps, s.id).toEqual(s.removeAccount ? [s.approach === 'A' ? 'A.5' : 'B.8b'] : []);
    }
  });
});

describe('matchesGlob', () => {
  const ids = catalogue.entries.map((e) => e.id);
  const select = (glob: string): string[] => ids.filter((id) => matchesGlob(id, glob));

  it('selects all approach B steps with B.*', () => {
    expect(select('B.*')).toEqual(['B.1', 'B.2', 'B.3', 'B.4', 'B.5', 'B.6', 'B.7', 'B.8', 'B.8b', 'B.9', 'B.10']);
  });

  it('selects the ordering entries with ORD-*', () => {
    const selected = select('ORD-*');
    expect(selected).toHaveLength(17);
    expect(selected.every((id) => id.startsWith('ORD-'))).toBe(true);
  });

  it('treats the dot literally and matches whole ids', () => {
    expect(matchesGlob('B.8', 'B.8')).toBe(true);
    expect(matchesGlob('B.8b', 'B.8')).toBe(false);
    expect(matchesGlob('Bx8', 'B.8')).toBe(false);
    expect(matchesGlob('B.10', 'B.1')).toBe(false);
    expect(matchesGlob('B.10', 'B.1?')).toBe(true);
  });

  it('accepts comma-separated lists with spaces', () => {
    expect(select('B.8, B.8b ,TLS-*')).toEqual([
      'B.8',
      'B.8b',
      'TLS-DMS-MUTUAL',
      'TLS-VERSION',
      'TLS-TRUST-ANCHOR',
      'TLS-CLIENT-SERVER',
      'TLS-CLIENT-BS',
      'TLS-DMS-BS',
    ]);
  });

  it('ignores case and matches nothing for an empty list', () => {
    expect(matchesGlob('FIN-ACL-SYNTAX', 'fin-*')).toBe(true);
    expect(matchesGlob('B.1', '')).toBe(false);
    expect(matchesGlob('B.1', ' , ')).toBe(false);
  });

  it('does not treat other regular-expression characters as syntax', () => {
    expect(matchesGlob('ORD-A.2-A.3', 'ORD-A.(2)-A.3')).toBe(false);
    expect(matchesGlob('ORD-A.2-A.3', 'ORD-A.[23]-A.3')).toBe(false);
    expect(matchesGlob('ORD-A.2-A.3', '*A.2*')).toBe(true);
  });
});
