import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { RunReport } from '../../src/report/model.js';
import { validateReport } from '../../src/report/report-schema.js';
import { mergeCli, runCli, verifyCli, type CliOutcome } from '../support/run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'dmdc-gate-'));
const report = (out: string) => JSON.parse(readFileSync(join(out, 'latest', 'report.json'), 'utf8')) as RunReport;
const verdicts = (r: RunReport) => new Map(r.results.map((x) => [`${x.flowId} ${x.requirementId}`, x.verdict]));
const failing = (r: RunReport) => [...new Set(r.results.filter((x) => x.verdict === 'FAIL').map((x) => x.flowId))];

describe('shards of a run, merged, say what one run says', () => {
  const out = (name: string) => join(scratch, name);
  let whole: CliOutcome;
  let merged: CliOutcome;
  beforeAll(async () => {
    whole = await runCli(['--no-suites', '--out', out('whole')]);
    await runCli(['--shard', '2/2', '--no-suites', '--out', out('s2')]);
    await runCli(['--shard', '1/2', '--no-suites', '--out', out('s1')]);
    merged = await mergeCli(['--out', out('merged'), out('s2'), join(out('s1'), 'latest')]);
  }, 180_000);

  test('the merged report has every result of the one run, with the same verdict, and its exit code', () => {
    expect(whole.code, whole.stdout).toBe(0);
    expect(merged.code, merged.stdout + merged.stderr).toBe(0);
    const [one, both] = [report(out('whole')), report(out('merged'))];
    expect(validateReport(both)).toEqual({ ok: true });
    expect(verdicts(both)).toEqual(verdicts(one));
    expect(both.flows.map((f) => f.id)).toEqual(one.flows.map((f) => f.id));
    expect(both.summary.byVerdict).toEqual(one.summary.byVerdict);
    expect(both.selection.mergedFrom).toEqual([report(out('s1')).runId, report(out('s2')).runId]);
  });

  test('each shard runs part of the flows; the tester plays its cases in shard 1 only', () => {
    const [a, b] = [report(out('s1')), report(out('s2'))];
    expect([...a.flows, ...b.flows].map((f) => f.id).sort()).toEqual(report(out('whole')).flows.map((f) => f.id).sort());
    expect(b.summary.tester.total - b.summary.tester.byVerdict.NOT_APPLICABLE).toBe(0);
    expect(a.summary.tester.byVerdict.PASS).toBeGreaterThan(20);
  });

  test('the merged folder holds one trace of every flow, summary.md and the Allure results of the merged report', () => {
    const dir = join(out('merged'), 'latest');
    const lines = (d: string) => readFileSync(join(d, 'trace.jsonl'), 'utf8').trim().split('\n').length;
    expect(lines(dir)).toBe(lines(join(out('s1'), 'latest')) + lines(join(out('s2'), 'latest')));
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toMatch(/^## dmdc conformance: exit 0/);
    const allure = readdirSync(join(dir, 'allure-results')).filter((f) => f.endsWith('-result.json'));
    expect(allure.length).toBe(report(out('merged')).results.length);
  });

  test('dmdc verify judges the merged run again from its bundle alone and finds the same verdicts; an edited verdict is found', async () => {
    const ok = await verifyCli([out('merged')]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const dir = join(out('merged'), 'latest');
    const edited = report(out('merged'));
    const victim = edited.results.find((x) => x.verdict === 'PASS' && x.flowId === 'B-full-permanent')!;
    victim.verdict = 'FAIL';
    writeFileSync(join(dir, 'report.json'), JSON.stringify(edited));
    const caught = await verifyCli([dir]);
    expect(caught.code).toBe(1);
    expect(caught.stdout).toContain(victim.requirementId);
    expect(caught.stdout).toMatch(/report\.json/);
  });

  test('a selection judges what the whole run judges: its session checks see the tester\'s sessions as there', async () => {
    const part = await runCli(['--flow', 'A-full-temporary,B-partial-*', '--only', 'SES-*,NEG-CLIENT-*', '--no-suites', '--out', out('part')]);
    expect(part.code, part.stdout).toBe(0);
    const mine = verdicts(report(out('part')));
    const theirs = new Map([...verdicts(report(out('whole')))].filter(([k]) => mine.has(k)));
    expect(mine.size).toBeGreaterThan(30);
    expect(mine).toEqual(theirs);
    expect([...mine.keys()].some((k) => k.startsWith('A-full-temporary NEG-CLIENT-'))).toBe(true);
  });

  test('a missing shard, or one given twice, is refused with exit 2', async () => {
    const missing = await mergeCli(['--no-suites', '--out', out('bad'), out('s1')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/shard 2\/2 is missing/);
    const twice = await mergeCli(['--no-suites', '--out', out('bad'), out('s1'), out('s1')]);
    expect([twice.code, twice.stderr]).toEqual([2, expect.stringMatching(/given twice/)]);
    const notShard = await mergeCli(['--no-suites', '--out', out('bad'), out('whole'), out('s1')]);
    expect([notShard.code, notShard.stderr]).toEqual([2, expect.stringMatching(/not a shard/)]);
  });
});

describe('selection, re-run and baseline', () => {
  const out = (name: string) => join(scratch, name);

  test('--only runs only the flows a selected requirement applies to; --list prints them and runs nothing', async () => {
    const listed = await runCli(['--only', 'B.8b', '--list', '--out', out('listed')]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^2 flows/);
    expect(listed.stdout).toContain('B-full-permanent');
    expect(existsSync(out('listed'))).toBe(false);
    const run = await runCli(['--only', 'B.8b', '--no-suites', '--out', out('only')]);
    expect(run.code, run.stdout).toBe(0);
    expect(report(out('only')).flows.map((f) => f.id)).toEqual(['B-full-permanent', 'B-partial-permanent']);
  });

  test('--rerun-failed of a mutant run runs only the failed flows, and judges only what did not pass there; its summary.md links the FAILs', async () => {
    const first = await runCli(['--approach', 'A', '--mutant', 'keep-in-permanent', '--no-suites', '--out', out('mutant')]);
    expect(first.code).toBe(1);
    const earlier = report(out('mutant'));
    const notPassed = earlier.results.filter((x) => !['PASS', 'NOT_APPLICABLE', 'NOT_OBSERVABLE'].includes(x.verdict));
    const again = await runCli(['--approach', 'A', '--mutant', 'keep-in-permanent', '--rerun-failed', join(out('mutant'), 'latest', 'report.json'), '--no-suites', '--out', out('rerun')]);
    expect(again.code).toBe(1);
    const rerun = report(out('rerun'));
    expect(rerun.flows.map((f) => f.id)).toEqual(failing(earlier));
    expect(rerun.flows.map((f) => f.id)).toEqual(['A-full-permanent', 'A-partial-permanent']);
    expect(new Set(rerun.results.map((x) => `${x.flowId} ${x.requirementId}`))).toEqual(new Set(notPassed.map((x) => `${x.flowId} ${x.requirementId}`)));
    expect(rerun.selection.rerunOf).toBe(earlier.runId);
    // Its failed flows outside the selection: not "nothing to re-run", a refusal naming them.
    const elsewhere = await runCli(['--approach', 'B', '--rerun-failed', join(out('mutant'), 'latest'), '--no-suites', '--out', out('rerun-b')]);
    expect([elsewhere.code, elsewhere.stderr]).toEqual([2, expect.stringMatching(/A-full-permanent.*not in this selection/)]);
    // summary.md of the mutant run names its FAILs with links into report.html.
    const md = readFileSync(join(out('mutant'), 'latest', 'summary.md'), 'utf8');
    expect(md).toMatch(/^## dmdc conformance: exit 1, at least one FAIL/);
    expect(md).toMatch(/\[`A\.5`\]\(report\.html#r--A-full-permanent--A\.5\)/);
    expect(readFileSync(join(out('mutant'), 'latest', 'report.html'), 'utf8')).toContain('id="r--A-full-permanent--A.5"');
  });

  test('a baseline of the FAILs exits 0 and marks them; a FAIL it lacks exits 1; an entry that now passes exits 1 unless --update-baseline', async () => {
    const file = join(scratch, 'baseline.json');
    const args = ['--approach', 'A', '--flow', 'A-*-permanent', '--only', 'A.5,FIN-*', '--no-suites'];
    writeFileSync(file, JSON.stringify({ entries: [{ requirement: 'A.5,FIN-DMS1-REMOVED', flow: 'A-*-permanent', reason: 'known: account kept', expires: '2999-12-31' }] }));
    const known = await runCli([...args, '--mutant', 'keep-in-permanent', '--baseline', file, '--out', out('known')]);
    expect(known.code, known.stdout).toBe(0);
    const r = report(out('known'));
    expect(r.results.filter((x) => x.verdict === 'FAIL').every((x) => x.baselined?.reason === 'known: account kept')).toBe(true);
    expect(r.summary.byVerdict.FAIL).toBeGreaterThan(0);
    expect(readFileSync(join(out('known'), 'latest', 'junit.xml'), 'utf8')).toMatch(/failures="0"/);

    writeFileSync(file, JSON.stringify({ entries: [{ requirement: 'A.5', flow: '*', reason: 'half known' }] }));
    const partly = await runCli([...args, '--mutant', 'keep-in-permanent', '--baseline', file, '--out', out('partly')]);
    expect(partly.code).toBe(1);
    expect(report(out('partly')).summary.baseline!.newFailures).toEqual(expect.arrayContaining(['A-full-permanent FIN-DMS1-REMOVED']));

    // Without the mutant, A.5 passes: the entry is stale.
    const stale = await runCli([...args, '--baseline', file, '--out', out('stale')]);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toMatch(/stale .*A\.5/);
    const updated = await runCli([...args, '--baseline', file, '--update-baseline', '--out', out('updated')]);
    expect(updated.code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ entries: [] });
  });

  test('a bad baseline is a configuration error', async () => {
    writeFileSync(join(scratch, 'bad.json'), '{"entries":[{"flow":"*"}]}');
    const bad = await runCli(['--baseline', join(scratch, 'bad.json'), '--out', out('bad-baseline')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a valid baseline/);
  });
});
