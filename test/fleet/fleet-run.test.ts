import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, test } from 'vitest';
import { validateFleetReport } from '../../src/fleet/fleet-schema.js';
import { VERDICTS } from '../../src/verdict/verdict.js';
import { fleetJson, traceEvents, tracedDevIds } from './fleet-files.js';
import { mergeCli, runCli } from '../support/run-cli.js';

const scratch = (name: string) => join(mkdtempSync(join(tmpdir(), 'dmdc-fleet-')), name);
const junit = (dir: string) => new XMLParser({ ignoreAttributes: false }).parse(readFileSync(join(dir, 'latest', 'junit.xml'), 'utf8'));

describe('dmdc run --fleet', () => {
  test('a small fleet on the reference mocks: exit 0, every client judged under its own DevId, the tallies add up', async () => {
    const out = scratch('ok');
    const run = await runCli(['--fleet', '6', '--concurrency', '3', '--out', out]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const f = fleetJson(out);
    expect(validateFleetReport(f)).toEqual({ ok: true });
    expect(f.fleet).toMatchObject({ size: 6, clients: 6, concurrency: 3, range: { from: 0, to: 6, firstDevId: 'IMEI:350000000000000', lastDevId: 'IMEI:350000000000005' } });
    expect(f.byStatus).toEqual({ completed: 6, failed: 0, timeout: 0, error: 0 });
    expect(f.performance.budgetTimeouts).toBe(0);
    expect(f.summary.exitCode).toBe(0);
    // Every requirement judged once per client: no tester cases (a load test plays none).
    expect(f.requirements.every((r) => r.category !== 'negative')).toBe(true);
    for (const r of f.requirements) expect(VERDICTS.reduce((n, v) => n + r.byVerdict[v], 0), r.id).toBe(6);
    expect(f.summary.judged).toBe(6 * f.summary.requirements);
    // Round-robin over the default scenarios: six clients, six different scenarios, both approaches.
    expect(f.fleet.scenarios.filter((s) => s.byStatus.completed === 1).map((s) => s.id)).toEqual(['A-full-temporary', 'A-full-permanent', 'A-partial-temporary', 'A-partial-permanent', 'B-full-temporary', 'B-full-permanent']);
    expect(tracedDevIds(out)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `IMEI:35000000000000${i}`));
    const events = traceEvents(out);
    expect(events.filter((e) => e.probe)).toEqual([]);
    // Each device speaks as itself: approach A (XML) messages of client 0 carry its DevId, never another's.
    const first = events.filter((e) => e.flow?.startsWith('IMEI-350000000000000.') && e.body?.raw?.includes('<SyncML'));
    expect(first.length).toBeGreaterThan(0);
    expect(first.some((e) => e.body!.raw!.includes('IMEI:350000000000000'))).toBe(true);
    expect(first.some((e) => /IMEI:35000000000000[1-5]/.test(e.body!.raw!))).toBe(false);
    const j = junit(out);
    expect(Number(j.testsuites['@_tests'])).toBe(f.summary.requirements);
    expect(Number(j.testsuites['@_failures'])).toBe(0);
    const html = readFileSync(join(out, 'latest', 'report.html'), 'utf8');
    expect(html).toContain('Fleet of 6 DM clients');
    expect(html).not.toMatch(/(src|href)=["']https?:/);
    expect(run.stdout).toMatch(/Fleet: 6 clients in [\d.]+ s · [\d.]+ delegations\/s · 0 budget timeouts · peak RSS \d+ MB/);
  });

  test('a mutant: FAIL counts for its target requirement name the failing DevIds, exit 1', async () => {
    const out = scratch('mutant');
    // skip-acl-update: DMS-1 never updates the ACLs, step B.8; every approach-B client fails it.
    const run = await runCli(['--fleet', '4', '--concurrency', '4', '--approach', 'B', '--mutant', 'skip-acl-update', '--out', out]);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const f = fleetJson(out);
    expect(validateFleetReport(f)).toEqual({ ok: true });
    const devIds = [0, 1, 2, 3].map((i) => `IMEI:35000000000000${i}`);
    const b8 = f.requirements.find((r) => r.id === 'B.8')!;
    expect(b8.byVerdict.FAIL).toBe(4);
    expect(b8.first.FAIL).toEqual(devIds);
    expect(f.summary.failedRequirements).toContain('B.8');
    expect(f.summary.failingClients).toBe(4);
    expect(f.detailedClients.map((c) => c.devId)).toEqual(devIds);
    expect(run.stdout).toContain(`FAILED B.8 in 4 clients: ${devIds.join(', ')}`);
    const failure = (junit(out).testsuites.testsuite.testcase as Array<Record<string, any>>).find((c) => String(c['@_name']).startsWith('B.8 '))!.failure;
    expect(failure['@_message']).toContain(`FAIL in 4 of 4 clients; first: ${devIds.join(', ')}`);
    // The strict junit-10 schema, where xmllint is there (.ci/run installs it).
    const lint = spawnSync('xmllint', ['--noout', '--schema', fileURLToPath(new URL('../fixtures-junit/junit-10.xsd', import.meta.url)), join(out, 'latest', 'junit.xml')], { encoding: 'utf8' });
    if (!lint.error) expect(lint.status, lint.stderr).toBe(0);
    // The failing clients' own flows are in report.html, linked from the aggregate.
    const html = readFileSync(join(out, 'latest', 'report.html'), 'utf8');
    expect(html).toContain('href="#flow--IMEI-350000000000000.B-full-temporary"');
    expect(html).toContain('id="flow--IMEI-350000000000000.B-full-temporary"');
  });

  test('shards 1/2 and 2/2 of a fleet of 5 cover its five DevIds, each once, and dmdc merge joins them into the fleet of 5', async () => {
    const [one, two, merged] = [scratch('shard1'), scratch('shard2'), scratch('merged')];
    const mutant = ['--mutant', 'keep-in-permanent'];
    const a = await runCli(['--fleet', '5', '--shard', '1/2', '--concurrency', '1', ...mutant, '--out', one]);
    const b = await runCli(['--fleet', '5', '--shard', '2/2', '--concurrency', '1', ...mutant, '--out', two]);
    const m = await mergeCli(['--out', merged, two, one]);
    expect(m.code, m.stdout + m.stderr).toBe(1);
    const [f1, f2, f] = [fleetJson(one), fleetJson(two), fleetJson(merged)];
    expect(validateFleetReport(f)).toEqual({ ok: true });
    expect(f.fleet).toMatchObject({ size: 5, clients: 5, range: { from: 0, to: 5 }, mergedFrom: [f1.runId, f2.runId] });
    expect(f.fleet.shard).toBeUndefined();
    for (const v of VERDICTS) expect(f.summary.byVerdict[v]).toBe(f1.summary.byVerdict[v] + f2.summary.byVerdict[v]);
    // keep-in-permanent fails the permanent approach A clients: index 1 (shard 1) and index 3 (shard 2).
    expect(f.requirements.find((q) => q.id === 'A.5')!.first.FAIL).toEqual(['IMEI:350000000000001', 'IMEI:350000000000003']);
    expect(f.detailedClients.map((c) => c.devId)).toEqual(['IMEI:350000000000001', 'IMEI:350000000000003']);
    const html = readFileSync(join(merged, 'latest', 'report.html'), 'utf8');
    expect(html).toContain('id="flow--IMEI-350000000000003.A-partial-permanent"');
    // The merged rate is the shards' summed, and the page says so (a shard's own page does not).
    expect(f.performance.delegationsPerSecond).toBeCloseTo(f1.performance.delegationsPerSecond + f2.performance.delegationsPerSecond, 1);
    expect(html).toContain("the sum of the 2 shards' rates");
    expect(readFileSync(join(one, 'latest', 'report.html'), 'utf8')).not.toContain("shards' rates");
    expect(f.traceFiles.length).toBe(f1.traceFiles.length + f2.traceFiles.length);
    expect([a.code, b.code], a.stdout + b.stdout).toEqual([1, 1]);
    expect(fleetJson(one).fleet).toMatchObject({ size: 5, clients: 2, shard: { index: 1, count: 2 }, range: { from: 0, to: 2, firstDevId: 'IMEI:350000000000000', lastDevId: 'IMEI:350000000000001' } });
    expect(fleetJson(two).fleet).toMatchObject({ size: 5, clients: 3, shard: { index: 2, count: 2 }, range: { from: 2, to: 5, firstDevId: 'IMEI:350000000000002', lastDevId: 'IMEI:350000000000004' } });
    const all = [...tracedDevIds(one), ...tracedDevIds(two)];
    expect(all).toEqual([0, 1, 2, 3, 4].map((i) => `IMEI:35000000000000${i}`));
  });

  test.each([
    [['--fleet', '5', '--shard', '0/2'], /i must be between 1 and 2/],
    [['--fleet', '5', '--shard', '3/2'], /i must be between 1 and 2/],
    [['--fleet', '5', '--shard', 'x'], /--shard must be i\/n/],
    [['--fleet', '5', '--shard', '1/0'], /n must be at least 1/],
    [['--fleet', '2', '--shard', '1/3'], /holds no client/],
    [['--fleet', '0'], /--fleet must be a number of clients/],
    [['--fleet', '5', '--concurrency', 'many'], /--concurrency must be a number/],
    [['--concurrency', '4'], /add --fleet N/],
  ])('dmdc run %j is refused with exit 2 and says why', async (args, why) => {
    const run = await runCli([...args, '--out', scratch('bad')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(why);
  });
});
