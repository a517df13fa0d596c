import { BroadcastChannel } from 'node:worker_threads';

/**
 * Resolves once `dmdc run` has written report.json. The suites' process starts vitest while the flows run, so
 * that its workers start and the suites import ahead; each suite waits here before it reads the report. The
 * process opens the gate on a channel named by DMDC_REPORT_GATE (suites-child.ts); run any other way, there
 * is no gate and the report is already there.
 */
export async function reportWritten(): Promise<void> {
  const name = process.env.DMDC_REPORT_GATE;
  if (!name) return;
  const gate = new BroadcastChannel(name);
  try {
    await new Promise<void>((resolve) => {
      gate.onmessage = (e) => (e as { data?: unknown }).data === 'open' && resolve();
      // Asked, in case the gate opened before this worker listened.
      gate.postMessage('ask');
    });
  } finally {
    gate.close();
  }
}
