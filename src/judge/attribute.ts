import { DELEGATION_LINKS } from '../model/roles.js';
import type { FlowResult } from '../runner/run-flow.js';
import { isTesterEvent, type TraceEvent } from '../trace/events.js';


const sessionIdOf = (e: TraceEvent): string | undefined => {
  const v = e.body?.parsed?.value as { sessionId?: unknown } | undefined;
  return typeof v?.sessionId === 'string' ? v.sessionId : undefined;
};

// The tester's own delegation messages (fresh SessionIds, before the flow) belong to no delegation.
const isInitiation = (e: TraceEvent) => !isTesterEvent(e) && e.kind === 'request' && e.link === 'dms1-dms2' && (e.body?.parsed?.value as { type?: string } | undefined)?.type === 'DelegationInitiationRequest';

/** The SessionId a flow's delegation was started with, as it went on the wire. */
export function delegationSessionId(flow: FlowResult): string | undefined {
  const init = flow.events.find(isInitiation);
  return init ? sessionIdOf(init) : undefined;
}

/**
 * A DMS↔DMS request that carries the SessionId of another flow's delegation belongs to that delegation: a late
 * or repeated message of a real peer that reached the next flow's endpoints (DESIGN.md §7). Its exchange (the
 * request, its answer, the TLS events of the exchange) moves to the flow it belongs to, numbered after that
 * flow's events and marked with where it was recorded. Returns the ids of the flows that changed.
 */
export function attributeBySessionId(flows: FlowResult[]): Set<string> {
  const owner = new Map<string, FlowResult>();
  for (const f of flows) {
    const sid = delegationSessionId(f);
    if (sid && !owner.has(sid)) owner.set(sid, f);
  }
  const changed = new Set<string>();
  for (const f of flows) {
    const own = delegationSessionId(f);
    const strays = f.events.filter((e) => !isTesterEvent(e) && e.kind === 'request' && DELEGATION_LINKS.has(e.link) && !isInitiation(e) && sessionIdOf(e) !== own && owner.has(sessionIdOf(e) ?? '') && owner.get(sessionIdOf(e)!) !== f);
    for (const req of strays) {
      const to = owner.get(sessionIdOf(req)!)!;
      const moving = f.events.filter((e) => e.link === req.link && e.exchange !== undefined && e.exchange === req.exchange);
      f.events = f.events.filter((e) => !moving.includes(e));
      let seq = Math.max(0, ...to.events.map((e) => e.seq));
      for (const e of moving) to.events.push({ ...e, seq: ++seq, attributedFrom: { flow: f.scenario.id, seq: e.seq } });
      changed.add(f.scenario.id).add(to.scenario.id);
    }
  }
  return changed;
}
