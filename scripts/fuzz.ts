/**
 * Fuzzes every endpoint of the four reference mocks, each run as its own `dmdc mock` process (as a lab runs
 * them), and prints per endpoint: inputs, HTTP answers by status class, refusals at TLS, drops, hangs, 5xx,
 * the share of HTTP-level inputs found in the mock's trace with their answer, and each mock's RSS before and
 * after. It measures and prints; it asserts nothing (test/fuzz/fuzz-smoke.test.ts does, on fewer inputs).
 *
 *   npm run fuzz -- [--count 2000] [--seed 1] [--concurrency 4] [--keep DIR]
 */
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ROLES, type Role } from '../src/model/roles.js';
import { createPki, writePki } from '../src/pki/pki.js';
import type { TraceEvent } from '../src/trace/events.js';
import { loadClientFixture } from '../src/tree/client-fixture.js';
import { fuzzInputs } from '../test/support/fuzz-inputs.js';
import { allFigures, fuzzMocks } from '../test/support/fuzz-run.js';
import { fuzzTargets, fuzzWiring, type MockUrls } from '../test/support/fuzz-targets.js';
import { spawnMock, type SpawnedMock } from '../test/support/spawn-mock.js';

const { values } = parseArgs({ options: { count: { type: 'string', default: '2000' }, seed: { type: 'string', default: '1' }, concurrency: { type: 'string', default: '4' }, keep: { type: 'string' } } });
const count = Number(values.count);
const seed = Number(values.seed);
const concurrency = Number(values.concurrency);

// Short endpoint limits, so a stalled input costs seconds, not the default's; the budget covers them.
const LIMITS = { headersMs: 1000, requestMs: 2000 };
const BUDGET_MS = 6000;

const dir = values.keep ?? mkdtempSync(join(tmpdir(), 'dmdc-fuzz-'));
const pki = await createPki();
writePki(join(dir, 'pki'), pki);
const config = join(dir, 'limits.json');
writeFileSync(config, JSON.stringify({ limits: LIMITS }));
const fixture = loadClientFixture();

const mocks = {} as Record<Role, SpawnedMock>;
// The mock processes must not outlive the script, whatever goes wrong.
const stopAll = () => Promise.all(Object.values(mocks).map((m) => m.stop()));
process.once('uncaughtException', (err) => void stopAll().then(() => { console.error(err); process.exit(2); }));
process.once('unhandledRejection', (err) => void stopAll().then(() => { console.error(err); process.exit(2); }));
for (const role of ROLES) mocks[role] = await spawnMock([role, '--pki', join(dir, 'pki'), '--out', join(dir, role), '--control', '--config', config]);
const urls = Object.fromEntries(ROLES.map((r) => [r, mocks[r].info])) as MockUrls;
const wiring = fuzzWiring(urls, fixture);
for (const role of ROLES) {
  const res = await fetch(`${mocks[role].info.control}/control/configure`, { method: 'POST', body: JSON.stringify(wiring[role]) });
  if (!res.ok) throw new Error(`configure ${role}: HTTP ${res.status} ${await res.text()}`);
}

/** Resident set size of a process, in MB (Linux). */
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const before = Object.fromEntries(ROLES.map((r) => [r, rssMb(mocks[r].child.pid!)]));

const targets = fuzzTargets(urls, pki, fixture);
const started = Date.now();
const outcomes = await fuzzMocks(targets, (t, i) => fuzzInputs(t, fixture, count, seed + i), { budgetMs: BUDGET_MS, concurrency });
const seconds = (Date.now() - started) / 1000;
const after = Object.fromEntries(ROLES.map((r) => [r, rssMb(mocks[r].child.pid!)]));
await stopAll();

/** A mock's trace without its bodies' raw text: only what tells an answer and its reason. */
async function readTrace(role: Role): Promise<TraceEvent[]> {
  const out: TraceEvent[] = [];
  for await (const line of createInterface({ input: createReadStream(join(dir, role, 'trace.jsonl')) })) {
    const e = JSON.parse(line) as TraceEvent;
    if (e.body) e.body = { ...e.body, raw: '' };
    out.push(e);
  }
  return out;
}

const rows: string[][] = [['endpoint', 'inputs', '2xx', '3xx', '4xx', '5xx', 'headers > 16 KiB', 'TLS refused', 'dropped', 'hangs', 'traced', 'RSS MB before → after']];
const problems: string[] = [];
const all = await allFigures(outcomes, readTrace);
for (const t of targets) {
  const f = all.get(t)!;
  const pct = f.httpLevel ? ((100 * f.traced) / f.httpLevel).toFixed(1) : '-';
  rows.push([t.name, String(f.inputs), ...['2xx', '3xx', '4xx', '5xx'].map((c) => String(f.answered[c] ?? 0)), String(f.hugeHeaders), String(f.tlsRefused), String(f.dropped), String(f.hangs), `${pct}% of ${f.httpLevel}`, `${before[t.mock].toFixed(0)} → ${after[t.mock].toFixed(0)}`]);
  for (const u of f.untraced.slice(0, 3)) problems.push(`${t.name}: ${u.mutation}${u.status ? ` (${u.status})` : ''}: ${u.why}`);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) console.log(r.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  '));
console.log(`\n${count} inputs per endpoint, seed ${seed}, ${concurrency} at a time per endpoint, ${seconds.toFixed(0)} s; endpoint limits ${JSON.stringify(LIMITS)}`);
if (problems.length) console.log(`\nnot in the trace as they should be (first few):\n  ${problems.join('\n  ')}`);
if (!values.keep) rmSync(dir, { recursive: true, force: true });
