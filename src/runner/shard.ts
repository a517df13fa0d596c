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
