import { describe, expect, test } from 'vitest';
import { loadCatalogue } from '../../src/catalogue/catalogue.js';
import { coverageProblems } from '../../src/catalogue/coverage.js';
import { CHECKS } from '../../src/checks/registry.js';

describe('coverage gate', () => {
  test('every catalogue entry has a check, and no check cites an unknown requirement', () => {
    expect(coverageProblems(loadCatalogue(), CHECKS)).toEqual([]);
  });

  test('the gate itself catches a requirement without a check and a check citing an unknown id', () => {
    const catalogue = loadCatalogue();
    const broken = { ...catalogue, entries: [...catalogue.entries, { ...catalogue.entries[0], id: 'B.99', checks: ['no-such-check'] }] };
    const checks = new Map<string, { requirements?: readonly string[] }>([...CHECKS, ['stray', { requirements: ['NOPE-1'] }]]);
    const problems = coverageProblems(broken, checks).join('\n');
    expect(problems).toMatch(/B\.99/);
    expect(problems).toMatch(/no-such-check/);
    expect(problems).toMatch(/NOPE-1/);
  });
});
