import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockDms2, type Dms2Quirks } from '../../mocks/dms2/mock-dms2.js';
import type { IcsConfig, RunConfig } from '../../src/config/config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createPki, writePki } from '../../src/pki/pki.js';
import { parseBody } from '../../src/trace/parse-body.js';
import { TraceRecorder } from '../../src/trace/recorder.js';

export interface RealDms2 {
  /** A run config in which DMS-2 is "real": the mock below, reached only over the network. */
  config: RunConfig;
  dms2: MockDms2;
  close(): Promise<void>;
}

/**
 * A reference DMS-2 (optionally with quirks) playing a real implementation inside the test process: it keeps
 * its own trace, so the flow sees only what crosses the wire, and its setup driver is an HTTP call that tells
 * it DMS-1's delegation API and the client's push URL.
 */
export async function realDms2(quirks: Dms2Quirks, ics: IcsConfig): Promise<RealDms2> {
  const dir = mkdtempSync(join(tmpdir(), 'dmdc-real-dms2-'));
  const pki = await createPki();
  writePki(join(dir, 'pki'), pki);
  let pushUrl: string | undefined;
  const dms2 = new MockDms2({
    serverId: 'dms2.example',
    env: { identity: pki.roles.dms2, trustAnchors: [pki.ca.cert], trace: new TraceRecorder(), parseBody, budgets: { requestMs: 3000 }, recordOutbound: () => false },
    sessionBudgetMs: 3000,
    bootstrap: { mode: 'colocated' },
    pushUrlOf: () => pushUrl,
    quirks,
  });
  await dms2.start();
  const control: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      const c = JSON.parse(body) as { dms1ServerId: string; dms1DelegationUrl: string; pushUrl: string };
      dms2.reset();
      dms2.peers.clear();
      // Its peer's own certificate, as a real DMS-2 is told (binding profile §2.1): the harness's DMS-1 presents it.
      dms2.peers.set(c.dms1ServerId, { role: 'dms1', serverId: c.dms1ServerId, delegationUrl: c.dms1DelegationUrl, fingerprint256: pki.roles.dms1.fingerprint256 });
      pushUrl = c.pushUrl;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
  const setupUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}/setup`;
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({
    pki: { dir: join(dir, 'pki') },
    roles: {
      dms2: {
        mode: 'real',
        serverId: 'dms2.example',
        dmUrl: dms2.dmUrl,
        delegationUrl: dms2.delegationUrl,
        drivers: { setup: { http: { url: setupUrl, body: '{"dms1ServerId":"{dms1ServerId}","dms1DelegationUrl":"{dms1DelegationUrl}","pushUrl":"{clientPushUrl}"}' } } },
      },
    },
    ics: { bootstrapPlacements: ['colocated'], ...ics },
    budgets: { requestMs: 3000, sessionMs: 3000, notificationMs: 3000, flowMs: 10_000 },
  }));
  const loaded = await loadConfig(file);
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  return {
    config: loaded.config,
    dms2,
    close: async () => {
      await dms2.close();
      await new Promise<void>((resolve) => control.close(() => resolve()));
    },
  };
}
