/**
 * The architecture of Client Authority Delegation (OMA-AD-DM-V1_3 §11, as amended by seed 000), judged on
 * the wire: who held DM sessions with the client during the delegation, and whether the authority goes to
 * the second server the delegation names, which then manages the client.
 *
 * The delegation runs from DMS-1's DelegationInitiationRequest to DMS-2's DelegationComplete of the same
 * SessionId. Sessions after DelegationComplete (the harness's probe, its tree reads) are not part of it.
 */
import type { DelegationInitiationRequest } from '../delegation/messages.js';
import { acceptance, commandsOf, isAclTarget, responseTo, targetsOf, type DmSession, type WireMessage } from '../judge/wire.js';
import { ANY_SERVER, aclServers, parseAcl } from '../tree/acl.js';
import { failAfter, fail, missing, pass, type Check, type JudgeContext, type Outcome } from './check.js';

interface Delegation {
  init: WireMessage & { delegation: DelegationInitiationRequest };
  /** The answer to the initiation request, when it came. */
  answer?: WireMessage;
  accepted: boolean;
  /** DMS-2's DelegationComplete: the end of the delegation on the wire. */
  end?: WireMessage;
}

function delegationOf(ctx: JudgeContext): Delegation | undefined {
  const requests = ctx.messages.filter((m) => m.direction === 'request' && m.event.link === 'dms1-dms2');
  const init = requests.find((m) => m.delegation?.type === 'DelegationInitiationRequest') as Delegation['init'] | undefined;
  if (!init) return undefined;
  const answer = responseTo(ctx.messages, init);
  const accepted = answer?.delegation?.type === 'DelegationInitiationResponse' && answer.delegation.accepted;
  // A message under another SessionId belongs to no delegation this one started.
  const end = requests.find((m) => m.seq > init.seq && m.delegation?.type === 'DelegationComplete' && m.delegation.sessionId === init.delegation.sessionId);
  return { init, ...(answer ? { answer } : {}), accepted, ...(end ? { end } : {}) };
}

/**
 * Sessions the server held (answered with SyncML at least once; a refused package 1 is no session), opened
 * after `from` and, when the delegation ended, before its DelegationComplete.
 */
const within = (ctx: JudgeContext, d: Delegation, from: WireMessage): DmSession[] =>
  ctx.sessions.filter(
    (s) => s.messages[0].seq > from.seq && (!d.end || s.messages[0].seq < d.end.seq) && s.messages.some((m) => m.direction === 'response' && m.syncml),
  );

/**
 * The ServerID a session ran under: the server identifier of the Package #0 that announced it, else (a
 * client-initiated session, or a trigger the wire did not carry) the ServerID of the DM endpoint it reached.
 */
function serverIdOf(ctx: JudgeContext, s: DmSession): string {
  return s.pkg0?.notification?.serverId ?? (s.server === 'dms2' ? ctx.flow.facts.serverIds.dms2 : ctx.flow.facts.serverIds.dms1);
}

/** The device the client names itself as in package 1 (SyncHdr Source/LocURI). */
const clientOf = (s: DmSession) => s.messages.find((m) => m.direction === 'request' && m.syncml)?.syncml!.hdr.source;


const names = (ids: Iterable<string>) => [...ids].join(', ') || 'no server';

const serversIn = (acl: string | undefined): string[] => {
  try {
    return [...aclServers(parseAcl(acl ?? ''))].filter((id) => id !== ANY_SERVER);
  } catch {
    return []; // an invalid ACL is FIN-ACL-SYNTAX's to judge
  }
};

/**
 * ServerIDs the delegator's ACL Replaces bring into the client's tree that are neither the delegator, the
 * delegatee, nor already in the node's ACL (its effective ACL in the initial tree, or the value the client
 * reported for it on the wire before): authority handed to a server the delegation does not name.
 */
function strayGrants(ctx: JudgeContext, sessions: DmSession[], from: string, to: string): Array<{ msg: WireMessage; uri: string; ids: string[] }> {
  const out: Array<{ msg: WireMessage; uri: string; ids: string[] }> = [];
  const reported = new Map<string, Set<string>>();
  const unread = ctx.flow.initialTree.unread ?? [];
  for (const s of sessions) {
    for (const m of s.messages) {
      if (!m.syncml) continue;
      if (m.direction === 'request') {
        for (const c of commandsOf(m.syncml)) {
          if (c.kind !== 'Results') continue;
          for (const it of c.items) if (it.source && isAclTarget(it.source)) reported.set(it.source, new Set([...(reported.get(it.source) ?? []), ...serversIn(it.data)]));
        }
        continue;
      }
      for (const t of targetsOf(m.syncml, 'Replace').filter((x) => isAclTarget(x.target))) {
        const uri = t.target.slice(0, -'?prop=ACL'.length);
        const known = unread.some((u) => u.path === '.' || uri === u.path || uri.startsWith(`${u.path}/`)) ? [] : serversIn(ctx.initial.effectiveAcl(uri).acl);
        const before = new Set([from, to, ...known, ...(reported.get(t.target) ?? [])]);
        // Nothing known of the node before: there is no baseline to judge the grant against.
        if (!known.length && !reported.has(t.target)) continue;
        const ids = serversIn(t.data).filter((id) => !before.has(id));
        if (ids.length) out.push({ msg: m, uri, ids });
      }
    }
  }
  return out;
}

export const archTwoServersOneClient: Check = {
  id: 'arch-two-servers-one-client',
  title: 'At least two DM servers, by ServerID, hold DM sessions with the one DM client of the delegation',
  requirements: ['ARCH-ROLES'],
  run(ctx): Outcome {
    const d = delegationOf(ctx);
    const expected = 'during the delegation, DM sessions of at least two distinct ServerIDs, all with the device the delegation names';
    if (!d) return missing(expected, 'no DelegationInitiationRequest observed');
    const sessions = within(ctx, d, d.init);
    const devId = d.init.delegation.device.devId;
    const byServer = new Map<string, DmSession[]>();
    for (const s of sessions) byServer.set(serverIdOf(ctx, s), [...(byServer.get(serverIdOf(ctx, s)) ?? []), s]);
    const firsts = [...byServer.values()].flatMap((ss) => ss[0].messages.slice(0, 2));
    const others = sessions.filter((s) => clientOf(s) !== devId);
    if (others.length) {
      return fail(expected, `DM sessions with ${names(new Set(others.map((s) => clientOf(s) ?? '(no package 1)')))}, not only with ${devId}`, [d.init, ...others.map((s) => s.messages[0])]);
    }
    if (byServer.size >= 2) {
      return pass(expected, `ServerIDs ${names(byServer.keys())} held DM sessions with ${devId} (${sessions.map((s) => `${serverIdOf(ctx, s)} session ${s.sessionId}`).join(', ')})`, [d.init, ...(d.answer ? [d.answer] : []), ...firsts]);
    }
    const seen = byServer.size ? `only ${names(byServer.keys())} held DM sessions with ${devId}` : `no DM server held a DM session with ${devId}`;
    // Ended with fewer than two: whatever kept a server from the client is the cause, this follows from it.
    if (d.end) return failAfter(expected, `the delegation ended (DelegationComplete seq ${d.end.seq}) and ${seen}`, [d.init, ...firsts, d.end]);
    return missing(expected, `${seen} so far, and the delegation has not ended`, [d.init, ...firsts]);
  },
};

export const archSecondServerManages: Check = {
  id: 'arch-second-server-manages',
  title: 'One DM server delegates the authority over the client to a second one, which then manages it',
  requirements: ['ARCH-DELEGATION'],
  run(ctx): Outcome {
    const d = delegationOf(ctx);
    const expected =
      'the DelegationInitiationRequest names two different servers; after it is accepted the delegator holds an authenticated DM session with the client and grants rights to no server but the delegatee, and the delegatee holds a DM session with the client that it authenticates (212, or 200 to an HMAC-signed message) before the delegation ends';
    if (!d) return missing(expected, 'no DelegationInitiationRequest observed');
    const { delegatorServerId: from, delegateeServerId: to } = d.init.delegation;
    if (from === to) return fail(expected, `the delegation names ${from} as both delegator and delegatee`, [d.init]);
    // A declined or unanswered request is judged by the initiation step, not here.
    if (!d.answer || !d.accepted) {
      const declined = d.answer?.delegation?.type === 'DelegationInitiationResponse';
      return missing(expected, `the DelegationInitiationRequest (seq ${d.init.seq}) was ${declined ? 'declined' : 'not accepted'}`, [d.init, ...(d.answer ? [d.answer] : [])]);
    }
    const sessions = within(ctx, d, d.answer);
    const of = (id: string) => sessions.filter((s) => serverIdOf(ctx, s) === id);
    const stray = strayGrants(ctx, of(from), from, to);
    if (stray.length) {
      return fail(expected, stray.map((g) => `${from} grants ${g.ids.join(', ')} rights on ${g.uri} (seq ${g.msg.seq}), not ${to}`).join('; '), [d.init, ...stray.map((g) => g.msg)]);
    }
    const authenticated = (id: string) => of(id).map((s) => ({ s, ok: acceptance(s) })).find((x) => x.ok);
    const delegator = authenticated(from);
    const delegatee = authenticated(to);
    if (delegator && delegatee) {
      return pass(
        expected,
        `${from} session ${delegator.s.sessionId} (212 at seq ${delegator.ok!.seq}); ${to} session ${delegatee.s.sessionId} (212 at seq ${delegatee.ok!.seq})`,
        [d.init, d.answer, delegator.s.messages[0], delegator.ok!, delegatee.s.messages[0], delegatee.ok!],
      );
    }
    const lacking = [...(delegator ? [] : [from]), ...(delegatee ? [] : [to])];
    // A server that held no session with the client at all is ARCH-ROLES's finding; here it is not reached.
    const silent = lacking.filter((id) => !of(id).length);
    const actual = `no DM session of ${names(lacking)} with the client that the server authenticated (212, or 200 to an HMAC-signed message) after the delegation was accepted (seq ${d.answer.seq})`;
    if (d.end && !silent.length) return failAfter(expected, `${actual}, and the delegation ended (DelegationComplete seq ${d.end.seq})`, [d.init, d.answer, ...lacking.flatMap((id) => of(id).map((s) => s.messages[0])), d.end]);
    return missing(expected, silent.length ? `${actual}: ${names(silent)} held none` : actual, [d.init, d.answer]);
  },
};
