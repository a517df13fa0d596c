import { beforeAll, describe, expect, test } from 'vitest';
import { MUTANTS } from '../../mocks/mutants.js';
import { loadCatalogue } from '../../src/catalogue/catalogue.js';
import { judgeFlow } from '../../src/judge/judge.js';
import { createPki, type Pki } from '../../src/pki/pki.js';
import type { RequirementResult } from '../../src/report/model.js';
import { runFlow, type FlowResult } from '../../src/runner/run-flow.js';
import { defaultScenarios } from '../../src/runner/scenario.js';
import { HMAC_HEADER } from '../../src/syncml/hmac.js';
import type { StatusCommand, SyncMLMessage } from '../../src/syncml/model.js';
import type { TraceEvent } from '../../src/trace/events.js';

/**
 * syncml:auth-MAC on the wire: an HMAC flow passes with a MAC on every message both ways; a client whose
 * MAC does not verify is refused by DMS-2 and FAILs SES-HMAC-CLIENT; a DMS-2 whose MAC does not verify is
 * refused by the client and FAILs SES-HMAC-SERVER.
 */
const BUDGETS = { requestMs: 3000, sessionMs: 2500, notificationMs: 2500, flowMs: 10_000 };
const catalogue = loadCatalogue();
let pki: Pki;
const runs = new Map<string, { flow: FlowResult; results: RequirementResult[] }>();

const syncml = (e: TraceEvent) => (e.body?.parsed?.codec === 'syncml' ? (e.body.parsed.value as SyncMLMessage) : undefined);
const hdrStatus = (e: TraceEvent) => syncml(e)!.body.find((c): c is StatusCommand => c.kind === 'Status' && c.cmd === 'SyncHdr');
/** The flow's DMS-2 sessions with the client (the tester's own connections left out). */
const dms2Messages = (f: FlowResult) => f.events.filter((e) => e.link === 'dms2-client' && (e.kind === 'request' || e.kind === 'response') && e.phase !== 'tls-probe' && syncml(e));
const verdict = (results: RequirementResult[], id: string) => results.find((r) => r.requirementId === id);

async function run(id: string, scenarioId: string, mutant?: string): Promise<void> {
  const scenario = defaultScenarios().find((s) => s.id === scenarioId)!;
  const variation = mutant ? MUTANTS.find((m) => m.id === mutant)!.variation : undefined;
  const flow = await runFlow({ scenario, pki, budgets: BUDGETS, variation });
  runs.set(id, { flow, results: judgeFlow(flow, catalogue.entries) });
}

beforeAll(async () => {
  pki = await createPki();
  await run('reference', 'A-full-permanent');
  await run('client-wrong-mac', 'B-full-temporary', 'client-wrong-mac');
  await run('dms2-wrong-mac', 'B-partial-permanent', 'dms2-wrong-mac');
}, 120_000);

describe('syncml:auth-MAC sessions', () => {
  test('the reference flow is HMAC, and every DMS-2 session message carries a MAC and no Cred', () => {
    const { flow, results } = runs.get('reference')!;
    expect(flow.scenario.authType).toBe('HMAC');
    const messages = dms2Messages(flow);
    expect(messages.length).toBeGreaterThan(4);
    for (const e of messages) {
      expect(e.http?.headers?.[HMAC_HEADER], `seq ${e.seq}`).toMatch(/^algorithm=MD5, username="[^"]+", mac=[A-Za-z0-9+/]+=*$/);
      expect(syncml(e)!.hdr.cred, `seq ${e.seq}`).toBeUndefined();
    }
    // Every answer of DMS-2 accepts with 200 and hands over a nonce not handed over before.
    const nonces = messages.filter((e) => e.kind === 'response').map((e) => ({ code: hdrStatus(e)?.data, nonce: hdrStatus(e)?.chal?.nextNonce }));
    expect(nonces.every((n) => n.code === '200' && n.nonce)).toBe(true);
    expect(new Set(nonces.map((n) => n.nonce)).size).toBe(nonces.length);
    for (const id of ['SES-HMAC-CLIENT', 'SES-HMAC-SERVER', 'SES-CRED', 'SES-NONCE-CLIENT', 'SES-NONCE-SERVER']) expect(verdict(results, id)?.verdict, id).toBe('PASS');
    expect(verdict(results, 'SES-AUTH-BASIC')?.verdict).toBe('NOT_APPLICABLE');
  });

  test('a client MAC that does not verify is refused with 401 and a new nonce, and FAILs SES-HMAC-CLIENT', () => {
    const { flow, results } = runs.get('client-wrong-mac')!;
    const refusals = dms2Messages(flow).filter((e) => e.kind === 'response' && hdrStatus(e)?.data === '401');
    expect(refusals.length).toBeGreaterThan(0);
    for (const e of refusals) {
      expect(hdrStatus(e)!.chal).toMatchObject({ type: 'syncml:auth-MAC', format: 'b64' });
      expect(hdrStatus(e)!.chal!.nextNonce).toBeTruthy();
      // A refused message gets statuses only: no command runs for a client that is not authenticated.
      expect(syncml(e)!.body.every((c) => c.kind === 'Status')).toBe(true);
    }
    const r = verdict(results, 'SES-HMAC-CLIENT')!;
    expect(r.verdict).toBe('FAIL');
    expect(r.checks[0].actual).toMatch(/seq \d+ to dms2\.example: mac does not verify/);
    // The refused session is SES-HMAC-CLIENT's fault: SES-CRED does not count it a second time.
    expect(verdict(results, 'SES-CRED')?.verdict).not.toBe('FAIL');
  });

  test("a server MAC that does not verify is challenged by the client, nothing of it runs, and it FAILs SES-HMAC-SERVER", () => {
    const { flow, results } = runs.get('dms2-wrong-mac')!;
    const messages = dms2Messages(flow);
    const challenges = messages.filter((e) => e.kind === 'request' && hdrStatus(e)?.data === '401');
    expect(challenges.length).toBeGreaterThan(0);
    // The client's challenge carries no Status for the refused message's commands: it ran none of them.
    for (const e of challenges) expect(syncml(e)!.body.filter((c) => c.kind === 'Status' && c.cmd !== 'SyncHdr')).toEqual([]);
    const r = verdict(results, 'SES-HMAC-SERVER')!;
    expect(r.verdict).toBe('FAIL');
    expect(r.checks[0].actual).toMatch(/from dms2\.example: mac does not verify/);
    expect(verdict(results, 'SES-HMAC-CLIENT')?.verdict).toBe('PASS');
  });
});
