/**
 * A run's bundle (runDir/bundle/): the flows as judged (the trace with its bodies, the facts, the trees),
 * the configuration without its secrets, and what judged them. With manifest.sha256 over the whole run
 * folder, a lab can show that a report was not edited and that a newer catalogue judges the same trace
 * the same way (`dmdc verify`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CATALOGUE_FILE } from '../catalogue/catalogue.js';
import type { RunConfig } from '../config/config.js';
import { PACKAGE_ROOT, PACKAGE_VERSION } from '../package-root.js';
import type { FlowResult } from '../runner/run-flow.js';
import { BUNDLE_DIR, CONFIG_FILE, FLOWS_FILE, META_FILE, PRIVATE_DIR, type BundleMeta } from './bundle-layout.js';
import { catalogueFingerprint } from './catalogue-fingerprint.js';
import { redactedConfig } from './redact-config.js';

export interface BundleInput {
  /** The flows as the report's verdicts were judged from: after the run's re-attribution. */
  flows: FlowResult[];
  config?: RunConfig;
  /** The run's --only selection. */
  only?: string;
  /** Per flow, the requirement ids judged in it, when not the same selection for all (--rerun-failed). */
  requirementsByFlow?: Record<string, string[]>;
  runId: string;
  /** The catalogue the run judged with (default: the bundled one). */
  catalogueFile?: string;
}

const GIT_MS = 2000;

/**
 * HEAD of PACKAGE_ROOT when it is a git checkout of its own (an installed package inside another project's
 * checkout is not one), and whether tracked files differ from it; undefined when git cannot tell.
 */
export function harnessCommit(root: string = PACKAGE_ROOT): { gitCommit: string; gitDirty?: boolean } | undefined {
  if (!existsSync(join(root, '.git'))) return undefined;
  // The caller's GIT_DIR would name another repository than the harness's.
  const { GIT_DIR: _d, GIT_WORK_TREE: _w, GIT_INDEX_FILE: _i, ...env } = process.env;
  const git = (args: string[]) => spawnSync('git', args, { cwd: root, env, encoding: 'utf8', timeout: GIT_MS, stdio: ['ignore', 'pipe', 'ignore'] });
  const head = git(['rev-parse', 'HEAD']);
  const commit = head.status === 0 ? head.stdout.trim() : '';
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit)) return undefined;
  // Without optional locks: a status must not take the index lock from someone working in the checkout.
  const status = git(['--no-optional-locks', 'status', '--porcelain', '--untracked-files=no']);
  return { gitCommit: commit, ...(status.status === 0 ? { gitDirty: status.stdout.trim() !== '' } : {}) };
}

/** Writes runDir/bundle/{flows,config,meta}.json; returns the folder and the bytes written. */
export function writeBundle(runDir: string, input: BundleInput): { dir: string; bytes: number } {
  const dir = join(runDir, BUNDLE_DIR);
  mkdirSync(join(runDir, PRIVATE_DIR), { recursive: true });
  const git = harnessCommit();
  const meta: BundleMeta = {
    bundleVersion: 1,
    runId: input.runId,
    harness: { name: 'dmdc', version: PACKAGE_VERSION, ...git },
    catalogue: catalogueFingerprint(input.catalogueFile ?? DEFAULT_CATALOGUE_FILE),
    ...(input.only ? { only: input.only } : {}),
    ...(input.requirementsByFlow ? { requirementsByFlow: input.requirementsByFlow } : {}),
    node: process.version,
    createdAt: new Date().toISOString(),
  };
  const files: Array<[string, string]> = [
    // Compact: the trace's bodies make it megabytes; report.json is the one to read.
    [FLOWS_FILE, JSON.stringify(input.flows)],
    [CONFIG_FILE, `${JSON.stringify(input.config ? redactedConfig(input.config) : null, null, 2)}\n`],
    [META_FILE, `${JSON.stringify(meta, null, 2)}\n`],
  ];
  for (const [file, text] of files) writeFileSync(join(runDir, file), text);
  return { dir, bytes: files.reduce((n, [, text]) => n + Buffer.byteLength(text), 0) };
}
