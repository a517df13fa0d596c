/**
 * The conformance suites' own process, forked by suites-runner.ts when a run starts: vitest loads, starts its
 * worker and imports the suites on another core while the flows run; each suite then waits at a gate
 * (suites/support/report-gate.ts) that opens once the parent says report.json is written ({ go: true }).
 * The process ends unrun on { go: false }, or when the parent is gone.
 */
import { BroadcastChannel } from 'node:worker_threads';
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
  // The gate's channel, within this process (vitest's worker is a thread of it).
  process.env.DMDC_REPORT_GATE = `dmdc-report-${process.pid}`;
  const gate = new BroadcastChannel(process.env.DMDC_REPORT_GATE);
  let open = false;
  gate.onmessage = (e) => open && (e as { data?: unknown }).data === 'ask' && gate.postMessage('open');
  const { createVitest } = await import('vitest/node');
  phaseDone('suites process: vitest loaded');
  const vitest = await createVitest('test', {
    root: start.root,
    config: start.config,
    watch: false,
    reporters: [['default', { summary: false }], allureReporterWithSkipReasons({ resultsDir: start.resultsDir, reportMatchers: false })],
  });
  phaseDone('suites process: vitest configured');
  // Started now: the suites are imported and wait at the gate; a start that fails says so once they go.
  const running = vitest.start().then(
    () => undefined,
    (err: unknown) => err,
  );
  if (await go) {
    phaseDone('suites process: waited for the report');
    open = true;
    gate.postMessage('open');
    const failed = await running;
    if (failed) throw failed;
    phaseDone('suites process: suites run, results written');
    gate.close();
    // Done once the reporters have written the results: closing vitest need not hold the run up.
    await post({ type: 'done' });
    await vitest.close();
  } else await post({ type: 'done' });
} catch (err) {
  await post({ type: 'failed', error: (err as Error)?.message ?? String(err) });
}
// A handle vitest left open must not keep the process.
process.exit(0);
