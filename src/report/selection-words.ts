import type { RunSelection } from './model.js';

/** A run's selection in words, as the HTML report and summary.md show it. */
export function describeSelection(s: RunSelection): string {
  return [
    `approach ${s.approaches.join(', ') || '(none)'}`,
    s.flow && `flows ${s.flow}`,
    s.only && `only ${s.only}`,
    s.rerunOf && `re-run of what did not pass in ${s.rerunOf}`,
    s.shard && `shard ${s.shard.index}/${s.shard.count}${s.plan ? ` of ${s.plan.length} flows` : ''}`,
    s.mergedFrom && `merged from ${s.mergedFrom.length} shards (${s.mergedFrom.join(', ')})`,
  ]
    .filter(Boolean)
    .join(', ');
}
