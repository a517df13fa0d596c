import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { createPki, writePki } from '../../src/pki/pki.js';
import type { RunReport } from '../../src/report/model.js';
import { spawnScript, type SpawnedScript } from '../support/spawn-script.js';
import { explain, expectNoCascade, failIds } from './independent-run.js';
import { runLimited } from '../../src/runner/run-limited.js';
import { dmdcRun, type DmdcRun } from './iut-run.js';

/**
 * An implementation the harness has never seen: a DM Client in Python that follows only the documentation
 * (independent-client/client.py, from docs/vendor-guide.md §3.4 and docs/binding-profile.md §4). Without a
 * fault it must pass; each planted fault must be named by the requirement it breaks, without a cascade.
 */
const SCRIPT = fileURLToPath(new URL('./independent-client/client.py', import.meta.url));
const TREE = fileURLToPath(new URL('../../fixtures/trees/client-initial.json', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'dmdc-independent-client-'));
const pkiDir = join(dir, 'pki');
// Two flows: A-full-temporary takes HMAC, B-full-temporary DIGEST (scenariosFor deals the types in turn).
const twoFlows = { approaches: ['A', 'B'], scopes: ['full'], durations: ['temporary'], authTypes: ['HMAC', 'DIGEST'] };
const budgets = { requestMs: 2000, sessionMs: 4000, notificationMs: 4000, flowMs: 15000, driverMs: 2000, silenceMs: 1500 };

type Client = SpawnedScript<{ push: string; control: string }>;

/** Starts client.py and resolves with the URLs of its one JSON line (or rejects past the budget). */
function startClient(fault?: string): Promise<Client> {
  const args = ['--cert', join(pkiDir, 'client.crt'), '--key', join(pkiDir, 'client.key'), '--ca', join(pkiDir, 'ca.crt'), '--tree', TREE, '--port-push', '0', '--port-control', '0'];
  return spawnScript(SCRIPT, fault ? [...args, '--fault', fault] : args);
}

function configFor(name: string, c: Client): string {
  const config = {
    name: `independent DM Client (${name})`,
    pki: { dir: pkiDir },
    roles: {
      dms1: { mode: 'mock' },
      dms2: { mode: 'mock' },
      bootstrap: { mode: 'mock' },
      client: {
        mode: 'real',
        pushUrl: c.urls.push,
        trustAnchor: join(pkiDir, 'ca.crt'),
        treeRead: 'protocol',
        drivers: {
          reset: { http: { method: 'POST', url: `${c.urls.control}/control/reset` } },
          setup: { http: { url: `${c.urls.control}/control/configure`, body: '{"dms1Url":"{dms1DmUrl}"}' } },
        },
      },
    },
    // The DMS-1 account as provisioned in the tree the client loads (fixtures/trees/client-initial.json).
    device: {
      devId: 'IMEI:493005100592800',
      man: 'Example Devices',
      mod: 'EX-100',
      dms1Account: {
        clientName: 'dev-493005100592800',
        clientSecret: 'client-secret-for-dms1',
        clientNonce: 'MTIzNDU2Nzg5MDEyMzQ1Ng==',
        serverName: 'dms1.example',
        serverSecret: 'server-secret-of-dms1',
        serverNonce: 'YWJjZGVmZ2hpamtsbW5vcA==',
      },
      managedSubtrees: ['./Vendor/Apps', './Vendor/Conn', './Vendor/Security'],
      partialSubtrees: ['./Vendor/Apps', './Vendor/Security'],
      otherServers: ['ops.example'],
      dms1AccountPath: './DMAcc/dms1',
    },
    ics: twoFlows,
    budgets,
  };
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

type ClientRun = DmdcRun & { clientLog: string };

/** One run per fault, shared by the tests that read it. */
const runs = new Map<string, Promise<ClientRun>>();
const runOnce = (fault?: string) => {
  const key = fault ?? '';
  if (!runs.has(key)) runs.set(key, runWith(fault));
  return runs.get(key)!;
};

async function runWith(fault?: string): Promise<ClientRun> {
  const name = fault ?? 'no-fault';
  const c = await startClient(fault);
  try {
    const run = await dmdcRun(['--config', configFor(name, c)], join(dir, `reports-${name}`), 80_000);
    return { ...run, clientLog: c.stderr() };
  } finally {
    await c.stop();
  }
}

const verdictOf = (r: RunReport, id: string) => r.results.filter((x) => x.requirementId === id).map((x) => `${x.flowId}:${x.verdict}`);
const explainRun = (run: ClientRun) => explain(run, 'client.py', run.clientLog, 4000);

const FAULTS: Array<{ fault: string; fail: RegExp; why: string }> = [
    { fault: 'wrong-mac', fail: /^SES-HMAC-CLIENT$/, why: 'the x-syncml-hmac mac computed with a wrong password' },
    { fault: 'stale-nonce', fail: /^SES-NONCE-CLIENT$/, why: 'never takes a NextNonce: signs with the provisioned AAuthData' },
    { fault: 'no-next-message', fail: /^SES-MAXMSGSIZE$/, why: 'answers a message without Final as if it were final (no Alert 1222)' },
    { fault: 'ignore-acl', fail: /^SES-ACL-425$/, why: 'executes commands without the ACL right' },
    { fault: 'bad-sessionid', fail: /^SES-SESSIONID$/, why: "answers Package #0 under another SessionID (the trigger's id + 1)" },
    { fault: 'accept-any-server-cred', fail: /^NEG-DM-SERVER-AUTH$/, why: "takes any server credentials (the tester's wrong password too)" },
    { fault: 'accept-bad-pkg0', fail: /^NEG-PKG0-DIGEST$/, why: 'acts on a Package #0 whose digest does not verify' },
];

describe('an independent DM Client (Python, standard library only)', () => {
  beforeAll(async () => {
    writePki(pkiDir, await createPki());
    // The runs mostly wait (for the silence a refusal is judged by): a few go side by side, each with its own
    // client process and ports; the tests take them as they finish.
    void runLimited([undefined, ...FAULTS.map((f) => f.fault), 'session-scoped-nonce'], 3, async (fault) => void (await runOnce(fault))).catch(() => {});
  });

  test('without a fault: exit 0, nothing FAIL, INCONCLUSIVE or ERROR; HMAC and DIGEST requirements PASS', async () => {
    const run = await runOnce();
    const why = explainRun(run);
    expect(run.status, why).toBe(0);
    const r = run.report!;
    const v = r.summary.byVerdict;
    expect(v.FAIL + v.INCONCLUSIVE + v.ERROR, why).toBe(0);
    expect(r.flows.map((f) => `${f.id}:${f.status}`), why).toEqual(['A-full-temporary:completed', 'B-full-temporary:completed']);
    // A-full-temporary runs DMS-2's account under HMAC, B-full-temporary under DIGEST.
    expect(verdictOf(r, 'SES-HMAC-CLIENT'), why).toContain('A-full-temporary:PASS');
    for (const id of ['SES-NONCE-CLIENT', 'SES-CRED', 'SES-SESSIONID', 'SES-ACL-425'])
      for (const flow of ['A-full-temporary', 'B-full-temporary']) expect(verdictOf(r, id), `${id}\n${why}`).toContain(`${flow}:PASS`);
  }, 90_000);

  test.for(FAULTS)('fault $fault ($why): FAILs $fail, no cascade', { timeout: 90_000 }, async ({ fault, fail }) => {
    const run = await runOnce(fault);
    const why = explainRun(run);
    expect(run.status, why).toBe(1);
    const r = run.report!;
    expect(failIds(r).some((id) => fail.test(id)), `${failIds(r).join(', ')}\n${why}`).toBe(true);
    expectNoCascade(r, why);
  });

  // A package cut short: with no-next-message the client answers the first message of a server package with Final
  // and no Alert 1222, so the rest (e.g. a Get of an ACL in the final tree read) is never sent. What was never
  // read is unread, not inherited: the final-state checks are INCONCLUSIVE, only SES-MAXMSGSIZE FAILs.
  test('no-next-message: nothing but SES-MAXMSGSIZE FAILs; what the cut-short packages never read is unread, not inherited', { timeout: 90_000 }, async () => {
    const run = await runOnce('no-next-message');
    const why = explainRun(run);
    expect(failIds(run.report!), why).toEqual(['SES-MAXMSGSIZE']);
  });

  // The tester's NEG-CLIENT-SESSIONID sends package 2 under SessionID FFFF with a NextNonce. A client may take
  // nothing from a message of another session, that nonce included (client.py takes it by default, as the
  // guide's troubleshooting row allows): either way its next credentials are judged right.
  test('session-scoped-nonce: a client ignoring the NextNonce of a foreign-SessionID message passes', { timeout: 90_000 }, async () => {
    const run = await runOnce('session-scoped-nonce');
    const why = explainRun(run);
    expect(failIds(run.report!), why).toEqual([]);
    expect(run.status, why).toBe(0);
  });
});
