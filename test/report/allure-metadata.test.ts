import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { matchCategory, normalizeCategoriesConfig } from '@allurereport/core-api';
import { parseEnvInfo } from 'allure-js-commons/sdk/reporter';
import { describe, expect, test } from 'vitest';
import { allureCategories, allureEnvironment, allureExecutor, awesomeCategories, runFacts, writeAllureMetadata } from '../../src/report/allure-metadata.js';
import { sampleReport } from './sample-report.js';

const FACTS = { catalogueVersion: '1.0', node: 'v20.0.0' };

// Messages as the conformance suites begin them (suites/support/conformance-suite.ts), and the category each belongs to.
const MESSAGES: Array<[status: string, labels: Record<string, string>, message: string, category: string | undefined]> = [
  ['failed', { verdict: 'FAIL', provenance: 'spec' }, 'FAIL [spec, MUST] B.8 §5.2\n"text"\n[b8] FAIL', 'FAIL: spec requirements'],
  ['failed', { verdict: 'FAIL', provenance: 'reconstructed' }, 'FAIL [reconstructed, SHOULD] (known to the baseline: ticket 12) A.4 §5.2', 'FAIL: reconstructed requirements'],
  ['failed', { verdict: 'FAIL', provenance: 'profile' }, 'FAIL [profile, MUST] PRF-SCHEMA profile §3', 'FAIL: profile requirements'],
  ['skipped', { verdict: 'BLOCKED', 'blocked-by': 'A.4' }, 'BLOCKED by A.4: not reached: flow A-full-temporary stopped at A.4', 'BLOCKED behind a root FAIL'],
  ['broken', { verdict: 'INCONCLUSIVE' }, 'INCONCLUSIVE: nothing within the budget: flow timed out\nA.8 [spec, MUST] §5', 'INCONCLUSIVE: a budget ran out'],
  ['broken', { verdict: 'INCONCLUSIVE' }, 'INCONCLUSIVE: the flow ended early: error\nA.8 [spec, MUST] §5 "within its budget"', 'INCONCLUSIVE'],
  ['broken', { verdict: 'ERROR' }, 'ERROR: mock client crashed: ECONNRESET\nSES-1 [spec, MUST] §6', 'ERROR: the harness could not judge'],
  ['skipped', { verdict: 'NOT_APPLICABLE' }, 'NOT_APPLICABLE: approach B only', undefined],
];

describe('what Allure shows beside the tests of a run', () => {
  test('environment.properties names the harness, the profile and catalogue, the roles, the IUT, the mutant and Node', () => {
    const report = sampleReport();
    report.setup = { name: 'Vendor DMS 4.2', file: 'iut/dms.yaml', ics: {}, observability: {} };
    expect(allureEnvironment(report, { ...FACTS, gitCommit: 'abc123' })).toEqual({
      'harness.version': 'dmdc 0.1.0',
      'harness.commit': 'abc123',
      'profile.version': '1.0',
      'catalogue.version': '1.0',
      'role.dms1': 'mock',
      'role.dms2': 'real',
      'role.bootstrap': 'mock',
      'role.client': 'mock',
      'iut.name': 'Vendor DMS 4.2',
      'iut.config': 'iut/dms.yaml',
      mutant: 'acl-after-notify',
      selection: 'approach A, B',
      'node.version': 'v20.0.0',
    });
    const plain = sampleReport();
    delete plain.mutant;
    expect(Object.keys(allureEnvironment(plain, FACTS))).not.toEqual(expect.arrayContaining(['mutant', 'iut.name', 'iut.config', 'harness.commit']));
  });

  test('executor.json names the run as the build, ordered by its start', () => {
    expect(allureExecutor(sampleReport())).toEqual({ name: 'dmdc', type: 'dmdc', buildName: '20250101T000000Z-abc123', buildOrder: Date.parse('2025-01-01T00:00:00.000Z'), reportName: 'dmdc conformance' });
  });

  test('categories.json sorts each message into its category, read as Allure 2 (the whole message) and as JavaScript (part of it) alike', () => {
    const categories = allureCategories();
    const first = (status: string, message: string, whole: boolean) =>
      categories.find((c) => c.matchedStatuses.includes(status) && new RegExp(whole ? `^(?:${c.messageRegex})$` : c.messageRegex).test(message))?.name;
    for (const [status, , message, category] of MESSAGES) {
      expect(first(status, message, true), message).toBe(category);
      expect(first(status, message, false), message).toBe(category);
    }
    // A category of its own for every verdict that is neither a PASS nor not applicable.
    expect(categories.every((c) => c.description && c.matchedStatuses.length === 1)).toBe(true);
  });

  test('Allure 3 takes the same categories as rules, on the verdict and provenance labels', () => {
    const rules = normalizeCategoriesConfig({ rules: awesomeCategories() as never });
    for (const [status, labels, message, category] of MESSAGES) {
      const matched = matchCategory(rules, { status: status as never, labels: Object.entries(labels).map(([name, value]) => ({ name, value })), message, flaky: false });
      expect(matched?.name, message).toBe(category);
    }
    expect(awesomeCategories().map((c) => c.name)).toEqual(allureCategories().map((c) => c.name));
  });

  test('the run\'s facts come from its bundle, else from this installation', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dmdc-allure-meta-'));
    expect(runFacts(dir)).toEqual({ catalogueVersion: expect.stringMatching(/^\d/), node: process.version });
    mkdirSync(join(dir, 'bundle'));
    writeFileSync(join(dir, 'bundle', 'meta.json'), JSON.stringify({ harness: { name: 'dmdc', version: '0.1.0', gitCommit: 'f00d', gitDirty: true }, catalogue: { version: '9.9', sha256: '', file: '' }, node: 'v26.10.0' }));
    expect(runFacts(dir)).toEqual({ catalogueVersion: '9.9', node: 'v26.10.0', gitCommit: 'f00d (modified)' });
  });

  test('the three files are written into the results and read back as written', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'dmdc-allure-meta-')), 'allure-results');
    const report = sampleReport();
    report.setup = { name: 'a = b: c\nd', ics: {}, observability: {} };
    writeAllureMetadata(dir, report, FACTS);
    expect(parseEnvInfo(readFileSync(join(dir, 'environment.properties'), 'utf8'))).toEqual(allureEnvironment(report, FACTS));
    expect(JSON.parse(readFileSync(join(dir, 'executor.json'), 'utf8'))).toEqual(allureExecutor(report));
    expect(JSON.parse(readFileSync(join(dir, 'categories.json'), 'utf8'))).toEqual(allureCategories());
  });
});
