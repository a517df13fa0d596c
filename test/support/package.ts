import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, readFileSync, symlinkSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The working tree the tests run from. */
export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * The environment for a child npm: without what `npm test` adds about this package (its prefix, its scripts'
 * names and fields), so npm works on the folder it runs in, as it does from `npx vitest`.
 */
export function npmEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^npm_(package_|lifecycle_)|^npm_config_(local_prefix|prefix)$|^INIT_CWD$/i.test(k)) delete env[k];
  return { ...env, ...extra };
}

/** Runs a command to its end; a failure throws with what it printed, so the test says why. */
export function run(cmd: string, args: string[], o: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; shell?: boolean }): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd: o.cwd, env: o.env ?? npmEnv(), encoding: 'utf8', timeout: o.timeoutMs ?? 120_000, shell: o.shell });
  if (r.status !== 0) throw new Error(`${[cmd, ...args].join(' ')} (in ${o.cwd}) exited ${r.status ?? r.signal ?? r.error}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

export interface Packed {
  tarball: string;
  /** The tarball's files, by their path in the package. */
  files: string[];
}

// Built or written by the tree's own use, not part of its sources: `npm pack` must build dist/ afresh.
const NOT_COPIED = new Set(['node_modules', 'dist', 'reports', '.git', '.dmdc-tmp', '.dmdc-mock']);

/**
 * `npm pack` of the working tree as it is, run on a copy in `dir`: the pack's `prepare` (tsc) then builds dist/
 * there, never under the other tests, which start the CLI from the working tree's dist/. The copy links the
 * tree's node_modules for the compiler.
 */
export function packWorkingTree(dir: string): Packed {
  const stage = join(dir, 'stage');
  cpSync(REPO, stage, {
    recursive: true,
    filter: (src) => {
      const top = relative(REPO, src).split(sep)[0];
      return !NOT_COPIED.has(top) && !top.endsWith('.tgz');
    },
  });
  symlinkSync(join(REPO, 'node_modules'), join(stage, 'node_modules'), 'dir');
  const r = run('npm', ['pack', '--pack-destination', dir, '--json'], { cwd: stage });
  const [info] = JSON.parse(r.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  return { tarball: join(dir, info.filename), files: info.files.map((f) => f.path) };
}
