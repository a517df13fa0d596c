/**
 * Decoded bodies handed on from the trace to the endpoint that reads the same body next. The trace decodes
 * every message it records, and the endpoint receiving that message decodes it again a moment later: the
 * second decode takes the first one's result instead (once; a later decode of the same input decodes anew).
 * The taker shares the object the trace holds, so it must leave it as it is (messages are only read).
 * A few results are kept; the oldest go first, so a body nobody reads again costs nothing lasting.
 */
export class HandOn<T> {
  private readonly kept = new Map<string, T>();

  constructor(private readonly capacity = 32) {}

  /** Keeps `result` of decoding `input` for the next decode of the same input; returns it. */
  keep(input: string, result: T): T {
    this.kept.delete(input);
    this.kept.set(input, result);
    if (this.kept.size > this.capacity) this.kept.delete(this.kept.keys().next().value!);
    return result;
  }

  /** The result kept for `input`, if any, no longer kept. */
  take(input: string): T | undefined {
    const result = this.kept.get(input);
    if (result !== undefined) this.kept.delete(input);
    return result;
  }
}
