import { beforeAll, describe, expect, test } from 'vitest';
import { loadCatalogue } from '../../src/catalogue/catalogue.js';
import { judgeFlow } from '../../src/judge/judge.js';
import { createPki, type Pki } from '../../src/pki/pki.js';
import type { RequirementResult } from '../../src/report/model.js';
import { EveryCasePlayed } from '../../src/runner/every-case-played.js';
import { runFlow } from '../../src/runner/run-flow.js';
import type { Variation } from '../../src/roles/variation.js';
import { defaultScenarios } from '../../src/runner/scenario.js';

/** Short budgets: a client refused its bootstrap stalls the flow until DMS-1 gives up waiting. */
const BUDGETS = { requestMs: 3000, sessionMs: 1500, notificationMs: 1500, flowMs: 10_000 };
const catalogue = loadCatalogue();
const separate = defaultScenarios().find((s) => s.id === 'B-partial-temporary')!;

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});

async function judged(variation: Variation): Promise<Map<string, RequirementResult>> {
  const flow = await runFlow({ testerPlayed: new EveryCasePlayed(), scenario: separate, pki, budgets: BUDGETS, variation });
  return new Map(judgeFlow(flow, catalogue.entries).map((r) => [r.requirementId, r]));
}

describe('B.5 blames the stand-alone Bootstrap Server only for its own refusals', () => {
  test('DMS-2 never orders the bootstrap: the order rule fails, and the refused client is BLOCKED behind it', async () => {
    const r = await judged({ dms2: { bootstrapOrder: 'none' } });
    expect(r.get('ORD-B-ORDER-BEFORE-URL')!.verdict).toBe('FAIL');
    expect(r.get('B.5')!.verdict).toBe('BLOCKED');
    expect(r.get('B.5')!.blockedBy).toBe('ORD-B-ORDER-BEFORE-URL');
    expect(r.get('B.5')!.checks.find((c) => c.checkId === 'step-content')!.actual).toMatch(/refused the client with HTTP 404 \(no BootstrapOrder for device .*\); no BootstrapOrder/);
  }, 20_000);

  test('the Bootstrap Server acknowledges the order and still refuses the client: B.5 fails, the order rule passes', async () => {
    const r = await judged({ bootstrap: { forgetOrders: true } });
    expect(r.get('B.5')!.verdict).toBe('FAIL');
    expect(r.get('B.5')!.checks.find((c) => c.checkId === 'step-content')!.actual).toMatch(/although it had acknowledged DMS-2's BootstrapOrder/);
    expect(r.get('ORD-B-ORDER-BEFORE-URL')!.verdict).toBe('PASS');
  }, 20_000);

  test('the reference DMS-2 orders first: both pass', async () => {
    const r = await judged({});
    expect(r.get('ORD-B-ORDER-BEFORE-URL')!.verdict).toBe('PASS');
    expect(r.get('B.5')!.verdict).toBe('PASS');
  }, 20_000);
});
