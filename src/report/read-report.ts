import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RunReport } from './model.js';

/** A run's report.json, named by the file, its run folder, or a reports root (whose latest run it takes). */
export function readRunReport(path: string): { report: RunReport; file: string; dir: string } | { error: string } {
  const candidates = [path, join(path, 'report.json'), join(path, 'latest', 'report.json')];
  const found = candidates.find((f) => existsSync(f) && statSync(f).isFile());
  if (!found) return { error: `no report.json at ${path} (give a report.json, a run folder or a reports root)` };
  const file = realpathSync(found);
  try {
    const report = JSON.parse(readFileSync(file, 'utf8')) as RunReport;
    if (!Array.isArray(report?.results) || typeof report.runId !== 'string' || report.tool?.name !== 'dmdc') return { error: `${file} is not a dmdc report.json` };
    return { report, file, dir: dirname(file) };
  } catch (err) {
    return { error: `${file} cannot be read: ${(err as Error).message}` };
  }
}
