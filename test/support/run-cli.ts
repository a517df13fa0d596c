import { vi } from 'vitest';
import { mergeCommand } from '../../src/cli/merge-command.js';
import { runCommand } from '../../src/cli/run-command.js';
import { verifyCommand } from '../../src/cli/verify-command.js';

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** A dmdc command in this process, as TypeScript, with what it prints captured. */
async function inProcess(command: (argv: string[]) => Promise<number>, args: string[]): Promise<CliOutcome> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void (stderr += `${parts.join(' ')}\n`));
  try {
    const code = await command(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** `dmdc run …` in this process (a fleet's workers then start from the tsx shim). */
export const runCli = (args: string[]) => inProcess(runCommand, args);

/** `dmdc merge …` in this process. */
export const mergeCli = (args: string[]) => inProcess(mergeCommand, args);

/** `dmdc verify …` in this process. */
export const verifyCli = (args: string[]) => inProcess(verifyCommand, args);
