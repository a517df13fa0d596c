import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { createPki, writePki } from '../../src/pki/pki.js';
import { loadCatalogue, rolesFor } from '../../src/catalogue/catalogue.js';
import { spawnScript, type SpawnedScript } from '../support/spawn-script.js';
import { explain, expectNoCascade, failIds } from './independent-run.js';
import { runLimited } from '../../src/runner/run-limited.js';
import { dmdcRun, passesWithoutOwnEvidence, type DmdcRun } from './iut-run.js';

/**
 * An implementation the harness has never seen: a DMS-2 in Python that follows only the documentation
 * (independent-dms2/dms2.py). Without a fault it must pass; each planted fault must be named by the
 * requirement it breaks, without a cascade of FAILs.
 */
const SCRIPT = fileURLToPath(new URL('./independent-dms2/dms2.py', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'dmdc-independent-dms2-'));
const pkiDir = join(dir, 'pki');
const oneFlow = { approaches: ['A'], scopes: ['full'], durations: ['temporary'] };
// Room for a busy machine: the runs go side by side, and a silent fault waits these out in any case.
const budgets = { requestMs: 3000, sessionMs: 5000, notificationMs: 5000, flowMs: 15000, driverMs: 3000 };

type Dms2 = SpawnedScript<{ dm: string; delegation: string; control: string }>;

/** Starts dms2.py and resolves with the URLs of its one JSON line (or rejects past the budget). */
function startDms2(fault?: string): Promise<Dms2> {
  const args = ['--cert', join(pkiDir, 'dms2.crt'), '--key', join(pkiDir, 'dms2.key'), '--ca', join(pkiDir, 'ca.crt'), '--peer-cert', join(pkiDir, 'dms1.crt'), '--port-dm', '0', '--port-delegation', '0'];
  return spawnScript(SCRIPT, fault ? [...args, '--fault', fault] : args);
}

function configFor(name: string, d: Dms2): string {
  const config = {
    name: `independent DMS-2 (${name})`,
    pki: { dir: pkiDir },
    roles: {
      dms1: { mode: 'mock' },
      dms2: {
        mode: 'real',
        serverId: 'dms2.example',
        dmUrl: d.urls.dm,
        delegationUrl: d.urls.delegation,
        trustAnchor: join(pkiDir, 'ca.crt'),
        drivers: {
          reset: { http: { method: 'POST', url: `${d.urls.control}/control/reset` } },
          setup: {
            http: {
              url: `${d.urls.control}/control/configure`,
              body: '{"peers":[{"serverId":"{dms1ServerId}","delegationUrl":"{dms1DelegationUrl}"}],"pushUrl":"{clientPushUrl}"}',
            },
          },
        },
      },
      bootstrap: { mode: 'mock' },
      client: { mode: 'mock' },
    },
    ics: oneFlow,
    budgets,
  };
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

async function runWith(fault?: string): Promise<DmdcRun & { dms2Log: string }> {
  const name = fault ?? 'no-fault';
  const d = await startDms2(fault);
  try {
    const run = await dmdcRun(['--config', configFor(name, d)], join(dir, `reports-${name}`), 30_000);
    return { ...run, dms2Log: d.stderr() };
  } finally {
    await d.stop();
  }
}

const explainRun = (run: DmdcRun & { dms2Log: string }) => explain(run, 'dms2.py', run.dms2Log, 3000);

const FAULTS: Array<{ fault: string; exit: number; fail: RegExp | null }> = [
    { fault: 'tls11', exit: 1, fail: /^(A\.1|TLS-DMS-MUTUAL|TLS-VERSION)$/ },
    { fault: 'malformed-initiation-response', exit: 1, fail: /^PRF-SCHEMA$/ },
    { fault: 'silent-dm', exit: 3, fail: null },
    { fault: 'wrong-addr', exit: 1, fail: /^A\.3$/ },
    { fault: 'complete-twice', exit: 1, fail: /^PRF-ONCE-PER-DELEGATION$/ },
    { fault: 'no-client-cert-required', exit: 1, fail: /^TLS-DMS-MUTUAL$/ },
    // Found by the tester: any certificate of the CA taken as DMS-1's; a package 1 of no session answered
    // with HTTP 400 instead of a SyncML challenge.
    { fault: 'any-peer-certificate', exit: 1, fail: /^NEG-DMS-PEER-CERT$/ },
    { fault: 'no-dm-challenge', exit: 1, fail: /^NEG-DM-AUTH$/ },
];

/** One run per fault, shared by the tests that read it. */
const runs = new Map<string, ReturnType<typeof runWith>>();
const runOnce = (fault?: string) => {
  if (!runs.has(fault ?? '')) runs.set(fault ?? '', runWith(fault));
  return runs.get(fault ?? '')!;
};

describe('an independent DMS-2 (Python, standard library only)', () => {
  beforeAll(async () => {
    writePki(pkiDir, await createPki());
    // A few runs side by side, each with its own dms2.py process and ports; the tests take them as they finish
    // (and report a run that failed to start).
    void runLimited([undefined, ...FAULTS.map((f) => f.fault)], 2, async (fault) => void (await runOnce(fault))).catch(() => {});
  });

  test('without a fault: exit 0, nothing FAIL, INCONCLUSIVE or ERROR', async () => {
    const run = await runOnce();
    const why = explainRun(run);
    expect(run.status, why).toBe(0);
    const v = run.report!.summary.byVerdict;
    expect(v.FAIL + v.INCONCLUSIVE + v.ERROR, why).toBe(0);
    expect(v.PASS, why).toBeGreaterThan(20);
    // DMS-2 read the delegated ACLs and found its rights there: its DelegationComplete says success.
    const complete = run.report!.flows[0].sequence.filter((s) => s.kind === 'request' && /^DelegationComplete\b/.test(s.summary));
    expect(complete.map((s) => s.summary), why).toEqual([expect.stringMatching(/ success$/)]);
    // Every PASS on it cites a message it sent (or a refusal it made).
    const catalogue = loadCatalogue();
    expect(passesWithoutOwnEvidence(run.report!, run.trace!, 'dms2', (id, approach) => rolesFor(catalogue.entries.find((e) => e.id === id)!, approach))).toEqual([]);
  }, 40_000);

  test.for(FAULTS)('fault $fault: exit $exit, named by its requirement, no cascade', { timeout: 40_000 }, async ({ fault, exit, fail }) => {
    const run = await runOnce(fault);
    const why = explainRun(run);
    expect(run.status, why).toBe(exit);
    const r = run.report!;
    if (fail) expect(failIds(r).some((id) => fail.test(id)), why).toBe(true);
    else expect(failIds(r), why).toEqual([]);
    expectNoCascade(r, why);
  });
});
