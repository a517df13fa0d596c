/**
 * Which clients a fleet holds: client i has DevId IMEI:35000000 followed by i on seven digits (a 15-digit
 * IMEI, as the reference fixture's is) and the scenario i modulo the scenario list, so a fleet deals the
 * flows round-robin over both approaches and every delegation type. A shard is a contiguous index range.
 */
import type { CatalogueEntry } from '../catalogue/catalogue.js';
import { matchesGlob } from '../catalogue/catalogue.js';
import type { Scenario } from '../runner/scenario.js';
import type { IndexRange } from '../runner/shard.js';

const DEVID_PREFIX = 'IMEI:35000000';
const INDEX_DIGITS = 7;
/** Seven index digits: beyond this the DevIds would no longer be 15-digit IMEIs. */
export const MAX_FLEET = 10 ** INDEX_DIGITS;

export interface FleetClient {
  index: number;
  devId: string;
  /** The dealt scenario, its id made the client's own (trace lines and flow ids say which client they are). */
  scenario: Scenario;
  /** The scenario it was dealt, as the default matrix names it. */
  baseScenario: string;
}

export function fleetDevId(index: number): string {
  return `${DEVID_PREFIX}${String(index).padStart(INDEX_DIGITS, '0')}`;
}

/** The client at `index`. Its flow id is also its session ids' prefix, so it keeps to [A-Za-z0-9._-]. */
export function fleetClient(index: number, scenarios: readonly Scenario[]): FleetClient {
  const devId = fleetDevId(index);
  const base = scenarios[index % scenarios.length];
  return { index, devId, scenario: { ...base, id: `${devId.replace(/[^A-Za-z0-9._-]/g, '-')}.${base.id}` }, baseScenario: base.id };
}

/** The indices of a range dealt round-robin to `workers`, so each worker gets the same mix of scenarios. */
export function dealToWorkers(range: IndexRange, workers: number): number[][] {
  const shares: number[][] = Array.from({ length: workers }, () => []);
  for (let i = range.from; i < range.to; i++) shares[(i - range.from) % workers].push(i);
  return shares;
}

/**
 * The requirements a fleet judges: those --only selects, without the tester's cases (category negative),
 * which a load test does not play.
 */
export function fleetEntries(entries: readonly CatalogueEntry[], only?: string): CatalogueEntry[] {
  return entries.filter((e) => e.category !== 'negative' && (!only || matchesGlob(e.id, only)));
}
