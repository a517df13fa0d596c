import type { CatalogueEntry } from '../catalogue/catalogue.js';
import { buildReport } from '../report/build-report.js';
import type { RunReport } from '../report/model.js';
import { validateReport } from '../report/report-schema.js';
import type { FleetReport } from './fleet-report.js';
import type { ClientDetail } from './fleet-tally.js';

/**
 * An ordinary run report holding only the clients a fleet kept in detail: their flows (as the workers built
 * them) and their results. Its summary counts those clients only, but its exit code is the fleet's.
 */
export function detailedRunReport(f: FleetReport, details: readonly ClientDetail[], entries: readonly CatalogueEntry[]): RunReport {
  const results = details.flatMap((d) => d.results);
  const report = buildReport({
    runId: f.runId, startedAt: new Date(f.startedAt), flows: [], results, entries, roles: f.roles, selection: f.selection, mutant: f.mutant, errors: [...f.errors],
  });
  report.flows = details.map((d) => d.flow);
  report.summary.failedRequirements = [...new Set(details.flatMap((d) => d.flow.rootFailures))];
  report.summary.exitCode = f.summary.exitCode;
  report.finishedAt = f.finishedAt;
  report.durationMs = f.durationMs;
  // Built in the workers, checked here: a detail the report schema refuses would be a harness bug.
  const check = validateReport(report);
  if (!check.ok) throw new Error(`the detailed clients' run report does not match report.schema.json:\n${check.errors}`);
  return report;
}
