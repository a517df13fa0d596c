/**
 * The bundle of a merged run: the shards' flows in plan order, the first shard's configuration and meta (the
 * shards ran one selection, one catalogue, one harness), so `dmdc verify` judges a merged run as it does one.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlowResult } from '../runner/run-flow.js';
import { CONFIG_FILE, FLOWS_FILE, META_FILE, PRIVATE_DIR, type BundleMeta } from './bundle-layout.js';

/** Writes runDir/bundle/ from the shards' run folders; returns the problems (a shard without a bundle). */
export function mergeBundles(shardDirs: readonly string[], runDir: string, o: { runId: string; plan: readonly string[] }): string[] {
  const lacking = shardDirs.filter((d) => ![FLOWS_FILE, META_FILE, CONFIG_FILE].every((f) => existsSync(join(d, f))));
  if (lacking.length) return lacking.map((d) => `no bundle in shard ${d}: the merged run cannot be verified`);
  const rank = new Map(o.plan.map((id, i) => [id, i]));
  const flows = shardDirs
    .flatMap((d) => JSON.parse(readFileSync(join(d, FLOWS_FILE), 'utf8')) as FlowResult[])
    .sort((a, b) => (rank.get(a.scenario.id) ?? Infinity) - (rank.get(b.scenario.id) ?? Infinity));
  const metas = shardDirs.map((d) => JSON.parse(readFileSync(join(d, META_FILE), 'utf8')) as BundleMeta);
  const byFlow = Object.assign({}, ...metas.map((m) => m.requirementsByFlow ?? {})) as Record<string, string[]>;
  const meta: BundleMeta = { ...metas[0], runId: o.runId, ...(Object.keys(byFlow).length ? { requirementsByFlow: byFlow } : {}), createdAt: new Date().toISOString() };
  mkdirSync(join(runDir, PRIVATE_DIR), { recursive: true });
  writeFileSync(join(runDir, FLOWS_FILE), JSON.stringify(flows));
  writeFileSync(join(runDir, CONFIG_FILE), readFileSync(join(shardDirs[0], CONFIG_FILE)));
  writeFileSync(join(runDir, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
  return [];
}
