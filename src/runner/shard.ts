/** A split of a run over n machines: shard i of n takes a deterministic part, and the n parts are the whole. */

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** Indices [from, to). */
export interface IndexRange {
  from: number;
  to: number;
}

/** `i/n` with 1 ≤ i ≤ n; anything else is refused with the reason. */
export function parseShard(text: string): Shard | { error: string } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return { error: `--shard must be i/n (e.g. 2/4), not "${text}"` };
  const [index, count] = [Number(m[1]), Number(m[2])];
  if (count < 1) return { error: `--shard ${text}: n must be at least 1` };
  if (index < 1 || index > count) return { error: `--shard ${text}: i must be between 1 and ${count}` };
  return { index, count };
}

/** Shard i of n: [floor((i-1)·N/n), floor(i·N/n)). The n shards together hold each of the N clients once. */
export function shardRange(size: number, shard?: Shard): IndexRange {
  if (!shard) return { from: 0, to: size };
  return { from: Math.floor(((shard.index - 1) * size) / shard.count), to: Math.floor((shard.index * size) / shard.count) };
}

/**
 * Why these runs are not the n shards of one run, as far as their shard numbers tell: one of another n, a
 * number given twice, a number missing. Empty when they are.
 */
export function shardSetProblems(runs: ReadonlyArray<{ runId: string; shard: Shard }>): string[] {
  const problems: string[] = [];
  const first = runs[0];
  if (!first) return ['no shard reports given'];
  const count = first.shard.count;
  const seen = new Map<number, string>();
  for (const { runId, shard } of runs) {
    if (shard.count !== count) problems.push(`run ${runId} is shard ${shard.index}/${shard.count}, run ${first.runId} one of ${count}`);
    if (seen.has(shard.index)) problems.push(`shard ${shard.index}/${count} given twice (runs ${seen.get(shard.index)} and ${runId})`);
    seen.set(shard.index, runId);
  }
  for (let i = 1; i <= count; i++) if (!seen.has(i)) problems.push(`shard ${i}/${count} is missing`);
  return problems;
}
