import { beforeAll, describe, expect, test } from 'vitest';
import { loadCatalogue } from '../../src/catalogue/catalogue.js';
import { judgeFlow } from '../../src/judge/judge.js';
import { createPki, type Pki } from '../../src/pki/pki.js';
import { EveryCasePlayed } from '../../src/runner/every-case-played.js';
import { runFlow } from '../../src/runner/run-flow.js';
import { defaultScenarios } from '../../src/runner/scenario.js';
import { isTesterEvent, type TraceEvent } from '../../src/trace/events.js';
import { REASON_HEADER } from '../../src/transport/https-endpoint.js';

/**
 * DMS-2 orders the bootstrap while DMS-1 waits for the Bootstrap Server URL: the inner call has the shorter
 * budget, so the silent Bootstrap Server is the one named, and DMS-2 still answers DMS-1.
 */
const separate = defaultScenarios().find((s) => s.id === 'B-partial-temporary')!;
const BUDGETS = { requestMs: 2_000, sessionMs: 3_000, notificationMs: 3_000, flowMs: 8_000 };
const typeOf = (e: TraceEvent) => (e.body?.parsed?.value as { type?: string; reason?: string } | undefined);
let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});

describe('a call made while answering another', () => {
  test('a silent Bootstrap Server: DMS-2 answers DMS-1 with an Error naming it, the BootstrapOrder is the unanswered request', async () => {
    const flow = await runFlow({ testerPlayed: new EveryCasePlayed(), scenario: separate, pki, budgets: BUDGETS, variation: { bootstrap: { silentOrders: true } } });
    const urlRequest = flow.events.find((e) => !isTesterEvent(e) && e.kind === 'request' && typeOf(e)?.type === 'BootstrapServerUrlRequest')!;
    const answer = flow.events.find((e) => e.kind === 'response' && e.exchange === urlRequest.exchange && e.link === urlRequest.link)!;
    expect(answer).toBeDefined();
    expect(answer.t - urlRequest.t, 'DMS-1 got the answer before its own budget ran out').toBeLessThan(BUDGETS.requestMs);
    expect(typeOf(answer)?.type).toBe('Error');
    expect(typeOf(answer)?.reason).toMatch(/dms2 . bootstrap .*TIMEOUT/);
    // The reason travels in a header as printable ASCII, whole in the trace: the answer is the Error document, not a 500.
    expect(answer.body?.contentType).toMatch(/^application\/vnd\.dm\.delegation\+xml/);
    expect(answer.http?.headers?.[REASON_HEADER]).toMatch(/dms2 -> bootstrap/);
    expect(answer.reason).toMatch(/dms2 → bootstrap/);
    const results = judgeFlow(flow, loadCatalogue().entries);
    const responses = results.find((r) => r.requirementId === 'PRF-RESPONSES')!;
    expect(responses.checks[0].actual).toMatch(/BootstrapOrder: no answer/);
    for (const id of ['PRF-CONTENT-TYPE', 'PRF-SCHEMA']) expect(results.find((r) => r.requirementId === id)!.verdict, id).not.toBe('FAIL');
  });
});
