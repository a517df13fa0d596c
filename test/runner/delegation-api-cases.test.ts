import { describe, expect, test } from 'vitest';
import { delegationApiRefused } from '../../src/checks/delegation-api-checks.js';
import { DELEGATION_API_CASES, playDelegationApiCases, variantsFor } from '../../src/runner/delegation-api-cases.js';
import type { ServerEndpoint } from '../../src/runner/tls-server-cases.js';
import { TraceRecorder } from '../../src/trace/recorder.js';
import { judgeProbes, SERVER_IDS as ids, silentDelegationEndpoint, startMutualRoles, testerOptions, useEndpoints } from '../support/mutual-roles.js';

const NO_DEVICE = 'tester-no-device';
const IDS = DELEGATION_API_CASES.map((c) => c.id);
const endpoints = useEndpoints();
let trace: TraceRecorder;

/** The three reference mocks with mutual endpoints; `acceptAnyDelegationMessage` makes each a mutant that takes anything. */
function referenceRoles(acceptAnyDelegationMessage?: boolean) {
  trace = new TraceRecorder();
  return startMutualRoles(endpoints.pki, trace, endpoints.closers, { server: { acceptAnyDelegationMessage }, bootstrap: { acceptAnyDelegationMessage } });
}

async function play(targets: readonly ServerEndpoint[], timeoutMs?: number): Promise<void> {
  trace.phase = 'tls-probe';
  await playDelegationApiCases(targets, { ...testerOptions(endpoints.pki, trace, timeoutMs), serverIds: ids, devId: NO_DEVICE });
  trace.phase = undefined;
}

const judge = (id: string) => judgeProbes(delegationApiRefused, trace, id);

describe('the delegation API cases against the reference mocks', () => {
  test("every mutual endpoint answers every variant with the profile's error, changes nothing, and still serves its real peer", async () => {
    const { dms1, dms2, bs, targets } = await referenceRoles();
    await play(targets);
    for (const id of IDS) {
      const out = judge(id);
      expect(out.verdict, `${id}: ${out.actual}`).toBe('PASS');
      const c = DELEGATION_API_CASES.find((x) => x.id === id)!;
      for (const role of ['dms1', 'dms2', 'bootstrap']) {
        const at = role === 'bootstrap' ? 'bootstrap \\(dms2-bootstrap\\)' : `${role} \\(dms1-dms2\\)`;
        for (const v of variantsFor(c, role)) expect(out.actual).toMatch(new RegExp(`${at}, variant ${v.name} \\([^)]*\\): HTTP ${v.answer.status} ${v.answer.code} \\(seq \\d+\\)`));
      }
    }
    // Nothing changed but what the tester set up itself: DMS-2 declined its delegations (no device to reach),
    // the Bootstrap Server keeps its one order, for a device of its own.
    expect([dms2.delegations.size, dms2.devices.size, dms2.declined.size]).toEqual([0, 0, 2]);
    expect([...bs.service.orders.keys()]).toEqual([expect.stringMatching(new RegExp(`^${NO_DEVICE}-tester-[0-9a-f]{12}$`))]);
    const real = await dms1.call(dms1.peers.get(ids.dms2)!, {
      type: 'DelegationInitiationRequest', sessionId: 'real-peer', delegatorServerId: ids.dms1, delegateeServerId: ids.dms2,
      device: { devId: NO_DEVICE, man: 'm', mod: 'm' }, delegationType: { scope: 'full', duration: 'temporary' }, subtrees: [], approach: 'B',
    });
    expect(real).toMatchObject({ type: 'DelegationInitiationResponse', accepted: false, reason: `no way to reach device ${NO_DEVICE}` });
  });
});

describe('the delegation API cases against endpoints that take anything', () => {
  test('mocks that answer 200 to any message FAIL every case, naming endpoint, variant, HTTP status, error code and seq', async () => {
    const { dms2, bs, targets } = await referenceRoles(true);
    await play(targets);
    const malformed = judge('NEG-DLG-MALFORMED');
    expect(malformed.verdict).toBe('FAIL');
    expect(malformed.actual).toMatch(/dms2 \(dms1-dms2\), variant wrong-version \(version="2\.0" on the root\): HTTP 200 no error code \(no delegation document\) \(seq \d+\), expected HTTP 400 INVALID/);
    expect(malformed.actual).toMatch(/bootstrap \(dms2-bootstrap\), variant not-served \([^)]*\): HTTP 200 no error code \(no delegation document\) \(seq \d+\), expected HTTP 400 UNSUPPORTED/);
    const type = judge('NEG-DLG-CONTENT-TYPE');
    expect(type.verdict).toBe('FAIL');
    expect(type.actual).toMatch(/dms1 \(dms1-dms2\), variant no-content-type \(sent with no Content-Type\): HTTP 200 no error code \(no delegation document\) \(seq \d+\), expected HTTP 415 UNSUPPORTED/);
    const order = judge('NEG-DLG-ORDER');
    expect(order.verdict).toBe('FAIL');
    for (const v of ['delegation-complete-unknown-session', 'client-prepared-too-early', 'initiation-replayed', 'order-replayed']) expect(order.actual).toMatch(new RegExp(`variant ${v} \\([^)]*\\): HTTP 200 no error code`));
    // What the mocks refused inside took no effect: a 200 is all that differs.
    expect([dms2.delegations.size, dms2.devices.size]).toEqual([0, 0]);
    for (const devId of bs.service.orders.keys()) expect(devId).toMatch(new RegExp(`^${NO_DEVICE}-tester-[0-9a-f]{12}$`));
  });
});

test('a delegation endpoint that never answers is INCONCLUSIVE (silence), once its budget runs out', async () => {
  trace = new TraceRecorder();
  // Long enough for a handshake on a busy machine: each variant's request is then on the wire.
  await play([await silentDelegationEndpoint(endpoints.pki, trace, endpoints.closers)], 800);
  for (const id of IDS) {
    const out = judge(id);
    expect(out).toMatchObject({ verdict: 'INCONCLUSIVE', silence: true });
    expect(out.actual).toMatch(/dms2 \(dms1-dms2\), variant .*: neither refused nor answered$/);
  }
  // A setup with no answer is where its variant stops: no second request.
  expect([...trace.events()].filter((e) => e.probe === 'NEG-DLG-ORDER/initiation-replayed' && e.kind === 'request' && e.observer.side === 'client').length).toBeLessThanOrEqual(1);
});

describe('a variant with a setup, on recorded connections', () => {
  type Answer = { status: number; code?: string; type?: string };
  /** One connection of `probe` to DMS-2 answered `answer`, or ended by a `tls-error`/`error` with that reason. */
  const connection = (exchange: string, probe: string, end: Answer | ['tls-error' | 'error', string]) => {
    const base = { link: 'dms1-dms2' as const, observer: { role: 'dms1' as const, side: 'client' as const }, exchange, phase: 'tls-probe' as const, probe: `NEG-DLG-ORDER/${probe}` };
    if (Array.isArray(end)) {
      if (end[0] === 'error') trace.record({ ...base, kind: 'tls', from: 'dms1', to: 'dms2' });
      trace.record({ ...base, kind: end[0], from: 'dms1', to: 'dms2', reason: end[1] });
      return;
    }
    trace.record({ ...base, kind: 'tls', from: 'dms1', to: 'dms2' });
    trace.record({ ...base, kind: 'request', from: 'dms1', to: 'dms2' });
    const value = end.code ? { type: 'Error', code: end.code } : { type: end.type };
    trace.record({ ...base, kind: 'response', from: 'dms2', to: 'dms1', http: { status: end.status }, body: { bytes: 1, encoding: 'utf8', raw: '', parsed: { codec: 'delegation', value } } });
  };

  test('a setup answered with an error leaves its variant unjudged, and the PASS says so', () => {
    trace = new TraceRecorder();
    connection('x1', 'client-prepared-unknown-session', { status: 404, code: 'UNKNOWN_SESSION' });
    connection('x2', 'initiation-replayed', { status: 400, code: 'INVALID' });
    const out = judge('NEG-DLG-ORDER');
    expect(out.verdict, out.actual).toBe('PASS');
    expect(out.actual).toMatch(/variant client-prepared-unknown-session \([^)]*\): HTTP 404 UNKNOWN_SESSION \(seq 3\); .*variant initiation-replayed \([^)]*\): not judged: the setup DelegationInitiationRequest HTTP 400 INVALID \(seq 6\)$/);
    expect(out.evidence).toEqual([3]);
  });

  test('a replay answered 200 FAILs; the configured peer refused, in the handshake or with 403, is the mutual rule\'s finding', () => {
    trace = new TraceRecorder();
    connection('x1', 'initiation-replayed', { status: 200, type: 'DelegationInitiationResponse' });
    connection('x2', 'initiation-replayed', { status: 200, type: 'DelegationInitiationResponse' });
    const out = judge('NEG-DLG-ORDER');
    expect(out.verdict).toBe('FAIL');
    expect(out.actual).toMatch(/^dms2 \(dms1-dms2\), variant initiation-replayed \([^)]*\): HTTP 200 no error code \(DelegationInitiationResponse\) \(seq 6\), expected HTTP 409 OUT_OF_ORDER$/);

    trace = new TraceRecorder();
    connection('x1', 'client-prepared-unknown-session', ['tls-error', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: certificate required']);
    expect(judge('NEG-DLG-ORDER')).toMatchObject({ verdict: 'INCONCLUSIVE', absent: true, dependsOn: 'TLS-DMS-MUTUAL' });
    // So is a 403 REJECTED: an endpoint that never asked for the certificate cannot tell its peer.
    trace = new TraceRecorder();
    connection('x1', 'client-prepared-unknown-session', { status: 403, code: 'REJECTED' });
    const rejected = judge('NEG-DLG-ORDER');
    expect(rejected).toMatchObject({ verdict: 'INCONCLUSIVE', absent: true, dependsOn: 'TLS-DMS-MUTUAL' });
    expect(rejected.actual).toMatch(/: the configured peer's certificate refused: HTTP 403 REJECTED \(seq 3\)$/);
  });

  test('a connection closed after the request, without the profile answer, FAILs naming it', () => {
    trace = new TraceRecorder();
    connection('x1', 'client-prepared-unknown-session', ['error', 'ECONNRESET: socket hang up']);
    const out = judge('NEG-DLG-ORDER');
    expect(out.verdict).toBe('FAIL');
    expect(out.actual).toMatch(/: closed without an answer: ECONNRESET: socket hang up \(seq 2\), expected HTTP 404 UNKNOWN_SESSION$/);
  });
});
