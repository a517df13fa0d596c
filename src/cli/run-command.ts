import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MUTANTS } from '../../mocks/mutants.js';
import { writeBundle } from '../bundle/write-bundle.js';
import { applicable, type CatalogueEntry } from '../catalogue/catalogue.js';
import { icsFeatures, type RunConfig } from '../config/config.js';
import { describeConfig, loadConfig } from '../config/load-config.js';
import { attributeBySessionId } from '../judge/attribute.js';
import { flowVerdicts, judgeFlow } from '../judge/judge.js';
import { offCertificateThread } from '../pki/pki.js';
import { defaultPki } from './run-ahead.js';
import { updatedBaseline, writeBaseline } from '../report/baseline.js';
import { buildReport } from '../report/build-report.js';
import { redactJson, redactTraceFile, runSecrets } from '../report/run-secrets.js';
import type { Baseline, RequirementResult, RunSelection } from '../report/model.js';
import { EveryCasePlayed } from '../runner/every-case-played.js';
import { flowSetup, modesOf } from '../runner/flow-setup.js';
import { firstOfEachShape } from '../runner/flow-selection.js';
import { observability } from '../runner/observability.js';
import type { FlowResult } from '../runner/run-flow.js';
import { makeTesterCertificatesAhead } from '../runner/tester-certificates.js';
import type { Scenario } from '../runner/scenario.js';
import type { Shard } from '../runner/shard.js';
import { loadClientFixture } from '../tree/client-fixture.js';
import { completeRunFolder, sayOutcome } from './run-folder.js';
import { SuitesProcess } from './suites-runner.js';
import { phaseDone } from './phase-clock.js';
import { planRun } from './run-plan.js';

export const RUN_HELP = `dmdc run [options]

Runs every delegation flow (approach × full|partial × temporary|permanent) over real TLS, with the
reference mocks or, per --config, real implementations in any role; judges the trace and the client's
final DM tree against the requirement catalogue, runs the vitest conformance suites (Allure results),
and writes the reports.

Options:
  --config FILE      which roles are real implementations, how to reach and drive them, their ICS
                     (schema: fixtures/config/dmdc-config.schema.json; guide: docs/vendor-guide.md)
  --approach A|B     run one approach only
  --flow FLOW-GLOB   run only matching flows (comma-separated globs: 'B-*,A-full-temporary')
  --only ID-GLOB     judge only matching requirement ids (comma-separated globs: 'B.*,ORD-*'); a flow runs
                     only if a selected requirement applies to it
  --list, --dry-run  print the flows and requirements the selection would run, and exit
  --rerun-failed R   run again only the flows and requirements that did not pass (FAIL, WARN, BLOCKED,
                     INCONCLUSIVE, ERROR) in report R (a report.json, a run folder or a reports root)
  --shard i/n        run only part i of n of the flows (deterministic); dmdc merge joins the parts
  --baseline FILE    known FAILs (requirement × flow, reason, optional expiry): they do not fail the run,
                     and an entry that now passes (stale) does (schema: fixtures/baseline.schema.json)
  --update-baseline  with --baseline: rewrite FILE to the run's FAILs (stale entries removed, new ones added)
  --report-url URL   where report.html will be published: summary.md links its FAILs there
  --show-secrets     keep account secrets, passwords and nonces in the reports and the trace (a lab's own
                     debugging; by default only bundle/private/, the lab's part, holds them)
  --out DIR          reports root (default reports); the run goes to DIR/<run-id>/ and DIR/latest/
  --mutant ID        run a deliberately non-conformant variant of the mocks (self-test; see --list-mutants)
  --list-mutants     print the mutants and exit
  --no-suites        skip the vitest/Allure pass (report.json, report.html, junit.xml, trace.jsonl only)
  --allure-report    also build the single-file Allure report (allure-report/index.html) from the
                     Allure results; it takes about a second more, so it is built on request only
  --fleet N          fleet mode, a load test: N reference clients (each its own DevId and tree) delegated
                     at once on every core, the scenarios dealt round-robin, each client judged; no tester
                     cases, no suites; writes fleet.json, report.html, junit.xml, trace-w<k>.jsonl
  --concurrency C    fleet mode: flows at once over all cores (default 16)
                     (with --fleet, --shard i/n takes the DevId index range [floor((i-1)N/n), floor(iN/n)))
  --help             this text

Exit codes: 0 every applicable check passed; 1 a FAIL; 2 harness or configuration error; 3 no FAIL but
something INCONCLUSIVE.`;

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

export async function runCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        approach: { type: 'string' },
        only: { type: 'string' },
        out: { type: 'string', default: 'reports' },
        mutant: { type: 'string' },
        config: { type: 'string' },
        fleet: { type: 'string' },
        concurrency: { type: 'string' },
        shard: { type: 'string' },
        flow: { type: 'string' },
        list: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        'rerun-failed': { type: 'string' },
        baseline: { type: 'string' },
        'update-baseline': { type: 'boolean', default: false },
        'report-url': { type: 'string' },
        'show-secrets': { type: 'boolean', default: false },
        'list-mutants': { type: 'boolean', default: false },
        'no-suites': { type: 'boolean', default: false },
        'allure-report': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    console.error(`dmdc run: ${(err as Error).message}\n\n${RUN_HELP}`);
    return 2;
  }
  if (values.help) return say(RUN_HELP), 0;
  if (values['list-mutants']) {
    for (const m of MUTANTS) say(`${m.id.padEnd(28)} ${m.description} (${m.kills.length ? `targets ${m.kills.join(', ')}` : `silent: ${m.silent?.join(', ')} INCONCLUSIVE`})`);
    return 0;
  }
  if (values.approach && values.approach !== 'A' && values.approach !== 'B') {
    console.error(`dmdc run: --approach must be A or B, not "${values.approach}"`);
    return 2;
  }
  let config: RunConfig | undefined;
  if (values.config) {
    // Validated before any traffic: a bad config is exit 2 with every bad field named, and nothing is sent.
    const loaded = await loadConfig(values.config);
    if (!loaded.ok) {
      console.error(`dmdc run: ${values.config} is not a valid configuration:`);
      for (const e of loaded.errors) console.error(`  ${e}`);
      return 2;
    }
    config = loaded.config;
  }
  const mutant = values.mutant ? MUTANTS.find((m) => m.id === values.mutant) : undefined;
  if (values.mutant && !mutant) {
    console.error(`dmdc run: unknown mutant "${values.mutant}"; --list-mutants shows them`);
    return 2;
  }
  if (values.fleet !== undefined || values.concurrency !== undefined) {
    return (await import('./fleet-command.js')).fleetCommand({ ...values, config, mutant });
  }
  const plan = planRun({ ...values, config, removeAccount: mutant?.removeAccount });
  if ('exit' in plan) {
    if (plan.exit === 2) console.error(`dmdc run: ${plan.message}`);
    else say(`dmdc run: ${plan.message}`);
    return plan.exit;
  }
  const { approaches, selected, scenarios, shard, rerun, baseline, entries: runEntries, entriesFor, playsHere } = plan;
  if (values.list || values['dry-run']) return listPlan(scenarios, entriesFor, icsFeatures(config?.ics), playsHere, shard, selected.length);
  // The run's certificates (started ahead by main.ts), and the tester's, are made on another thread while the harness loads.
  offCertificateThread();
  const pkiReady = config?.pki ? Promise.resolve(config.pki) : defaultPki();
  if (!config?.pki) pkiReady.then((pki) => makeTesterCertificatesAhead(pki.ca), () => {});
  // Loaded now: what comes before (a --help, a --list, a bad configuration) does without the mocks.
  const { runFlow } = await import('../runner/run-flow.js');

  const startedAt = new Date();
  const runId = startedAt.toISOString().replace(/[:.]/g, '-');
  const root = resolve(values.out);
  const dir = join(root, runId);
  mkdirSync(dir, { recursive: true });
  phaseDone('start-up (modules, configuration, plan)');
  // Loading vitest and the suites takes another core while the flows run.
  const suites = values['no-suites'] ? undefined : new SuitesProcess(dir);
  const opts = values;
  try {
    return await runAndPresent();
  } finally {
    suites?.cancel();
  }

  async function runAndPresent(): Promise<number> {
    say(`dmdc run ${runId}: ${scenarios.length} flows${shard ? ` (shard ${shard.index}/${shard.count} of ${selected.length})` : ''}, ${runEntries.length} requirements${rerun ? `, re-running what did not pass in ${rerun.runId}` : ''}${mutant ? `, mutant ${mutant.id}` : ''}`);
    if (config) say(describeConfig(config).replace(/^/gm, '  '));

    const errors: string[] = [];
    const flows: FlowResult[] = [];
    const results: RequirementResult[] = [];
    const judgedBy = new Map<string, RequirementResult[]>();
    try {
      const pki = await pkiReady;
      phaseDone('certificates');
      // The tester plays each case once per run against each endpoint, in the first flow that has it.
      const testerPlayed = new Set<string>();
      const nothingToPlay = new EveryCasePlayed();
      for (const scenario of scenarios) {
        process.stdout.write(`  ▶ ${scenario.id.padEnd(22)}`);
        const flow = await runFlow({ scenario, pki, config, traceFile: join(dir, 'trace.jsonl'), variation: mutant?.variation, testerPlayed: playsHere(scenario.id) ? testerPlayed : nothingToPlay });
        flows.push(flow);
        const verdicts = judgeFlow(flow, entriesFor(scenario.id));
        judgedBy.set(scenario.id, verdicts);
        const { rootFailures, stop } = flowVerdicts(flow, verdicts);
        const blocked = verdicts.filter((r) => r.verdict === 'BLOCKED').length;
        const inconclusive = verdicts.filter((r) => r.verdict === 'INCONCLUSIVE').length;
        const tally = [rootFailures.length && `FAIL ${rootFailures.join(', ')}`, blocked && `${blocked} BLOCKED`, inconclusive && `${inconclusive} INCONCLUSIVE`].filter(Boolean).join(' · ');
        say(`${flow.status.padEnd(10)} ${String(flow.durationMs).padStart(5)} ms  ${flow.events.length} events  ${tally || 'ok'}`);
        if (stop) say(`      stopped at ${stop.requirementId}${stop.seq ? ` (seq ${stop.seq})` : ''}: ${stop.actual}`);
        else if (flow.status === 'timeout' || flow.status === 'error') say(`      ${flow.status}: ${flow.error}`);
      }
    } catch (err) {
      errors.push(`harness: ${(err as Error).stack ?? err}`);
      say(`\n  harness error: ${(err as Error).message}`);
    }
    // A late message of one delegation that reached a later flow's endpoints is judged in its own flow.
    for (const id of attributeBySessionId(flows)) {
      judgedBy.set(id, judgeFlow(flows.find((f) => f.scenario.id === id)!, entriesFor(id)));
      say(`  ${id}: re-judged with the DMS↔DMS messages of its delegation recorded during another flow`);
    }
    results.push(...flows.flatMap((f) => judgedBy.get(f.scenario.id) ?? []));
    phaseDone('flows, each judged');

    const selection: RunSelection = {
      approaches: [...approaches],
      ...(opts.only ? { only: opts.only } : {}),
      ...(opts.flow ? { flow: opts.flow } : {}),
      ...(rerun ? { rerunOf: rerun.runId } : {}),
      ...(shard ? { shard } : {}),
      plan: selected.map((s) => s.id),
    };
    const roles = modesOf(config);
    const setup = config && {
      ...(config.file ? { file: config.file } : {}),
      ...(config.name ? { name: config.name } : {}),
      ics: { ...config.ics },
      observability: observability(flowSetup(config, loadClientFixture(), config.pki).assignment),
    };
    const reportOf = (b?: Baseline & { file?: string }) => buildReport({ runId, startedAt, flows, results, entries: runEntries, roles, selection, mutant: mutant?.id, setup, errors, baseline: b });
    let report = reportOf(baseline);
    if (baseline && opts['update-baseline'] && report.summary.baseline) {
      const updated = { ...updatedBaseline(report.summary.baseline, runId), file: baseline.file };
      writeBaseline(baseline.file, updated);
      say(`  baseline ${baseline.file} updated: ${updated.entries.length} entries (${report.summary.baseline.stale.length} stale removed, ${report.summary.baseline.newFailures.length} FAILs added: give each its reason)`);
      report = reportOf(updated);
    }
    // What a customer gets shows no secret: the reports and the trace are written without them, and only the
    // bundle's private part (the lab's, for dmdc verify) keeps them. --show-secrets is for a lab's own debugging.
    const secrets = opts['show-secrets'] ? new Set<string>() : runSecrets(flows);
    if (opts['show-secrets']) report.secretsShown = true;
    else report = redactJson(report, secrets);
    phaseDone('report built, secrets redacted');
    const present = { noSuites: opts['no-suites'], allureReport: opts['allure-report'], htmlUrl: opts['report-url'], suites };
    // The trace is written again without the secrets while the suites run (they read report.json only); the
    // flows as judged (after re-attribution) go to the bundle: what `dmdc verify` judges again, offline.
    const latest = await completeRunFolder(root, runId, dir, report, present, async () => {
      if (secrets.size && existsSync(join(dir, 'trace.jsonl'))) await redactTraceFile(join(dir, 'trace.jsonl'), () => secrets);
      writeBundle(dir, {
        flows,
        config,
        runId,
        ...(opts.only ? { only: opts.only } : {}),
        ...(rerun ? { requirementsByFlow: Object.fromEntries(scenarios.map((s) => [s.id, entriesFor(s.id).map((e) => e.id)])) } : {}),
      });
    });
    return sayOutcome(report, dir, latest, present);
  }
}

/** --list / --dry-run: what the selection would run, flow by flow, without running it. */
function listPlan(scenarios: readonly Scenario[], entriesFor: (flowId: string) => CatalogueEntry[], features: readonly string[], playsHere: (flowId: string) => boolean, shard: Shard | undefined, of: number): number {
  say(`${scenarios.length} flows${shard ? ` (shard ${shard.index}/${shard.count} of ${of})` : ''}; the tester plays its cases in the flows marked "tester"${shard && shard.index > 1 ? ' (in shard 1: none here)' : ''}`);
  const testerFlows = firstOfEachShape(scenarios.filter((s) => playsHere(s.id)));
  for (const s of scenarios) {
    const applying = entriesFor(s.id).filter((e) => applicable(e, s, { features }).ok);
    say(`  ${s.id.padEnd(22)} approach ${s.approach}, ${s.delegationType.scope} ${s.delegationType.duration}${s.approach === 'B' ? `, Bootstrap Server ${s.bootstrap}` : ''}${s.removeAccount ? ', DMS-1 removes its account' : ''}${s.authType ? `, ${s.authType}` : ''}${testerFlows.has(s) ? ', tester' : ''}: ${applying.length} requirements apply`);
    say(`      ${applying.map((e) => e.id).join(' ')}`);
  }
  return 0;
}
