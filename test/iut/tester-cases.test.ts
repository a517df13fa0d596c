import { describe, expect, test } from 'vitest';
import type { RunReport } from '../../src/report/model.js';
import { IUT_CASES, runAgainstMockProcess } from './iut-run.js';

/**
 * The tester's cases against a role as TLS client and as DM client (DESIGN.md §8): each mutant, started as
 * its own process and judged through a config as a real implementation, FAILs the case by its id.
 */
const oneFlow = (config: Record<string, any>) => void (config.ics = { ...config.ics, scopes: ['full'], durations: ['temporary'] });
const reasons = (r: RunReport, id: string) =>
  r.results.filter((x) => x.requirementId === id && x.verdict === 'FAIL').map((x) => x.checks.find((c) => c.verdict === 'FAIL')!.actual).join(' | ');

// Each case its own mock process and ports; they mostly wait on each other's refusals, so a few go at once.
describe.concurrent('the tester against a real implementation as server', () => {
  test('a DMS-1 whose DM endpoint authenticates any client FAILs NEG-DM-AUTH, naming each variant', async () => {
    const run = await runAgainstMockProcess(IUT_CASES.dms1, { mutant: 'dms1-accepts-any-credentials', runArgs: ['--approach', 'A'], edit: oneFlow });
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(run.report!.summary.failedRequirements).toEqual(['NEG-DM-AUTH']);
    const why = reasons(run.report!, 'NEG-DM-AUTH');
    for (const v of ['no-credentials', 'wrong-digest', 'stale-nonce']) expect(why).toMatch(new RegExp(`dms1 \\(${v}: [^)]*\\) authenticated the session: SyncHdr Status 212`));
  }, 150_000);

  test('a DMS-2 that takes any certificate of the CA and any delegator FAILs the peer-identity cases, and only those', async () => {
    const run = await runAgainstMockProcess(IUT_CASES.dms2, { mutant: 'dms2-any-peer', runArgs: ['--approach', 'A'], edit: oneFlow });
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(run.report!.summary.failedRequirements.sort()).toEqual(['NEG-DMS-PEER-CERT', 'NEG-DMS-PEER-SERVERID']);
    expect(run.report!.summary.tester.failedCases.sort()).toEqual(['NEG-DMS-PEER-CERT', 'NEG-DMS-PEER-SERVERID']);
  }, 150_000);

  test('a DMS-2 whose delegation API answers 200 to anything FAILs the delegation API cases, and only those', async () => {
    const run = await runAgainstMockProcess(IUT_CASES.dms2, { mutant: 'dms2-accepts-any-message', runArgs: ['--approach', 'A'], edit: oneFlow });
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(run.report!.summary.failedRequirements.sort()).toEqual(['NEG-DLG-CONTENT-TYPE', 'NEG-DLG-MALFORMED', 'NEG-DLG-ORDER']);
    expect(reasons(run.report!, 'NEG-DLG-ORDER')).toMatch(/dms2 \(dms1-dms2\), variant initiation-replayed \([^)]*\): HTTP 200 no error code \(no delegation document\) \(seq \d+\), expected HTTP 409 OUT_OF_ORDER/);
  }, 150_000);

  test('a Bootstrap Server that serves an ordered bootstrap again FAILs NEG-BS-REPLAY, and only that', async () => {
    const run = await runAgainstMockProcess(IUT_CASES.bootstrap, { mutant: 'bootstrap-serves-twice', edit: oneFlow });
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(run.report!.summary.failedRequirements).toEqual(['NEG-BS-REPLAY']);
    expect(reasons(run.report!, 'NEG-BS-REPLAY')).toMatch(/it served a bootstrap \(\d+ Add command\(s\) under \.\/DMAcc, secrets included\) for the client, again/);
    expect(run.report!.results.find((x) => x.requirementId === 'NEG-BS-UNKNOWN-DEVICE')!.verdict).toBe('PASS');
  }, 150_000);

  test('a DMS-2 that goes through with a client-initiated renegotiation FAILs NEG-TLS-RENEGOTIATION', async () => {
    const run = await runAgainstMockProcess(IUT_CASES.dms2, { mutant: 'dms2-allows-renegotiation', runArgs: ['--approach', 'A'], edit: oneFlow });
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(run.report!.summary.failedRequirements).toEqual(['NEG-TLS-RENEGOTIATION']);
    expect(reasons(run.report!, 'NEG-TLS-RENEGOTIATION')).toMatch(/dms2 \(dms1-dms2\) went through with a client-initiated renegotiation/);
  }, 150_000);
});

describe.concurrent('the tester against a real implementation as client', () => {
  test('a client that goes on with a server certificate that does not verify FAILs NEG-TLS-SERVER-CERT, naming each certificate', async () => {
    const run = await runAgainstMockProcess(IUT_CASES.client, { mutant: 'client-trusts-any-server', runArgs: ['--approach', 'A'], edit: oneFlow });
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(run.report!.summary.failedRequirements).toEqual(['NEG-TLS-SERVER-CERT']);
    const why = reasons(run.report!, 'NEG-TLS-SERVER-CERT');
    for (const kind of ['foreign-ca', 'expired', 'other-host']) expect(why).toMatch(new RegExp(`client \\(dms1-client\\) sent a request to a server presenting a certificate ${kind}`));
  }, 150_000);

  test('a client that opens a session for a Package #0 whose digest does not verify FAILs NEG-PKG0-DIGEST, and only that', async () => {
    const run = await runAgainstMockProcess(IUT_CASES.client, { mutant: 'client-accepts-bad-pkg0', runArgs: ['--approach', 'B'], edit: oneFlow });
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(run.report!.summary.failedRequirements).toEqual(['NEG-PKG0-DIGEST']);
    expect(reasons(run.report!, 'NEG-PKG0-DIGEST')).toMatch(/the client opened a session with DMS-1 \(seq \d+\)/);
  }, 150_000);

  test('a client that runs the commands of a server whose credentials do not verify FAILs NEG-DM-SERVER-AUTH; declared transport-only, the case does not apply', async () => {
    const run = await runAgainstMockProcess(IUT_CASES.client, { mutant: 'client-trusts-server-credentials', runArgs: ['--approach', 'A'], edit: oneFlow });
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(run.report!.summary.failedRequirements).toEqual(['NEG-DM-SERVER-AUTH']);
    expect(reasons(run.report!, 'NEG-DM-SERVER-AUTH')).toMatch(/the client ran the Get of a server whose credentials do not verify \(seq \d+, SyncHdr Status 212\)/);
    const declared = await runAgainstMockProcess(IUT_CASES.client, {
      mutant: 'client-trusts-server-credentials',
      runArgs: ['--approach', 'A'],
      edit: (config) => {
        oneFlow(config);
        config.ics.serverAuthentication = 'transport';
      },
    });
    expect(declared.status, declared.stdout + declared.stderr).toBe(0);
    const r = declared.report!.results.find((x) => x.requirementId === 'NEG-DM-SERVER-AUTH')!;
    expect(r.verdict).toBe('NOT_APPLICABLE');
    expect(r.checks[0].reason).toMatch(/needs ICS feature server-auth-application/);
  }, 150_000);

  const clientMutants = [
    { mutant: 'client-stores-invalid-acl', id: 'NEG-CLIENT-ACL-GRAMMAR', reason: /Replace of \.\/\S+\?prop=ACL with "[^"]*&Exec=" answered 200; .*the ACL read back is "[^"]*\+dmdc probe", it was "[^"]*" \(seq \d+\)/ },
    { mutant: 'client-ignores-session-id', id: 'NEG-CLIENT-SESSIONID', reason: /the client ran the Get of the message with SessionID FFFF, MsgID 1 \(Status 200, seq \d+\)/ },
    { mutant: 'client-ignores-msg-id', id: 'NEG-CLIENT-MSGID', reason: /the client ran the Get of the message with SessionID \w+, MsgID \d+ \(Status 200, seq \d+\)/ },
  ];
  test.for(clientMutants)('a client mutant $mutant FAILs $id, and only that', { timeout: 150_000 }, async ({ mutant, id, reason }) => {
    const run = await runAgainstMockProcess(IUT_CASES.client, { mutant, runArgs: ['--approach', 'A'], edit: oneFlow });
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(run.report!.summary.failedRequirements).toEqual([id]);
    expect(reasons(run.report!, id)).toMatch(reason);
  });

  test('the reference client as a real implementation: every client case PASSes, silence named as the pass', async () => {
    const run = await runAgainstMockProcess(IUT_CASES.client, { runArgs: ['--approach', 'A'], edit: oneFlow });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const pkg0 = run.report!.results.find((x) => x.requirementId === 'NEG-PKG0-DIGEST')!;
    expect(pkg0.verdict).toBe('PASS');
    expect(pkg0.checks[0].actual).toMatch(/no session: nothing within \d+ ms/);
    expect(run.report!.results.find((x) => x.requirementId === 'NEG-TLS-SERVER-CERT')!.verdict).toBe('PASS');
    const auth = run.report!.results.find((x) => x.requirementId === 'NEG-DM-SERVER-AUTH')!;
    expect(auth.verdict).toBe('PASS');
    expect(auth.checks[0].actual).toMatch(/the client refused the server's credentials: SyncHdr Status 401, nothing executed \(seq \d+\)/);
    for (const id of ['NEG-CLIENT-ACL-GRAMMAR', 'NEG-CLIENT-SESSIONID', 'NEG-CLIENT-MSGID']) expect(run.report!.results.find((x) => x.requirementId === id)!.verdict, id).toBe('PASS');
  }, 150_000);

  test('a DMS-1 that calls DMS-2 whatever certificate it presents FAILs NEG-TLS-SERVER-CERT', async () => {
    const run = await runAgainstMockProcess(IUT_CASES.dms1, { mutant: 'dms1-trusts-any-server', runArgs: ['--approach', 'B'], edit: oneFlow });
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(run.report!.summary.failedRequirements).toEqual(['NEG-TLS-SERVER-CERT']);
    expect(reasons(run.report!, 'NEG-TLS-SERVER-CERT')).toMatch(/dms1 \(dms1-dms2\) sent a request to a server presenting a certificate foreign-ca/);
  }, 150_000);
});
