import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadCatalogue } from '../../src/catalogue/catalogue.js';
import { loadConfig } from '../../src/config/load-config.js';
import { judgeFlow } from '../../src/judge/judge.js';
import { loadClientFixture, withServerIds } from '../../src/tree/client-fixture.js';
import { EveryCasePlayed } from '../../src/runner/every-case-played.js';
import { runFlow } from '../../src/runner/run-flow.js';
import { defaultScenarios } from '../../src/runner/scenario.js';

describe('ServerIDs other than the fixture\'s', () => {
  test('withServerIds renames DMS-1 and DMS-2 in accounts and ACLs and leaves other servers alone', () => {
    const f = withServerIds(loadClientFixture(), { dms1: 'acme-dms1', dms2: 'acme-dms2' });
    expect(f.servers).toMatchObject({ dms1: 'acme-dms1', dms2: 'acme-dms2', other: ['ops.example'] });
    expect(f.accounts.map((a) => a.account.serverId)).toEqual(['acme-dms1', 'ops.example']);
    expect(f.nodes.find((n) => n.path === './Vendor/Apps')!.acl).toBe('Get=acme-dms1+ops.example&Add=acme-dms1&Replace=acme-dms1&Delete=acme-dms1&Exec=acme-dms1');
    expect(JSON.stringify(f.nodes)).not.toContain('dms1.example');
  });

  test('a run whose servers carry other ServerIDs passes end to end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dmdc-ids-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ roles: { dms1: { mode: 'mock', serverId: 'acme-dms1' }, dms2: { mode: 'mock', serverId: 'acme-dms2' } } }));
    const loaded = await loadConfig(file);
    if (!loaded.ok) throw new Error(loaded.errors.join('; '));
    const scenario = defaultScenarios(['B']).find((s) => s.id === 'B-partial-permanent')!;
    const flow = await runFlow({ testerPlayed: new EveryCasePlayed(), scenario, config: loaded.config });
    expect(flow.status, flow.error).toBe('completed');
    const results = judgeFlow(flow, loadCatalogue().entries);
    expect(results.filter((r) => r.verdict !== 'PASS' && r.verdict !== 'NOT_APPLICABLE').map((r) => `${r.requirementId} ${r.verdict}`)).toEqual([]);
    expect(flow.facts.serverIds).toMatchObject({ dms1: 'acme-dms1', dms2: 'acme-dms2' });
  }, 60_000);
});
