import { responseTo, type WireMessage } from '../judge/wire.js';
import { DELEGATION_LINKS } from '../model/roles.js';
import { allOf, missing, type Check } from './check.js';


/**
 * Binding profile §2.2: within one delegation each request type is sent once. A request whose earlier copy
 * got no HTTP 200 (no answer, or an error) may be sent again: that is a retry. Once one was accepted, every
 * later copy of that type and SessionId is a duplicate, blamed on its sender.
 */
export const oncePerDelegation: Check = {
  id: 'once-per-delegation',
  title: 'Each DMS↔DMS request type is sent at most once per delegation',
  requirements: ['PRF-ONCE-PER-DELEGATION'],
  run(ctx) {
    const expected = 'no DMS↔DMS request type repeated under one SessionId after a copy of it was answered HTTP 200';
    const answerOf = (q: WireMessage) => responseTo(ctx.messages, q);
    const requests = ctx.messages.filter((m) => DELEGATION_LINKS.has(m.event.link) && m.direction === 'request' && m.delegation && 'sessionId' in m.delegation && m.delegation.sessionId);
    if (!requests.length) return missing(expected, 'no DMS↔DMS request observed');
    const accepted = new Map<string, WireMessage>();
    const problems: string[] = [];
    const evidence: WireMessage[] = [];
    for (const q of requests) {
      const d = q.delegation as { type: string; sessionId: string };
      const key = `${d.sessionId} ${d.type}`;
      const first = accepted.get(key);
      if (first) {
        const answer = answerOf(q);
        problems.push(`seq ${q.seq}: ${d.type} (${q.event.from} → ${q.event.to}) again for SessionId ${d.sessionId}, after the one accepted at seq ${first.seq}${answer ? `; answered HTTP ${answer.event.http?.status}` : ''}`);
        evidence.push(q, ...(answer ? [answer] : []));
        continue;
      }
      if (answerOf(q)?.event.http?.status === 200) accepted.set(key, q);
    }
    return allOf(expected, problems, problems.length ? evidence : requests, `${requests.length} requests, each type once per SessionId`);
  },
};
