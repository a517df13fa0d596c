/** Run reports: the data model, report.json with its schema, junit.xml and report.html. */
import type { RunReport } from './model.js';
import { writeHtml } from './write-html.js';
import { writeJsonReport } from './write-json.js';
import { writeJunit } from './write-junit.js';
import { writeSummaryMarkdown } from './write-summary-md.js';

export * from './model.js';
export { REPORT_SCHEMA, REPORT_SCHEMA_ID, reportSchemaJson, validateReport } from './report-schema.js';
export { InvalidReportError, writeJsonReport } from './write-json.js';
export { junitXml, writeJunit } from './write-junit.js';
export { escapeHtml, FULL_FLOW_SECTIONS, htmlReport, writeHtml } from './write-html.js';
export { summaryMarkdown, writeSummaryMarkdown } from './write-summary-md.js';

/**
 * Writes every report of a run into `dir`. report.json goes first: it validates the report, so an invalid one
 * throws before a junit.xml or report.html could present it as trustworthy.
 */
export function writeAllReports(dir: string, report: RunReport, o: { htmlUrl?: string } = {}): { json: string; junit: string; html: string; summary: string } {
  const json = writeJsonReport(dir, report);
  return { json, ...writeReportsBesideJson(dir, report, o) };
}

/** The reports that present report.json (written, and so validated, first): junit.xml, report.html, summary.md. */
export function writeReportsBesideJson(dir: string, report: RunReport, o: { htmlUrl?: string } = {}): { junit: string; html: string; summary: string } {
  const junit = writeJunit(dir, report);
  const html = writeHtml(dir, report);
  const summary = writeSummaryMarkdown(dir, report, o.htmlUrl);
  return { junit, html, summary };
}
