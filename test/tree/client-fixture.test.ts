import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildClientTree, loadClientFixture, type ClientFixture } from '../../src/tree/client-fixture.js';
import { runFlow, type FlowResult } from '../../src/runner/run-flow.js';
import { defaultScenarios } from '../../src/runner/scenario.js';
import type { TreeSnapshot } from '../../src/tree/tree.js';

const GUIDE = fileURLToPath(new URL('../../docs/vendor-guide.md', import.meta.url));
const HEADING = "#### The reference device's initial tree";
const DMS1_URL = 'https://dms1.invalid:8443/dm';

const fixture = loadClientFixture();

/** The fixture's nodes with the run-time placeholders filled, as a tree snapshot lists them. */
const filled = (f: ClientFixture, vars: Record<string, string>): TreeSnapshot['nodes'] =>
  f.nodes.map((n) => (n.value === undefined ? n : { ...n, value: n.value.replace(/\{\{([\w.]+)\}\}/g, (_m, k: string) => vars[k] ?? `{{${k}}}`) }));

/** The first JSON block after the guide's initial-tree heading. */
function guideTree(): TreeSnapshot {
  const text = readFileSync(GUIDE, 'utf8');
  const at = text.indexOf(HEADING);
  expect(at, `docs/vendor-guide.md has no "${HEADING}" section`).toBeGreaterThanOrEqual(0);
  const block = /```json\n([\s\S]*?)\n```/.exec(text.slice(at));
  expect(block, 'no JSON block after the heading').not.toBeNull();
  return JSON.parse(block![1]!) as TreeSnapshot;
}

describe('the client fixture is the whole initial tree', () => {
  test('every node states its ACL, and DMS-1 DM URL is the only run-time placeholder', () => {
    expect(fixture.nodes[0]).toEqual({ path: '.', format: 'node', acl: 'Add=*&Get=*' });
    for (const n of fixture.nodes) expect(typeof n.acl, n.path).toBe('string');
    const placeholders = fixture.nodes.filter((n) => n.value?.includes('{{')).map((n) => [n.path, n.value]);
    expect(placeholders).toEqual([['./DMAcc/dms1/AppAddr/1/Addr', '{{dms1.dm}}']]);
  });

  test('the accounts and the device info are read from the nodes, ACLs included', () => {
    expect(fixture.accounts.map((a) => [a.path, a.account.serverId])).toEqual([
      ['./DMAcc/dms1', 'dms1.example'],
      ['./DMAcc/ops', 'ops.example'],
    ]);
    const acl = (path: string) => fixture.nodes.find((n) => n.path === path)?.acl;
    expect(acl('./DMAcc/dms1')).toBe('Get=dms1.example&Replace=dms1.example&Delete=dms1.example');
    expect(acl('./DMAcc/ops')).toBe('Get=ops.example&Replace=ops.example&Delete=ops.example');
    expect(fixture.devInfo).toEqual({ devId: 'IMEI:493005100592800', man: 'Example Devices', mod: 'EX-100', dmV: '1.3', lang: 'en-US' });
  });

  test('buildClientTree adds nothing to the nodes but the filled URL', () => {
    expect(buildClientTree(fixture, { 'dms1.dm': DMS1_URL }).toJSON().nodes).toEqual(filled(fixture, { 'dms1.dm': DMS1_URL }));
  });
});

describe('the reference mock client starts from the fixture', () => {
  let flow: FlowResult;
  beforeAll(async () => {
    flow = await runFlow({ scenario: defaultScenarios(['B']).find((s) => s.id === 'B-full-temporary')! });
  }, 30_000);

  test('its initial tree equals the fixture, with the run\'s DMS-1 DM URL filled in', () => {
    expect(flow.treeSource).toBe('mock');
    // Nonces (AAuthData) move with every session, the tester's before the read included.
    const nonceFree = (nodes: Array<{ path: string }>) => nodes.filter((n) => !n.path.endsWith('/AAuthData'));
    expect(nonceFree(flow.initialTree.nodes)).toEqual(nonceFree(filled(fixture, { 'dms1.dm': flow.facts.urls['dms1Dm']! })));
  });
});

describe('the vendor guide documents the same tree', () => {
  test('its initial-tree block lists every node of the fixture with the same format, value and ACL', () => {
    expect(guideTree().nodes).toEqual(fixture.nodes);
  });
});
