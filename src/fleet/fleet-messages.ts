/** What the main thread and a fleet worker tell each other (worker_threads: structured clones, no functions). */
import type { RunConfig } from '../config/config.js';
import type { Pki } from '../pki/pki.js';
import type { RunReport } from '../report/model.js';
import type { FlowStatus } from '../runner/run-flow.js';
import type { Scenario } from '../runner/scenario.js';
import type { TallyData } from './fleet-tally.js';

/** One worker's share of the fleet (its workerData). */
export interface ShareInput {
  runId: string;
  /** The client indices this worker runs, and the scenarios they are dealt from. */
  indices: number[];
  scenarios: Scenario[];
  /** Flows at once in this worker. */
  concurrency: number;
  /** This worker's JSON-lines trace. */
  traceFile: string;
  pki: Pki;
  config?: RunConfig;
  /** By id: a mutant's variation holds functions, so each worker looks it up itself. */
  mutant?: string;
  only?: string;
  selection: RunReport['selection'];
  /** Clients named per requirement and verdict (K). */
  keep: number;
  /** --show-secrets: the traces and the detailed clients keep the secrets (by default written without them). */
  showSecrets?: boolean;
}

export type WorkerMessage =
  | { type: 'judged'; status: FlowStatus }
  | { type: 'done'; tally: TallyData }
  | { type: 'failed'; error: string };
