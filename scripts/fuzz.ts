/**
 * Fuzzes every endpoint of the four reference mocks, each run as its own `dmdc mock` process (as a lab runs
 * them), and prints per endpoint: inputs, HTTP answers by status class, refusals at TLS, drops, hangs, 5xx,
 * the share of HTTP-level inputs found in the mock's trace with their answer, whether its mock crashed, and
 * each mock's RSS at start, after a warm-up round and at the end. Last, whether the figures meet the
 * acceptance criterion (exit 1 if not); test/fuzz/fuzz-smoke.test.ts asserts the same on fewer inputs.
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
import { fuzzInputStream } from '../test/support/fuzz-inputs.js';
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
/** The acceptance criterion's bound on a mock's memory over a run. */
const MAX_RSS_GROWTH_MB = 50;
/** Inputs per endpoint played before the memory is measured (see below). */
const WARM_UP = 200;

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
/** A mock that exits before it is stopped crashed: how it ended, and the end of what it wrote to stderr. */
const crashes = {} as Record<Role, string | undefined>;
for (const role of ROLES) {
  const m = await spawnMock([role, '--pki', join(dir, 'pki'), '--out', join(dir, role), '--control', '--config', config]);
  let stderr = '';
  m.child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
  m.child.once('exit', (code, signal) => (crashes[role] ??= `exited (${signal ?? code}): ${stderr.trim().split('\n').at(-1) ?? ''}`));
  mocks[role] = m;
}
const urls = Object.fromEntries(ROLES.map((r) => [r, mocks[r].info])) as MockUrls;
const wiring = fuzzWiring(urls, fixture);
for (const role of ROLES) {
  const res = await fetch(`${mocks[role].info.control}/control/configure`, { method: 'POST', body: JSON.stringify(wiring[role]) });
  if (!res.ok) throw new Error(`configure ${role}: HTTP ${res.status} ${await res.text()}`);
}

/** Resident set size of a process, in MB (Linux). */
const rssMb = (pid: number) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
  } catch {
    return NaN; // gone: a crash, reported as such
  }
};
const rssAll = () => Object.fromEntries(ROLES.map((r) => [r, rssMb(mocks[r].child.pid!)]));
const start = rssAll();

const targets = fuzzTargets(urls, pki, fixture);
// A mock's first requests load code and grow its heap to a working size, whatever they carry: growth is
// measured from a mock that has served a short round (another seed), so it shows what the inputs leave behind.
const warmUp = await fuzzMocks(targets, (t, i) => fuzzInputStream(t, fixture, Math.min(WARM_UP, count), seed + 1_000 + i), { budgetMs: BUDGET_MS, concurrency });
const before = rssAll();
const started = Date.now();
const outcomes = await fuzzMocks(targets, (t, i) => fuzzInputStream(t, fixture, count, seed + i), { budgetMs: BUDGET_MS, concurrency });
const seconds = (Date.now() - started) / 1000;
const after = rssAll();
// From here on an exit is the one asked for.
const crashed = { ...crashes };
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

const rows: string[][] = [['endpoint', 'inputs', '2xx', '3xx', '4xx', '5xx', 'headers > 16 KiB', 'TLS refused', 'dropped', 'hangs', 'traced with reason', 'crashed', 'RSS MB start, warm → after']];
const problems: string[] = [];
const misses = new Set<string>();
const all = await allFigures(outcomes, readTrace);
for (const t of targets) {
  const f = all.get(t)!;
  const pct = f.httpLevel ? ((100 * f.traced) / f.httpLevel).toFixed(1) : '-';
  const growth = after[t.mock] - before[t.mock];
  rows.push([t.name, String(f.inputs), ...['2xx', '3xx', '4xx', '5xx'].map((c) => String(f.answered[c] ?? 0)), String(f.hugeHeaders), String(f.tlsRefused), String(f.dropped), String(f.hangs), `${pct}% of ${f.httpLevel}`, crashed[t.mock] ? 'yes' : 'no', `${start[t.mock].toFixed(0)}, ${before[t.mock].toFixed(0)} → ${after[t.mock].toFixed(0)}`]);
  for (const u of f.untraced.slice(0, 3)) problems.push(`${t.name}: ${u.mutation}${u.status ? ` (${u.status})` : ''}: ${u.why}`);
  // Its mutation, port and time find a hang in the mock's trace.
  for (const o of outcomes.get(t)!.filter((x) => x.hang).slice(0, 3)) problems.push(`${t.name}: ${o.input.mutation}: no answer nor close within ${BUDGET_MS} ms (port ${o.port ?? 'none: no handshake'}, at ${new Date(o.at).toISOString()})`);
  if (crashed[t.mock]) misses.add(`${t.mock} crashed: ${crashed[t.mock]}`);
  if (f.hangs) misses.add(`${t.name}: ${f.hangs} hangs`);
  if (f.fiveXX) misses.add(`${t.name}: ${f.fiveXX} answers 5xx`);
  if (f.traced < f.httpLevel) misses.add(`${t.name}: ${f.httpLevel - f.traced} HTTP-level inputs not in the trace with a reason`);
  if (!(growth <= MAX_RSS_GROWTH_MB)) misses.add(`${t.mock}: RSS grew ${growth.toFixed(0)} MB (at most ${MAX_RSS_GROWTH_MB})`);
  const warm = warmUp.get(t)!.filter((o) => o.hang || (o.status ?? 0) >= 500).length;
  if (warm) misses.add(`${t.name}: ${warm} hangs or 5xx in the warm-up round`);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) console.log(r.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  '));
console.log(`\n${count} inputs per endpoint, seed ${seed}, ${concurrency} at a time per endpoint, ${seconds.toFixed(0)} s, after a warm-up of ${Math.min(WARM_UP, count)}; endpoint limits ${JSON.stringify(LIMITS)}`);
if (problems.length) console.log(`\nnot answered, or not in the trace as they should be (first few):\n  ${problems.join('\n  ')}`);
console.log(misses.size ? `\ncriterion (0 crashes, 0 hangs, 0 5xx, 100% traced with a reason, RSS growth <= ${MAX_RSS_GROWTH_MB} MB per mock) NOT met:\n  ${[...misses].join('\n  ')}` : `\ncriterion met: 0 crashes, 0 hangs, 0 5xx, 100% traced with a reason, RSS growth <= ${MAX_RSS_GROWTH_MB} MB per mock`);
if (!values.keep) rmSync(dir, { recursive: true, force: true });
process.exitCode = misses.size ? 1 : 0;
