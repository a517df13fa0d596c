import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/dmdc.js', import.meta.url));

export interface SpawnedMock {
  child: ChildProcess;
  info: Record<string, string>;
  stop: () => Promise<void>;
}

/** Starts `dmdc mock …` as its own OS process and resolves with the JSON line it prints. */
export function spawnMock(args: string[], budgetMs = 20_000): Promise<SpawnedMock> {
  const child = spawn(process.execPath, [BIN, 'mock', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`dmdc mock ${args.join(' ')} printed nothing within ${budgetMs} ms: ${stderr}`));
    }, budgetMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dmdc mock exited with ${code}: ${stderr}`));
    });
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve({ child, info: JSON.parse(line) as Record<string, string>, stop });
    });
  });
}
