/** A fleet worker thread: runs its share (workerData) and posts the tally back (fleet-run.ts starts it). */
import '../no-web-storage.js';
import { parentPort, workerData } from 'node:worker_threads';
import type { ShareInput, WorkerMessage } from './fleet-messages.js';
import { runShare } from './fleet-share.js';

const post = (m: WorkerMessage) => parentPort!.postMessage(m);
try {
  post({ type: 'done', tally: await runShare(workerData as ShareInput, (status) => post({ type: 'judged', status })) });
} catch (err) {
  post({ type: 'failed', error: (err as Error)?.stack ?? String(err) });
}
