import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadCatalogue } from '../../src/catalogue/catalogue.js';
import { loadConfig } from '../../src/config/load-config.js';
import { judgeFlow } from '../../src/judge/judge.js';
import { EveryCasePlayed } from '../../src/runner/every-case-played.js';
import { runFlow } from '../../src/runner/run-flow.js';
import type { Scenario } from '../../src/runner/scenario.js';
import { readBootConfigUrls } from '../../src/tree/bootconfig.js';
import { findAccountByServerId } from '../../src/tree/dmacc.js';
import { DmTree } from '../../src/tree/tree.js';

const dir = mkdtempSync(join(tmpdir(), 'dmdc-layout-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A DM 1.1-style tree: accounts under ./SyncML/DMAcc, the Bootstrap Config MO under a vendor node. */
const layout = { dmAccRoot: './SyncML/DMAcc', bootConfigRoot: './Vendor/BootCfg', bootConfigUrlLeaf: 'ServerURL' };

async function configWith(treeLayout: Record<string, string>) {
  const file = join(dir, `config-${Object.values(treeLayout).join('-').replace(/[^\w-]/g, '')}.json`);
  writeFileSync(file, JSON.stringify({ device: { treeLayout } }));
  const loaded = await loadConfig(file);
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  return loaded.config;
}

const scenario = (bootstrap: Scenario['bootstrap']): Scenario => ({
  id: bootstrap === 'separate' ? 'B-partial-permanent' : 'B-full-temporary',
  approach: 'B',
  delegationType: bootstrap === 'separate' ? { scope: 'partial', duration: 'permanent' } : { scope: 'full', duration: 'temporary' },
  removeAccount: bootstrap === 'separate',
  bootstrap,
});

describe('a device whose tree is laid out otherwise (device.treeLayout)', () => {
  test.each(['separate', 'colocated'] as const)('approach B (%s Bootstrap Server) passes every check, the entry and the account where the layout says', async (placement) => {
    const config = await configWith(layout);
    expect(config.device.treeLayout).toEqual(layout);
    expect(config.device.dms1AccountPath).toBe('./SyncML/DMAcc/dms1');
    const flow = await runFlow({ testerPlayed: new EveryCasePlayed(), scenario: scenario(placement), config });
    expect(flow.status, flow.error).toBe('completed');
    const results = judgeFlow(flow, loadCatalogue().entries);
    // Every check PASSes; what one flow cannot show (e.g. a session authentication type it does not play)
    // is NOT_OBSERVABLE exactly as in the same flow over the profile's default layout.
    const baseline = new Map(judgeFlow(await runFlow({ testerPlayed: new EveryCasePlayed(), scenario: scenario(placement), config: await configWith({}) }), loadCatalogue().entries).map((r) => [r.requirementId, r.verdict]));
    const notPassed = results.filter((r) => r.verdict !== 'PASS' && r.verdict !== 'NOT_APPLICABLE' && !(r.verdict === 'NOT_OBSERVABLE' && baseline.get(r.requirementId) === 'NOT_OBSERVABLE'));
    expect(notPassed.map((r) => `${r.requirementId} ${r.verdict}: ${r.checks.map((c) => c.actual ?? c.reason).join('; ')}`)).toEqual([]);
    expect(Object.fromEntries(results.map((r) => [r.requirementId, r.verdict]))).toEqual(Object.fromEntries(baseline));
    expect(results.filter((r) => r.verdict === 'PASS').length).toBeGreaterThan(40);
    // The steps were judged PASS on what was seen at the configured places.
    const step = (id: string) => results.find((r) => r.requirementId === id);
    expect(step('B.4')?.verdict).toBe('PASS');
    expect(step('B.4')?.checks.map((c) => c.actual)).toContain(`Add ./Vendor/BootCfg/Deleg-${flow.facts.sessionId}/ServerURL = ${flow.facts.urls.bootstrap}`);
    expect(step('B.5')?.verdict).toBe('PASS');
    expect(step('B.5')?.checks.map((c) => c.expected).join('\n')).toContain('./SyncML/DMAcc/<X>');
    expect(step('B.6')?.verdict).toBe('PASS');

    const final = DmTree.fromJSON(flow.finalTree);
    // DMS-1's Add in step 4 is in the client's tree at <bootConfigRoot>/<entry>/<bootConfigUrlLeaf>.
    const entries = readBootConfigUrls(final, layout);
    expect(entries).toEqual([{ path: `./Vendor/BootCfg/Deleg-${flow.facts.sessionId}`, url: flow.facts.urls.bootstrap }]);
    expect(final.value(`./Vendor/BootCfg/Deleg-${flow.facts.sessionId}/ServerURL`)).toBe(flow.facts.urls.bootstrap);
    // The bootstrap put DMS-2's account under the configured DMAcc root.
    expect(findAccountByServerId(final, 'dms2.example', layout.dmAccRoot)?.path).toBe('./SyncML/DMAcc/dms2.example');
    // Nothing at the profile's default places.
    expect(flow.finalTree.nodes.filter((n) => n.path.startsWith('./BootConfig') || n.path.startsWith('./DMAcc')).map((n) => n.path)).toEqual([]);
  }, 60_000);

  test("approach A adds DMS-2's account and removes DMS-1's under the configured DMAcc root", async () => {
    const config = await configWith({ dmAccRoot: layout.dmAccRoot });
    const s: Scenario = { id: 'A-full-permanent', approach: 'A', delegationType: { scope: 'full', duration: 'permanent' }, removeAccount: true, bootstrap: 'colocated' };
    const flow = await runFlow({ testerPlayed: new EveryCasePlayed(), scenario: s, config });
    expect(flow.status, flow.error).toBe('completed');
    const results = judgeFlow(flow, loadCatalogue().entries);
    for (const id of ['A.4', 'A.5', 'A.7', 'FIN-DMS2-ACCOUNT', 'FIN-DMS1-REMOVED']) expect(results.find((r) => r.requirementId === id)?.verdict, id).toBe('PASS');
    expect(results.filter((r) => r.verdict === 'FAIL' || r.verdict === 'BLOCKED' || r.verdict === 'INCONCLUSIVE').map((r) => r.requirementId)).toEqual([]);
    const final = DmTree.fromJSON(flow.finalTree);
    expect(findAccountByServerId(final, 'dms2.example', layout.dmAccRoot)?.path).toBe('./SyncML/DMAcc/dms2.example');
    expect(final.has('./SyncML/DMAcc/dms1')).toBe(false);
    expect(final.has('./SyncML/DMAcc/ops')).toBe(true);
  }, 60_000);
});
