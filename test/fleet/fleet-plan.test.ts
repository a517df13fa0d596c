import { describe, expect, test } from 'vitest';
import { dealToWorkers, fleetClient, fleetDevId } from '../../src/fleet/fleet-plan.js';
import { parseShard, shardRange } from '../../src/runner/shard.js';
import { fixtureForDevice } from '../../src/fleet/fleet-fixture.js';
import { SESSION_ID_PATTERN } from '../../src/delegation/schemas.js';
import { defaultScenarios } from '../../src/runner/scenario.js';
import { loadClientFixture } from '../../src/tree/client-fixture.js';

describe('fleet plan', () => {
  test('the n shards of a fleet hold each of its clients exactly once, in contiguous ranges', () => {
    for (const size of [1, 5, 7, 100, 1001])
      for (const count of [1, 2, 3, 8]) {
        const ranges = Array.from({ length: count }, (_, i) => shardRange(size, { index: i + 1, count }));
        expect(ranges[0].from).toBe(0);
        expect(ranges.at(-1)!.to).toBe(size);
        for (let i = 1; i < count; i++) expect(ranges[i].from).toBe(ranges[i - 1].to);
      }
  });

  test('--shard accepts i/n with 1 ≤ i ≤ n only', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/2', '3/2', 'x', '1/0', '1/', '-1/2', '1.5/2']) expect(parseShard(bad)).toHaveProperty('error');
  });

  test('clients are 15-digit IMEIs with the scenarios dealt round-robin, their flow ids valid session-id prefixes', () => {
    const scenarios = defaultScenarios();
    expect(fleetDevId(42)).toBe('IMEI:350000000000042');
    const c = fleetClient(9, scenarios);
    expect(c).toMatchObject({ index: 9, devId: 'IMEI:350000000000009', baseScenario: scenarios[1].id, scenario: { id: `IMEI-350000000000009.${scenarios[1].id}` } });
    expect(`${fleetClient(9_999_999, scenarios).scenario.id}-0123abcd`).toMatch(new RegExp(SESSION_ID_PATTERN));
    expect(dealToWorkers({ from: 3, to: 8 }, 2)).toEqual([[3, 5, 7], [4, 6]]);
  });

  test("a client's fixture is its own device: DevId, device info and the names made from its IMEI", () => {
    const base = loadClientFixture();
    const f = fixtureForDevice(base, 'IMEI:350000000000042');
    expect(f.devInfo.devId).toBe('IMEI:350000000000042');
    expect(f.nodes.find((n) => n.path === './DevInfo/DevId')!.value).toBe('IMEI:350000000000042');
    const text = JSON.stringify(f);
    expect(text).not.toContain(base.devInfo.devId.split(':')[1]);
    expect(text).toContain('dev-350000000000042');
    expect(f.accounts.length).toBe(base.accounts.length);
  });
});
