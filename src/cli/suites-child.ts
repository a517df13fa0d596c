/**
 * The conformance suites' own process, forked by suites-runner.ts when a run starts: vitest loads, reads its
 * config and transforms the suites on another core while the flows run; the suites run once the parent says
 * report.json is written ({ go: true }), or the process ends unrun ({ go: false }, or the parent gone).
 */
import { allureReporterWithSkipReasons } from '../report/allure-reporter.js';
import { phaseDone } from './phase-clock.js';

export interface SuitesStart {
  root: string;
  config: string;
  /** Where report.json will be: the suites read it when they are collected, after { go: true }. */
  reportFile: string;
  resultsDir: string;
}

export type SuitesMessage = { type: 'done' } | { type: 'failed'; error: string };

const start = JSON.parse(process.argv[2] ?? '{}') as SuitesStart;
const post = (m: SuitesMessage) => new Promise<void>((resolve) => (process.send ? process.send(m, () => resolve()) : resolve()));
// Without its parent there is nobody to present the verdicts to.
process.once('disconnect', () => process.exit(0));
const go = new Promise<boolean>((resolve) => process.once('message', (m: { go?: boolean }) => resolve(!!m.go)));

try {
  process.env.DMDC_REPORT = start.reportFile;
  const { createVitest } = await import('vitest/node');
  phaseDone('suites process: vitest loaded');
  const vitest = await createVitest('test', {
    root: start.root,
    config: start.config,
    watch: false,
    reporters: [['default', { summary: false }], allureReporterWithSkipReasons({ resultsDir: start.resultsDir, reportMatchers: false })],
  });
  phaseDone('suites process: vitest configured');
  // Done once the reporters have written the results: closing vitest need not hold the run up.
  if (await go) {
    phaseDone('suites process: waited for the report');
    await vitest.start();
    phaseDone('suites process: suites run, results written');
  }
  await post({ type: 'done' });
  await vitest.close();
} catch (err) {
  await post({ type: 'failed', error: (err as Error)?.message ?? String(err) });
}
// A handle vitest left open must not keep the process.
process.exit(0);
