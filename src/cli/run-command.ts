import { mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MUTANTS } from '../../mocks/mutants.js';
import { loadCatalogue, matchesGlob } from '../catalogue/catalogue.js';
import { attributeBySessionId } from '../judge/attribute.js';
import { flowVerdicts, judgeFlow } from '../judge/judge.js';
import { createPki } from '../pki/pki.js';
import { buildReport } from '../report/build-report.js';
import { pointLatestAt } from '../report/latest-link.js';
import { writeAllReports } from '../report/index.js';
import type { RequirementResult } from '../report/model.js';
import { runFlow, type FlowResult } from '../runner/run-flow.js';
import { plannedScenarios } from '../runner/scenario.js';
import type { RunConfig } from '../config/config.js';
import { describeConfig, loadConfig } from '../config/load-config.js';
import { flowSetup, modesOf } from '../runner/flow-setup.js';
import { observability } from '../runner/observability.js';
import { loadClientFixture } from '../tree/client-fixture.js';
import { runSuites } from './suites-runner.js';

export const RUN_HELP = `dmdc run [options]

Runs every delegation flow (approach × full|partial × temporary|permanent) over real TLS, with the
reference mocks or, per --config, real implementations in any role; judges the trace and the client's
final DM tree against the requirement catalogue, runs the vitest conformance suites (Allure results),
and writes the reports.

Options:
  --config FILE      which roles are real implementations, how to reach and drive them, their ICS
                     (schema: fixtures/config/dmdc-config.schema.json; guide: docs/vendor-guide.md)
  --approach A|B     run one approach only
  --only ID-GLOB     judge only matching requirement ids (comma-separated globs: 'B.*,ORD-*')
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
  --shard i/n        fleet mode: only shard i of n, the DevId index range [floor((i-1)N/n), floor(iN/n))
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
  if (values.fleet !== undefined || values.concurrency !== undefined || values.shard !== undefined) {
    return (await import('./fleet-command.js')).fleetCommand({ ...values, config, mutant });
  }
  const catalogue = loadCatalogue();
  const entries = catalogue.entries.filter((e) => !values.only || matchesGlob(e.id, values.only));
  if (!entries.length) {
    console.error(`dmdc run: --only ${values.only} matches no requirement; dmdc list shows the ids`);
    return 2;
  }

  const startedAt = new Date();
  const runId = startedAt.toISOString().replace(/[:.]/g, '-');
  const root = resolve(values.out);
  const dir = join(root, runId);
  mkdirSync(dir, { recursive: true });
  const approaches = values.approach ? [values.approach as 'A' | 'B'] : (['A', 'B'] as const);
  // A mutant may need the permanent flows without the optional account removal (or with it).
  const scenarios = plannedScenarios(config, approaches, mutant?.removeAccount);
  say(`dmdc run ${runId}: ${scenarios.length} flows, ${entries.length} requirements${mutant ? `, mutant ${mutant.id}` : ''}`);
  if (config) say(describeConfig(config).replace(/^/gm, '  '));
  if (!scenarios.length) {
    console.error('dmdc run: the ICS and --approach leave no flow to run');
    return 2;
  }

  const errors: string[] = [];
  const flows: FlowResult[] = [];
  const results: RequirementResult[] = [];
  const judgedBy = new Map<string, RequirementResult[]>();
  try {
    const pki = config?.pki ?? (await createPki());
    // The tester plays each case once per run against each endpoint, in the first flow that has it.
    const testerPlayed = new Set<string>();
    for (const scenario of scenarios) {
      process.stdout.write(`  ▶ ${scenario.id.padEnd(22)}`);
      const flow = await runFlow({ scenario, pki, config, traceFile: join(dir, 'trace.jsonl'), variation: mutant?.variation, testerPlayed });
      flows.push(flow);
      const judged = judgeFlow(flow, entries);
      judgedBy.set(scenario.id, judged);
      const { rootFailures, stop } = flowVerdicts(flow, judged);
      const blocked = judged.filter((r) => r.verdict === 'BLOCKED').length;
      const inconclusive = judged.filter((r) => r.verdict === 'INCONCLUSIVE').length;
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
    judgedBy.set(id, judgeFlow(flows.find((f) => f.scenario.id === id)!, entries));
    say(`  ${id}: re-judged with the DMS↔DMS messages of its delegation recorded during another flow`);
  }
  results.push(...flows.flatMap((f) => judgedBy.get(f.scenario.id) ?? []));

  const selection = { approaches: [...approaches], ...(values.only ? { only: values.only } : {}) };
  const roles = modesOf(config);
  const setup = config && {
    ...(config.file ? { file: config.file } : {}),
    ...(config.name ? { name: config.name } : {}),
    ics: { ...config.ics },
    observability: observability(flowSetup(config, loadClientFixture(), config.pki).assignment),
  };
  const report = buildReport({ runId, startedAt, flows, results, entries, roles, selection, mutant: mutant?.id, setup, errors });
  // Written before the suites run, so a run that goes wrong past this point still leaves its report.
  let paths = writeAllReports(dir, report);
  if (!values['no-suites'] && flows.length) {
    say('  conformance suites (vitest, Allure):');
    const problems = await runSuites({ reportFile: paths.json, runDir: dir, allureReport: values['allure-report'] });
    if (problems.length) {
      for (const p of problems) say(`  ! ${p}`);
      // The verdicts stand; the missing presentation is noted in the report, not turned into an error exit.
      report.errors.push(...problems.map((p) => `presentation: ${p}`));
      paths = writeAllReports(dir, report);
    }
  }
  const latest = pointLatestAt(root, runId);

  const s = report.summary;
  say('');
  say(`Verdicts: ${Object.entries(s.byVerdict).filter(([, n]) => n).map(([v, n]) => `${v} ${n}`).join(', ')}`);
  if (s.failedRequirements.length) say(`FAILED requirements: ${s.failedRequirements.join(', ')}`);
  for (const e of errors) say(`ERROR: ${e.split('\n')[0]}`);
  const allure = values['no-suites'] || !flows.length ? '' : values['allure-report'] ? ' · allure-results/ · allure-report/' : ' · allure-results/';
  say(`Reports: ${relative(process.cwd(), paths.html)} · report.json · junit.xml · trace.jsonl${allure} (also in ${relative(process.cwd(), latest)}/)`);
  say(`Exit code ${s.exitCode}`);
  return s.exitCode;
}
