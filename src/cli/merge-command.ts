import { copyFileSync, createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { mergeBundles } from '../bundle/merge-bundles.js';
import { loadCatalogue } from '../catalogue/catalogue.js';
import type { FleetReport } from '../fleet/fleet-report.js';
import type { ClientDetail } from '../fleet/fleet-tally.js';
import { requirementRefs } from '../report/build-report.js';
import { pointLatestAt } from '../report/latest-link.js';
import { mergeProblems, mergeReports } from '../report/merge-reports.js';
import type { RunReport } from '../report/model.js';
import { readRunReport } from '../report/read-report.js';
import { completeRunFolder, sayOutcome } from './run-folder.js';

export const MERGE_HELP = `dmdc merge [options] SHARD...

Joins the runs of a sharded run (dmdc run --shard i/n, one per machine) into one run: report.json,
report.html, junit.xml, summary.md, trace.jsonl and the bundle, with the verdicts and exit code of the whole
run, and one Allure results folder from the conformance suites over the merged report. The shards of a fleet
(dmdc run --fleet N --shard i/n) are joined into one fleet.json, report.html and junit.xml, with the shards'
traces. Each SHARD is a run folder, its report.json or fleet.json, or a reports root (its latest run).
Every shard of the run must be given, once.

Options:
  --out DIR          reports root (default reports); the merged run goes to DIR/<run-id>/ and DIR/latest/
  --no-suites        skip the vitest/Allure pass
  --allure-report    also build the single-file Allure report
  --report-url URL   where report.html will be published: summary.md links its FAILs there
  --help             this text

Exit codes: those of the merged run (0 pass, 1 a FAIL, 3 INCONCLUSIVE); 2 when the shards cannot be merged.`;

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** The shards' traces as one, flow by flow in plan order (each trace's seqs are its flow's own). */
async function mergeTraces(dirs: readonly string[], plan: readonly string[], out: string): Promise<void> {
  const byFlow = new Map<string, string[]>();
  for (const dir of dirs) {
    const file = join(dir, 'trace.jsonl');
    if (!existsSync(file)) continue;
    for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      if (!line) continue;
      const flow = (JSON.parse(line) as { flow?: string }).flow ?? '';
      if (!byFlow.has(flow)) byFlow.set(flow, []);
      byFlow.get(flow)!.push(line);
    }
  }
  const order = [...plan, ...[...byFlow.keys()].filter((f) => !plan.includes(f))];
  const sink = createWriteStream(out);
  for (const flow of order) for (const line of byFlow.get(flow) ?? []) if (!sink.write(`${line}\n`)) await new Promise<void>((r) => sink.once('drain', () => r()));
  await new Promise<void>((done, fail) => sink.end((err?: Error | null) => (err ? fail(err) : done())));
}

export async function mergeCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string', default: 'reports' },
        'no-suites': { type: 'boolean', default: false },
        'allure-report': { type: 'boolean', default: false },
        'report-url': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    console.error(`dmdc merge: ${(err as Error).message}\n\n${MERGE_HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) return say(MERGE_HELP), 0;
  if (!positionals.length) return console.error(`dmdc merge: name the shards' run folders\n\n${MERGE_HELP}`), 2;
  const fleets = positionals.map(fleetFolder);
  if (fleets.every(Boolean)) return mergeFleet(fleets as string[], values);
  if (fleets.some(Boolean)) return console.error('dmdc merge: give the shards of one kind of run: some of these are fleet runs (fleet.json), some not'), 2;
  const shards: Array<{ report: RunReport; dir: string }> = [];
  for (const p of positionals) {
    const read = readRunReport(p);
    if ('error' in read) return console.error(`dmdc merge: ${read.error}`), 2;
    shards.push(read);
  }
  const problems = mergeProblems(shards.map((s) => s.report));
  if (problems.length) {
    console.error('dmdc merge: these runs are not the shards of one run:');
    for (const p of problems) console.error(`  ${p}`);
    return 2;
  }
  const entries = loadCatalogue().entries;
  const runId = new Date().toISOString().replace(/[:.]/g, '-');
  const root = resolve(values.out);
  const dir = join(root, runId);
  mkdirSync(dir, { recursive: true });
  // What `dmdc verify` judges again; a shard without one leaves the merged run unverifiable: an error of the run.
  const bundleProblems = mergeBundles(shards.map((s) => s.dir), dir, { runId, plan: shards[0].report.selection.plan ?? [] });
  const report = mergeReports(
    shards.map((s) => s.report),
    { runId, requirements: (ids, approaches) => requirementRefs(entries.filter((e) => ids.has(e.id)), approaches), errors: bundleProblems.map((p) => `bundle: ${p}`) },
  );
  say(`dmdc merge ${runId}: ${shards.length} shards (${report.selection.mergedFrom!.join(', ')}), ${report.flows.length} flows`);
  await mergeTraces(shards.map((s) => s.dir), report.selection.plan ?? [], join(dir, 'trace.jsonl'));
  const present = { noSuites: values['no-suites'], allureReport: values['allure-report'], htmlUrl: values['report-url'] };
  const latest = await completeRunFolder(root, runId, dir, report, present);
  return sayOutcome(report, dir, latest, present);
}

/** The run folder of a fleet run named by its folder, its fleet.json or a reports root; undefined for another. */
function fleetFolder(path: string): string | undefined {
  const found = [path, join(path, 'fleet.json'), join(path, 'latest', 'fleet.json')].find((f) => basename(f) === 'fleet.json' && existsSync(f));
  return found && dirname(realpathSync(found));
}

/** `dmdc merge` of a fleet's shards: fleet.json, report.html, junit.xml and the shards' traces, side by side. */
async function mergeFleet(dirs: readonly string[], values: { out: string }): Promise<number> {
  // Loaded here: a merge of ordinary runs does not load the fleet's report writers and schema.
  const [{ fleetMergeProblems, mergeFleetReports }, { DETAILS_FILE, writeFleetReports }] = await Promise.all([import('../fleet/merge-fleet.js'), import('../fleet/write-fleet-reports.js')]);
  const shards = dirs.map((dir) => ({
    dir,
    report: JSON.parse(readFileSync(join(dir, 'fleet.json'), 'utf8')) as FleetReport,
    details: existsSync(join(dir, DETAILS_FILE)) ? (JSON.parse(readFileSync(join(dir, DETAILS_FILE), 'utf8')) as ClientDetail[]) : [],
  }));
  const problems = fleetMergeProblems(shards.map((s) => s.report));
  if (problems.length) {
    console.error('dmdc merge: these fleet runs are not the shards of one fleet:');
    for (const p of problems) console.error(`  ${p}`);
    return 2;
  }
  const runId = new Date().toISOString().replace(/[:.]/g, '-');
  const root = resolve(values.out);
  const dir = join(root, runId);
  mkdirSync(dir, { recursive: true });
  // Each shard's traces, copied under the shard's number: the merged folder stands on its own.
  const traceFiles = shards.flatMap((s) => s.report.traceFiles.map((f) => {
    const name = `shard${s.report.fleet.shard!.index}-${basename(f)}`;
    if (existsSync(join(s.dir, f))) copyFileSync(join(s.dir, f), join(dir, name));
    return name;
  }));
  const { report, details } = mergeFleetReports(shards, { runId, traceFiles });
  const ids = new Set(report.requirements.map((q) => q.id));
  const paths = writeFleetReports(dir, report, details, loadCatalogue().entries.filter((e) => ids.has(e.id)));
  const latest = pointLatestAt(root, runId);
  const s = report.summary;
  say(`dmdc merge ${runId}: ${shards.length} fleet shards, ${report.fleet.clients} of ${report.fleet.size} clients`);
  say(`Verdicts: ${Object.entries(s.byVerdict).filter(([, n]) => n).map(([v, n]) => `${v} ${n}`).join(', ') || 'none'}`);
  for (const q of report.requirements.filter((r) => r.byVerdict.FAIL)) say(`FAILED ${q.id} in ${q.byVerdict.FAIL} clients: ${q.first.FAIL!.join(', ')}${q.byVerdict.FAIL > q.first.FAIL!.length ? ', …' : ''}`);
  say(`Reports: ${paths.html} · fleet.json · junit.xml, also ${latest}/`);
  say(`Exit code ${s.exitCode}`);
  return s.exitCode;
}
