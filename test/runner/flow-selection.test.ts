import { describe, expect, test } from 'vitest';
import { loadCatalogue, matchesGlob } from '../../src/catalogue/catalogue.js';
import { icsFeatures } from '../../src/config/config.js';
import { rerunSelection, selectFlows, shardFlows } from '../../src/runner/flow-selection.js';
import { defaultScenarios } from '../../src/runner/scenario.js';

const plan = defaultScenarios();
const entries = loadCatalogue().entries;
const ids = (s: ReadonlyArray<{ id: string }>) => s.map((x) => x.id);
const only = (glob: string) => entries.filter((e) => matchesGlob(e.id, glob));
const features = icsFeatures();

describe('flow selection', () => {
  test('--only runs only the flows a selected requirement applies to', () => {
    expect(ids(selectFlows(plan, only('B.*'), { features }))).toEqual(['B-full-temporary', 'B-full-permanent', 'B-partial-temporary', 'B-partial-permanent']);
    // A.5 is DMS-1 removing its own account: permanent approach A flows only.
    expect(ids(selectFlows(plan, only('A.5'), { features }))).toEqual(['A-full-permanent', 'A-partial-permanent']);
    expect(ids(selectFlows(plan, entries, { features }))).toEqual(ids(plan));
  });

  test('--flow takes comma-separated globs of flow ids, and --only still applies', () => {
    expect(ids(selectFlows(plan, entries, { flowGlob: 'A-full-*,B-partial-permanent', features }))).toEqual(['A-full-temporary', 'A-full-permanent', 'B-partial-permanent']);
    expect(selectFlows(plan, only('B.*'), { flowGlob: 'A-*', features })).toEqual([]);
  });
});

describe('shards of a run', () => {
  test.each([2, 3, 5, 8])('the %i shards hold each flow once, each in plan order', (n) => {
    const parts = Array.from({ length: n }, (_, i) => shardFlows(plan, { index: i + 1, count: n }));
    expect(ids(parts.flatMap((p) => p.flows)).sort()).toEqual(ids(plan).sort());
    for (const p of parts) expect(ids(p.flows)).toEqual(ids(plan).filter((id) => ids(p.flows).includes(id)));
    expect(parts.map((p) => p.playsTester)).toEqual(parts.map((_, i) => i === 0));
  });

  test("shard 1 holds the first flow of each shape, where one run's tester plays its cases", () => {
    const first = shardFlows(plan, { index: 1, count: 2 });
    expect(ids(first.flows)).toEqual(expect.arrayContaining(['A-full-temporary', 'B-full-temporary', 'B-partial-temporary']));
    expect(first.flows).toHaveLength(4);
    expect(ids(shardFlows(plan, { index: 2, count: 2 }).flows)).toHaveLength(4);
  });

  test('more shards than the flows beyond the tester ones leave a shard empty; one shard is the whole plan', () => {
    expect(shardFlows(plan, { index: 8, count: 8 }).flows).toHaveLength(1);
    // B-full-temporary and B-partial-temporary both play the tester: shard 1 takes two of three flows.
    const three = plan.filter((s) => ['B-full-temporary', 'B-full-permanent', 'B-partial-temporary'].includes(s.id));
    expect([1, 2, 3].map((i) => ids(shardFlows(three, { index: i, count: 3 }).flows))).toEqual([['B-full-temporary', 'B-partial-temporary'], [], ['B-full-permanent']]);
    expect(shardFlows(plan, { index: 1, count: 1 })).toEqual({ flows: plan, playsTester: true });
  });
});

test('--rerun-failed takes up, per flow, what did not pass', () => {
  const picked = rerunSelection([
    { flowId: 'A-full-temporary', requirementId: 'A.1', verdict: 'PASS' },
    { flowId: 'A-full-temporary', requirementId: 'A.2', verdict: 'FAIL' },
    { flowId: 'A-full-temporary', requirementId: 'A.3', verdict: 'BLOCKED' },
    { flowId: 'B-full-temporary', requirementId: 'B.5', verdict: 'INCONCLUSIVE' },
    { flowId: 'B-full-temporary', requirementId: 'B.8b', verdict: 'NOT_APPLICABLE' },
    { flowId: 'B-partial-temporary', requirementId: 'B.1', verdict: 'NOT_OBSERVABLE' },
  ]);
  expect([...picked].map(([f, r]) => [f, [...r]])).toEqual([
    ['A-full-temporary', ['A.2', 'A.3']],
    ['B-full-temporary', ['B.5']],
  ]);
});
