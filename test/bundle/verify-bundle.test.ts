import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { MUTANTS } from '../../mocks/mutants.js';
import { FLOWS_FILE, META_FILE, PRIVATE_DIR } from '../../src/bundle/bundle-layout.js';
import { MANIFEST_FILE, readManifest, writeManifest } from '../../src/bundle/manifest.js';
import { verifyExitCode, verifyRun } from '../../src/bundle/verify-bundle.js';
import { writeBundle } from '../../src/bundle/write-bundle.js';
import { DEFAULT_CATALOGUE_FILE, loadCatalogue, matchesGlob, type CatalogueEntry } from '../../src/catalogue/catalogue.js';
import { verifyCommand } from '../../src/cli/verify-command.js';
import { attributeBySessionId } from '../../src/judge/attribute.js';
import { judgeFlow } from '../../src/judge/judge.js';
import { createPki } from '../../src/pki/pki.js';
import { buildReport } from '../../src/report/build-report.js';
import { writeAllReports } from '../../src/report/index.js';
import { pointLatestAt } from '../../src/report/latest-link.js';
import type { RequirementResult, RunReport } from '../../src/report/model.js';
import { modesOf } from '../../src/runner/flow-setup.js';
import { runFlow, type FlowResult } from '../../src/runner/run-flow.js';
import { defaultScenarios } from '../../src/runner/scenario.js';

// A mutant run of two flows: its FIN-OTHERS-PRESERVED FAILs (a MUST) are what a changed catalogue changes.
const MUTANT = MUTANTS.find((m) => m.id === 'drop-others')!;
const FLOWS = ['A-full-temporary', 'B-partial-permanent'];
const FAILING = 'FIN-OTHERS-PRESERVED';
const ONLY = 'FIN-*,B.*';

const tmp = mkdtempSync(join(tmpdir(), 'dmdc-verify-'));
const root = join(tmp, 'reports');
let runDir: string;
let onlyDir: string;
let flows: FlowResult[];
let report: RunReport;
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** What dmdc run writes for judged flows: the reports, the bundle, a stand-in for the suites' output, the manifest last. */
function writeRun(runId: string, entries: readonly CatalogueEntry[], results: RequirementResult[], o: { only?: string; requirementsByFlow?: Record<string, string[]> } = {}): { dir: string; report: RunReport } {
  const dir = join(root, runId);
  const r = buildReport({ runId, startedAt: new Date(), flows, results, entries, roles: modesOf(undefined), selection: { approaches: ['A', 'B'], ...(o.only ? { only: o.only } : {}) }, mutant: MUTANT.id, errors: [] });
  writeAllReports(dir, r);
  writeBundle(dir, { flows, runId, ...o });
  mkdirSync(join(dir, 'allure-results'), { recursive: true });
  writeFileSync(join(dir, 'allure-results', '0a1b-result.json'), '{"status":"passed"}\n');
  writeManifest(dir);
  return { dir, report: r };
}

beforeAll(async () => {
  const pki = await createPki();
  const entries = loadCatalogue().entries;
  const testerPlayed = new Set<string>();
  flows = [];
  const judgedBy = new Map<string, RequirementResult[]>();
  for (const scenario of defaultScenarios().filter((s) => FLOWS.includes(s.id))) {
    const flow = await runFlow({ scenario, pki, traceFile: join(tmp, 'trace.jsonl'), variation: MUTANT.variation, testerPlayed });
    flows.push(flow);
    judgedBy.set(flow.scenario.id, judgeFlow(flow, entries));
  }
  for (const id of attributeBySessionId(flows)) judgedBy.set(id, judgeFlow(flows.find((f) => f.scenario.id === id)!, entries));
  ({ dir: runDir, report } = writeRun('run-all', entries, flows.flatMap((f) => judgedBy.get(f.scenario.id)!)));
  pointLatestAt(root, 'run-all');
  // The same flows judged under --only: a run folder of its own.
  const some = entries.filter((e) => matchesGlob(e.id, ONLY));
  onlyDir = writeRun('run-only', some, flows.flatMap((f) => judgeFlow(f, some)), { only: ONLY }).dir;
}, 90_000);

/** A copy of the run folder to damage. */
function copyOfRun(name: string): string {
  const dir = join(tmp, name);
  cpSync(runDir, dir, { recursive: true });
  return dir;
}

async function command(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void (err += `${a.join(' ')}\n`));
  try {
    return { code: await verifyCommand(argv), out, err };
  } finally {
    write.mockRestore();
    error.mockRestore();
  }
}

/** A valid catalogue, a newer version of the bundled one, that differs from it as `change` makes it. */
function catalogueWith(name: string, version: string, change: (entries: CatalogueEntry[]) => CatalogueEntry[]): string {
  const data = JSON.parse(readFileSync(DEFAULT_CATALOGUE_FILE, 'utf8')) as { version: string; entries: CatalogueEntry[] };
  const file = join(tmp, `${name}.json`);
  writeFileSync(file, JSON.stringify({ ...data, version, entries: change(data.entries) }));
  return file;
}

describe('a run as written', () => {
  test('the mutant run has the FAILs the catalogue changes below act on', () => {
    expect(report.results.filter((r) => r.verdict === 'FAIL').map((r) => `${r.flowId} ${r.requirementId}`)).toEqual(FLOWS.map((f) => `${f} ${FAILING}`));
    expect(report.summary.exitCode).toBe(1);
  });

  test('verifies: the manifest holds and every re-judged verdict is the recorded one', () => {
    const r = verifyRun(runDir);
    expect(r.unreadable).toEqual([]);
    expect(r.manifest).toMatchObject({ holds: true, missing: [], changed: [], added: [] });
    expect(r.differences).toEqual([]);
    expect(r.compared).toBe(report.results.length);
    expect(r.same).toBe(report.results.length);
    expect(r.flows).toBe(2);
    expect(r.exitCode).toEqual({ recorded: 1, rejudged: 1 });
    expect(r.catalogue?.same).toBe(true);
    expect(verifyExitCode(r)).toBe(0);
  });

  test('judging needs nothing but the bundled flows: the results judged from flows.json are the report\'s, checks and evidence too', () => {
    const bundled = JSON.parse(readFileSync(join(runDir, FLOWS_FILE), 'utf8')) as FlowResult[];
    const entries = loadCatalogue().entries;
    expect(bundled.flatMap((f) => judgeFlow(f, entries))).toEqual(report.results);
  });

  test('the manifest lists every regular file but itself, sorted, and sha256sum -c checks it', () => {
    const listed = [...readManifest(runDir).keys()];
    expect(listed).toEqual([...listed].sort());
    for (const f of ['report.json', 'report.html', 'junit.xml', FLOWS_FILE, 'bundle/config.json', 'bundle/meta.json', 'allure-results/0a1b-result.json']) expect(listed).toContain(f);
    expect(listed).not.toContain(MANIFEST_FILE);
    const check = spawnSync('sha256sum', ['-c', '--strict', MANIFEST_FILE], { cwd: runDir, encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout.trim().split('\n')).toHaveLength(listed.length);
  });

  test('dmdc verify on the reports root follows latest and exits 0', async () => {
    const { code, out } = await command([root]);
    expect(code, out).toBe(0);
    expect(out).toContain(realpathSync(runDir));
    expect(out).toMatch(/manifest: \d+ files, all hold/);
    expect(out.trim().split('\n').at(-1)).toBe(`Verified: the manifest holds and all ${report.results.length} verdicts are the same.`);
  });

  test("a re-judge applies the run's --only selection", () => {
    const r = verifyRun(onlyDir);
    expect(r.only).toBe(ONLY);
    expect(r.differences).toEqual([]);
    expect(r.compared).toBeGreaterThan(0);
    expect(r.compared).toBeLessThan(report.results.length);
    expect(verifyExitCode(r)).toBe(0);
  });
});

test('a re-run judged each flow against its own requirements: the re-judge does the same', () => {
  const byFlow: Record<string, string[]> = { 'A-full-temporary': [FAILING, 'A.1'], 'B-partial-permanent': ['B.1'] };
  const all = loadCatalogue().entries;
  const results = flows.flatMap((f) => judgeFlow(f, all.filter((e) => byFlow[f.scenario.id]!.includes(e.id))));
  const { dir } = writeRun('run-rerun', all.filter((e) => Object.values(byFlow).flat().includes(e.id)), results, { requirementsByFlow: byFlow });
  const r = verifyRun(dir);
  expect(r.compared).toBe(3);
  expect(r.differences).toEqual([]);
  expect(verifyExitCode(r)).toBe(0);
});

describe('an edited run folder', () => {
  test('one verdict edited in report.json: the manifest does not hold for report.json, and the verdict differs', async () => {
    const dir = copyOfRun('edited-verdict');
    const edited = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as RunReport;
    const target = edited.results.find((r) => r.requirementId === FAILING)!;
    target.verdict = 'PASS';
    writeFileSync(join(dir, 'report.json'), JSON.stringify(edited, null, 2));
    const r = verifyRun(dir);
    expect(r.manifest).toMatchObject({ holds: false, changed: ['report.json'], missing: [] });
    expect(r.differences).toEqual([{ flowId: target.flowId, requirementId: FAILING, recorded: 'PASS', rejudged: 'FAIL' }]);
    const { code, out } = await command([dir]);
    expect(code).toBe(1);
    expect(out).toContain('DOES NOT HOLD (changed: report.json)');
    expect(out).toContain(`DIFFERS ${target.flowId} ${FAILING}: PASS → FAIL`);
    expect(out.trim().split('\n').at(-1)).toBe('NOT verified: the manifest does not hold, 1 verdict differs.');
    expect(spawnSync('sha256sum', ['-c', '--quiet', MANIFEST_FILE], { cwd: dir }).status).toBe(1);
  });

  test("a customer's copy, without the bundle's private part: the manifest is checked, no verdict judged again, exit 0", async () => {
    const dir = copyOfRun('customer');
    rmSync(join(dir, PRIVATE_DIR), { recursive: true });
    const r = verifyRun(dir);
    expect(r.withheld).toEqual([PRIVATE_DIR]);
    expect(r.manifest?.holds).toBe(true);
    const { code, out } = await command([dir]);
    expect(code).toBe(0);
    expect(out).toMatch(/withheld/);
    // What was handed over is still checked: an edited report is caught.
    writeFileSync(join(dir, 'report.json'), readFileSync(join(dir, 'report.json'), 'utf8').replace('"PASS"', '"FAIL"'));
    expect((await command([dir])).code).toBe(1);
  });

  test('one byte of the bundled flows changed: the manifest does not hold, even where the verdicts stay the same', () => {
    const dir = copyOfRun('edited-flows');
    const file = join(dir, FLOWS_FILE);
    const text = readFileSync(file, 'utf8');
    const at = text.indexOf('"durationMs":') + '"durationMs":'.length;
    writeFileSync(file, `${text.slice(0, at)}${text[at] === '9' ? '8' : '9'}${text.slice(at + 1)}`);
    const r = verifyRun(dir);
    expect(r.manifest).toMatchObject({ holds: false, changed: [FLOWS_FILE] });
    expect(r.differences).toEqual([]);
    expect(verifyExitCode(r)).toBe(1);
  });

  test('a file the manifest does not list is named, not a failure', () => {
    const dir = copyOfRun('added-file');
    mkdirSync(join(dir, 'allure-report'));
    writeFileSync(join(dir, 'allure-report', 'index.html'), '<html></html>');
    const r = verifyRun(dir);
    expect(r.manifest).toMatchObject({ holds: true, added: ['allure-report/index.html'] });
    expect(verifyExitCode(r)).toBe(0);
  });
});

describe('a re-judge with another catalogue', () => {
  test(`${FAILING} a SHOULD: its FAILs become WARN, and the exit code follows`, async () => {
    const file = catalogueWith('should', '99.1', (entries) => entries.map((e) => (e.id === FAILING ? { ...e, severity: 'SHOULD' } : e)));
    const r = verifyRun(runDir, { catalogueFile: file });
    expect(r.manifest?.holds).toBe(true);
    expect(r.unreadable).toEqual([]);
    expect(r.catalogue).toMatchObject({ same: false, current: { version: '99.1' } });
    expect(r.differences).toEqual(FLOWS.map((flowId) => ({ flowId, requirementId: FAILING, recorded: 'FAIL', rejudged: 'WARN' })));
    expect(r.exitCode?.recorded).toBe(1);
    expect(r.exitCode?.rejudged).not.toBe(1);
    const { code, out } = await command([runDir, '--catalogue', file]);
    expect(code).toBe(1);
    expect(out).toContain(`DIFFERS A-full-temporary ${FAILING}: FAIL → WARN`);
  });

  test(`${FAILING} removed: its results are recorded only`, () => {
    const file = catalogueWith('removed', '99.2', (entries) => entries.filter((e) => e.id !== FAILING));
    const r = verifyRun(runDir, { catalogueFile: file });
    const judgedIn = report.results.filter((x) => x.requirementId === FAILING).map((x) => ({ flowId: x.flowId, requirementId: FAILING, recorded: x.verdict }));
    expect(r.differences).toEqual(judgedIn);
    expect(verifyExitCode(r)).toBe(1);
  });

  test('--json prints the structured result', async () => {
    const { code, out } = await command([runDir, '--json']);
    expect(code).toBe(0);
    const r = JSON.parse(out) as ReturnType<typeof verifyRun> & { verified: boolean };
    expect(r.verified).toBe(true);
    expect(r.differences).toEqual([]);
  });
});

describe('a run folder that cannot be verified', () => {
  test('no bundle: exit 2, naming the files', async () => {
    const dir = copyOfRun('no-bundle');
    rmSync(join(dir, 'bundle'), { recursive: true });
    const r = verifyRun(dir);
    expect(r.unreadable.map((u) => u.file)).toEqual([META_FILE, FLOWS_FILE]);
    expect(r.manifest?.missing).toEqual(['bundle/config.json', META_FILE, FLOWS_FILE].sort());
    const { code, err, out } = await command([dir]);
    expect(code).toBe(2);
    expect(err).toContain(`${FLOWS_FILE}: missing`);
    expect(out.trim().split('\n').at(-1)).toBe(`NOT verified: cannot read ${META_FILE}, ${FLOWS_FILE}.`);
  });

  test('no manifest: exit 2, naming it', async () => {
    const dir = copyOfRun('no-manifest');
    rmSync(join(dir, MANIFEST_FILE));
    const { code, err } = await command([dir]);
    expect(code).toBe(2);
    expect(err).toContain(`${MANIFEST_FILE}: missing`);
  });

  test('flows.json not JSON: exit 2, naming it', () => {
    const dir = copyOfRun('malformed-flows');
    writeFileSync(join(dir, FLOWS_FILE), '[{"scenario":');
    const r = verifyRun(dir);
    expect(r.unreadable).toEqual([{ file: FLOWS_FILE, problem: expect.stringMatching(/^not valid JSON/) }]);
    expect(verifyExitCode(r)).toBe(2);
  });

  test('a folder that is no run folder, and the arguments', async () => {
    expect((await command([tmp])).code).toBe(2);
    expect((await command([])).code).toBe(2);
    const help = await command(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('dmdc verify RUN_DIR');
  });
});
