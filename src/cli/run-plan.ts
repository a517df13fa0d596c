import { loadCatalogue, matchesGlob, type CatalogueEntry } from '../catalogue/catalogue.js';
import { icsFeatures, type RunConfig } from '../config/config.js';
import { loadBaseline } from '../report/baseline.js';
import type { Baseline } from '../report/model.js';
import { readRunReport } from '../report/read-report.js';
import { rerunSelection, selectFlows, shardFlows } from '../runner/flow-selection.js';
import { plannedScenarios, type Scenario } from '../runner/scenario.js';
import { parseShard, type Shard } from '../runner/shard.js';

/** What `dmdc run` was asked for that decides what it runs. */
export interface PlanOptions {
  approach?: string;
  only?: string;
  flow?: string;
  shard?: string;
  baseline?: string;
  'update-baseline'?: boolean;
  'rerun-failed'?: string;
  config?: RunConfig;
  /** A mutant's need for the optional account removal in permanent flows (or its absence). */
  removeAccount?: boolean;
}

/** What a run runs: its flows, what each judges, where the tester plays, and the baseline it is held to. */
export interface RunPlan {
  approaches: Array<'A' | 'B'>;
  /** The flows of the whole selection, before sharding. */
  selected: Scenario[];
  /** This run's flows (its shard's). */
  scenarios: Scenario[];
  shard?: Shard;
  rerun?: { runId: string; exitCode: number; flows: Map<string, Set<string>>; testerFlows: Set<string> };
  baseline?: Baseline & { file: string };
  /** The requirements judged in some flow of this run. */
  entries: CatalogueEntry[];
  entriesFor(flowId: string): CatalogueEntry[];
  /** The tester plays its cases in this flow (once per run, in the first that offers each). */
  playsHere(flowId: string): boolean;
}

/**
 * The plan of a run from its options, or why there is none: a refusal (exit 2, with its reason) or nothing
 * left to re-run (exit 0). The flows: the ICS's or default matrix, those --flow names and a selected
 * requirement applies to, those that did not pass in --rerun-failed's report, this --shard's part of them.
 */
export function planRun(o: PlanOptions): RunPlan | { exit: 0 | 2; message: string } {
  const refuse = (message: string) => ({ exit: 2 as const, message });
  const catalogue = loadCatalogue();
  const entries = catalogue.entries.filter((e) => !o.only || matchesGlob(e.id, o.only));
  if (!entries.length) return refuse(`--only ${o.only} matches no requirement; dmdc list shows the ids`);
  let baseline: (Baseline & { file: string }) | undefined;
  if (o.baseline) {
    const loaded = loadBaseline(o.baseline);
    if (!loaded.ok) return refuse(`${o.baseline} is not a valid baseline:\n${loaded.errors.map((e) => `  ${e}`).join('\n')}`);
    baseline = { ...loaded.baseline, file: o.baseline };
  } else if (o['update-baseline']) return refuse('--update-baseline needs --baseline FILE (the file to write)');
  // A shard sees part of the run: an entry passing here may still FAIL in another shard.
  if (o['update-baseline'] && o.shard !== undefined) return refuse('--update-baseline rewrites the baseline from one run: run it without --shard');
  let shard: Shard | undefined;
  if (o.shard !== undefined) {
    const parsed = parseShard(o.shard);
    if ('error' in parsed) return refuse(parsed.error);
    shard = parsed;
  }
  let rerun: RunPlan['rerun'];
  if (o['rerun-failed']) {
    const earlier = readRunReport(o['rerun-failed']);
    if ('error' in earlier) return refuse(`--rerun-failed: ${earlier.error}`);
    const negative = new Set(earlier.report.requirements.filter((q) => q.category === 'negative').map((q) => q.id));
    const testerFlows = new Set(earlier.report.results.filter((r) => negative.has(r.requirementId) && r.verdict !== 'NOT_APPLICABLE').map((r) => r.flowId));
    rerun = { runId: earlier.report.runId, exitCode: earlier.report.summary.exitCode, flows: rerunSelection(earlier.report.results), testerFlows };
  }

  const approaches = o.approach ? [o.approach as 'A' | 'B'] : (['A', 'B'] as const);
  // A mutant may need the permanent flows without the optional account removal (or with it).
  const planned = plannedScenarios(o.config, approaches, o.removeAccount);
  if (!planned.length) return refuse('the ICS and --approach leave no flow to run');
  let selected = selectFlows(planned, entries, { flowGlob: o.flow, features: icsFeatures(o.config?.ics) });
  if (!selected.length) return refuse(`${o.flow ? `--flow ${o.flow}` : 'the selection'}${o.only ? ` with --only ${o.only}` : ''} leaves no flow to run (flows: ${planned.map((s) => s.id).join(', ')})`);
  if (rerun) {
    selected = selected.filter((s) => rerun.flows.has(s.id));
    if (!selected.length) {
      // Nothing left only means "all passed" when the earlier run passed; else it did not run what failed here.
      if (!rerun.flows.size && rerun.exitCode === 0) return { exit: 0, message: `nothing to re-run: every result of run ${rerun.runId} passed` };
      if (!rerun.flows.size) return refuse(`run ${rerun.runId} ended with exit ${rerun.exitCode} but holds no result to re-run: run it again whole`);
      return refuse(`the flows that did not pass in run ${rerun.runId} (${[...rerun.flows.keys()].join(', ')}) are not in this selection`);
    }
  }
  // What each flow judges: the selection, cut down to what did not pass there when re-running.
  const entriesFor = (flowId: string) => (rerun ? entries.filter((e) => rerun.flows.get(flowId)?.has(e.id)) : entries);
  const { flows: scenarios, playsTester } = shardFlows(selected, shard);
  if (!scenarios.length) return refuse(`--shard ${o.shard} holds no flow (the selection has ${selected.length}: use fewer shards)`);
  const judged = new Set(scenarios.flatMap((s) => entriesFor(s.id).map((e) => e.id)));
  const runEntries = entries.filter((e) => judged.has(e.id));
  // The tester plays where one whole run's would, so a selection judges what the whole run judges (the session
  // checks read the tester's sessions with the client too): in shard 1 only, and in a re-run only in the flows
  // that played it before.
  const playsHere = (flowId: string) => playsTester && (!rerun || rerun.testerFlows.has(flowId));
  return { approaches: [...approaches], selected, scenarios, ...(shard ? { shard } : {}), ...(rerun ? { rerun } : {}), ...(baseline ? { baseline } : {}), entries: runEntries, entriesFor, playsHere };
}
