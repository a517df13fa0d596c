/**
 * Allure history across the runs of one reports folder (the parent of the run folders, where `latest` is):
 * Allure 3 keeps it in a JSON-lines file it reads and appends to when it builds a report; Allure 2 reads the
 * previous report's history/ folder from the results, so the newest run's is carried over.
 */
import { cpSync, existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const ALLURE_HISTORY_FILE = 'allure-history.jsonl';
/** Runs a report's trend shows; each adds a line of every test's status and message to the file. */
export const ALLURE_HISTORY_LIMIT = 20;

/** The Allure 3 history file of the reports folder a run folder is in. */
export function allureHistoryFile(runDir: string): string {
  return join(dirname(runDir), ALLURE_HISTORY_FILE);
}

/**
 * Copies the previous run's allure-report/history/ (an Allure 2 report's) into this run's results, for Allure 2
 * consumers; called before `latest` moves to this run. Returns the folder copied, if any.
 */
export function carryAllure2History(runDir: string, resultsDir: string): string | undefined {
  const latest = join(dirname(runDir), 'latest');
  const from = join(latest, 'allure-report', 'history');
  if (!existsSync(from)) return undefined;
  try {
    if (realpathSync(latest) === realpathSync(runDir)) return undefined;
  } catch {
    return undefined;
  }
  cpSync(from, join(resultsDir, 'history'), { recursive: true });
  return from;
}
