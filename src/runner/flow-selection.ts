import { applicable, matchesGlob, type CatalogueEntry } from '../catalogue/catalogue.js';
import type { Scenario } from './scenario.js';
import { shardRange, type Shard } from './shard.js';

/**
 * The flows a selection keeps: those whose id matches `--flow` (comma-separated globs) and to which at least
 * one selected requirement applies. A flow no selected requirement applies to would only say NOT_APPLICABLE.
 */
export function selectFlows(planned: readonly Scenario[], entries: readonly CatalogueEntry[], o: { flowGlob?: string; features: readonly string[] }): Scenario[] {
  return planned.filter((s) => (!o.flowGlob || matchesGlob(s.id, o.flowGlob)) && entries.some((e) => applicable(e, s, { features: o.features }).ok));
}

/**
 * What the tester's cases against a flow depend on: the endpoints it has. Every flow of one shape offers the
 * same cases, so the first flow of each shape is where a run plays them.
 */
function testerShape(s: Scenario): string {
  return s.approach === 'A' ? 'A' : `B-${s.bootstrap}`;
}

/** The flows of a plan where a run's tester plays its cases: the first of each shape. */
export function firstOfEachShape(plan: readonly Scenario[]): Set<Scenario> {
  const seen = new Set<string>();
  return new Set(plan.filter((s) => !seen.has(testerShape(s)) && !!seen.add(testerShape(s))));
}

export interface ShardedFlows {
  flows: Scenario[];
  /** This shard holds the flows that play the tester's cases. */
  playsTester: boolean;
}

/**
 * Shard i of n of a run's flows, deterministic. The tester plays each case once per run, in the first flow of
 * the plan that offers it: the first flow of each shape. Those flows all go to shard 1, in plan order, so they
 * play what they would in one unsharded run; the other flows fill shard 1 to its share and are split over the
 * other shards by count. Each shard keeps plan order.
 */
export function shardFlows(plan: readonly Scenario[], shard?: Shard): ShardedFlows {
  if (!shard || shard.count === 1) return { flows: [...plan], playsTester: true };
  const testerFlows = firstOfEachShape(plan);
  const others = plan.filter((s) => !testerFlows.has(s));
  const firstShare = shardRange(plan.length, { index: 1, count: shard.count }).to;
  const fill = Math.max(0, firstShare - testerFlows.size);
  const mine =
    shard.index === 1
      ? new Set([...testerFlows, ...others.slice(0, fill)])
      : new Set(others.slice(fill).slice(...bounds(others.length - fill, { index: shard.index - 1, count: shard.count - 1 })));
  return { flows: plan.filter((s) => mine.has(s)), playsTester: shard.index === 1 };
}

function bounds(size: number, shard: Shard): [number, number] {
  const r = shardRange(size, shard);
  return [r.from, r.to];
}

/** A verdict a re-run takes up again: anything but a pass, a rule that does not apply, or what cannot be seen. */
export const RERUN_VERDICTS: ReadonlySet<string> = new Set(['FAIL', 'WARN', 'BLOCKED', 'INCONCLUSIVE', 'ERROR']);

/**
 * `--rerun-failed`: per flow, the requirements that did not pass in an earlier report. Only these flows run
 * again, and each judges only these requirements.
 */
export function rerunSelection(results: ReadonlyArray<{ flowId: string; requirementId: string; verdict: string }>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const r of results) {
    if (!RERUN_VERDICTS.has(r.verdict)) continue;
    if (!out.has(r.flowId)) out.set(r.flowId, new Set());
    out.get(r.flowId)!.add(r.requirementId);
  }
  return out;
}
