import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPki, writePki } from '../../src/pki/pki.js';
import { validateReport } from '../../src/report/report-schema.js';
import { dmdcRun } from './iut-run.js';

const dir = mkdtempSync(join(tmpdir(), 'dmdc-bad-'));
const put = (name: string, content: unknown) => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(content, null, 2));
  return file;
};
const listen = (s: Server) => new Promise<number>((done) => s.listen(0, '127.0.0.1', () => done((s.address() as AddressInfo).port)));
const oneFlow = { approaches: ['A'], scopes: ['full'], durations: ['temporary'] };

describe('a configuration that is wrong stops the run before any traffic (exit 2, the field named)', () => {
  let connections = 0;
  let port = 0;
  const tcp = createTcpServer((s) => (connections++, s.destroy()));
  beforeAll(async () => void (port = await listen(tcp)));
  afterAll(() => void tcp.close());
  const dms1 = () => ({
    mode: 'real',
    serverId: 'acme-dms1',
    dmUrl: `https://127.0.0.1:${port}/dm`,
    delegationUrl: `https://127.0.0.1:${port}/delegation`,
    drivers: { startDelegation: { http: { url: `http://127.0.0.1:${port}/start`, body: '{}' } } },
  });

  test.for<{ name: string; role: Record<string, unknown>; message: RegExp }>([
    { name: 'a misspelt field', role: { ...dms1(), delegationUrl: undefined, delegationURL: 'https://x.lab/d' }, message: /roles\.dms1\.delegationURL: unknown field \(did you mean "delegationUrl"\?\)/ },
    { name: 'a missing certificate file', role: { ...dms1(), trustAnchor: 'no-such-ca.pem' }, message: /roles\.dms1\.trustAnchor: no such file .*no-such-ca\.pem/ },
    { name: 'a missing required field', role: { ...dms1(), dmUrl: undefined }, message: /roles\.dms1\.dmUrl: required field missing/ },
  ])('$name', { timeout: 60_000 }, async ({ name, role, message }) => {
    const out = join(dir, `cfg-${name.replace(/\W+/g, '-')}`);
    const run = await dmdcRun(['--config', put(`${name}.json`, { roles: { dms1: role }, ics: oneFlow })], out);
    expect(run.status, run.stdout + run.stderr).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.report).toBeUndefined();
    expect(connections).toBe(0);
  });
});

describe('an implementation that never answers, or a driver that lies, cannot pass', () => {
  let pkiDir: string;
  let hangingPort = 0;
  let accepted = 0;
  const hanging: Array<() => void> = [];
  let server: ReturnType<typeof createHttpsServer>;
  beforeAll(async () => {
    pkiDir = join(dir, 'pki');
    const pki = await createPki();
    writePki(pkiDir, pki);
    // Accepts the TLS connection and the request, and never answers.
    server = createHttpsServer({ key: pki.roles.dms2.key, cert: pki.roles.dms2.cert, ca: [pki.ca.cert], requestCert: true, rejectUnauthorized: false }, (req, res) => {
      accepted++;
      hanging.push(() => res.destroy());
    });
    // Its TLS is as the profile asks (no client-initiated renegotiation): silence is its only fault.
    server.on('secureConnection', (socket) => socket.disableRenegotiation());
    hangingPort = await listen(server as unknown as Server);
  });
  afterAll(() => {
    for (const h of hanging) h();
    server.close();
  });

  test('a DMS-2 that accepts and never answers: INCONCLUSIVE within the budget, report and trace written, exit 3', async () => {
    const config = put('hanging-dms2.json', {
      pki: { dir: pkiDir },
      roles: {
        dms2: {
          mode: 'real',
          serverId: 'dms2.example',
          dmUrl: `https://127.0.0.1:${hangingPort}/dm`,
          delegationUrl: `https://127.0.0.1:${hangingPort}/delegation`,
          trustAnchor: join(pkiDir, 'ca.crt'),
        },
      },
      ics: oneFlow,
      budgets: { requestMs: 1000, sessionMs: 2000, notificationMs: 2000, flowMs: 4000 },
    });
    const out = join(dir, 'hanging');
    const run = await dmdcRun(['--config', config], out, 60_000);
    expect(run.status, run.stdout + run.stderr).toBe(3);
    expect(accepted).toBeGreaterThan(0);
    const r = run.report!;
    expect(validateReport(r)).toEqual({ ok: true });
    expect(r.flows[0].status).toBe('timeout');
    expect(r.summary.byVerdict.INCONCLUSIVE).toBeGreaterThan(0);
    expect(r.summary.byVerdict.FAIL).toBe(0);
    expect(r.summary.byVerdict.PASS).toBe(r.results.filter((x) => x.verdict === 'PASS').length);
    const reasons = r.results.filter((x) => x.verdict === 'INCONCLUSIVE').flatMap((x) => x.checks.map((c) => c.reason ?? ''));
    expect(reasons.join('\n')).toMatch(/budget|did not complete/);
    // The trace so far is on disk: the request DMS-2 never answered is in it.
    const trace = readFileSync(join(out, 'latest', 'trace.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; link: string; reason?: string });
    expect(trace.some((e) => e.kind === 'request' && e.link === 'dms1-dms2')).toBe(true);
    expect(trace.some((e) => e.kind === 'error' && /TIMEOUT|no response/.test(e.reason ?? ''))).toBe(true);
  }, 90_000);

  test('a client that accepts the Package #0 connection and never answers: exit 3, within flowMs', async () => {
    const before = accepted;
    const config = put('hanging-client.json', {
      pki: { dir: pkiDir },
      roles: { client: { mode: 'real', pushUrl: `https://127.0.0.1:${hangingPort}/push`, trustAnchor: join(pkiDir, 'ca.crt'), treeRead: 'protocol' } },
      device: {
        devId: 'IMEI:493005100592800', man: 'Example Devices', mod: 'EX-100',
        dms1Account: { clientName: 'dev-1', clientSecret: 'c', clientNonce: 'MTIzNA==', serverName: 'dms1.example', serverSecret: 's', serverNonce: 'NTY3OA==' },
        managedSubtrees: ['./Vendor/Apps'], partialSubtrees: ['./Vendor/Apps'], otherServers: [], dms1AccountPath: './DMAcc/dms1',
      },
      ics: oneFlow,
      budgets: { requestMs: 1000, sessionMs: 1500, notificationMs: 1500, flowMs: 3000 },
    });
    const started = Date.now();
    const run = await dmdcRun(['--config', config], join(dir, 'hanging-client'), 60_000);
    expect(run.status, run.stdout + run.stderr).toBe(3);
    expect(accepted).toBeGreaterThan(before);
    const r = run.report!;
    expect(r.summary.byVerdict.FAIL).toBe(0);
    // The flow keeps to flowMs: the tree reads and the probe are inside it, not after it.
    expect(r.flows[0].durationMs).toBeLessThan(3000 + 1500);
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 90_000);

  test('a DMS-1 driver that claims success while nothing reaches the wire: no PASS of the delegation, exit 3', async () => {
    const config = put('lying-driver.json', {
      pki: { dir: pkiDir },
      roles: {
        dms1: {
          mode: 'real',
          serverId: 'dms1.example',
          // Something listens there (so the set-up is complete), but DMS-1 never sends a thing.
          dmUrl: `https://127.0.0.1:${hangingPort}/dm`,
          delegationUrl: `https://127.0.0.1:${hangingPort}/delegation`,
          trustAnchor: join(pkiDir, 'ca.crt'),
          drivers: { startDelegation: { command: 'echo "delegation started for {devId}"' } },
        },
      },
      ics: oneFlow,
      budgets: { flowMs: 2000 },
    });
    const run = await dmdcRun(['--config', config], join(dir, 'lying'), 60_000);
    expect(run.status, run.stdout + run.stderr).toBe(3);
    const r = run.report!;
    // Only the tester's cases, which the listening endpoint did answer (it refused old TLS versions), pass.
    const passed = r.results.filter((x) => x.verdict === 'PASS').map((x) => r.requirements.find((q) => q.id === x.requirementId)!);
    expect(passed.filter((q) => q.category !== 'negative').map((q) => q.id)).toEqual([]);
    expect(r.flows[0].sequence.some((s) => s.kind === 'note' && /driver dms1\.startDelegation: exit 0/.test(s.summary))).toBe(true);
  }, 90_000);
});

describe('an implementation nobody can reach is an error of the set-up, never a list of FAILs', () => {
  test('a real DMS-2 with nothing listening: exit 2, the URL and the error named, nothing judged', async () => {
    // Port 1 is privileged: no test's server can take it, as one could take a port freed a moment before.
    const port = 1;
    const pkiDir = join(dir, 'pki-absent');
    writePki(pkiDir, await createPki());
    const url = `https://127.0.0.1:${port}/delegation`;
    const config = put('absent-dms2.json', {
      pki: { dir: pkiDir },
      roles: { dms2: { mode: 'real', serverId: 'dms2.example', dmUrl: `https://127.0.0.1:${port}/dm`, delegationUrl: url, trustAnchor: join(pkiDir, 'ca.crt') } },
      ics: oneFlow,
    });
    const run = await dmdcRun(['--config', config], join(dir, 'absent'), 60_000);
    expect(run.status, run.stdout + run.stderr).toBe(2);
    expect(run.stdout + run.stderr).toContain(`roles.dms2.delegationUrl ${url} is not reachable (ECONNREFUSED)`);
    const r = run.report!;
    expect(validateReport(r)).toEqual({ ok: true });
    expect(r.summary.byVerdict.FAIL).toBe(0);
    expect(r.summary.byVerdict.PASS).toBe(0);
    expect(r.flows[0].status).toBe('error');
    // Nothing was sent to anyone: no DMS↔DMS request on the wire.
    expect(r.flows[0].sequence.filter((e) => e.kind === 'request')).toEqual([]);
  }, 90_000);
});
