import { writeManifest } from '../bundle/manifest.js';
import { writeAllReports, writeJsonReport, writeReportsBesideJson } from '../report/index.js';
import { pointLatestAt } from '../report/latest-link.js';
import type { RunReport } from '../report/model.js';
import { phaseDone } from './phase-clock.js';
import { SuitesProcess } from './suites-runner.js';

export interface PresentOptions {
  noSuites: boolean;
  allureReport: boolean;
  /** Where report.html will be published, for summary.md's links. */
  htmlUrl?: string;
  /** The suites' process, started before the flows (else started here, when there is something to present). */
  suites?: SuitesProcess;
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/**
 * Completes a judged run's folder, for a run and a merge alike: report.json first (a run that goes wrong past
 * this point still leaves it), then the conformance suites go on their own core while `alsoWrite` (the trace
 * without its secrets, the bundle) and the other reports are written here; last the manifest over every file,
 * and `latest` points at it. Returns the folder `latest` names.
 */
export async function completeRunFolder(root: string, runId: string, dir: string, report: RunReport, o: PresentOptions, alsoWrite?: () => Promise<void>): Promise<string> {
  writeJsonReport(dir, report);
  phaseDone('report.json');
  const present = !o.noSuites && report.flows.length > 0;
  if (present) say('  conformance suites (vitest, Allure):');
  else o.suites?.cancel();
  const suites = present ? (o.suites ?? new SuitesProcess(dir)).run({ report, allureReport: o.allureReport }) : undefined;
  try {
    // First: a run that goes wrong in the reports still leaves its trace without the secrets.
    if (alsoWrite) {
      await alsoWrite();
      phaseDone('trace without secrets, bundle');
    }
    writeReportsBesideJson(dir, report, { htmlUrl: o.htmlUrl });
    phaseDone('junit.xml, report.html, summary.md');
  } catch (err) {
    // The suites are not left running behind a run that stops here.
    await suites?.catch(() => {});
    throw err;
  }
  const problems = (await suites) ?? [];
  phaseDone('conformance suites (vitest, Allure results)');
  if (problems.length) {
    for (const p of problems) say(`  ! ${p}`);
    // The verdicts stand; the missing presentation is noted in the report apart from harness errors, so
    // neither the exit code nor a later verify or merge reads it as one.
    report.presentation = [...(report.presentation ?? []), ...problems];
    writeAllReports(dir, report, { htmlUrl: o.htmlUrl });
  }
  writeManifest(dir);
  phaseDone('manifest');
  const latest = pointLatestAt(root, runId);
  phaseDone('latest');
  return latest;
}

/** The console's last lines of a run or a merge: the verdicts, the FAILs, the baseline, where the reports are. */
export function sayOutcome(report: RunReport, dir: string, latest: string, o: PresentOptions): number {
  const s = report.summary;
  say('');
  say(`Verdicts: ${Object.entries(s.byVerdict).filter(([, n]) => n).map(([v, n]) => `${v} ${n}`).join(', ') || 'none'}`);
  if (s.failedRequirements.length) say(`FAILED requirements: ${s.failedRequirements.join(', ')}`);
  if (s.baseline) {
    const b = s.baseline;
    say(`Baseline ${b.file ?? ''}: ${b.known} known FAILs excused, ${b.newFailures.length} new${b.newFailures.length ? ` (${b.newFailures.slice(0, 8).join(', ')}${b.newFailures.length > 8 ? ', …' : ''})` : ''}`);
    for (const e of b.stale) say(`  stale (now passing; remove it or run with --update-baseline): ${e.requirement} × ${e.flow}`);
    for (const e of b.expired) say(`  expired ${e.expires}: ${e.requirement} × ${e.flow} counts again`);
  }
  for (const e of report.errors) say(`ERROR: ${e.split('\n')[0]}`);
  for (const p of report.presentation ?? []) say(`presentation (the verdicts stand): ${p}`);
  const allure = o.noSuites || !report.flows.length ? '' : o.allureReport ? ' · allure-results/ · allure-report/' : ' · allure-results/';
  say(`Reports: ${dir}/ (report.html · report.json · junit.xml · summary.md · trace.jsonl${allure} · bundle/ · manifest.sha256), also ${latest}/`);
  say(`Exit code ${s.exitCode}`);
  return s.exitCode;
}
