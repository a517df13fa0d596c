import { describe, expect, test } from 'vitest';
import type { BootstrapQuirks } from '../../mocks/bootstrap/mock-bootstrap.js';
import { peerIdentityRefused } from '../../src/checks/peer-identity-checks.js';
import { playPeerIdentityCases } from '../../src/runner/peer-identity-cases.js';
import { playTester, type ServerEndpoint } from '../../src/runner/tls-server-cases.js';
import { TraceRecorder } from '../../src/trace/recorder.js';
import { judgeProbes, SERVER_IDS as ids, silentDelegationEndpoint, startMutualRoles, testerOptions, useEndpoints } from '../support/mutual-roles.js';

const NO_DEVICE = 'IMEI:000000000000000';
const endpoints = useEndpoints();
let trace: TraceRecorder;

const tester = (timeoutMs?: number) => testerOptions(endpoints.pki, trace, timeoutMs);

/** The three reference mocks with mutual endpoints, their peers configured as run-flow does. */
function referenceRoles(o: { acceptAnyPeer?: boolean; clientCertificateOptional?: boolean; bootstrap?: BootstrapQuirks } = {}) {
  trace = new TraceRecorder();
  return startMutualRoles(endpoints.pki, trace, endpoints.closers, { server: { acceptAnyPeer: o.acceptAnyPeer, clientCertificateOptional: o.clientCertificateOptional }, bootstrap: { acceptAnyPeer: o.acceptAnyPeer, ...o.bootstrap } });
}

async function play(targets: readonly ServerEndpoint[], timeoutMs?: number): Promise<void> {
  trace.phase = 'tls-probe';
  await playPeerIdentityCases(targets, { ...tester(timeoutMs), serverIds: ids, devId: NO_DEVICE });
  trace.phase = undefined;
}

const judge = (id: string) => judgeProbes(peerIdentityRefused, trace, id);

describe('the peer-identity cases against the reference mocks', () => {
  test('every mutual endpoint answers 403 REJECTED, changes nothing, and still serves its real peer: PASS citing each refusal', async () => {
    const { dms1, dms2, bs, targets } = await referenceRoles();
    await play(targets);
    const cert = judge('NEG-DMS-PEER-CERT');
    expect(cert.verdict, cert.actual).toBe('PASS');
    for (const at of ['dms1 (dms1-dms2)', 'dms2 (dms1-dms2)', 'bootstrap (dms2-bootstrap)']) {
      for (const variant of ['other-role', 'third-server']) expect(cert.actual).toMatch(new RegExp(`${at.replace(/[()]/g, '\\$&')}, variant ${variant} \\([^)]*\\): HTTP 403 REJECTED \\(seq \\d+\\)`));
    }
    const serverId = judge('NEG-DMS-PEER-SERVERID');
    expect(serverId.verdict, serverId.actual).toBe('PASS');
    expect(serverId.actual?.match(/variant foreign-server-id \([^)]*\): HTTP 403 REJECTED/g)).toHaveLength(2);
    // The evidence is the endpoints' own answers (and the handshakes they ended).
    const cited = [...trace.events()].filter((e) => [...cert.evidence, ...serverId.evidence].includes(e.seq));
    expect(cited.filter((e) => e.kind === 'response').map((e) => e.from).sort()).toEqual(['bootstrap', 'bootstrap', 'bootstrap', 'dms1', 'dms1', 'dms2', 'dms2', 'dms2']);

    expect([dms2.delegations.size, dms2.devices.size, bs.service.orders.size]).toEqual([0, 0, 0]);
    const real = await dms1.call(dms1.peers.get(ids.dms2)!, {
      type: 'DelegationInitiationRequest', sessionId: 'real-peer', delegatorServerId: ids.dms1, delegateeServerId: ids.dms2,
      device: { devId: NO_DEVICE, man: 'm', mod: 'm' }, delegationType: { scope: 'full', duration: 'temporary' }, subtrees: [], approach: 'B',
    });
    expect(real).toMatchObject({ type: 'DelegationInitiationResponse', accepted: false, reason: `no way to reach device ${NO_DEVICE}` });
  });

  test('mocks that accept any peer FAIL both cases, naming endpoint, variant, HTTP status, error code and seq', async () => {
    const { targets } = await referenceRoles({ acceptAnyPeer: true });
    await play(targets);
    const cert = judge('NEG-DMS-PEER-CERT');
    expect(cert.verdict).toBe('FAIL');
    expect(cert.actual).toMatch(/dms1 \(dms1-dms2\), variant other-role \(the certificate of the run's Bootstrap Server\): HTTP 404 UNKNOWN_SESSION \(seq \d+\)/);
    expect(cert.actual).toMatch(/dms2 \(dms1-dms2\), variant third-server \(.*?\): HTTP 200 no error code \(DelegationInitiationResponse\) \(seq \d+\)/);
    expect(cert.actual).toMatch(/bootstrap \(dms2-bootstrap\), variant other-role \(the certificate of the run's DMS-1\): HTTP 200 no error code \(Ack\)/);
    expect(cert.evidence).toHaveLength(6);
    const serverId = judge('NEG-DMS-PEER-SERVERID');
    expect(serverId.verdict).toBe('FAIL');
    expect(serverId.actual).toMatch(/dms2 \(dms1-dms2\), variant foreign-server-id \(the sender ServerID dms3\.stranger\.invalid\): HTTP 200 no error code \(DelegationInitiationResponse\)/);
    expect(serverId.actual).toMatch(/bootstrap \(dms2-bootstrap\), variant foreign-server-id .*: HTTP 200 no error code \(Ack\)/);
  });

  test('a Bootstrap Server that checks the certificate but not the ordered ServerID FAILs the ServerID case only', async () => {
    const { bs, targets } = await referenceRoles();
    bs.serverIds.length = 0;
    await play(targets);
    expect(judge('NEG-DMS-PEER-CERT').verdict).toBe('PASS');
    const serverId = judge('NEG-DMS-PEER-SERVERID');
    expect(serverId.verdict).toBe('FAIL');
    expect(serverId.actual).toMatch(/^bootstrap \(dms2-bootstrap\), variant foreign-server-id .*: HTTP 200 no error code \(Ack\) \(seq \d+\)$/);
  });

  test('an endpoint that takes a connection without any certificate is judged by TLS-DMS-MUTUAL, not a second time here', async () => {
    const { targets } = await referenceRoles({ clientCertificateOptional: true });
    const dms1 = targets.filter((ep) => ep.role === 'dms1' && ep.mutual);
    trace.phase = 'tls-probe';
    await playTester(dms1, dms1, tester());
    await play(dms1);
    const cert = judge('NEG-DMS-PEER-CERT');
    expect(cert).toMatchObject({ verdict: 'INCONCLUSIVE', absent: true, dependsOn: 'TLS-DMS-MUTUAL' });
    expect(cert.actual).toMatch(/^dms1 \(dms1-dms2\), variant .*: takes any client certificate$/);
  });
});

test('a delegation endpoint that never answers is INCONCLUSIVE (silence), once its budget runs out', async () => {
  trace = new TraceRecorder();
  await play([await silentDelegationEndpoint(endpoints.pki, trace, endpoints.closers)], 300);
  for (const id of ['NEG-DMS-PEER-CERT', 'NEG-DMS-PEER-SERVERID']) {
    const out = judge(id);
    expect(out).toMatchObject({ verdict: 'INCONCLUSIVE', silence: true });
    expect(out.actual).toMatch(/dms2 \(dms1-dms2\), variant .*: neither refused nor answered$/);
  }
});

describe('the ServerID case on a recorded connection that got no HTTP answer', () => {
  const connection = (...kinds: Array<['tls' | 'tls-error' | 'error', string?]>) => {
    trace = new TraceRecorder();
    for (const [kind, reason] of kinds) {
      trace.record({ kind, link: 'dms1-dms2', from: 'dms1', to: 'dms2', observer: { role: 'dms1', side: 'client' }, exchange: 'x1', phase: 'tls-probe', probe: 'NEG-DMS-PEER-SERVERID/foreign-server-id', ...(reason ? { reason } : {}) });
    }
  };

  test("the configured peer's own certificate refused in the handshake is TLS-DMS-MUTUAL's finding", () => {
    connection(['tls-error', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: certificate required']);
    expect(judge('NEG-DMS-PEER-SERVERID')).toMatchObject({ verdict: 'INCONCLUSIVE', absent: true, dependsOn: 'TLS-DMS-MUTUAL' });
  });

  test('a connection closed after the request, without the profile answer, FAILs naming it', () => {
    connection(['tls'], ['error', 'ECONNRESET: socket hang up']);
    const out = judge('NEG-DMS-PEER-SERVERID');
    expect(out.verdict).toBe('FAIL');
    expect(out.actual).toMatch(/^dms2 \(dms1-dms2\), variant foreign-server-id .*: closed without an answer: ECONNRESET: socket hang up \(seq 2\)$/);
  });
});
