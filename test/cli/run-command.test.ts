import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnvInfo } from 'allure-js-commons/sdk/reporter';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, test } from 'vitest';
import { childEnv } from '../../src/cli/child-env.js';
import { validateReport } from '../../src/report/report-schema.js';
import type { RunReport } from '../../src/report/model.js';

const BIN = fileURLToPath(new URL('../../bin/dmdc.js', import.meta.url));
const dmdc = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { env: childEnv(), encoding: 'utf8', timeout: 180_000 });

describe('dmdc run through the main path', () => {
  let out: string;
  let reference: ReturnType<typeof dmdc>;
  let mutant: ReturnType<typeof dmdc>;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'dmdc-run-'));
    reference = dmdc(['run', '--approach', 'B', '--allure-report', '--out', join(out, 'ref')]);
    mutant = dmdc(['run', '--approach', 'B', '--mutant', 'wrong-delegatee', '--no-suites', '--out', join(out, 'mut')]);
  }, 240_000);

  const report = (name: string) => JSON.parse(readFileSync(join(out, name, 'latest', 'report.json'), 'utf8')) as RunReport;
  type AllureResult = { name: string; status: string; testCaseId: string; historyId: string; statusDetails: { message?: string }; labels: Array<{ name: string; value: string }> };
  const allureResults = (dir: string) =>
    readdirSync(join(dir, 'allure-results'))
      .filter((n) => n.endsWith('-result.json'))
      .map((f) => JSON.parse(readFileSync(join(dir, 'allure-results', f), 'utf8')) as AllureResult)
      .map((a) => ({ ...a, label: (name: string) => a.labels.find((l) => l.name === name)?.value }));

  test('the reference mocks exit 0 and every requirement is PASS or NOT_APPLICABLE with its reason', () => {
    expect(reference.status, reference.stdout + reference.stderr).toBe(0);
    const r = report('ref');
    expect(validateReport(r)).toEqual({ ok: true });
    expect(r.results.every((x) => x.verdict === 'PASS' || x.verdict === 'NOT_APPLICABLE')).toBe(true);
    for (const na of r.results.filter((x) => x.verdict === 'NOT_APPLICABLE')) expect(na.checks[0].reason).toBeTruthy();
    const ids = new Set(r.results.map((x) => x.requirementId));
    for (const id of ['B.1', 'B.5', 'B.8b', 'B.10', 'ORD-B.7-B.8', 'TLS-DMS-MUTUAL', 'SES-ACL-425', 'FIN-ACL-DELEGATED']) expect(ids).toContain(id);
    expect(r.flows.map((f) => f.id).sort()).toEqual(['B-full-permanent', 'B-full-temporary', 'B-partial-permanent', 'B-partial-temporary']);
  });

  // On Node 25 and later, msw's first read of the global localStorage printed an ExperimentalWarning.
  test('a run prints no warning of Node\'s to stderr', () => {
    expect(reference.stderr).not.toMatch(/Warning/);
    expect(mutant.stderr).not.toMatch(/Warning/);
  });

  test('it writes junit.xml, report.html (offline), trace.jsonl and the Allure report', () => {
    const dir = join(out, 'ref', 'latest');
    const junit = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(join(dir, 'junit.xml'), 'utf8'));
    expect(Number(junit.testsuites['@_failures'])).toBe(0);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).not.toMatch(/(src|href)=["']https?:/);
    expect(readFileSync(join(dir, 'trace.jsonl'), 'utf8').trim().split('\n').length).toBeGreaterThan(100);
    expect(existsSync(join(dir, 'allure-report', 'index.html'))).toBe(true);
    expect(readFileSync(join(dir, 'allure-report', 'index.html'), 'utf8')).not.toMatch(/googletagmanager/);
  });

  test('the suites present the verdicts the run judged: one Allure result per requirement judged in each flow, with its status', () => {
    const dir = join(out, 'ref', 'latest');
    const r = report('ref');
    const STATUS: Record<string, string> = { PASS: 'passed', WARN: 'passed', FAIL: 'failed', NOT_APPLICABLE: 'skipped', NOT_OBSERVABLE: 'skipped', BLOCKED: 'skipped' };
    const judged = new Map(r.results.map((x) => [`${x.flowId} ${x.requirementId}`, STATUS[x.verdict] ?? 'broken']));
    expect(judged.size).toBeGreaterThan(300);
    const seen = new Map<string, string>();
    for (const a of allureResults(dir)) seen.set(`${a.label('flow')} ${a.label('requirement')}`, a.status);
    expect(seen).toEqual(judged);
  });

  test('each Allure result is named by its requirement, title and flow, with one test case per requirement × flow, and a skip says why', () => {
    const r = report('ref');
    const titles = new Map(r.requirements.map((e) => [e.id, e.title]));
    const byKey = new Map(r.results.map((x) => [`${x.flowId}/${x.requirementId}`, x]));
    const results = allureResults(join(out, 'ref', 'latest'));
    for (const a of results) {
      const [flow, id] = [a.label('flow')!, a.label('requirement')!];
      expect(a.name).toBe(`${id} ${titles.get(id)} · ${flow}`);
      expect([a.testCaseId, a.historyId]).toEqual([`${flow}/${id}`, `${flow}/${id}`]);
      const x = byKey.get(`${flow}/${id}`)!;
      expect(a.label('verdict')).toBe(x.verdict);
      if (a.status === 'skipped') {
        const message = a.statusDetails.message ?? '';
        expect(message.startsWith(`${x.verdict}${x.blockedBy ? ` by ${x.blockedBy}` : ''}: `), message).toBe(true);
        for (const c of x.checks.filter((c) => c.verdict === x.verdict && c.reason)) expect(message).toContain(c.reason);
      }
    }
    expect(results.filter((a) => a.status === 'skipped').length).toBeGreaterThan(50);
  });

  test('the Allure results hold the run\'s environment, executor and categories, and the report folder an Allure history', () => {
    const dir = join(out, 'ref', 'latest');
    const r = report('ref');
    const env = parseEnvInfo(readFileSync(join(dir, 'allure-results', 'environment.properties'), 'utf8'));
    expect(env).toMatchObject({ 'harness.version': `dmdc ${r.tool.version}`, 'profile.version': r.profileVersion, 'role.dms1': 'mock', 'role.client': 'mock', 'node.version': process.version });
    expect(env['catalogue.version']).toMatch(/^\d/);
    expect(JSON.parse(readFileSync(join(dir, 'allure-results', 'executor.json'), 'utf8'))).toMatchObject({ name: 'dmdc', buildName: r.runId, reportName: 'dmdc conformance' });
    const categories = JSON.parse(readFileSync(join(dir, 'allure-results', 'categories.json'), 'utf8')) as Array<{ name: string }>;
    expect(categories.map((c) => c.name)).toEqual(expect.arrayContaining(['FAIL: spec requirements', 'BLOCKED behind a root FAIL', 'ERROR: the harness could not judge']));
    expect(readFileSync(join(out, 'ref', 'allure-history.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
  });

  test('reports/latest names the newest run', () => {
    expect(lstatSync(join(out, 'ref', 'latest')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(out, 'ref', 'latest'))).toBe(report('ref').runId);
  });

  test('a mutant exits 1 and the report names the requirements that failed', () => {
    expect(mutant.status, mutant.stdout + mutant.stderr).toBe(1);
    const r = report('mut');
    expect(r.mutant).toBe('wrong-delegatee');
    expect(r.summary.failedRequirements).toEqual(expect.arrayContaining(['B.8', 'FIN-ACL-DELEGATED']));
    expect(mutant.stdout).toMatch(/FAILED requirements: .*FIN-ACL-DELEGATED/);
  });

  test('a bad option exits 2 before anything runs', () => {
    const r = dmdc(['run', '--approach', 'C']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--approach must be A or B/);
  });
});
