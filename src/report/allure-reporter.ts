import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Status, type TestResult, type TestResultContainer } from 'allure-js-commons';
import { FileSystemWriter } from 'allure-js-commons/sdk/reporter';
import AllureVitestReporter, { type AllureVitestReporterConfig } from 'allure-vitest/reporter';
import type { RunnerTask } from 'vitest';
import type { Vitest } from 'vitest/node';

/**
 * Allure's file writer, with each result and container written straight to its file: the stock one writes a
 * temporary file, fsyncs and renames it, for each of a run's hundreds of results (about 0.3 ms each here). The
 * run folder is complete only once its manifest is written, after them, so a crash leaves no half-read run.
 */
class ResultsWriter extends FileSystemWriter {
  constructor(private readonly resultsDir: string) {
    super({ resultsDir });
    mkdirSync(resultsDir, { recursive: true });
  }

  override writeResult(result: TestResult): void {
    writeFileSync(join(this.resultsDir, `${result.uuid}-result.json`), JSON.stringify(result));
  }

  override writeGroup(result: TestResultContainer): void {
    writeFileSync(join(this.resultsDir, `${result.uuid}-container.json`), JSON.stringify(result));
  }
}

/**
 * allure-vitest's reporter, with the reason a test gave to `skip(reason)` as its result's statusDetails.message:
 * allure-vitest writes a skipped result with empty statusDetails, while vitest keeps the reason as the task
 * result's `note`. The reporter writes each result while it handles the test's task, so the note of the task
 * at hand is the one to put on the result it writes.
 */
export function allureReporterWithSkipReasons(config: AllureVitestReporterConfig): AllureVitestReporter {
  let note: string | undefined;
  class Reporter extends AllureVitestReporter {
    override onInit(vitest: Vitest): void {
      super.onInit(vitest);
      // allure-vitest builds its writer itself, with no option to pass another; its runtime holds it here.
      const runtime = (this as unknown as { allureReporterRuntime?: { writer?: unknown } }).allureReporterRuntime;
      if (runtime?.writer instanceof FileSystemWriter && config.resultsDir) runtime.writer = new ResultsWriter(config.resultsDir);
    }

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
