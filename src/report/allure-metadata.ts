/**
 * What Allure shows beside the tests of a run, from its report: environment.properties (what judged what),
 * executor.json (which run), categories.json (FAILs by provenance, BLOCKED, timeouts, ERROR) for Allure 2
 * consumers, and the same categories as rules of Allure 3's own report, which reads them from its config.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
// Allure's own writer of the properties format, so what it reads back is what was meant.
import { stringifyEnvInfo } from 'allure-js-commons/sdk/reporter';
import { META_FILE, type BundleMeta } from '../bundle/bundle-layout.js';
import { DEFAULT_CATALOGUE_FILE } from '../catalogue/catalogue.js';
import type { Provenance, RunReport } from './model.js';
import { describeSelection } from './selection-words.js';

export const ALLURE_REPORT_NAME = 'dmdc conformance';

/** What the report does not say about its run: the run's bundle records them, else this installation does. */
export interface RunFacts {
  catalogueVersion: string;
  node: string;
  gitCommit?: string;
}

export function runFacts(runDir: string): RunFacts {
  const meta = join(runDir, META_FILE);
  if (existsSync(meta)) {
    try {
      const m = JSON.parse(readFileSync(meta, 'utf8')) as BundleMeta;
      return { catalogueVersion: m.catalogue.version, node: m.node, ...(m.harness.gitCommit ? { gitCommit: `${m.harness.gitCommit}${m.harness.gitDirty ? ' (modified)' : ''}` } : {}) };
    } catch {
      // An unreadable bundle is `dmdc verify`'s to report; the environment falls back to this installation.
    }
  }
  let catalogueVersion = '(unknown)';
  try {
    catalogueVersion = (JSON.parse(readFileSync(DEFAULT_CATALOGUE_FILE, 'utf8')) as { version?: string }).version ?? catalogueVersion;
  } catch {
    // The environment is a presentation: a missing catalogue says unknown rather than failing it.
  }
  return { catalogueVersion, node: process.version };
}

/** environment.properties: one key per fact, in a fixed order. */
export function allureEnvironment(report: RunReport, facts: RunFacts): Record<string, string> {
  const env: Record<string, string> = {
    'harness.version': `${report.tool.name} ${report.tool.version}`,
    ...(facts.gitCommit ? { 'harness.commit': facts.gitCommit } : {}),
    'profile.version': report.profileVersion,
    'catalogue.version': facts.catalogueVersion,
  };
  for (const [role, kind] of Object.entries(report.roles)) env[`role.${role}`] = kind;
  if (report.setup?.name) env['iut.name'] = report.setup.name;
  if (report.setup?.file) env['iut.config'] = report.setup.file;
  if (report.mutant) env.mutant = report.mutant;
  env.selection = describeSelection(report.selection);
  env['node.version'] = facts.node;
  return env;
}

export function allureExecutor(report: RunReport): { name: string; type: string; buildName: string; buildOrder: number; reportName: string } {
  // buildOrder orders an Allure 2 trend; the run's start orders the runs of a reports folder.
  return { name: 'dmdc', type: 'dmdc', buildName: report.runId, buildOrder: Date.parse(report.startedAt) || 0, reportName: ALLURE_REPORT_NAME };
}

/**
 * The categories, one table for both Allure generations. The suites' messages begin with the verdict, and a
 * FAIL's with `FAIL [provenance, severity]`; the results also carry verdict and provenance labels, which
 * Allure 3 matches on. Allure 2 matches a whole message (Java), other readers part of it (JavaScript): the
 * regexes are anchored and use no flags, so both read them alike.
 */
const TIMEOUT = '[Bb]udget|[Tt]ime(?:d)?[ -]?out';
interface CategoryRow {
  id: string;
  name: string;
  description: string;
  status: 'failed' | 'broken' | 'skipped';
  verdict: string;
  provenance?: Provenance;
  /** Allure 2: the whole message. */
  messageRegex: string;
  /** Allure 3: part of the message, besides the labels. */
  message?: string;
  /** Allure 3: the label a category's tests are grouped by. */
  groupBy: string;
}
const FAIL_BY: Array<[Provenance, string]> = [
  ['spec', 'a sentence of the specification'],
  ['reconstructed', 'a requirement reconstructed from the specification (its text is lost or ambiguous)'],
  ['profile', 'a requirement of the binding profile (what the specification leaves to a deployment)'],
];
const CATEGORY_ROWS: CategoryRow[] = [
  ...FAIL_BY.map(([p, what]): CategoryRow => ({
    id: `dmdc-fail-${p}`,
    name: `FAIL: ${p} requirements`,
    description: `The implementation does not meet ${what}.`,
    status: 'failed',
    verdict: 'FAIL',
    provenance: p,
    messageRegex: `^FAIL \\[${p}, [\\s\\S]*`,
    groupBy: 'requirement',
  })),
  {
    id: 'dmdc-blocked',
    name: 'BLOCKED behind a root FAIL',
    description: 'Not judged: the flow stopped at the FAIL the message names, before this requirement\'s evidence.',
    status: 'skipped',
    verdict: 'BLOCKED',
    messageRegex: '^BLOCKED[\\s\\S]*',
    groupBy: 'blocked-by',
  },
  {
    id: 'dmdc-timeout',
    name: 'INCONCLUSIVE: a budget ran out',
    description: 'No answer within the time budget: neither a PASS nor a FAIL.',
    status: 'broken',
    verdict: 'INCONCLUSIVE',
    messageRegex: `^INCONCLUSIVE: [^\\n]*(?:${TIMEOUT})[\\s\\S]*`,
    message: `^INCONCLUSIVE: [^\\n]*(?:${TIMEOUT})`,
    groupBy: 'flow',
  },
  {
    id: 'dmdc-inconclusive',
    name: 'INCONCLUSIVE',
    description: 'The flow ended before the evidence could show a PASS or a FAIL.',
    status: 'broken',
    verdict: 'INCONCLUSIVE',
    messageRegex: `^INCONCLUSIVE: (?![^\\n]*(?:${TIMEOUT}))[\\s\\S]*`,
    groupBy: 'flow',
  },
  {
    id: 'dmdc-error',
    name: 'ERROR: the harness could not judge',
    description: 'A harness problem, not a verdict on the implementation.',
    status: 'broken',
    verdict: 'ERROR',
    messageRegex: '^ERROR[\\s\\S]*',
    groupBy: 'flow',
  },
];

/** categories.json (Allure 2 format). */
export function allureCategories(): Array<{ name: string; description: string; matchedStatuses: string[]; messageRegex: string }> {
  return CATEGORY_ROWS.map((c) => ({ name: c.name, description: c.description, matchedStatuses: [c.status], messageRegex: c.messageRegex }));
}

/** The same categories as Allure 3 rules (its config's `categories`), matched on the labels the suites add. */
export function awesomeCategories(): Array<{ id: string; name: string; matchers: { statuses: string[]; labels: Record<string, string>; message?: string }; groupBy: Array<{ label: string }>; groupByMessage: boolean }> {
  return CATEGORY_ROWS.map((c) => ({
    id: c.id,
    name: c.name,
    matchers: { statuses: [c.status], labels: { verdict: `^${c.verdict}$`, ...(c.provenance ? { provenance: `^${c.provenance}$` } : {}) }, ...(c.message ? { message: c.message } : {}) },
    groupBy: [{ label: c.groupBy }],
    // Every message of a verdict is its own; grouping by it would list each test under a group of one.
    groupByMessage: false,
  }));
}

/** Writes environment.properties, executor.json and categories.json into the Allure results. */
export function writeAllureMetadata(resultsDir: string, report: RunReport, facts: RunFacts): string[] {
  mkdirSync(resultsDir, { recursive: true });
  const files: Array<[string, string]> = [
    ['environment.properties', stringifyEnvInfo(allureEnvironment(report, facts))],
    ['executor.json', `${JSON.stringify(allureExecutor(report), null, 2)}\n`],
    ['categories.json', `${JSON.stringify(allureCategories(), null, 2)}\n`],
  ];
  for (const [name, text] of files) writeFileSync(join(resultsDir, name), text);
  return files.map(([name]) => join(resultsDir, name));
}
