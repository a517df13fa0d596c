import { beforeAll, describe, expect, test } from 'vitest';
import type { BootstrapDefect } from '../../mocks/bootstrap/bootstrap-quirks.js';
import { loadCatalogue } from '../../src/catalogue/catalogue.js';
import { judgeFlow } from '../../src/judge/judge.js';
import { createPki, type Pki } from '../../src/pki/pki.js';
import { EveryCasePlayed } from '../../src/runner/every-case-played.js';
import { runFlow } from '../../src/runner/run-flow.js';
import type { Variation } from '../../src/roles/variation.js';
import { defaultScenarios } from '../../src/runner/scenario.js';

/** B.5 judges what the bootstrap provisions, B.6 that the client itself opened the session after it. */
const separate = defaultScenarios().find((s) => s.id === 'B-partial-temporary')!;
const entries = loadCatalogue().entries;
// A flow the fault stops ends on these budgets, not the defaults.
const BUDGETS = { requestMs: 2_000, sessionMs: 2_000, notificationMs: 2_000, flowMs: 5_000 };
let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});

const judged = async (variation: Variation) => judgeFlow(await runFlow({ testerPlayed: new EveryCasePlayed(), scenario: separate, pki, budgets: BUDGETS, variation }), entries);
const failOf = (results: Awaited<ReturnType<typeof judged>>, id: string) => results.find((r) => r.requirementId === id && r.verdict === 'FAIL')?.checks.find((c) => c.verdict === 'FAIL')?.actual;

describe('B.5: the bootstrap against the profile DMAcc layout', () => {
  const CASES: Array<[BootstrapDefect, RegExp]> = [
    ['vendor-root', /adds outside \.\/DMAcc: \.\/Vendor\/DMAcc\/.*no account with ServerID dms2\.example under \.\/DMAcc/],
    ['no-appid', /no AppID \(w7\)/],
    ['wrong-addr', /Addr https:\/\/127\.0\.0\.1:1\/dm, expected DMS-2's DM URL https:\/\/127\.0\.0\.1:\d+\/dm/],
    ['no-credentials', /no CLCRED credentials .*no SRVCRED credentials/],
    ['replace', /Replace \.\/DMAcc\/dms2\.example where the profile says Add/],
  ];
  test.for(CASES)('%s: B.5 FAILs naming the difference, and is the flow\'s root', async ([defect, why]) => {
    const results = await judged({ bootstrap: { servedDefect: defect } });
    expect(failOf(results, 'B.5')).toMatch(why);
    const failed = results.filter((r) => r.verdict === 'FAIL').map((r) => r.requirementId);
    expect(failed.length, failed.join()).toBeLessThanOrEqual(3);
    for (const r of results.filter((x) => x.verdict === 'BLOCKED')) expect(r.blockedBy, r.requirementId).toBe('B.5');
  });

  test('the reference bootstrap PASSes B.5 and says what it proved', async () => {
    const b5 = (await judged({})).find((r) => r.requirementId === 'B.5')!;
    expect(b5.verdict).toBe('PASS');
    expect(b5.checks.find((c) => c.checkId === 'step-content')!.actual).toMatch(/adds the account of dms2\.example as the profile lays it out/);
  });
});

describe('B.6: the session after the bootstrap is the client\'s own', () => {
  test('a client that opens it with Alert 1200 FAILs B.6', async () => {
    const results = await judged({ client: { bootstrapSessionAlert1200: true } });
    expect(failOf(results, 'B.6')).toMatch(/carries Alert 1200, not 1201 \(client-initiated\)/);
  });
});
