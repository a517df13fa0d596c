import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../src/catalogue/catalogue.js';
import { formatCatalogue } from '../../src/catalogue/format.js';

const catalogue = loadCatalogue();
const text = formatCatalogue(catalogue);
const lines = text.split('\n');

describe('formatCatalogue', () => {
  it('lists every id on its own row', () => {
    for (const e of catalogue.entries) {
      const row = lines.filter((l) => l.startsWith(`${e.id} `));
      expect(row, e.id).toHaveLength(1);
      expect(row[0]).toContain(e.title);
    }
  });

  it('shows severity, provenance and approach/step in each row', () => {
    const row = (id: string): string[] => lines.find((l) => l.startsWith(`${id} `))!.split(/\s{2,}/);
    expect(row('B.8b').slice(0, 4)).toEqual(['B.8b', 'MAY', 'spec', 'B.8b']);
    expect(row('A.7').slice(0, 4)).toEqual(['A.7', 'MUST', 'reconstructed', 'A.7']);
    expect(row('ORD-8B-LAST').slice(0, 4)).toEqual(['ORD-8B-LAST', 'SHOULD', 'reconstructed', '-']);
    expect(row('TLS-CLIENT-BS').slice(0, 4)).toEqual(['TLS-CLIENT-BS', 'MUST', 'profile', 'B']);
    expect(row('FIN-DMS2-ACCOUNT').slice(0, 3)).toEqual(['FIN-DMS2-ACCOUNT', 'MUST', 'spec*']);
  });

  it('groups rows by category in a fixed order, with counts', () => {
    const headings = lines.filter((l) => /^\S.* \([a-z-]+, \d+\)$/.test(l));
    expect(headings).toEqual([
      'Architecture (architecture, 2)',
      'Steps (step, 19)',
      'Message ordering (ordering, 17)',
      'TLS (tls, 6)',
      'DM session (session, 14)',
      'Final state of the DM tree (final-state, 9)',
      'Binding profile (profile, 5)',
      'Negative cases (negative, 18)',
    ]);
    const at = (s: string): number => lines.findIndex((l) => l.startsWith(s));
    expect(at('B.10 ')).toBeLessThan(at('Message ordering'));
    expect(at('ORD-8B-LAST ')).toBeLessThan(at('TLS (tls'));
    expect(at('PRF-RESPONSES ')).toBeGreaterThan(at('Binding profile'));
  });

  it('ends with a legend explaining provenance and the per-approach marks', () => {
    const legend = text.slice(text.indexOf('\nLegend\n'));
    expect(legend).toContain('reconstructed:');
    expect(legend).toContain('profile:');
    expect(legend).toContain('FIN-DMS2-ACCOUNT: spec; approach A: reconstructed');
    expect(text.indexOf('\nLegend\n')).toBeGreaterThan(text.indexOf('PRF-RESPONSES'));
  });

  it('starts with the catalogue version and size', () => {
    expect(lines[0]).toBe('dmdc requirement catalogue 1.0: 90 requirements');
  });
});
