import { TREE } from '../profile.js';
import type { FlowFacts } from '../runner/run-flow.js';
import type { TraceEvent } from '../trace/events.js';
import { dmSessions, isAclTarget, targetsOf, type DmSession, type WireMessage } from './wire.js';

/** The events that make up one step as observed. */
export interface StepOccurrence {
  step: string;
  events: TraceEvent[];
  first: number;
  last: number;
}

export type StepIndex = Map<string, StepOccurrence>;

function add(index: StepIndex, step: string, events: TraceEvent[]): void {
  if (!events.length) return;
  const prev = index.get(step);
  const all = [...(prev?.events ?? []), ...events].sort((a, b) => a.seq - b.seq);
  index.set(step, { step, events: all, first: all[0].t, last: all[all.length - 1].t });
}

const exchangeOf = (messages: readonly WireMessage[], m: WireMessage) =>
  messages.filter((x) => x.event.exchange === m.event.exchange && x.event.link === m.event.link).map((x) => x.event);

/**
 * Assigns trace events to the numbered steps of the approach from their link and content only (never from
 * which mock recorded them), so the same classification judges real implementations.
 */
export function classify(approach: 'A' | 'B', events: readonly TraceEvent[], messages: readonly WireMessage[], facts: FlowFacts): StepIndex {
  const index: StepIndex = new Map();
  const p = approach;
  // Where the device keeps the Bootstrap Config MO and its accounts (the configured layout; TREE by default).
  const layout = facts.treeLayout ?? TREE;
  // Step 1: TLS connection setup between the servers.
  add(index, `${p}.1`, events.filter((e) => e.link === 'dms1-dms2' && (e.kind === 'tls' || e.kind === 'tls-error')) as TraceEvent[]);

  const byType = (type: string, link = 'dms1-dms2') =>
    messages.filter((m) => m.direction === 'request' && m.event.link === link && m.delegation?.type === type).flatMap((m) => exchangeOf(messages, m));
  add(index, `${p}.2`, byType('DelegationInitiationRequest'));
  // The harness's own sessions (its tree reads, its probe) are no step of the delegation.
  const sessions = dmSessions(messages).filter((x) => !x.messages[0].event.phase && !x.pkg0?.event.phase);
  const dms1Sessions = sessions.filter((s) => s.server === 'dms1');

  if (p === 'B') {
    add(index, 'B.3', byType('BootstrapServerUrlRequest'));
    for (const s of dms1Sessions) if (sessionHas(s, (t) => t.kind === 'Add' && t.target.startsWith(`${layout.bootConfigRoot}/`))) add(index, 'B.4', sessionEvents(s));
    add(index, 'B.5', messages.filter((m) => m.event.link === 'client-bootstrap').map((m) => m.event));
    const b5 = index.get('B.5');
    const first2 = sessions.find((s) => s.server === 'dms2' && (!b5 || s.messages[0].t > b5.first));
    if (first2) add(index, 'B.6', sessionEvents(first2));
    add(index, 'B.7', byType('BootstrapComplete'));
    add(index, 'B.8', commandEvents(dms1Sessions, (t) => t.kind === 'Replace' && isAclTarget(t.target)));
    add(index, 'B.8b', commandEvents(dms1Sessions, (t) => t.kind === 'Delete' && t.target === facts.dms1AccountPath));
    add(index, 'B.9', byType('ClientPrepared'));
    add(index, 'B.10', byType('DelegationComplete'));
  } else {
    add(index, 'A.3', byType('AccountRequest'));
    add(index, 'A.4', commandEvents(dms1Sessions, (t) => (t.kind === 'Add' && t.target.startsWith(`${layout.dmAccRoot}/`)) || (t.kind === 'Replace' && isAclTarget(t.target))));
    add(index, 'A.5', commandEvents(dms1Sessions, (t) => t.kind === 'Delete' && t.target === facts.dms1AccountPath));
    add(index, 'A.6', byType('ClientPrepared'));
    const prepared = index.get('A.6');
    const managed = sessions.find((s) => s.server === 'dms2' && s.pkg0 && (!prepared || s.pkg0.t > prepared.first));
    if (managed) add(index, 'A.7', [managed.pkg0!.event, ...sessionEvents(managed)]);
    add(index, 'A.8', byType('DelegationComplete'));
  }
  return index;
}

function sessionHas(s: DmSession, pred: (t: ReturnType<typeof targetsOf>[number]) => boolean): boolean {
  return s.messages.some((m) => m.direction === 'response' && m.syncml && targetsOf(m.syncml).some(pred));
}

function sessionEvents(s: DmSession): TraceEvent[] {
  return [...(s.pkg0 ? [s.pkg0.event] : []), ...s.messages.map((m) => m.event)];
}

/**
 * Server messages carrying a matching command, and the client messages answering them (the Status that
 * refers to the command), so a step spans from the command to its answer.
 */
function commandEvents(sessions: DmSession[], pred: (t: ReturnType<typeof targetsOf>[number]) => boolean): TraceEvent[] {
  const out: TraceEvent[] = [];
  for (const s of sessions) {
    s.messages.forEach((m, i) => {
      if (m.direction !== 'response' || !m.syncml || !targetsOf(m.syncml).some(pred)) return;
      out.push(m.event);
      const answer = s.messages.slice(i + 1).find((x) => x.direction === 'request');
      if (answer) out.push(answer.event);
    });
  }
  return out;
}
