import type { DelegationMessage } from '../delegation/messages.js';
import type { Command, SyncMLMessage } from '../syncml/model.js';
import type { TraceEvent } from '../trace/events.js';

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
    .filter((e) => e.kind === 'request' || e.kind === 'response')
    .map((e) => {
      const p = e.body?.parsed;
      const m: WireMessage = { event: e, seq: e.seq, t: e.t, direction: e.kind as 'request' | 'response' };
      if (p?.error) m.decodeError = p.error;
      else if (p?.codec === 'delegation') m.delegation = p.value as DelegationMessage;
      else if (p?.codec === 'syncml') m.syncml = p.value as SyncMLMessage;
      else if (p?.codec === 'notification') m.notification = p.value as WireMessage['notification'];
      return m;
    });
}

const SERVER_LINKS: Record<string, string> = { 'dms1-client': 'dms1', 'dms2-client': 'dms2' };

/** Groups SyncML traffic on the DMS↔client links into sessions (link + SessionID), Package #0 attached. */
export function dmSessions(messages: readonly WireMessage[]): DmSession[] {
  const out = new Map<string, DmSession>();
  for (const m of messages) {
    const server = SERVER_LINKS[m.event.link];
    if (!server || !m.syncml) continue;
    const key = `${m.event.link}#${m.syncml.hdr.sessionId}`;
    let s = out.get(key);
    if (!s) {
      s = { link: m.event.link, server, sessionId: m.syncml.hdr.sessionId, messages: [] };
      s.pkg0 = messages.find(
        (p) => p.notification && p.event.link === m.event.link && p.seq < m.seq && p.notification.sessionId.toString(16).toUpperCase() === s!.sessionId.toUpperCase(),
      );
      out.set(key, s);
    }
    s.messages.push(m);
  }
  return [...out.values()];
}

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
