import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetReport } from '../../src/fleet/fleet-report.js';

export const fleetJson = (dir: string) => JSON.parse(readFileSync(join(dir, 'latest', 'fleet.json'), 'utf8')) as FleetReport;

/** Every trace event of a fleet run, from its workers' files. */
export function traceEvents(dir: string): Array<{ flow?: string; probe?: string; kind: string; body?: { raw?: string } }> {
  const run = join(dir, 'latest');
  return readdirSync(run)
    .filter((f) => /^trace-w\d+\.jsonl$/.test(f))
    .flatMap((f) => readFileSync(join(run, f), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)));
}

/** The DevIds whose flows are in the traces (a fleet's flow id starts with its client's DevId). */
export function tracedDevIds(dir: string): string[] {
  const flows = new Set(traceEvents(dir).map((e) => e.flow).filter((f): f is string => !!f));
  return [...flows].map((f) => f.split('.')[0].replace(/^IMEI-/, 'IMEI:')).sort();
}
