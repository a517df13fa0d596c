import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CatalogueEntry } from '../catalogue/catalogue.js';
import { detailedRunReport } from './detailed-run-report.js';
import { fleetHtml } from './fleet-html.js';
import { fleetJunitXml } from './fleet-junit.js';
import type { FleetReport } from './fleet-report.js';
import { fleetSchemaJson, validateFleetReport } from './fleet-schema.js';
import type { ClientDetail } from './fleet-tally.js';

/** The kept clients' flows and results beside fleet.json: what `dmdc merge` of a fleet's shards shows again. */
export const DETAILS_FILE = 'details.json';

/**
 * Writes fleet.json (validated first: an invalid one throws before anything presents it) with its schema,
 * report.html, junit.xml and the kept clients' details into `dir`; returns their paths.
 */
export function writeFleetReports(dir: string, f: FleetReport, details: readonly ClientDetail[], entries: readonly CatalogueEntry[]): { json: string; html: string; junit: string } {
  const check = validateFleetReport(f);
  if (!check.ok) throw new Error(`fleet.json does not match its schema:\n${check.errors}`);
  mkdirSync(dir, { recursive: true });
  const paths = { json: join(dir, 'fleet.json'), html: join(dir, 'report.html'), junit: join(dir, 'junit.xml') };
  writeFileSync(paths.json, JSON.stringify(f, null, 2) + '\n');
  writeFileSync(join(dir, 'fleet.schema.json'), fleetSchemaJson());
  writeFileSync(paths.html, fleetHtml(f, detailedRunReport(f, details, entries)));
  writeFileSync(paths.junit, fleetJunitXml(f));
  writeFileSync(join(dir, DETAILS_FILE), JSON.stringify(details));
  return paths;
}
