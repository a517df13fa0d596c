import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunReport } from '../../src/report/model.js';
import { validateReport } from '../../src/report/report-schema.js';
import { spawnMock, type SpawnedMock } from '../support/spawn-mock.js';
import { dmdcRun } from './iut-run.js';

/** Two real implementations at once, each a reference mock in its own process, sharing one PKI. */
const dir = mkdtempSync(join(tmpdir(), 'dmdc-several-'));
const origin = (url: string) => new URL(url).origin;
const configure = (m: SpawnedMock, body: string) => ({ http: { url: `${m.info.control}/control/configure`, body } });
const startDelegation = (m: SpawnedMock) => ({
  http: {
    url: `${m.info.control}/control/delegate`,
    body: '{"devId":"{devId}","delegatee":"{dms2ServerId}","approach":"{approach}","scope":"{scope}","duration":"{duration}","subtrees":"{subtrees}","removeAccount":"{removeAccount}"}',
  },
});
const realServer = (m: SpawnedMock, serverId: string, drivers: object) => ({
  mode: 'real',
  serverId,
  dmUrl: m.info.dm,
  delegationUrl: m.info.delegation,
  trustAnchor: join(dir, 'dms1', 'ca.crt'),
  drivers,
});
const verdictsOf = (r: RunReport, id: string) => [...new Set(r.results.filter((x) => x.requirementId === id).map((x) => x.verdict))];

describe('several roles real at once', () => {
  let dms1: SpawnedMock;
  let dms2: SpawnedMock;
  let client: SpawnedMock;
  beforeAll(async () => {
    dms1 = await spawnMock(['dms1', '--port', '0', '--control', '--out', join(dir, 'dms1')]);
    const shared = ['--pki', join(dir, 'dms1')];
    [dms2, client] = await Promise.all([
      spawnMock(['dms2', '--port', '0', '--control', ...shared, '--out', join(dir, 'dms2')]),
      spawnMock(['client', '--port', '0', '--control', ...shared, '--out', join(dir, 'client')]),
    ]);
  }, 60_000);
  afterAll(() => Promise.all([dms1?.stop(), dms2?.stop(), client?.stop()]));

  test('DMS-1 and DMS-2 real: the recording proxies observe their link and every flow passes', async () => {
    const file = join(dir, 'dms1-dms2.json');
    writeFileSync(file, JSON.stringify({
      pki: { dir: join(dir, 'dms1') },
      roles: {
        dms1: realServer(dms1, 'dms1.example', {
          setup: configure(dms1, '{"peers":[{"serverId":"{dms2ServerId}","delegationUrl":"{proxy.dms1-dms2.dms2}/delegation"}],"pushUrl":"{clientPushUrl}"}'),
          startDelegation: startDelegation(dms1),
        }),
        dms2: realServer(dms2, 'dms2.example', {
          setup: configure(dms2, '{"peers":[{"serverId":"{dms1ServerId}","delegationUrl":"{proxy.dms1-dms2.dms1}/delegation"}],"pushUrl":"{clientPushUrl}"}'),
        }),
      },
      proxies: [
        { link: 'dms1-dms2', to: 'dms2', upstream: origin(dms2.info.delegation) },
        { link: 'dms1-dms2', to: 'dms1', upstream: origin(dms1.info.delegation) },
      ],
      ics: { approaches: ['A', 'B'], scopes: ['partial'], bootstrapPlacements: ['colocated'] },
    }));
    const run = await dmdcRun(['--config', file], join(dir, 'proxied'));
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const r = run.report!;
    expect(validateReport(r)).toEqual({ ok: true });
    expect(r.setup!.observability['dms1-dms2']).toEqual({ observed: true, how: 'recorded by the recording proxy' });
    for (const id of ['A.2', 'B.3', 'B.7', 'B.10', 'TLS-DMS-MUTUAL', 'ORD-B.9-B.10']) expect(verdictsOf(r, id), id).not.toContain('FAIL');
    expect(verdictsOf(r, 'B.7').sort()).toEqual(['NOT_APPLICABLE', 'PASS']);
    // SES-ACL-425 constrains only the client, the harness's own here: no verdict on the implementations.
    expect(verdictsOf(r, 'SES-ACL-425')).toEqual(['NOT_APPLICABLE']);
    expect(r.results.find((x) => x.requirementId === 'SES-ACL-425')!.checks[0].reason).toMatch(/^constrains only harness roles/);
  }, 150_000);

  test('DMS-1 and the client real with no proxy: their link is NOT_OBSERVABLE, the tree comes from the readTree driver', async () => {
    const file = join(dir, 'dms1-client.json');
    writeFileSync(file, JSON.stringify({
      pki: { dir: join(dir, 'dms1') },
      roles: {
        dms1: realServer(dms1, 'dms1.example', {
          setup: configure(dms1, '{"peers":[{"serverId":"{dms2ServerId}","delegationUrl":"{dms2DelegationUrl}"}],"pushUrl":"{clientPushUrl}"}'),
          startDelegation: startDelegation(dms1),
        }),
        client: {
          mode: 'real',
          pushUrl: client.info.push,
          trustAnchor: join(dir, 'dms1', 'ca.crt'),
          treeRead: 'driver',
          drivers: {
            reset: { http: { method: 'POST', url: `${client.info.control}/control/reset` } },
            setup: configure(client, '{"dms1Url":"{dms1DmUrl}"}'),
            readTree: { command: `node -e "fetch(process.argv[1]).then(r => r.text()).then(t => process.stdout.write(t))" ${client.info.control}/control/tree` },
          },
        },
      },
      ics: { approaches: ['B'], scopes: ['partial'], durations: ['temporary'] },
    }));
    const run = await dmdcRun(['--config', file], join(dir, 'unproxied'));
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const r = run.report!;
    expect(r.flows[0].treeSource).toBe('driver');
    for (const id of ['B.4', 'B.8', 'ORD-B.7-B.8']) {
      expect(verdictsOf(r, id), id).toEqual(['NOT_OBSERVABLE']);
      expect(r.results.find((x) => x.requirementId === id)!.checks[0].reason).toMatch(/dms1-client .*both real implementations/);
    }
    for (const id of ['B.2', 'B.5', 'B.10', 'FIN-ACL-DELEGATED', 'FIN-DMS2-ACCOUNT']) expect(verdictsOf(r, id), id).toEqual(['PASS']);
  }, 150_000);
});
