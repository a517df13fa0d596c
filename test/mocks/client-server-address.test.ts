import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadCatalogue } from '../../src/catalogue/catalogue.js';
import { judgeFlow } from '../../src/judge/judge.js';
import { wireMessages } from '../../src/judge/wire.js';
import { EveryCasePlayed } from '../../src/runner/every-case-played.js';
import { runFlow, type FlowResult } from '../../src/runner/run-flow.js';
import { defaultScenarios } from '../../src/runner/scenario.js';
import { realDms2, type RealDms2 } from './real-dms2.js';
import { isTesterEvent } from '../../src/trace/events.js';

/**
 * The reference client against a real DMS-2 whose account names a ServerID no role of the run holds
 * (dms3.example, at DMS-2's own DM URL). Only the client sees that traffic, so what it records is the
 * whole evidence.
 */
const catalogue = loadCatalogue();
const scenario = (id: string) => defaultScenarios().find((s) => s.id === id)!;
const verdicts = (flow: FlowResult) => new Map(judgeFlow(flow, catalogue.entries).map((r) => [r.requirementId, r.verdict]));

describe('the reference client and a ServerID no role holds', () => {
  let real: RealDms2;
  beforeAll(async () => {
    real = await realDms2({ accountServerId: 'dms3.example' }, { approaches: ['A', 'B'] });
  });
  afterAll(() => real?.close());

  test('the session it opens after its bootstrap is recorded where it went, never on a guessed link', async () => {
    const flow = await runFlow({ testerPlayed: new EveryCasePlayed(), scenario: scenario('B-full-temporary'), config: real.config });
    const sent = wireMessages(flow.events.filter((e) => !isTesterEvent(e))).filter((m) => m.direction === 'request' && m.syncml?.hdr.target === real.dms2.dmUrl);
    expect(sent.length, 'the session with the server at DMS-2\'s DM URL is in the trace').toBeGreaterThan(0);
    for (const m of sent) {
      expect(m.event.observer).toEqual({ role: 'client', side: 'client' });
      expect(m.event.link).not.toBe('dms1-client');
    }
    const v = verdicts(flow);
    // The fault is the bootstrap's account, not a session that went missing.
    expect(v.get('B.5')).toBe('FAIL');
    expect(v.get('B.6')).not.toBe('FAIL');
  }, 30_000);

  test('a Package #0 from a ServerID it holds no account for is refused, and no session follows', async () => {
    const flow = await runFlow({ testerPlayed: new EveryCasePlayed(), scenario: scenario('A-full-temporary'), config: real.config });
    const ms = wireMessages(flow.events.filter((e) => !isTesterEvent(e)));
    const push = ms.find((m) => m.direction === 'request' && m.notification?.serverId === 'dms2.example');
    expect(push, 'DMS-2 pushed its Package #0').toBeDefined();
    const refusal = ms.find((m) => m.direction === 'response' && m.event.link === push!.event.link && m.event.exchange === push!.event.exchange);
    expect(refusal?.event.http?.status).toBe(404);
    expect(refusal?.event.reason).toMatch(/no DM account for server dms2\.example/);
    expect(ms.filter((m) => m.direction === 'request' && m.syncml?.hdr.target === real.dms2.dmUrl)).toEqual([]);
    expect(verdicts(flow).get('A.3')).toBe('FAIL');
  }, 30_000);
});
