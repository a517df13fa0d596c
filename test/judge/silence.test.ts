import { beforeAll, describe, expect, test } from 'vitest';
import { loadCatalogue } from '../../src/catalogue/catalogue.js';
import { judgeFlow } from '../../src/judge/judge.js';
import { wireMessages } from '../../src/judge/wire.js';
import { createPki, type Pki } from '../../src/pki/pki.js';
import { EveryCasePlayed } from '../../src/runner/every-case-played.js';
import { runFlow } from '../../src/runner/run-flow.js';
import type { Variation } from '../../src/roles/variation.js';
import { defaultScenarios } from '../../src/runner/scenario.js';
import { exitCodeOf } from '../../src/verdict/verdict.js';

/** Silence is INCONCLUSIVE (DESIGN.md §7): a peer that accepts and never answers is not a peer that answered wrong. */
const BUDGETS = { requestMs: 800, sessionMs: 1500, notificationMs: 1500, flowMs: 3000 };
const scenario = (id: string) => defaultScenarios().find((s) => s.id === id)!;
let pki: Pki;
beforeAll(async () => void (pki = await createPki()));

const SILENT: Array<{ name: string; scenario: string; variation: Variation }> = [
  { name: "DMS-2's DM endpoint accepts every request and never answers", scenario: 'A-full-temporary', variation: { server: { dms2: { dmAnswer: 'silent' } } } },
  { name: "DMS-1's DM endpoint accepts every request and never answers", scenario: 'B-full-temporary', variation: { server: { dms1: { dmAnswer: 'silent' } } } },
  { name: 'the client accepts the Package #0 connection and never answers', scenario: 'A-partial-temporary', variation: { client: { silentPush: true } } },
  { name: 'the client answers Package #0, connects to the server and never sends', scenario: 'B-partial-permanent', variation: { client: { stallSession: true } } },
];

describe('a silent peer', () => {
  test.for(SILENT)('$name: no FAIL, INCONCLUSIVE, exit 3, within flowMs', async ({ scenario: id, variation }) => {
    const flow = await runFlow({ testerPlayed: new EveryCasePlayed(), scenario: scenario(id), pki, budgets: BUDGETS, variation });
    const results = judgeFlow(flow, loadCatalogue().entries);
    const failed = results.filter((r) => r.verdict === 'FAIL').map((r) => `${r.requirementId}: ${r.checks.map((c) => c.actual).join('; ')}`);
    expect(failed).toEqual([]);
    expect(flow.status).toBe('timeout');
    expect(results.some((r) => r.verdict === 'INCONCLUSIVE')).toBe(true);
    expect(exitCodeOf(results.map((r) => r.verdict))).toBe(3);
    // The whole flow keeps to its budget (closing the endpoints takes a moment more).
    expect(flow.durationMs).toBeLessThan(BUDGETS.flowMs + 1000);
  });
});

describe('an HTTP refusal is judged by the requirement about the refused message', () => {
  test.for([404, 415])("DMS-2's DM endpoint answers HTTP %i: the step of that session FAILs, not the credentials", async (status) => {
    const flow = await runFlow({ testerPlayed: new EveryCasePlayed(), scenario: scenario('A-full-temporary'), pki, budgets: BUDGETS, variation: { server: { dms2: { dmAnswer: status } } } });
    const results = judgeFlow(flow, loadCatalogue().entries);
    const failed = results.filter((r) => r.verdict === 'FAIL');
    expect(failed.map((r) => r.requirementId)).toEqual(['A.7']);
    expect(failed[0].checks.find((c) => c.verdict === 'FAIL')!.actual).toMatch(new RegExp(`refused package 1 .* HTTP ${status}`));
    expect(results.find((r) => r.requirementId === 'SES-CRED')!.verdict).not.toBe('FAIL');
  });
});

describe('DM sessions are told apart by their exchanges, then their SessionIDs compared', () => {
  test('a client that changes its SessionID mid-session fails SES-SESSIONID and nothing else', async () => {
    const flow = await runFlow({ testerPlayed: new EveryCasePlayed(), scenario: scenario('A-full-temporary'), pki, budgets: BUDGETS, variation: { client: { sessionIdChange: true } } });
    const results = judgeFlow(flow, loadCatalogue().entries);
    const failed = results.filter((r) => r.verdict === 'FAIL');
    expect(failed.map((r) => r.requirementId)).toEqual(['SES-SESSIONID']);
    expect(failed[0].checks[0].actual).toMatch(/the client changed SessionID from \w+ to \w+ at seq \d+/);
    expect(flow.status).toBe('completed');
  });
});

describe('a challenge is part of authentication', () => {
  test.for(['A-full-temporary', 'B-full-temporary'])('%s: a DMS-2 that challenges the first package 1 and accepts the second passes', async (id) => {
    const flow = await runFlow({ testerPlayed: new EveryCasePlayed(), scenario: scenario(id), pki, budgets: BUDGETS, variation: { server: { dms2: { challengeFirst: true } } } });
    const results = judgeFlow(flow, loadCatalogue().entries);
    expect(results.filter((r) => r.verdict !== 'PASS' && r.verdict !== 'NOT_APPLICABLE').map((r) => `${r.requirementId} ${r.verdict}`)).toEqual([]);
    const challenged = wireMessages(flow.events).filter((m) => m.event.link === 'dms2-client' && m.syncml?.body.some((c) => c.kind === 'Status' && c.cmd === 'SyncHdr' && c.data === '401'));
    expect(challenged.length).toBeGreaterThan(0);
  });
});
