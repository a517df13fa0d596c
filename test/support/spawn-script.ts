import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';

/** An independent implementation running as its own process, once it printed its URLs. */
export interface SpawnedScript<U> {
  urls: U;
  stderr: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts a Python implementation under test and resolves with the URLs of the one JSON line it prints when it
 * listens; rejects when it exits first or prints nothing within `budgetMs` (and stops it).
 */
export function spawnScript<U>(script: string, args: string[], budgetMs = 10_000): Promise<SpawnedScript<U>> {
  const name = basename(script);
  const child = spawn('python3', [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const hard = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => (clearTimeout(hard), done()));
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${name} printed nothing within ${budgetMs} ms: ${stderr}`));
    }, budgetMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}: ${stderr}`));
    });
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve({ urls: JSON.parse(line) as U, stderr: () => stderr, stop });
      } catch (e) {
        void stop();
        reject(e as Error);
      }
    });
  });
}
