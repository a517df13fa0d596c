import { performance } from 'node:perf_hooks';
import { http, HttpResponse } from 'msw';
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import type { MockEnv } from '../../mocks/common/env.js';
import type { ServerRole, ServerRoleOptions } from '../../mocks/common/server-role.js';
import { MockDms1 } from '../../mocks/dms1/mock-dms1.js';
import { MockDms2 } from '../../mocks/dms2/mock-dms2.js';
import type { JudgeContext, Outcome } from '../../src/checks/check.js';
import { dmAuthRefused } from '../../src/checks/dm-auth-checks.js';
import { wireMessages } from '../../src/judge/wire.js';
import type { Role } from '../../src/model/roles.js';
import { createPki, type Pki } from '../../src/pki/pki.js';
import { MEDIA, PATHS, SYNCML } from '../../src/profile.js';
import type { RequirementRef } from '../../src/report/model.js';
import { DM_AUTH_CASE, playDmAuthCases, type DmAuthTarget } from '../../src/runner/dm-auth-cases.js';
import { AUTH_MD5, verifyCred } from '../../src/syncml/auth.js';
import { buildSyncML, parseSyncML } from '../../src/syncml/codec.js';
import type { StatusCommand, SyncMLMessage } from '../../src/syncml/model.js';
import type { TraceEvent } from '../../src/trace/events.js';
import { parseBody } from '../../src/trace/parse-body.js';
import { TraceRecorder } from '../../src/trace/recorder.js';
import { HttpsEndpoint } from '../../src/transport/https-endpoint.js';

/**
 * NEG-DM-AUTH over real TLS: the tester's three wrong package 1s against the reference DM servers, a mutant
 * that authenticates anybody, servers that get one variant wrong, and a silent one.
 */
const DEVICE = { devId: 'IMEI:490154203237518', man: 'dmdc', mod: 'tester', dmV: '1.2', lang: 'en' };
const CLIENT = { name: 'dmdc-device', secret: 'client-secret', nonce: Buffer.from('0123456789abcdef') };
const CREDENTIALS = { devId: DEVICE.devId, client: CLIENT, server: { name: 'dms1.example', secret: 'server-secret', nonce: Buffer.from('fedcba9876543210') } };
const { devId, ...devInfo } = DEVICE;

let pki: Pki;
const open: Array<{ close(): Promise<void> }> = [];
beforeAll(async () => {
  pki = await createPki();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

const envOf = (role: Role, trace: TraceRecorder): MockEnv => ({ identity: pki.roles[role], trustAnchors: [pki.ca.cert], trace, parseBody, budgets: { requestMs: 2000 }, recordOutbound: () => false });

/** A reference DMS-1 or DMS-2 (with `options`), holding the device's account unless `known` is false. */
async function server(role: 'dms1' | 'dms2', trace: TraceRecorder, options: Partial<ServerRoleOptions> = {}, known = true): Promise<ServerRole> {
  const common = { serverId: `${role}.example`, env: envOf(role, trace), sessionBudgetMs: 5000, ...options };
  const s =
    role === 'dms1'
      ? new MockDms1({ ...common, managedSubtrees: ['./Vendor'], ownAccountPath: './DMAcc/dms1', notificationBudgetMs: 1000 })
      : new MockDms2({ ...common, bootstrap: { mode: 'colocated' }, pushUrlOf: () => undefined });
  await s.start();
  open.push(s);
  if (known) s.devices.set(devId, { devId, man: DEVICE.man, mod: DEVICE.mod, credentials: CREDENTIALS });
  return s;
}

const target = (role: 'dms1' | 'dms2', url: string, withCredentials = true): DmAuthTarget => ({ role, url, serverId: `${role}.example`, devId, devInfo, ...(withCredentials ? { credentials: CLIENT } : {}) });

/** Plays the case as the flow does (phase tls-probe) and judges it from the recorded events alone. */
async function play(trace: TraceRecorder, targets: DmAuthTarget[], timeoutMs = 3000, flow: TraceEvent[] = []): Promise<Outcome> {
  trace.phase = 'tls-probe';
  try {
    await playDmAuthCases(targets, { trace, timeoutMs, trustOf: () => ({ anchors: [pki.ca.cert] }) });
  } finally {
    trace.phase = undefined;
  }
  const ctx = { probes: trace.events().filter((e) => e.phase === 'tls-probe'), messages: wireMessages(flow), judges: () => true } as unknown as JudgeContext;
  return dmAuthRefused.run(ctx, { id: DM_AUTH_CASE } as RequirementRef);
}

/** The SyncHdr Status each variant got, from the tester's side of the trace. */
const answers = (trace: TraceRecorder) =>
  Object.fromEntries(
    trace
      .events()
      .filter((e) => e.kind === 'response' && e.probe)
      .map((e) => [`${e.to === 'client' ? e.from : e.to} ${e.probe!.split('/')[1]}`, (e.body?.parsed?.value as SyncMLMessage).body.find((c): c is StatusCommand => c.kind === 'Status' && c.cmd === 'SyncHdr')]),
  );

/**
 * A DM endpoint that decides authentication by `accept` and otherwise challenges (`chal` false: a 401/407
 * with no Chal): the servers that get one variant wrong.
 */
async function stub(trace: TraceRecorder, accept: (m: SyncMLMessage) => boolean, chal = true): Promise<string> {
  const endpoint = new HttpsEndpoint({
    role: 'dms1',
    identity: pki.roles.dms1,
    trustAnchors: [pki.ca.cert],
    mutual: false,
    trace,
    classify: () => ({ peer: 'client', link: 'dms1-client' }),
    handlers: [
      http.post(`*${PATHS.dm}`, async ({ request }) => {
        const m = parseSyncML(await request.text());
        const code = accept(m) ? '212' : m.hdr.cred ? '401' : '407';
        const status: StatusCommand = { kind: 'Status', cmdId: '1', msgRef: '1', cmdRef: '0', cmd: 'SyncHdr', targetRefs: [m.hdr.target], sourceRefs: [m.hdr.source], data: code, items: [], ...(chal && code !== '212' ? { chal: { type: AUTH_MD5, format: 'b64', nextNonce: 'bm9uY2U=' } } : {}) };
        const hdr = { verDTD: SYNCML.verDTD, verProto: SYNCML.verProto, sessionId: m.hdr.sessionId, msgId: '1', target: m.hdr.source, source: m.hdr.target };
        return new HttpResponse(buildSyncML({ hdr, body: [status], final: true }), { headers: { 'content-type': MEDIA.syncml } });
      }),
    ],
  });
  await endpoint.start();
  open.push(endpoint);
  return `${endpoint.url}${PATHS.dm}`;
}

const verifies = (m: SyncMLMessage) => !!m.hdr.cred && verifyCred(m.hdr.cred, { username: CLIENT.name, password: CLIENT.secret, nonce: CLIENT.nonce }).ok;

describe('NEG-DM-AUTH against the reference DM servers', () => {
  test('DMS-1 and DMS-2 challenge every variant (407 without Cred, 401 with a bad digest), each with Chal and NextNonce: PASS', async () => {
    const trace = new TraceRecorder();
    const dms1 = await server('dms1', trace);
    const dms2 = await server('dms2', trace);
    // DMS-2 before the delegation knows no such device: only the case without credentials is played there.
    const fresh = await server('dms2', trace, {}, false);
    const out = await play(trace, [target('dms1', dms1.dmUrl), target('dms2', dms2.dmUrl), target('dms2', fresh.dmUrl, false)]);
    expect(out.verdict, out.actual).toBe('PASS');
    expect(out.actual).toMatch(/^7 refused with a challenge/);
    const got = answers(trace);
    expect(Object.keys(got).sort()).toEqual(['dms1 no-credentials', 'dms1 stale-nonce', 'dms1 wrong-digest', 'dms2 no-credentials', 'dms2 stale-nonce', 'dms2 wrong-digest']);
    for (const [k, s] of Object.entries(got)) {
      expect(s?.data, k).toBe(k.endsWith('no-credentials') ? '407' : '401');
      expect(s?.chal?.nextNonce, k).toBeTruthy();
    }
    // The PASS cites the servers' own answers: the challenges.
    const cited = trace.events().filter((e) => out.evidence.includes(e.seq));
    expect(cited).toHaveLength(7);
    for (const e of cited) expect([e.kind, e.to, e.observer.side]).toEqual(['response', 'client', 'client']);
  });

  test('each case has a SessionID of its own, and the DevInfo of package 1', async () => {
    const trace = new TraceRecorder();
    const dms1 = await server('dms1', trace);
    await play(trace, [target('dms1', dms1.dmUrl)]);
    const sent = trace.events().filter((e) => e.kind === 'request' && e.probe).map((e) => e.body?.parsed?.value as SyncMLMessage);
    expect(new Set(sent.map((m) => m.hdr.sessionId)).size).toBe(3);
    for (const m of sent) {
      expect(m.body.find((c) => c.kind === 'Alert')).toMatchObject({ data: '1201' });
      expect(m.body.find((c) => c.kind === 'Replace')).toMatchObject({ items: expect.arrayContaining([{ source: './DevInfo/Man', meta: { format: 'chr' }, data: 'dmdc' }]) });
    }
    expect(sent.filter((m) => m.hdr.cred).map((m) => m.hdr.sourceName)).toEqual([CLIENT.name, CLIENT.name]);
  });

  test('a client that never comes back after the challenge leaves no session behind, and close() is quick', async () => {
    const trace = new TraceRecorder();
    const dms1 = await server('dms1', trace, { sessionBudgetMs: 300 });
    await play(trace, [target('dms1', dms1.dmUrl)]);
    // Waiting for package 1 again, each for at most a session's budget, then gone.
    expect(dms1.dm.openSessions).toBe(3);
    await vi.waitFor(() => expect(dms1.dm.openSessions).toBe(0), { timeout: 3000, interval: 50 });
    const again = await server('dms1', trace);
    await play(trace, [target('dms1', again.dmUrl)]);
    expect(again.dm.openSessions).toBe(3);
    const t0 = performance.now();
    await again.close();
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(again.dm.openSessions).toBe(0);
  });
});

describe('NEG-DM-AUTH fails the server that lets a wrong client in', () => {
  test.for(['dms1', 'dms2'] as const)('%s with acceptAnyCredentials: FAIL naming each variant, the server and the seq', async (role) => {
    const trace = new TraceRecorder();
    const s = await server(role, trace, { acceptAnyCredentials: true });
    const out = await play(trace, [target(role, s.dmUrl)]);
    expect(out.verdict).toBe('FAIL');
    for (const v of ['no-credentials', 'wrong-digest', 'stale-nonce']) expect(out.actual).toMatch(new RegExp(`${role} \\(${v}: [^)]*\\) authenticated the session: SyncHdr Status 212 \\(seq \\d+\\)`));
    expect(out.evidence).toHaveLength(3);
    // DMS-2 went on with a Get in the session it accepted; the tester never answers, and close() is not held up.
    const t0 = performance.now();
    await s.close();
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  test('a server that checks only that a Cred is there FAILs wrong-digest and stale-nonce, not no-credentials', async () => {
    const trace = new TraceRecorder();
    const out = await play(trace, [target('dms1', await stub(trace, (m) => !!m.hdr.cred))]);
    expect(out.verdict).toBe('FAIL');
    expect(out.actual).toMatch(/\(wrong-digest: [^)]*\) authenticated the session/);
    expect(out.actual).toMatch(/\(stale-nonce: [^)]*\) authenticated the session/);
    expect(out.actual).not.toMatch(/no-credentials/);
  });

  test('a server that takes a client without credentials but verifies the ones it gets FAILs no-credentials alone', async () => {
    const trace = new TraceRecorder();
    const out = await play(trace, [target('dms1', await stub(trace, (m) => !m.hdr.cred || verifies(m)))]);
    expect(out.verdict).toBe('FAIL');
    expect(out.actual).toMatch(/^dms1 \(no-credentials: no Cred\) authenticated the session: SyncHdr Status 212 \(seq \d+\)$/);
  });

  test('a refusal without a challenge FAILs, saying what was missing', async () => {
    const noChal = new TraceRecorder();
    const out = await play(noChal, [target('dms1', await stub(noChal, verifies, false))]);
    expect(out.verdict).toBe('FAIL');
    expect(out.actual).toMatch(/\(no-credentials: no Cred\) answered 407 with no Chal/);
    expect(out.actual).toMatch(/\(wrong-digest: [^)]*\) answered 401 with no Chal/);

    const plain = new TraceRecorder();
    const http401 = await server('dms1', plain, { dmAnswer: 401 });
    const refused = await play(plain, [target('dms1', http401.dmUrl, false)]);
    expect(refused.verdict).toBe('FAIL');
    expect(refused.actual).toBe('dms1 (no-credentials: no Cred) answered HTTP 401 with no SyncML message (seq ' + refused.evidence[0] + '): no SyncHdr Status 401/407 with Chal');
  });

  test("a server that answers the flow's own package 1 without SyncML too is that session step's finding: missing here, so BLOCKED behind it", async () => {
    const trace = new TraceRecorder();
    const http404 = await server('dms1', trace, { dmAnswer: 404 });
    const flowRefusal = { seq: 1, time: '', t: 0, kind: 'response', link: 'dms1-client', from: 'dms1', to: 'client', observer: { role: 'dms1', side: 'server' }, exchange: 'x1', http: { status: 404 } } as TraceEvent;
    const out = await play(trace, [target('dms1', http404.dmUrl, false)], 3000, [flowRefusal]);
    expect(out).toMatchObject({ verdict: 'INCONCLUSIVE', absent: true });
    expect(out.actual).toMatch(/answered HTTP 404 with no SyncML message .*; the flow's own package 1 got no SyncML answer either$/);
  });
});

describe('NEG-DM-AUTH and silence', () => {
  test('a DM endpoint that never answers is INCONCLUSIVE (silence), within the budget', async () => {
    const trace = new TraceRecorder();
    const s = await server('dms1', trace, { dmAnswer: 'silent' });
    const t0 = performance.now();
    const out = await play(trace, [target('dms1', s.dmUrl)], 300);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(out).toMatchObject({ verdict: 'INCONCLUSIVE', silence: true });
    expect(out.actual).toMatch(/^no answer within the budget: .*dms1 \(no-credentials: no Cred\)/);
  });

  test('played against no endpoint whose role is judged: nothing to judge', () => {
    const ctx = { probes: [], judges: () => true } as unknown as JudgeContext;
    expect(dmAuthRefused.run(ctx, { id: DM_AUTH_CASE } as RequirementRef)).toMatchObject({ verdict: 'INCONCLUSIVE', absent: true });
  });
});
