import type { DelegationMessage } from '../delegation/messages.js';
import type { Command, SyncMLMessage } from '../syncml/model.js';
import type { TraceEvent } from '../trace/events.js';
import { HMAC_HEADER } from '../syncml/hmac.js';

/** A request or response on the wire with its decoded body, as the checks see it. */
export interface WireMessage {
  event: TraceEvent;
  seq: number;
  t: number;
  direction: 'request' | 'response';
  delegation?: DelegationMessage;
  syncml?: SyncMLMessage;
  notification?: { serverId: string; sessionId: number; digest: string; version: number };
  /** The body did not decode: why. */
  decodeError?: string;
}

/** One DM session on a server↔client link: the client's packages and the server's answers, in order. */
export interface DmSession {
  link: string;
  /** The DM server role of the session. */
  server: string;
  sessionId: string;
  messages: WireMessage[];
  /** The Package #0 that announced the session, when there was one. */
  pkg0?: WireMessage;
}

export function wireMessages(events: readonly TraceEvent[]): WireMessage[] {
  return events
    .filter((e) => e.kind === 'request' || e.kind === 'response' || e.kind === 'handover')
    .map((e) => {
      const p = e.body?.parsed;
      // A message handed to a driver is sent as far as its receiver is concerned; it had no TLS of its own.
      const m: WireMessage = { event: e, seq: e.seq, t: e.t, direction: e.kind === 'response' ? 'response' : 'request' };
      if (p?.error) m.decodeError = p.error;
      else if (p?.codec === 'delegation') m.delegation = p.value as DelegationMessage;
      else if (p?.codec === 'syncml') m.syncml = p.value as SyncMLMessage;
      else if (p?.codec === 'notification') m.notification = p.value as WireMessage['notification'];
      return m;
    });
}

const SERVER_LINKS: Record<string, string> = { 'dms1-client': 'dms1', 'dms2-client': 'dms2' };

/** Alert codes that open a DM session (server-initiated after Package #0, client-initiated). */
const SESSION_ALERTS = new Set(['1200', '1201']);
/** A SyncHdr status that asks the client to send package 1 again: the session goes on. */
const CHALLENGES = new Set(['401', '407']);

/** Package 1, first or again after a challenge: it carries Alert 1200 or 1201. */
export const opensSession = (m: SyncMLMessage) => m.body.some((c) => c.kind === 'Alert' && 'data' in c && SESSION_ALERTS.has(c.data ?? ''));

/** A server message with nothing left for the client to answer (and no challenge) ends the session. */
function endsSession(m: SyncMLMessage): boolean {
  const hdr = m.body.find((c) => c.kind === 'Status' && c.cmd === 'SyncHdr');
  if (hdr && 'data' in hdr && CHALLENGES.has(hdr.data ?? '')) return false;
  return m.body.every((c) => c.kind === 'Status' || c.kind === 'Results');
}

/**
 * Groups SyncML traffic on the DMS↔client links into sessions by the order of the exchanges on each link,
 * not by SessionID: a session opens with the client's Alert 1200/1201 (a re-sent package 1 after a
 * challenge stays in it) and ends with a server message that asks nothing more. Each session takes the
 * latest Package #0 on its link since the previous session opened. The checks then compare SessionIDs, so
 * a client that changes its SessionID is blamed for that and nothing else.
 */
export function dmSessions(messages: readonly WireMessage[]): DmSession[] {
  const out: DmSession[] = [];
  const open = new Map<string, { s: DmSession; ended: boolean }>();
  for (const m of messages) {
    const server = SERVER_LINKS[m.event.link];
    if (!server || !m.syncml) continue;
    const cur = open.get(m.event.link);
    const starts = m.direction === 'request' && (!cur || cur.ended || (opensSession(m.syncml) && m.syncml.hdr.sessionId !== cur.s.sessionId));
    if (starts) {
      // Only a push since the link's previous session opened can have announced this one.
      const after = cur?.s.messages[0]?.seq ?? 0;
      const pkg0 = messages.filter((p) => p.notification && p.direction === 'request' && p.event.link === m.event.link && p.seq > after && p.seq < m.seq).at(-1);
      const s: DmSession = { link: m.event.link, server, sessionId: m.syncml.hdr.sessionId, messages: [], ...(pkg0 ? { pkg0 } : {}) };
      out.push(s);
      open.set(m.event.link, { s, ended: false });
    }
    const at = open.get(m.event.link);
    // A server message before any client message on the link belongs to no session.
    if (!at) continue;
    at.s.messages.push(m);
    if (m.direction === 'response' && endsSession(m.syncml)) at.ended = true;
  }
  return out;
}

/** The response on the wire to a request: same link, same exchange. */
export const responseTo = (messages: readonly WireMessage[], request: WireMessage): WireMessage | undefined =>
  messages.find((m) => m.direction === 'response' && m.event.link === request.event.link && m.event.exchange === request.event.exchange);

/** Every command of a SyncML message, containers flattened. */
export function commandsOf(m: SyncMLMessage): Command[] {
  const out: Command[] = [];
  const walk = (cs: Command[]) => {
    for (const c of cs) {
      out.push(c);
      if (c.kind === 'Atomic' || c.kind === 'Sequence') walk(c.commands);
    }
  };
  walk(m.body);
  return out;
}

/** Targets of the management commands (Add/Replace/Delete/Get/Exec/Copy) of a message. */
export function targetsOf(m: SyncMLMessage, kind?: string): Array<{ kind: string; target: string; cmdId: string; data?: string; format?: string }> {
  const out: Array<{ kind: string; target: string; cmdId: string; data?: string; format?: string }> = [];
  for (const c of commandsOf(m)) {
    if (!('items' in c) || c.kind === 'Status' || c.kind === 'Results' || c.kind === 'Alert') continue;
    if (kind && c.kind !== kind) continue;
    for (const it of c.items) if (it.target) out.push({ kind: c.kind, target: it.target, cmdId: c.cmdId, data: it.data, format: it.meta?.format ?? c.meta?.format });
  }
  return out;
}

export const isAclTarget = (uri: string) => uri.endsWith('?prop=ACL');

/**
 * The server's answer that authenticated the client in a session: SyncHdr Status 212 for Cred credentials,
 * or 200 to a message signed in the x-syncml-hmac header (syncml:auth-MAC authenticates message by message).
 */
export function acceptance(s: DmSession): WireMessage | undefined {
  const signed = new Set(s.messages.filter((m) => m.direction === 'request' && m.event.http?.headers?.[HMAC_HEADER]).map((m) => m.syncml?.hdr.msgId));
  return s.messages.find(
    (m) => m.direction === 'response' && m.syncml?.body.some((c) => c.kind === 'Status' && c.cmd === 'SyncHdr' && (c.data === '212' || (c.data === '200' && signed.has(c.msgRef)))),
  );
}

/**
 * The other side's messages that may answer `m`'s commands: from its first message after `m` to the end of
 * its next package (its first message with Final). A package split over messages may carry the Status and
 * Results of one message's commands in any of them (DM 1.2.1 Protocol §2.1).
 */
export function answersIn(s: DmSession, m: WireMessage): WireMessage[] {
  const later = s.messages.filter((x) => x.direction !== m.direction && x.seq > m.seq && x.syncml).sort((a, b) => a.seq - b.seq);
  const end = later.findIndex((x) => x.syncml!.final);
  return end < 0 ? later : later.slice(0, end + 1);
}

/** The Status (or Results) for command `cmdId` of message `m` among `answers`, with the message carrying it. */
export function responseFor(answers: WireMessage[], m: WireMessage, cmdId: string, kind: 'Status' | 'Results' = 'Status'): { command: Command; in: WireMessage } | undefined {
  for (const a of answers) {
    const command = a.syncml!.body.find((c) => c.kind === kind && 'msgRef' in c && c.msgRef === m.syncml!.hdr.msgId && c.cmdRef === cmdId && !(c.kind === 'Status' && c.cmd === 'SyncHdr'));
    if (command) return { command, in: a };
  }
  return undefined;
}
