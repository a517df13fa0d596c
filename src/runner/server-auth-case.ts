import type { ServerRole } from '../../mocks/common/server-role.js';
import { get } from '../dm/commands.js';
import { TREE } from '../profile.js';
import { opensSession } from '../judge/wire.js';
import type { SyncMLMessage } from '../syncml/model.js';
import type { TraceEvent } from '../trace/events.js';
import { allAnswered, type TraceRecorder } from '../trace/recorder.js';

/** The tester's case against a DM client that authenticates its server by SyncML credentials. */
export const SERVER_AUTH_CASE = 'NEG-DM-SERVER-AUTH';

/** The client's packages in the case's session (package 1, then package 3 if it goes on). */
export const clientPackages = (events: readonly TraceEvent[]) =>
  events.filter((e) => e.probe === SERVER_AUTH_CASE && e.kind === 'request' && e.from === 'client' && e.to === 'dms1' && e.body?.parsed?.codec === 'syncml' && e.body.parsed.value);

export const syncmlOf = (e: TraceEvent) => e.body!.parsed!.value as SyncMLMessage;

/**
 * The harness's DMS-1 opens a session with a valid Package #0 and answers package 1 with its credentials
 * signed with a wrong secret and one Get of a DevInfo leaf; then it watches for package 3. The client must
 * not run the Get: it answers the SyncHdr with 401, or ends the session.
 */
export async function playServerAuthCase(o: { trace: TraceRecorder; server: ServerRole; devId: string; reacted: (until: (e: TraceEvent) => boolean) => Promise<string>; answeredMs: number; skip?: string }): Promise<void> {
  o.trace.probe = SERVER_AUTH_CASE;
  try {
    o.trace.note(`tester: ${SERVER_AUTH_CASE}: DMS-1 answers the client's package 1 with credentials signed with a wrong secret`, { link: 'dms1-client', to: 'client' });
    let session: { abandon: () => void };
    try {
      if (o.skip) throw new Error(o.skip);
      session = await o.server.startSession(o.devId, async function* () {
        yield [get(`${TREE.devInfoRoot}/DevId`)];
      }, { wrongServerCredential: true });
    } catch (err) {
      o.trace.note(`tester: ${SERVER_AUTH_CASE}: the Package #0 could not be handed over: ${(err as Error).message}`, { link: 'dms1-client', to: 'client', reason: 'NOT_DELIVERED' });
      return;
    }
    const how = await o.reacted((e) => clientPackages([e]).some((p) => syncmlOf(p).hdr.msgId !== '1' && !opensSession(syncmlOf(p))));
    // The server takes in what the client sent (a new nonce with its refusal) before the session is given up.
    await allAnswered(o.trace, o.answeredMs);
    session.abandon();
    o.trace.note(`tester: ${SERVER_AUTH_CASE}: watched for package 3: ${how}`, { link: 'dms1-client', to: 'client', reason: 'WATCHED' });
  } finally {
    o.trace.probe = undefined;
  }
}
