/**
 * `dmdc run --fleet N`: a load test. N reference DM clients, each its own DevId and tree, delegated through
 * DMS-1 and DMS-2 (mocks or, per --config, real implementations) at once, on every core; each client is
 * judged as its flow ends and counted per requirement (src/fleet/).
 */
import { mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Mutant } from '../../mocks/mutants.js';
import { loadCatalogue } from '../catalogue/catalogue.js';
import type { RealRoleBase, RunConfig } from '../config/config.js';
import type { Approach } from '../delegation/messages.js';
import { buildFleetReport } from '../fleet/fleet-report.js';
import { fleetEntries, MAX_FLEET } from '../fleet/fleet-plan.js';
import { parseShard, shardRange, type Shard } from '../runner/shard.js';
import { runFleet, type FleetRunOutcome } from '../fleet/fleet-run.js';
import { FleetTally } from '../fleet/fleet-tally.js';
import { writeFleetReports } from '../fleet/write-fleet-reports.js';
import { ROLES } from '../model/roles.js';
import { createPki } from '../pki/pki.js';
import { pointLatestAt } from '../report/latest-link.js';
import { modesOf } from '../runner/flow-setup.js';
import { plannedScenarios } from '../runner/scenario.js';

export const DEFAULT_CONCURRENCY = 16;
/** Clients named per requirement and verdict, the first kept in detail (K). */
const KEEP = 10;

export interface FleetCommandInput {
  /** The option values as run-command parsed them (strings: checked here). */
  fleet?: string;
  concurrency?: string;
  shard?: string;
  approach?: string;
  only?: string;
  out: string;
  config?: RunConfig;
  mutant?: Mutant;
  'show-secrets'?: boolean;
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function refuse(message: string): number {
  console.error(`dmdc run: ${message}`);
  return 2;
}

function positiveInteger(text: string, max: number): number | undefined {
  if (!/^\d+$/.test(text.trim())) return undefined;
  const n = Number(text);
  return n >= 1 && n <= max ? n : undefined;
}

export async function fleetCommand(i: FleetCommandInput): Promise<number> {
  if (i.fleet === undefined) return refuse('--concurrency is an option of fleet mode: add --fleet N');
  const size = positiveInteger(i.fleet, MAX_FLEET - 1);
  if (size === undefined) return refuse(`--fleet must be a number of clients from 1 to ${MAX_FLEET - 1}, not "${i.fleet}"`);
  const concurrency = i.concurrency === undefined ? DEFAULT_CONCURRENCY : positiveInteger(i.concurrency, 10_000);
  if (concurrency === undefined) return refuse(`--concurrency must be a number of flows from 1 to 10000, not "${i.concurrency}"`);
  let shard: Shard | undefined;
  if (i.shard !== undefined) {
    const parsed = parseShard(i.shard);
    if ('error' in parsed) return refuse(parsed.error);
    shard = parsed;
  }
  const range = shardRange(size, shard);
  if (range.to <= range.from) return refuse(`--shard ${i.shard} of a fleet of ${size} holds no client (more shards than clients)`);
  const cfg = i.config;
  if (cfg?.roles.client.mode === 'real') return refuse(`${cfg.file ?? 'the configuration'}: fleet mode delegates reference mock clients, each its own device; the configuration makes the client a real implementation`);
  const fixedProxy = cfg?.proxies.find((p) => p.listen?.port);
  if (fixedProxy && concurrency > 1) return refuse(`${cfg!.file ?? 'the configuration'}: the proxy for ${fixedProxy.link} listens on fixed port ${fixedProxy.listen!.port}, which concurrent flows cannot share; use port 0 or --concurrency 1`);
  const entries = fleetEntries(loadCatalogue().entries, i.only);
  if (!entries.length) return refuse(`--only ${i.only} matches no requirement a fleet judges (the tester's cases are not run in fleet mode); dmdc list shows the ids`);
  const approaches: Approach[] = i.approach ? [i.approach as Approach] : ['A', 'B'];
  const scenarios = plannedScenarios(cfg, approaches, i.mutant?.removeAccount);
  if (!scenarios.length) return refuse('the ICS and --approach leave no flow to run');

  const startedAt = new Date();
  const runId = startedAt.toISOString().replace(/[:.]/g, '-');
  const root = resolve(i.out);
  const dir = join(root, runId);
  mkdirSync(dir, { recursive: true });
  const clients = range.to - range.from;
  const selection = { approaches, ...(i.only ? { only: i.only } : {}) };
  say(`dmdc run ${runId}: fleet of ${size} clients${shard ? `, shard ${shard.index}/${shard.count} (${clients} clients, indices ${range.from}..${range.to - 1})` : ''}, ${scenarios.length} scenarios dealt round-robin, ${entries.length} requirements, ${concurrency} flows at once${i.mutant ? `, mutant ${i.mutant.id}` : ''}`);

  // Each client's flow has its own mock peers: a real implementation is set up again for every flow, at once.
  const perFlowSetup = cfg && ROLES.filter((r) => cfg.roles[r].mode === 'real' && (cfg.roles[r] as RealRoleBase).drivers?.setup);
  if (perFlowSetup?.length && concurrency > 1) say(`  note: the setup driver of the real ${perFlowSetup.join(', ')} runs for every client's flow, ${concurrency} at once: the implementation must keep each flow's peers and push URL apart (the reference mocks' control API keeps one set: use --concurrency 1 with them)`);

  const errors: string[] = [];
  let outcome: FleetRunOutcome = { tally: new FleetTally(KEEP), workers: 1, flowsPerWorker: 1, durationMs: 0, traceFiles: [], errors: [] };
  try {
    const pki = cfg?.pki ?? (await createPki());
    let judged = 0;
    let timeouts = 0;
    const started = Date.now();
    const step = Math.max(1, Math.ceil(clients / 10));
    outcome = await runFleet({
      runId, dir, range, scenarios, concurrency, pki, config: cfg, mutant: i.mutant?.id, only: i.only, selection, keep: KEEP, showSecrets: i['show-secrets'],
      onJudged: (status) => {
        judged++;
        if (status === 'timeout') timeouts++;
        if (judged % step === 0 || judged === clients) say(`  ▶ ${String(judged).padStart(String(clients).length)}/${clients} judged · ${(judged / ((Date.now() - started) / 1000)).toFixed(1)} delegations/s · ${timeouts} budget timeouts`);
      },
    });
  } catch (err) {
    errors.push(`harness: ${(err as Error).stack ?? err}`);
    say(`\n  harness error: ${(err as Error).message}`);
  }
  const { report, details } = buildFleetReport({
    runId, startedAt, size, shard, range, scenarioIds: scenarios.map((s) => s.id), concurrency, entries,
    roles: modesOf(cfg), mutant: i.mutant?.id, config: cfg && { ...(cfg.file ? { file: cfg.file } : {}), ...(cfg.name ? { name: cfg.name } : {}) },
    selection, outcome, traceFiles: outcome.traceFiles.map((f) => relative(dir, f)), errors,
    // maxRSS is in kilobytes and covers every thread of the process.
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  });
  const paths = writeFleetReports(dir, report, details, entries);
  const latest = pointLatestAt(root, runId);

  const p = report.performance;
  const s = report.summary;
  say('');
  say(`Fleet: ${report.fleet.clients} clients in ${(p.fleetMs / 1000).toFixed(1)} s · ${p.delegationsPerSecond} delegations/s · ${p.budgetTimeouts} budget timeouts · peak RSS ${Math.round(p.peakRssBytes / 2 ** 20)} MB · ${report.fleet.workers} workers × ${report.fleet.flowsPerWorker} flows`);
  say(`Flows: ${Object.entries(report.byStatus).filter(([, n]) => n).map(([st, n]) => `${st} ${n}`).join(', ') || 'none'}`);
  say(`Verdicts: ${Object.entries(s.byVerdict).filter(([, n]) => n).map(([v, n]) => `${v} ${n}`).join(', ') || 'none'}`);
  for (const r of report.requirements.filter((q) => q.byVerdict.FAIL)) say(`FAILED ${r.id} in ${r.byVerdict.FAIL} clients: ${r.first.FAIL!.join(', ')}${r.byVerdict.FAIL > r.first.FAIL!.length ? ', …' : ''}`);
  for (const e of report.errors) say(`ERROR: ${e.split('\n')[0]}`);
  say(`Reports: ${paths.html} · fleet.json · junit.xml · ${report.traceFiles.join(', ')}, also ${latest}/`);
  say(`Exit code ${s.exitCode}`);
  return s.exitCode;
}
