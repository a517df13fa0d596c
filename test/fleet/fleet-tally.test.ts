import { describe, expect, test } from 'vitest';
import { FleetTally, type ClientDetail } from '../../src/fleet/fleet-tally.js';
import type { RequirementResult } from '../../src/report/model.js';
import type { Verdict } from '../../src/verdict/verdict.js';

const client = (index: number) => ({ index, devId: `IMEI:${String(350000000000000 + index)}`, scenario: 'A-full-temporary' });
const results = (verdict: Verdict): RequirementResult[] => [{ requirementId: 'A.1', flowId: 'f', verdict, checks: [] }];
const detail = (index: number) => () => ({ ...client(index), flow: {} as ClientDetail['flow'], results: [] });
const flow = { status: 'completed' as const, durationMs: 10 };

describe('fleet tally', () => {
  test('counts every client and names the K lowest-index failing ones, keeping only their details, across workers', () => {
    const [a, b] = [new FleetTally(2), new FleetTally(2)];
    for (const i of [5, 1, 7]) a.add(client(i), flow, results('FAIL'), detail(i));
    for (const i of [0, 2, 3]) b.add(client(i), flow, results(i === 3 ? 'PASS' : 'FAIL'), detail(i));
    const merged = new FleetTally(2);
    merged.merge(a.data());
    merged.merge(b.data());
    const d = merged.data();
    expect(d.clients).toBe(6);
    expect(d.failingClients).toBe(5);
    expect(d.byRequirement['A.1']).toMatchObject({ FAIL: 5, PASS: 1 });
    expect(d.first['A.1'].FAIL!.map((r) => r.index)).toEqual([0, 1]);
    expect(d.details.map((x) => x.index)).toEqual([0, 1]);
    // Each worker kept only what its own lists named.
    expect(a.data().details.map((x) => x.index)).toEqual([1, 5]);
  });

  test('a verdict that needs no detail is named but not kept', () => {
    const t = new FleetTally(3);
    let built = 0;
    t.add(client(1), flow, results('BLOCKED'), () => (built++, detail(1)()));
    expect(t.data().first['A.1'].BLOCKED!.map((r) => r.devId)).toEqual(['IMEI:350000000000001']);
    expect(built).toBe(0);
  });
});
