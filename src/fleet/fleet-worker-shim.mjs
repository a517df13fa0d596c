// Starts the fleet worker from its TypeScript source (vitest, or bin/dmdc.js without a build): a worker
// thread does not inherit the loader that runs TypeScript, so it registers tsx itself first.
import { register } from 'tsx/esm/api';

register();
await import('./fleet-worker.ts');
