import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { TraceRecorder } from '../../src/trace/recorder.js';

/** A long-running mock keeps its trace in its file, not in memory; a flow keeps every event to judge. */
describe('how many events a recorder keeps in memory', () => {
  const record = (keep: 'all' | number | undefined, n: number) => {
    const file = join(mkdtempSync(join(tmpdir(), 'dmdc-keep-')), 'trace.jsonl');
    const trace = new TraceRecorder(file, keep === undefined ? {} : { keep });
    for (let i = 0; i < n; i++) trace.note(`event ${i}`);
    return { trace, lines: readFileSync(file, 'utf8').trim().split('\n') };
  };

  test.for([undefined, 'all'] as const)('keep %s: every event, in memory and in the file', (keep) => {
    const { trace, lines } = record(keep, 1000);
    expect(trace.events()).toHaveLength(1000);
    expect(lines).toHaveLength(1000);
  });

  test('keep 100: at most 200 in memory, the latest among them; the file has all', () => {
    const { trace, lines } = record(100, 1000);
    expect(trace.events().length).toBeLessThanOrEqual(200);
    expect(trace.events().at(-1)!.note).toBe('event 999');
    expect(trace.events().length).toBeGreaterThanOrEqual(100);
    expect(lines).toHaveLength(1000);
  });

  test('keep 0: nothing in memory, yet subscribers see every event and the file has all', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dmdc-keep-')), 'trace.jsonl');
    const trace = new TraceRecorder(file, { keep: 0 });
    const seen: number[] = [];
    trace.subscribe((e) => seen.push(e.seq));
    for (let i = 0; i < 50; i++) trace.note(`event ${i}`);
    expect(trace.events()).toHaveLength(0);
    expect(seen).toHaveLength(50);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(50);
  });
});
