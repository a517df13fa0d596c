import { describe, expect, test } from 'vitest';
import { IUT_CASES, runAgainstMockProcess } from './iut-run.js';

/**
 * A client reached through its trigger driver, not over HTTPS: the harness built the Package #0, so the
 * session it opens is matched to it and judged like one after a push. The driver here posts the file to the
 * reference client's push endpoint with curl, as a lab script would hand it to a device.
 */
const byTrigger = (config: Record<string, any>, o: { certificates: string }) => {
  config.ics = { ...config.ics, scopes: ['full'], durations: ['temporary'] };
  const client = config.roles.client;
  const push = client.pushUrl as string;
  delete client.pushUrl;
  client.drivers.trigger = {
    command: `curl -s -o /dev/null --cacert ${o.certificates}/ca.crt -H 'content-type: application/vnd.syncml.notification' --data-binary @{pkg0File} ${push}`,
    timeoutMs: 5000,
  };
};
const verdictOf = (r: { results: Array<{ requirementId: string; verdict: string }> }, id: string) => r.results.filter((x) => x.requirementId === id).map((x) => x.verdict);

describe('a client reached through its trigger driver', () => {
  test('SES-SESSIONID and SES-PKG1-ALERT are judged and PASS on the reference client; nothing is NOT_OBSERVABLE for want of the push', async () => {
    const run = await runAgainstMockProcess(IUT_CASES.client, { runArgs: ['--approach', 'A'], edit: byTrigger });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    for (const id of ['SES-SESSIONID', 'SES-PKG1-ALERT']) expect(verdictOf(run.report!, id), id).toEqual(['PASS']);
    // The digest is the harness servers' to get right: not the client's requirement, and no longer unseen.
    expect(verdictOf(run.report!, 'SES-PKG0-DIGEST')).toEqual(['NOT_APPLICABLE']);
    expect(run.report!.results.filter((x) => x.verdict === 'NOT_OBSERVABLE').map((x) => x.requirementId)).toEqual([]);
  }, 150_000);

  test('a client that answers the Package #0 under another SessionID FAILs SES-SESSIONID', async () => {
    const run = await runAgainstMockProcess(IUT_CASES.client, { mutant: 'client-session-id', runArgs: ['--approach', 'A'], edit: byTrigger });
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(run.report!.summary.failedRequirements).toContain('SES-SESSIONID');
  }, 150_000);
});
