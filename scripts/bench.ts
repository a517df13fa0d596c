/**
 * Measures and prints (never asserts) what the performance targets are about:
 *   1. the TLS floor: a mutual TLS 1.3 handshake on loopback with the run's certificates, contexts shared;
 *   2. the flows alone (in this process) against that floor: per flow, its time ÷ (its handshakes × floor);
 *   3. the full `dmdc run` (every report but the optional Allure HTML) against the flows alone;
 *   4. fleet mode: delegations/s, budget timeouts and peak RSS at N = 100 and 1,000;
 *   5. the HTML writer at 8, 100 and 1,000 flows.
 *
 *   npm run bench -- [--runs 3] [--fleet 100,1000] [--skip-fleet]
 *
 * Run it on a quiet machine: every figure is a median of --runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connect, createSecureContext } from 'node:tls';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { loadCatalogue } from '../src/catalogue/catalogue.js';
import { childEnv } from '../src/cli/child-env.js';
import { judgeFlow } from '../src/judge/judge.js';
import { createPki, type Pki } from '../src/pki/pki.js';
import type { RunReport } from '../src/report/model.js';
import { htmlReport } from '../src/report/write-html.js';
import { runFlow } from '../src/runner/run-flow.js';
import { defaultScenarios } from '../src/runner/scenario.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, fleet: { type: 'string', default: '100,1000' }, 'skip-fleet': { type: 'boolean', default: false } } });
const RUNS = Math.max(1, Number(values.runs));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'dmdc.js');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 0)} ms`;
const line = (label: string, value: string) => console.log(`  ${label.padEnd(44)} ${value}`);

/** Sequential mutual TLS 1.3 handshakes on loopback, with one secure context per side made beforehand. */
async function handshakeFloor(pki: Pki, count = 200): Promise<number> {
  const server = createServer({ key: pki.roles.dms2.key, cert: pki.roles.dms2.cert, ca: [pki.ca.cert], requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  const context = createSecureContext({ key: pki.roles.dms1.key, cert: pki.roles.dms1.cert, ca: [pki.ca.cert], minVersion: 'TLSv1.3' });
  const one = () =>
    new Promise<number>((resolve, reject) => {
      const t0 = performance.now();
      const s = connect({ host: '127.0.0.1', port, secureContext: context, rejectUnauthorized: false }, () => {
        const took = performance.now() - t0;
        s.end();
        resolve(took);
      });
      s.on('error', reject);
    });
  for (let i = 0; i < 20; i++) await one();
  const times: number[] = [];
  for (let i = 0; i < count; i++) times.push(await one());
  server.close();
  return median(times);
}

/** The default run's flows in this process, one after another, as `dmdc run` runs them. */
async function flowsOnly(pki: Pki) {
  const t0 = performance.now();
  const testerPlayed = new Set<string>();
  const flows = [];
  for (const scenario of defaultScenarios(['A', 'B'])) flows.push(await runFlow({ scenario, pki, testerPlayed }));
  const flowsMs = performance.now() - t0;
  const entries = loadCatalogue().entries;
  const j0 = performance.now();
  for (const f of flows) judgeFlow(f, entries);
  return { flows, flowsMs, judgeMs: performance.now() - j0 };
}

function timed(args: string[], env: NodeJS.ProcessEnv = process.env): { ms: number; status: number | null; stdout: string; stderr: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env });
  return { ms: performance.now() - t0, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The phases a run printed with DMDC_TIMING set: name → ms (the suites' own process's phases prefixed so). */
function phasesOf(stderr: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of stderr.matchAll(/^dmdc timing: (.+) (\d+) ms \(at \d+ ms\)$/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}

/** A report of `n` flows, made of copies of the given run's flows and their results. */
function scaled(report: RunReport, n: number): RunReport {
  const flows = [];
  const results = [];
  for (let i = 0; i < n; i++) {
    const f = report.flows[i % report.flows.length];
    const id = i < report.flows.length ? f.id : `${f.id}-${i}`;
    flows.push({ ...f, id });
    for (const r of report.results) if (r.flowId === f.id) results.push({ ...r, flowId: id });
  }
  return { ...report, flows, results };
}

const work = mkdtempSync(join(tmpdir(), 'dmdc-bench-'));
try {
  console.log(`dmdc bench (${RUNS} run(s) each; node ${process.version}; ${availableParallelism()} CPUs)`);
  // The CLI measured is the compiled one, as `npm ci` leaves it: sources edited since would run through tsx.
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
  console.log('  dist/ compiled afresh (npm run build): the CLI runs below are the compiled JavaScript');
  const pki = await createPki();

  console.log('\nTLS floor');
  const floor = await handshakeFloor(pki);
  line('mutual TLS 1.3 handshake, shared contexts', ms(floor));

  console.log('\nFlows alone (in this process, default scenarios)');
  const rounds = [];
  for (let i = 0; i < RUNS; i++) rounds.push(await flowsOnly(pki));
  const flowsMs = median(rounds.map((r) => r.flowsMs));
  line('8 flows, wall', ms(flowsMs));
  line('judging them (once)', ms(median(rounds.map((r) => r.judgeMs))));
  const last = rounds.at(-1)!;
  for (const f of last.flows) {
    // One per connection, whichever side recorded it.
    const handshakes = new Set(f.events.filter((e) => e.kind === 'tls').map((e) => e.connection ?? e.seq)).size;
    const per = median(rounds.map((r) => r.flows.find((x) => x.scenario.id === f.scenario.id)!.durationMs));
    const tester = f.events.some((e) => e.probe) ? ' (with the tester cases)' : '';
    line(`${f.scenario.id}${tester}`, `${ms(per)}; ${handshakes} handshakes, floor ${ms(handshakes * floor)}; flow ÷ floor ${(per / (handshakes * floor)).toFixed(2)}`);
  }

  console.log('\nFull run (node bin/dmdc.js run; every report but the optional Allure HTML)');
  const full = [];
  const phases: Array<Map<string, number>> = [];
  let report: RunReport | undefined;
  for (let i = 0; i < RUNS; i++) {
    const out = join(work, `full-${i}`);
    const r = timed(['run', '--out', out], { ...process.env, DMDC_TIMING: '1' });
    if (r.status !== 0) console.log(`  ! exit ${r.status}`);
    full.push(r.ms);
    phases.push(phasesOf(r.stderr));
    report = JSON.parse(readFileSync(join(out, 'latest', 'report.json'), 'utf8')) as RunReport;
  }
  line('wall', ms(median(full)));
  line('full ÷ flows alone', (median(full) / flowsMs).toFixed(2));
  console.log('  where it goes (DMDC_TIMING; the suites\' process works beside the flows until the report is written):');
  for (const name of phases[0]?.keys() ?? []) line(`  ${name}`, ms(median(phases.map((p) => p.get(name) ?? 0))));
  line('CLI start (dmdc --help)', ms(median(Array.from({ length: RUNS }, () => timed(['--help']).ms))));
  const nodeStart = (env: NodeJS.ProcessEnv) => ms(median(Array.from({ length: RUNS }, () => { const t0 = performance.now(); spawnSync(process.execPath, ['-e', '0'], { env }); return performance.now() - t0; })));
  line('node -e 0, for comparison', nodeStart(process.env));
  // Node 20 reads this bundle at every start; the harness's own child processes go without it (child-env.ts).
  if (process.env.NODE_EXTRA_CA_CERTS) line('node -e 0 without NODE_EXTRA_CA_CERTS', nodeStart(childEnv()));

  if (!values['skip-fleet']) {
    console.log('\nFleet (node bin/dmdc.js run --fleet N)');
    for (const n of values.fleet.split(',').map(Number)) {
      const out = join(work, `fleet-${n}`);
      const r = timed(['run', '--fleet', String(n), '--out', out]);
      try {
        const f = JSON.parse(readFileSync(join(out, 'latest', 'fleet.json'), 'utf8')) as { performance: { fleetMs: number; delegationsPerSecond: number; budgetTimeouts: number; peakRssBytes: number } };
        const p = f.performance;
        line(`N = ${n}`, `exit ${r.status}; ${(p.fleetMs / 1000).toFixed(1)} s; ${p.delegationsPerSecond} delegations/s; ${p.budgetTimeouts} budget timeouts; peak RSS ${Math.round(p.peakRssBytes / 2 ** 20)} MB`);
      } catch (err) {
        line(`N = ${n}`, `exit ${r.status}; no fleet.json (${(err as Error).message.split('\n')[0]})`);
      }
    }
  }

  console.log('\nHTML writer (report.html of a run of n flows)');
  for (const n of [8, 100, 1000]) {
    const r = scaled(report!, n);
    const times = Array.from({ length: RUNS }, () => {
      const t0 = performance.now();
      htmlReport(r);
      return performance.now() - t0;
    });
    line(`${n} flows (${r.results.length} results)`, ms(median(times)));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
