import { performance } from 'node:perf_hooks';

/**
 * With DMDC_TIMING set, each phase of a run on stderr as it ends (its time, and the time since the process
 * started): where a run's wall time goes, for `npm run bench` and for anyone asking.
 */
const on = !!process.env.DMDC_TIMING;
let last = 0;

export function phaseDone(name: string): void {
  if (!on) return;
  const now = performance.now();
  process.stderr.write(`dmdc timing: ${name} ${Math.round(now - last)} ms (at ${Math.round(now)} ms)\n`);
  last = now;
}
