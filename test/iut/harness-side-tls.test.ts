import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createCa } from '../../src/pki/pki.js';
import type { RunReport } from '../../src/report/model.js';
import { IUT_CASES, runAgainstMockProcess } from './iut-run.js';

/**
 * On connections the harness opens to a real implementation, the harness is the TLS client: what the
 * implementation refuses, and what it fails to require, must still be evidence (DESIGN.md §7).
 */
/** One flow is enough to see each case (ICS: one approach, scope and duration). */
const oneFlow = (config: Record<string, any>) => void (config.ics = { ...config.ics, scopes: ['full'], durations: ['temporary'] });
const failing = (r: RunReport, id: string) => r.results.filter((x) => x.requirementId === id && x.verdict === 'FAIL');
const reasons = (r: RunReport, id: string) => failing(r, id).map((x) => x.checks.find((c) => c.verdict === 'FAIL')!.actual).join(' | ');

// Each case its own mock process and ports; they mostly wait on each other's refusals, so a few go at once.
describe.concurrent('what the harness sees as the TLS client of a real implementation', () => {
  test('a DMS-1 whose delegation API does not require a client certificate FAILs TLS-DMS-MUTUAL', async () => {
    const run = await runAgainstMockProcess(IUT_CASES.dms1, { mutant: 'dms1-optional-client-cert', runArgs: ['--approach', 'A'], edit: oneFlow });
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(reasons(run.report!, 'TLS-DMS-MUTUAL')).toMatch(/dms1 accepted a TLS connection without a client certificate and answered HTTP \d+/);
  }, 150_000);

  test('a stand-alone Bootstrap Server that takes orders without a client certificate FAILs TLS-DMS-BS', async () => {
    const run = await runAgainstMockProcess(IUT_CASES.bootstrap, { mutant: 'bootstrap-optional-client-cert', edit: oneFlow });
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(reasons(run.report!, 'TLS-DMS-BS')).toMatch(/bootstrap accepted a TLS connection without a client certificate/);
    expect(run.report!.summary.failedRequirements).toEqual(['TLS-DMS-BS']);
  }, 150_000);

  test('a DMS-1 whose delegation API speaks only TLS 1.1 FAILs TLS-VERSION, not the steps after it', async () => {
    const run = await runAgainstMockProcess(IUT_CASES.dms1, { mutant: 'dms1-delegation-api-tls11', runArgs: ['--approach', 'A'], edit: oneFlow });
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(reasons(run.report!, 'TLS-VERSION')).toMatch(/handshake failed over the protocol version/);
    // It also accepts a client offering only TLS 1.1: the tester's case says so by its own id.
    expect(run.report!.summary.failedRequirements.sort()).toEqual(['NEG-TLS-V11', 'TLS-VERSION']);
  }, 150_000);

  test('a Bootstrap Server whose certificate does not chain to the configured trust anchor FAILs TLS-TRUST-ANCHOR', async () => {
    const run = await runAgainstMockProcess(IUT_CASES.bootstrap, {
      edit: async (config, { dir }) => {
        oneFlow(config);
        const file = join(dir, 'foreign-ca.crt');
        writeFileSync(file, (await createCa({ caName: 'some other CA' })).cert);
        config.roles.bootstrap.trustAnchor = file;
      },
    });
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(reasons(run.report!, 'TLS-TRUST-ANCHOR')).toMatch(/dms2-bootstrap seq \d+: CN=dmdc bootstrap \((UNABLE_TO_|SELF_SIGNED_)[A-Z_]+\)/);
  }, 150_000);

  test('a Bootstrap Server presenting another certificate than the pinned one FAILs TLS-TRUST-ANCHOR', async () => {
    const run = await runAgainstMockProcess(IUT_CASES.bootstrap, {
      edit: (config, { certificates }) => {
        oneFlow(config);
        config.roles.bootstrap.certificate = join(certificates, 'dms1.crt');
      },
    });
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(reasons(run.report!, 'TLS-TRUST-ANCHOR')).toMatch(/is not the pinned one/);
  }, 150_000);

  test('a DMS-1 that never answers DelegationComplete: A.8 INCONCLUSIVE (silence), nothing FAILs, exit 3', async () => {
    const run = await runAgainstMockProcess(IUT_CASES.dms1, { mutant: 'dms1-silent-complete', runArgs: ['--approach', 'A'], edit: oneFlow });
    expect(run.status, run.stdout + run.stderr).toBe(3);
    const a8 = run.report!.results.find((x) => x.requirementId === 'A.8')!;
    expect(a8.verdict).toBe('INCONCLUSIVE');
    expect(run.report!.summary.failedRequirements).toEqual([]);
  }, 150_000);

  test('the tester: a DMS-2 that accepts TLS 1.1 FAILs NEG-TLS-V11 by its id, and only that', async () => {
    const run = await runAgainstMockProcess(IUT_CASES.dms2, { mutant: 'dms2-accepts-tls11', runArgs: ['--approach', 'A'], edit: oneFlow });
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(run.report!.summary.failedRequirements).toEqual(['NEG-TLS-V11']);
    expect(reasons(run.report!, 'NEG-TLS-V11')).toMatch(/dms2 \(dms1-dms2\) completed a handshake with TLSv1\.1/);
    expect(run.report!.results.find((x) => x.requirementId === 'NEG-TLS-V10')!.verdict).toBe('PASS');
  }, 150_000);

  test('the tester: a DMS-2 that takes a client certificate it cannot verify FAILs NEG-TLS-CLIENT-CERT, naming each certificate', async () => {
    const run = await runAgainstMockProcess(IUT_CASES.dms2, { mutant: 'dms2-unverified-client-cert', runArgs: ['--approach', 'B'], edit: oneFlow });
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(run.report!.summary.failedRequirements).toEqual(['NEG-TLS-CLIENT-CERT']);
    const why = reasons(run.report!, 'NEG-TLS-CLIENT-CERT');
    for (const kind of ['foreign-ca', 'expired', 'self-signed']) expect(why).toMatch(new RegExp(`dms2 \\(dms1-dms2\\) answered HTTP \\d+ to a client certificate that is ${kind}`));
  }, 150_000);
});

