import type { ServerRole } from '../../mocks/common/server-role.js';
import { aclUri, get, replace } from '../dm/commands.js';
import type { ForgedHeader } from '../dm/server-session.js';
import { TREE } from '../profile.js';
import { opensSession } from '../judge/wire.js';
import type { SyncMLMessage } from '../syncml/model.js';
import type { TraceEvent } from '../trace/events.js';
import { allAnswered, type TraceRecorder } from '../trace/recorder.js';
import { aclGrants } from '../tree/acl.js';
import type { DmTree } from '../tree/tree.js';

/** The tester's cases against a DM client inside a DM session of the harness's DMS-2, after a flow. */
export const ACL_GRAMMAR_CASE = 'NEG-CLIENT-ACL-GRAMMAR';
export const FORGED_HEADER_CASES = [
  { id: 'NEG-CLIENT-SESSIONID', forged: 'a SessionID of another session', batch: 1 },
  { id: 'NEG-CLIENT-MSGID', forged: 'the MsgID of its previous message', batch: 2 },
] as const;

/** A SessionID no session of the harness uses (its Package #0 sessions run from 0x0201 up to 0xFEFF). */
export const FOREIGN_SESSION_ID = 'FFFF';

/** Each variant breaks one rule of the TND ACL grammar in a copy of a valid ACL, so a lenient parser keeps its rights. */
export const ACL_GRAMMAR_VARIANTS = [
  { name: 'empty-server-list', value: (acl: string) => `${acl}&Exec=` },
  { name: 'unknown-command', value: (acl: string, id: string) => `${acl}&Copy=${id}` },
  { name: 'space-in-server-id', value: (acl: string) => `${acl}+dmdc probe` },
] as const;

export interface ClientSessionCaseInput {
  trace: TraceRecorder;
  /** The harness's DMS-2, which holds an account on the client once the flow completed. */
  server: ServerRole;
  serverId: string;
  devId: string;
  /** The client's tree as last read: where the server holds the right to change an ACL. */
  tree: DmTree;
  /** Where the client keeps its accounts (TREE.dmAccRoot when absent): no case rewrites an ACL there. */
  dmAccRoot?: string;
  /** Resolves once the client reacted to the tester's last message, or the watch ran out. */
  reacted: (until: (e: TraceEvent) => boolean) => Promise<string>;
  sessionMs: number;
}

const syncmlOf = (e: TraceEvent) => e.body?.parsed?.codec === 'syncml' ? (e.body.parsed.value as SyncMLMessage) : undefined;
const clientRequest = (id: string) => (e: TraceEvent) => e.probe === id && e.kind === 'request' && e.from === 'client' && !!syncmlOf(e);

/**
 * An interior node whose ACL the server may change (its own Replace right governs it, TND §8.3.7.1), below
 * the root and outside DMAcc: the ACL-grammar case replaces it there.
 */
export function aclCaseNode(tree: DmTree, serverId: string, dmAccRoot: string = TREE.dmAccRoot): string | undefined {
  return tree
    .toJSON()
    .nodes.find((n) => n.format === 'node' && n.path !== '.' && !n.path.startsWith(dmAccRoot) && aclGrants(tree.effectiveAcl(n.path).acl, 'Replace', serverId))?.path;
}

/**
 * The tester's DM client cases, each in its own session of the harness's DMS-2, one after the other:
 * NEG-CLIENT-ACL-GRAMMAR (a Get of a node's ACL, a Replace per grammar variant, the ACL read again), then
 * NEG-CLIENT-SESSIONID and NEG-CLIENT-MSGID (a Get of DevId in a message whose SyncHdr is forged; the client
 * must execute none of it). Recorded with the case's probe; the caller stamps the trace `tls-probe`.
 */
export async function playClientSessionCases(o: ClientSessionCaseInput): Promise<void> {
  const node = aclCaseNode(o.tree, o.serverId, o.dmAccRoot);
  await inCase(o.trace, ACL_GRAMMAR_CASE, async () => {
    if (!node) return void o.trace.note(`tester: ${ACL_GRAMMAR_CASE}: not played: no node whose ACL ${o.serverId} may change`, { link: 'dms2-client', to: 'client', reason: 'NOT_PLAYABLE' });
    o.trace.note(`tester: ${ACL_GRAMMAR_CASE}: DMS-2 replaces the ACL of ${node} with values that break the ACL grammar`, { link: 'dms2-client', to: 'client' });
    const serverId = o.serverId;
    await o.server
      .trigger(o.devId, async function* () {
        const before = yield [get(aclUri(node))];
        const acl = before.outcomes[0]?.results?.items[0]?.data || `Get=${serverId}&Replace=${serverId}`;
        yield [...ACL_GRAMMAR_VARIANTS.map((v) => replace(aclUri(node), v.value(acl, serverId))), get(aclUri(node))];
      })
      .then(
        () => o.trace.note(`tester: ${ACL_GRAMMAR_CASE}: the session ended`, { link: 'dms2-client', to: 'client', reason: 'WATCHED' }),
        (err: Error) => o.trace.note(`tester: ${ACL_GRAMMAR_CASE}: the session ended: ${err.message}`, { link: 'dms2-client', to: 'client', reason: 'WATCHED' }),
      );
  });
  for (const c of FORGED_HEADER_CASES) {
    await inCase(o.trace, c.id, async () => {
      o.trace.note(`tester: ${c.id}: DMS-2 sends a Get of ./DevInfo/DevId in a message with ${c.forged}`, { link: 'dms2-client', to: 'client' });
      const forge: ForgedHeader = c.batch === 1 ? { batch: 1, sessionId: FOREIGN_SESSION_ID } : { batch: 2, repeatMsgId: true };
      let session: { abandon: () => void };
      try {
        session = await o.server.startSession(o.devId, async function* () {
          for (let i = 0; i < c.batch; i++) yield [get(`${TREE.devInfoRoot}/DevId`)];
        }, { forge });
      } catch (err) {
        return void o.trace.note(`tester: ${c.id}: the Package #0 could not be handed over: ${(err as Error).message}`, { link: 'dms2-client', to: 'client', reason: 'NOT_DELIVERED' });
      }
      // The client's answer to the forged message is the batch-th of its requests that open no session (a
      // package 1 sent again after a challenge is no answer to any batch).
      let answers = 0;
      const how = await o.reacted((e) => clientRequest(c.id)(e) && !opensSession(syncmlOf(e)!) && ++answers >= c.batch);
      // Its answer is recorded inside the case, so nothing of the tester's session is left to the flow.
      await allAnswered(o.trace, o.sessionMs);
      session.abandon();
      o.trace.note(`tester: ${c.id}: watched for the client's answer: ${how}`, { link: 'dms2-client', to: 'client', reason: 'WATCHED' });
    });
  }
}

async function inCase(trace: TraceRecorder, id: string, play: () => Promise<void>): Promise<void> {
  trace.probe = id;
  try {
    await play();
  } finally {
    trace.probe = undefined;
  }
}

/** The client's SyncML requests in a case, in order. */
export const clientRequestsOf = (events: readonly TraceEvent[], id: string) => events.filter(clientRequest(id));
/** The harness server's SyncML answers in a case, in order. */
export const serverAnswersOf = (events: readonly TraceEvent[], id: string) => events.filter((e) => e.probe === id && e.kind === 'response' && e.to === 'client' && !!syncmlOf(e));
export { syncmlOf };
