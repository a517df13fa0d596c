import { describe, expect, test } from 'vitest';
import type { TraceEvent } from '../../src/trace/events.js';
import { allAnswered, TraceRecorder } from '../../src/trace/recorder.js';

/** A flow ends only once its last exchange is answered or timed out, so no late answer lands in the next one. */
const request = (exchange: string): Omit<TraceEvent, 'seq' | 'time' | 't'> => ({ kind: 'request', link: 'dms1-dms2', from: 'dms2', to: 'dms1', observer: { role: 'dms2', side: 'client' }, exchange });
const answer = (exchange: string, kind: 'response' | 'error' | 'tls-error'): Omit<TraceEvent, 'seq' | 'time' | 't'> => ({ ...request(exchange), kind, from: 'dms1', to: 'dms2' });

describe('allAnswered', () => {
  test('waits for the answer of every open request, a transport failure included', async () => {
    const trace = new TraceRecorder();
    trace.record(request('x1'));
    trace.record(request('x2'));
    const done = allAnswered(trace, 5_000);
    trace.record(answer('x2', 'error'));
    trace.record(answer('x1', 'response'));
    expect(await done).toEqual([]);
  });

  test('a request the server refused at the TLS layer after it went out (TLS 1.3 certificate required) is answered', async () => {
    const trace = new TraceRecorder();
    trace.record(request('x1'));
    trace.record(answer('x1', 'tls-error'));
    expect(await allAnswered(trace, 5_000)).toEqual([]);
  });

  test('gives up after its budget and names what is still open', async () => {
    const trace = new TraceRecorder();
    trace.record(request('x1'));
    trace.record(answer('x1', 'response'));
    trace.record(request('x2'));
    const open = await allAnswered(trace, 20);
    expect(open.map((e) => e.exchange)).toEqual(['x2']);
  });
});
