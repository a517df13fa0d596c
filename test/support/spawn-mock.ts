import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { childEnv } from '../../src/cli/child-env.js';

const BIN = fileURLToPath(new URL('../../bin/dmdc.js', import.meta.url));

export interface SpawnedMock {
  child: ChildProcess;
  info: Record<string, string>;
  /** Resolves with the first later stdout line (parsed JSON) that matches; rejects past the budget or on exit. */
  line: (match: (l: Record<string, unknown>) => boolean, budgetMs?: number) => Promise<Record<string, unknown>>;
  stop: () => Promise<void>;
}

/** Starts `dmdc mock …` as its own OS process and resolves with the JSON line it prints. */
export function spawnMock(args: string[], budgetMs = 20_000): Promise<SpawnedMock> {
  const child = spawn(process.execPath, [BIN, 'mock', ...args], { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
    });
  // Every line after the first (the URLs), kept so a waiter that comes late still sees it.
  const later: Array<Record<string, unknown>> = [];
  const waiters = new Set<(l: Record<string, unknown>) => void>();
  const line: SpawnedMock['line'] = (match, lineBudgetMs = 20_000) => {
    const seen = later.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const settle = () => {
        clearTimeout(timer);
        waiters.delete(waiter);
        child.off('exit', onExit);
      };
      const waiter = (l: Record<string, unknown>) => {
        if (!match(l)) return;
        settle();
        resolve(l);
      };
      const onExit = (code: number | null) => {
        settle();
        reject(new Error(`dmdc mock ${args.join(' ')} exited (${code}) before the awaited line: ${stderr}`));
      };
      const timer = setTimeout(() => {
        settle();
        reject(new Error(`dmdc mock ${args.join(' ')} printed no matching line within ${lineBudgetMs} ms: ${stderr}`));
      }, lineBudgetMs);
      waiters.add(waiter);
      child.once('exit', onExit);
    });
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`dmdc mock ${args.join(' ')} printed nothing within ${budgetMs} ms: ${stderr}`));
    }, budgetMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dmdc mock exited with ${code}: ${stderr}`));
    });
    let first = true;
    createInterface({ input: child.stdout! }).on('line', (text) => {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return;
      }
      if (first) {
        first = false;
        clearTimeout(timer);
        resolve({ child, info: parsed as Record<string, string>, line, stop });
        return;
      }
      later.push(parsed);
      for (const w of [...waiters]) w(parsed);
    });
  });
}

/** Runs `dmdc mock …` expecting it to exit by itself (a refused option); resolves with its exit code and output. */
export function runMockToExit(args: string[], budgetMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'mock', ...args], { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`dmdc mock ${args.join(' ')} did not exit within ${budgetMs} ms: ${stdout}${stderr}`));
    }, budgetMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
