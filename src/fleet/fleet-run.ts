/**
 * Runs a fleet on every core: one worker thread per core, each with its share of the clients and at most
 * ceil(C / workers) flows at once; each streams its trace to its own file and sends back only its tally.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FlowStatus } from '../runner/run-flow.js';
import type { ShareInput, WorkerMessage } from './fleet-messages.js';
import { dealToWorkers } from './fleet-plan.js';
import type { IndexRange } from '../runner/shard.js';
import { FleetTally, type TallyData } from './fleet-tally.js';

/** What every worker shares (ShareInput without its own clients, flow limit and trace), and the whole fleet's. */
export interface FleetRunInput extends Omit<ShareInput, 'indices' | 'concurrency' | 'traceFile'> {
  /** The run directory: the workers' traces go there. */
  dir: string;
  range: IndexRange;
  /** Flows at once, over all workers. */
  concurrency: number;
  /** Worker threads (default: one per core, no more than there are flows to run at once). */
  workers?: number;
  /** After each judged client. */
  onJudged?: (status: FlowStatus) => void;
}

export interface FleetRunOutcome {
  tally: FleetTally;
  workers: number;
  /** The most flows at once in one worker: ceil(C / workers). */
  flowsPerWorker: number;
  /** From the first worker's start to the last one's tally. */
  durationMs: number;
  traceFiles: string[];
  /** Workers that failed (their clients are missing from the tally). */
  errors: string[];
}

/**
 * The worker's entry: the compiled .js beside this module, or, when this module runs as TypeScript, a .mjs
 * shim that registers tsx in the worker before it imports the .ts.
 */
function workerEntry(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('./fleet-worker-shim.mjs', import.meta.url) : new URL('./fleet-worker.js', import.meta.url);
}

export async function runFleet(i: FleetRunInput): Promise<FleetRunOutcome> {
  const clients = i.range.to - i.range.from;
  const workers = Math.max(1, Math.min(i.workers ?? availableParallelism(), clients, i.concurrency));
  // C split as evenly as it goes: no worker runs more than ceil(C / workers), together exactly C.
  const flowsOf = (w: number) => Math.floor(i.concurrency / workers) + (w < i.concurrency % workers ? 1 : 0);
  const flowsPerWorker = flowsOf(0);
  const shares = dealToWorkers(i.range, workers);
  const traceFiles = shares.map((_, w) => join(i.dir, `trace-w${w + 1}.jsonl`));
  const started = Date.now();
  const settled = await Promise.allSettled(
    shares.map((indices, w) =>
      runWorker(
        {
          runId: i.runId, indices, scenarios: i.scenarios, concurrency: flowsOf(w), traceFile: traceFiles[w], pki: i.pki,
          config: i.config, mutant: i.mutant, only: i.only, selection: i.selection, keep: i.keep, showSecrets: i.showSecrets,
        },
        i.onJudged,
      ),
    ),
  );
  const durationMs = Date.now() - started;
  const tally = new FleetTally(i.keep);
  const errors: string[] = [];
  settled.forEach((s, w) => {
    if (s.status === 'fulfilled') tally.merge(s.value);
    else errors.push(`worker ${w + 1} (${shares[w].length} clients): ${(s.reason as Error)?.message ?? s.reason}`);
  });
  return { tally, workers, flowsPerWorker, durationMs, traceFiles, errors };
}

/**
 * A worker's old space: V8 lets an unbounded heap grow to several times what a worker holds (about 40 MB
 * plus a few MB per flow in progress) before it collects, which would make the fleet's RSS grow with its
 * length; bounded, it collects sooner, for somewhat more CPU. Measured: 128 MB at 8 flows keeps a 2-core
 * fleet of 1000 under 300 MB peak RSS.
 */
export const oldSpaceMb = (flows: number) => 64 + 8 * flows;

/**
 * A worker's young generation: a flow allocates mostly short-lived objects (messages, parses, trace lines),
 * and a larger nursery collects them less often. Measured at --fleet 300: 48 MB takes about 5% less CPU
 * than V8's default with the same peak RSS; 96 MB about 7% less, for 60 MB more.
 */
const YOUNG_SPACE_MB = 48;

function runWorker(input: ShareInput, onJudged?: (status: FlowStatus) => void): Promise<TallyData> {
  return new Promise((resolve, reject) => {
    let worker: Worker;
    try {
      worker = new Worker(workerEntry(), { workerData: input, resourceLimits: { maxOldGenerationSizeMb: oldSpaceMb(input.concurrency), maxYoungGenerationSizeMb: YOUNG_SPACE_MB } });
    } catch (err) {
      // A configuration that cannot cross to a thread (DataCloneError) fails here.
      return reject(err);
    }
    let outcome: TallyData | undefined;
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'judged') onJudged?.(m.status);
      else if (m.type === 'done') {
        outcome = m.tally;
        // Abandoned work of a peer (a budget still running) must not keep the thread alive.
        void worker.terminate();
      } else {
        reject(new Error(m.error));
        void worker.terminate();
      }
    });
    worker.on('error', (err: Error & { code?: string }) =>
      reject(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new Error(`ran out of its ${oldSpaceMb(input.concurrency)} MB heap with ${input.concurrency} flows at once; a lower --concurrency needs less`) : err),
    );
    worker.on('exit', (code) => (outcome ? resolve(outcome) : reject(new Error(`the worker exited (code ${code}) before sending its tally`))));
  });
}
