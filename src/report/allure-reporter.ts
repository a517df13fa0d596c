import { Status } from 'allure-js-commons';
import AllureVitestReporter, { type AllureVitestReporterConfig } from 'allure-vitest/reporter';
import type { RunnerTask } from 'vitest';

/**
 * allure-vitest's reporter, with the reason a test gave to `skip(reason)` as its result's statusDetails.message:
 * allure-vitest writes a skipped result with empty statusDetails, while vitest keeps the reason as the task
 * result's `note`. The reporter writes each result while it handles the test's task, so the note of the task
 * at hand is the one to put on the result it writes.
 */
export function allureReporterWithSkipReasons(config: AllureVitestReporterConfig): AllureVitestReporter {
  let note: string | undefined;
  class Reporter extends AllureVitestReporter {
    override handleTask(task: RunnerTask): void {
      if (task.type === 'test') note = task.result?.state === 'skip' ? (task.result as { note?: string }).note : undefined;
      super.handleTask(task);
    }
  }
  const withReason = {
    beforeTestResultWrite: (result: { status?: string; statusDetails: { message?: string } }) => {
      if (result.status === Status.SKIPPED && note && !result.statusDetails.message) result.statusDetails = { ...result.statusDetails, message: note };
    },
  };
  return new Reporter({ ...config, listeners: [...(config.listeners ?? []), withReason] });
}
