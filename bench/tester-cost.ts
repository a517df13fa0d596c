/**
 * What the tester's cases cost the default run: the 8 all-mock flows as `dmdc run` runs them (each case
 * once per run and endpoint), each timed whole and in its tester phase (one contiguous phase before the
 * delegation). Prints per flow and the median of several runs.
 *
 *   npx tsx bench/tester-cost.ts [runs=5]
 */
import { createPki } from '../src/pki/pki.js';
import { runFlow } from '../src/runner/run-flow.js';
import { defaultScenarios } from '../src/runner/scenario.js';
import { isTesterEvent } from '../src/trace/events.js';

const runs = Number(process.argv[2] ?? 5);
const pki = await createPki();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const totals: Array<{ flows: number; tester: number }> = [];
for (let i = 0; i < runs; i++) {
  let flows = 0;
  let tester = 0;
  const testerPlayed = new Set<string>();
  for (const scenario of defaultScenarios()) {
    const f = await runFlow({ scenario, pki, testerPlayed });
    const t = f.events.filter(isTesterEvent).map((e) => e.t);
    const span = t.length ? Math.max(...t) - Math.min(...t) : 0;
    flows += f.durationMs;
    tester += span;
    if (i === runs - 1) console.log(`${scenario.id.padEnd(22)} flow ${String(f.durationMs).padStart(5)} ms  tester ${span.toFixed(0).padStart(5)} ms  ${f.events.filter(isTesterEvent).length} tester events`);
  }
  totals.push({ flows, tester });
}
console.log(`median of ${runs} runs: 8 flows ${median(totals.map((x) => x.flows))} ms, of which the tester ${median(totals.map((x) => x.tester)).toFixed(0)} ms`);
