import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadCatalogue } from '../../src/catalogue/catalogue.js';
import { judgeFlow } from '../../src/judge/judge.js';
import { wireMessages } from '../../src/judge/wire.js';
import { runFlow } from '../../src/runner/run-flow.js';
import { defaultScenarios } from '../../src/runner/scenario.js';
import { realDms2, type RealDms2 } from './real-dms2.js';

/**
 * With a real DMS-2 the harness runs no probe after the delegation, so it closes its DMS-1 as soon as the
 * flow ends: only the grace window after the acknowledged DelegationComplete keeps a repeated one on record.
 */
describe("the harness's DMS-1 after DelegationComplete", () => {
  let real: RealDms2;
  beforeAll(async () => {
    real = await realDms2({ completeTwice: true }, { approaches: ['B'] });
  });
  afterAll(() => real?.close());

  test('a second DelegationComplete right after the Ack is answered 409 OUT_OF_ORDER, recorded, and judged once', async () => {
    const scenario = defaultScenarios(['B']).find((s) => s.id === 'B-full-temporary')!;
    const flow = await runFlow({ scenario, config: real.config });
    expect(flow.status, flow.error).toBe('completed');
    const ms = wireMessages(flow.events);
    const completes = ms.filter((m) => m.event.link === 'dms1-dms2' && m.direction === 'request' && m.delegation?.type === 'DelegationComplete');
    expect(completes).toHaveLength(2);
    const answers = completes.map((q) => ms.find((m) => m.direction === 'response' && m.event.link === q.event.link && m.event.exchange === q.event.exchange));
    expect(answers.map((a) => a?.event.http?.status)).toEqual([200, 409]);
    expect(answers[0]?.delegation).toMatchObject({ type: 'Ack', of: 'DelegationComplete' });
    expect(answers[1]?.delegation).toMatchObject({ type: 'Error', code: 'OUT_OF_ORDER' });

    const results = judgeFlow(flow, loadCatalogue().entries);
    const failed = results.filter((r) => r.verdict === 'FAIL').map((r) => r.requirementId);
    expect(failed).toEqual(['PRF-ONCE-PER-DELEGATION']);
    expect(results.find((r) => r.requirementId === 'B.10')!.verdict).toBe('PASS');
  }, 30_000);
});
