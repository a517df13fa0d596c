import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnvInfo } from 'allure-js-commons/sdk/reporter';
import { beforeAll, describe, expect, test } from 'vitest';
import { childEnv } from '../../src/cli/child-env.js';
import { ALLURE_HISTORY_FILE, allureHistoryFile, carryAllure2History } from '../../src/report/allure-history.js';
import type { RunReport } from '../../src/report/model.js';

const BIN = fileURLToPath(new URL('../../bin/dmdc.js', import.meta.url));
const ONE_FLOW = ['run', '--approach', 'A', '--flow', 'A-full-temporary', '--allure-report'];

describe('an Allure 2 report\'s history is carried into the next run\'s results', () => {
  /** A reports folder with run folders `ids`, `latest` naming the first. */
  const folder = (...ids: string[]) => {
    const root = mkdtempSync(join(tmpdir(), 'dmdc-allure-history-'));
    for (const id of ids) mkdirSync(join(root, id, 'allure-results'), { recursive: true });
    symlinkSync(ids[0], join(root, 'latest'));
    return root;
  };

  test('from the run `latest` names, before it names this one', () => {
    const root = folder('run-1', 'run-2');
    mkdirSync(join(root, 'run-1', 'allure-report', 'history'), { recursive: true });
    writeFileSync(join(root, 'run-1', 'allure-report', 'history', 'history-trend.json'), '[]\n');
    const next = join(root, 'run-2');
    expect(carryAllure2History(next, join(next, 'allure-results'))).toBe(join(root, 'latest', 'allure-report', 'history'));
    expect(readFileSync(join(next, 'allure-results', 'history', 'history-trend.json'), 'utf8')).toBe('[]\n');
    expect(allureHistoryFile(next)).toBe(join(root, ALLURE_HISTORY_FILE));
  });

  test('nothing when the previous run has none, or `latest` is this run', () => {
    const root = folder('run-1', 'run-2');
    expect(carryAllure2History(join(root, 'run-2'), join(root, 'run-2', 'allure-results'))).toBeUndefined();
    mkdirSync(join(root, 'run-1', 'allure-report', 'history'), { recursive: true });
    expect(carryAllure2History(join(root, 'run-1'), join(root, 'run-1', 'allure-results'))).toBeUndefined();
    expect(readdirSync(join(root, 'run-1', 'allure-results'))).toEqual([]);
  });
});

describe('two runs in one reports folder', () => {
  const out = mkdtempSync(join(tmpdir(), 'dmdc-allure-trend-'));
  const runs: Array<{ status: number | null; log: string; dir: string; report: RunReport }> = [];
  beforeAll(() => {
    // A reference run, then one whose mutant FAILs A.4 and BLOCKs what follows it.
    for (const extra of [[], ['--mutant', 'skip-account-add']]) {
      const r = spawnSync(process.execPath, [BIN, ...ONE_FLOW, ...extra, '--out', out], { env: childEnv(), encoding: 'utf8', timeout: 120_000 });
      const dir = realpathSync(join(out, 'latest'));
      runs.push({ status: r.status, log: r.stdout + r.stderr, dir, report: JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as RunReport });
    }
  }, 240_000);

  const results = (dir: string) =>
    readdirSync(join(dir, 'allure-results'))
      .filter((f) => f.endsWith('-result.json'))
      .map((f) => JSON.parse(readFileSync(join(dir, 'allure-results', f), 'utf8')) as { name: string; status: string; testCaseId: string; statusDetails: { message?: string }; labels: Array<{ name: string; value: string }> });
  const summary = (dir: string) => JSON.parse(readFileSync(join(dir, 'allure-report', 'summary.json'), 'utf8')) as { stats: { total: number }; newTests: string[] };

  test('both runs present their verdicts', () => {
    expect(runs.map((r) => r.status), runs.map((r) => r.log).join('\n')).toEqual([0, 1]);
    expect(runs[1].report.results.find((x) => x.requirementId === 'A.4')?.verdict).toBe('FAIL');
  });

  test('the history file of the folder holds a line per report, and the second report knows every test of the first', () => {
    const lines = readFileSync(join(out, ALLURE_HISTORY_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { testResults: Record<string, { name: string; status: string }> });
    expect(lines).toHaveLength(2);
    const status = (line: (typeof lines)[number], prefix: string) => Object.values(line.testResults).find((t) => t.name.startsWith(prefix))?.status;
    expect([status(lines[0], 'A.4 '), status(lines[1], 'A.4 ')]).toEqual(['passed', 'failed']);
    // The same tests under the same history ids: the names and ids hold nothing of a run.
    const common = Object.keys(lines[1].testResults).filter((id) => id in lines[0].testResults);
    expect(common.length).toBe(Object.keys(lines[1].testResults).length);
    expect(summary(runs[0].dir).newTests.length).toBe(summary(runs[0].dir).stats.total);
    expect(summary(runs[1].dir).newTests).toEqual([]);
  });

  test('a BLOCKED result says which root FAIL it is behind; names and test case ids are the same in both runs', () => {
    const [first, second] = runs.map((r) => results(r.dir));
    const blocked = second.filter((a) => a.labels.some((l) => l.name === 'verdict' && l.value === 'BLOCKED'));
    expect(blocked.length).toBeGreaterThan(3);
    for (const a of blocked) {
      const by = a.labels.find((l) => l.name === 'blocked-by')!.value;
      expect(a.status).toBe('skipped');
      expect(a.statusDetails.message).toMatch(new RegExp(`^BLOCKED by ${by.replace(/\./g, '\\.')}: .+`));
    }
    const ids = (rs: typeof first) => new Map(rs.map((a) => [a.testCaseId, a.name]));
    const inBoth = [...ids(second)].filter(([id]) => ids(first).has(id));
    expect(inBoth.length).toBeGreaterThan(80);
    for (const [id, name] of inBoth) expect(ids(first).get(id)).toBe(name);
    expect(second.find((a) => a.name.startsWith('A.4 '))!.statusDetails.message).toMatch(/^FAIL \[(spec|reconstructed|profile), MUST\] A\.4 /);
  });

  test('each run\'s results name it: the executor\'s build and the environment\'s mutant', () => {
    for (const { dir, report } of runs) {
      expect(JSON.parse(readFileSync(join(dir, 'allure-results', 'executor.json'), 'utf8')).buildName).toBe(report.runId);
      expect(parseEnvInfo(readFileSync(join(dir, 'allure-results', 'environment.properties'), 'utf8')).mutant).toBe(report.mutant);
    }
  });
});
