import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunReport } from './model.js';
import { reportSchemaJson, validateReport } from './report-schema.js';

/** The report failed its own schema: a harness bug, so nothing is written that a reader could trust. */
export class InvalidReportError extends Error {
  constructor(readonly errors: string) {
    super(`report.json does not match its schema:\n${errors}`);
    this.name = 'InvalidReportError';
  }
}

/** Writes report.json (pretty) and report.schema.json beside it; returns the path of report.json. */
export function writeJsonReport(dir: string, report: RunReport): string {
  const check = validateReport(report);
  if (!check.ok) throw new InvalidReportError(check.errors);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'report.json');
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(join(dir, 'report.schema.json'), reportSchemaJson());
  return file;
}
