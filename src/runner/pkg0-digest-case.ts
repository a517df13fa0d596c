import type { TraceEvent } from '../trace/events.js';
import type { TraceRecorder } from '../trace/recorder.js';

/** The tester's case against a DM client: a Package #0 whose digest verifies with no nonce (DESIGN.md §8). */
export const PKG0_DIGEST_CASE = 'NEG-PKG0-DIGEST';

/** What the client must not do after it: open a session with the server the Package #0 names. */
export const sessionOpened = (e: TraceEvent) => e.probe === PKG0_DIGEST_CASE && e.kind === 'request' && e.from === 'client' && e.to === 'dms1';

/**
 * Sends the Package #0 (signed with a wrong secret, so neither the current nonce nor the special nonce
 * 0x00000000 verifies it) and watches for a session; how the watch ended is noted for the verdict.
 */
export async function playPkg0DigestCase(o: { trace: TraceRecorder; send: () => Promise<unknown>; reacted: (until: (e: TraceEvent) => boolean) => Promise<string>; skip?: string }): Promise<void> {
  o.trace.probe = PKG0_DIGEST_CASE;
  try {
    o.trace.note(`tester: ${PKG0_DIGEST_CASE}: a Package #0 from DMS-1 whose digest verifies with no nonce`, { link: 'dms1-client', to: 'client' });
    try {
      // A client silent to everything else would make this case's silence meaningless.
      if (o.skip) throw new Error(o.skip);
      await o.send();
    } catch (err) {
      o.trace.note(`tester: ${PKG0_DIGEST_CASE}: the Package #0 could not be handed over: ${(err as Error).message}`, { link: 'dms1-client', to: 'client', reason: 'NOT_DELIVERED' });
      return;
    }
    const how = await o.reacted(sessionOpened);
    o.trace.note(`tester: ${PKG0_DIGEST_CASE}: watched for a session: ${how}`, { link: 'dms1-client', to: 'client', reason: 'WATCHED' });
  } finally {
    o.trace.probe = undefined;
  }
}
