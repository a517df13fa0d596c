import { expect, test } from 'vitest';
import { loadCatalogue } from '../../src/catalogue/catalogue.js';
import { judgeFlow } from '../../src/judge/judge.js';
import { EveryCasePlayed } from '../../src/runner/every-case-played.js';
import { runFlow } from '../../src/runner/run-flow.js';
import { defaultScenarios } from '../../src/runner/scenario.js';

test.for(['A-full-temporary', 'B-full-permanent'])('%s: a full delegation with an empty Subtree list (profile §3.4) is no FAIL', async (id) => {
  const flow = await runFlow({ testerPlayed: new EveryCasePlayed(), scenario: defaultScenarios().find((s) => s.id === id)!, variation: { dms1: { emptySubtreeList: true } } });
  const init = flow.events.find((e) => e.kind === 'request' && (e.body?.parsed?.value as { type?: string })?.type === 'DelegationInitiationRequest');
  expect((init!.body!.parsed!.value as { subtrees: string[] }).subtrees).toEqual([]);
  const bad = judgeFlow(flow, loadCatalogue().entries).filter((r) => r.verdict !== 'PASS' && r.verdict !== 'NOT_APPLICABLE');
  expect(bad.map((r) => `${r.requirementId} ${r.verdict}: ${r.checks.map((c) => c.actual).join('; ')}`)).toEqual([]);
});
