import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { TreeSnapshot } from '../../src/tree/tree.js';
import { spawnMock, type SpawnedMock } from '../support/spawn-mock.js';

const DMS1 = 'dms1.example';
const DMS2 = 'dms2.example';
const DMS1_ADDR = './DMAcc/dms1/AppAddr/1/Addr';

async function call(mock: SpawnedMock, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${mock.info.control}${path}`, {
    method,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const valueAt = (t: TreeSnapshot, path: string) => t.nodes.find((n) => n.path === path)?.value;
const serverIdsIn = (t: TreeSnapshot) => t.nodes.filter((n) => /^\.\/DMAcc\/[^/]+\/ServerID$/.test(n.path)).map((n) => n.value).sort();

/** One delegation started through DMS-1's control API, awaited on the line DMS-1 prints when it ends. */
async function delegate(dms1: SpawnedMock, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const started = await call(dms1, 'POST', '/control/delegate', body);
  expect(started.status, JSON.stringify(started.json)).toBe(202);
  const sessionId = started.json.sessionId as string;
  expect(sessionId).toBeTruthy();
  return dms1.line((l) => l.event === 'delegation-end' && l.sessionId === sessionId);
}

describe('dmdc mock --control: four mock processes driven through their control APIs', () => {
  const m = {} as Record<'dms1' | 'dms2' | 'client' | 'bootstrap', SpawnedMock>;
  let configured: TreeSnapshot;

  beforeAll(async () => {
    const pki = mkdtempSync(join(tmpdir(), 'dmdc-ctl-'));
    // The first process makes the PKI; the others present and trust the same one.
    m.dms1 = await spawnMock(['dms1', '--control', '--out', pki]);
    const others = (['dms2', 'client', 'bootstrap'] as const).map(async (role) => {
      m[role] = await spawnMock([role, '--control', '--pki', pki, '--out', mkdtempSync(join(tmpdir(), `dmdc-ctl-${role}-`))]);
    });
    await Promise.all(others);
  }, 60_000);
  afterAll(() => Promise.all(Object.values(m).map((x) => x.stop())));

  test('each prints its control URL and answers health with its role', async () => {
    for (const [role, mock] of Object.entries(m)) {
      expect(mock.info.control).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await call(mock, 'GET', '/control/health')).toEqual({ status: 200, json: { role } });
    }
  });

  test('configure wires them; the client shows dms1Url as the Addr of its DMS-1 account', async () => {
    const before = (await call(m.client, 'GET', '/control/tree')).json as unknown as TreeSnapshot;
    expect(valueAt(before, DMS1_ADDR)).not.toBe(m.dms1.info.dm);
    const ok = [
      await call(m.dms1, 'POST', '/control/configure', { peers: [{ serverId: DMS2, delegationUrl: m.dms2.info.delegation }], pushUrl: m.client.info.push }),
      await call(m.dms2, 'POST', '/control/configure', { peers: [{ serverId: DMS1, delegationUrl: m.dms1.info.delegation }], pushUrl: m.client.info.push }),
      await call(m.client, 'POST', '/control/configure', { dms1Url: m.dms1.info.dm }),
    ];
    expect(ok.map((r) => r.status)).toEqual([200, 200, 200]);
    const tree = await call(m.client, 'GET', '/control/tree');
    expect(tree.status).toBe(200);
    configured = tree.json as unknown as TreeSnapshot;
    expect(valueAt(configured, DMS1_ADDR)).toBe(m.dms1.info.dm);
    expect(serverIdsIn(configured)).toEqual([DMS1, 'ops.example']);
  });

  test('delegate runs an approach A permanent delegation to its end; reset restores the client tree', async () => {
    const end = await delegate(m.dms1, { delegatee: DMS2, approach: 'A', scope: 'partial', duration: 'permanent', subtrees: './Vendor/Apps,./Vendor/Security', removeAccount: 'true' });
    expect(end).toMatchObject({ result: 'success' });
    const after = (await call(m.client, 'GET', '/control/tree')).json as unknown as TreeSnapshot;
    // DMS-2's account added, DMS-1's removed.
    expect(serverIdsIn(after)).toEqual([DMS2, 'ops.example']);

    for (const mock of [m.client, m.dms1, m.dms2]) expect((await call(mock, 'POST', '/control/reset')).status).toBe(200);
    expect((await call(m.client, 'GET', '/control/tree')).json).toEqual(configured);
  });

  test('after a reset, an approach B delegation through the stand-alone Bootstrap Server completes', async () => {
    const placed = await call(m.dms2, 'POST', '/control/configure', { bootstrap: { orderUrl: m.bootstrap.info.order, bootstrapUrl: m.bootstrap.info.bootstrap } });
    expect(placed.status).toBe(200);
    const end = await delegate(m.dms1, { delegatee: DMS2, approach: 'B', scope: 'partial', duration: 'temporary', sessionId: 'ctl-b-1' });
    expect(end).toEqual({ event: 'delegation-end', sessionId: 'ctl-b-1', result: 'success' });
    const after = (await call(m.client, 'GET', '/control/tree')).json as unknown as TreeSnapshot;
    expect(serverIdsIn(after)).toEqual([DMS1, DMS2, 'ops.example']);
    expect(after.nodes.some((n) => n.path.startsWith('./BootConfig/') && n.value === m.bootstrap.info.bootstrap)).toBe(true);
  });

  test('a delegation that cannot start is a 409 naming what is missing', async () => {
    const r = await call(m.dms1, 'POST', '/control/delegate', { delegatee: 'dms3.example', approach: 'A', scope: 'full', duration: 'temporary' });
    expect(r.status).toBe(409);
    expect(r.json.error).toMatch(/no peer dms3\.example/);
  });

  test('requests a role cannot serve are 409', async () => {
    const onClient = await call(m.client, 'POST', '/control/delegate', { delegatee: DMS2, approach: 'A', scope: 'full', duration: 'temporary' });
    expect(onClient.status).toBe(409);
    expect(onClient.json.error).toMatch(/only DMS-1/);
    expect((await call(m.dms2, 'GET', '/control/tree')).status).toBe(409);
    const wrongField = await call(m.dms2, 'POST', '/control/configure', { dms1Url: 'https://127.0.0.1:1/dm' });
    expect(wrongField.status).toBe(409);
    expect(wrongField.json.error).toMatch(/does not take dms1Url/);
  });

  test('bad JSON, missing or unknown fields are 400; an unknown path is 404', async () => {
    const badJson = await call(m.dms1, 'POST', '/control/configure', '{"peers": [');
    expect(badJson.status).toBe(400);
    expect(badJson.json.error).toMatch(/not JSON/);
    const missing = await call(m.dms1, 'POST', '/control/delegate', { approach: 'A', scope: 'full', duration: 'temporary' });
    expect(missing).toEqual({ status: 400, json: { error: 'delegatee is missing' } });
    const badPeer = await call(m.dms1, 'POST', '/control/configure', { peers: [{ serverId: DMS2 }] });
    expect(badPeer).toEqual({ status: 400, json: { error: 'peers[0].delegationUrl is missing' } });
    const typo = await call(m.client, 'POST', '/control/configure', { dms1URL: 'https://127.0.0.1:1/dm' });
    expect(typo.status).toBe(400);
    expect(typo.json.error).toMatch(/unknown field dms1URL/);
    expect((await call(m.client, 'GET', '/control/nothing')).status).toBe(404);
  });
});

describe('dmdc mock --mutant --control', () => {
  let mock: SpawnedMock;
  beforeAll(async () => {
    mock = await spawnMock(['bootstrap', '--mutant', 'bootstrap-content-type', '--control', '--out', mkdtempSync(join(tmpdir(), 'dmdc-ctl-mut-'))]);
  });
  afterAll(() => mock?.stop());

  test('the JSON line and health name the mutant', async () => {
    expect(mock.info.mutant).toBe('bootstrap-content-type');
    expect(await call(mock, 'GET', '/control/health')).toEqual({ status: 200, json: { role: 'bootstrap', mutant: 'bootstrap-content-type' } });
  });
});
