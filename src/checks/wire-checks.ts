import { MEDIA } from '../profile.js';
import { validateDelegation } from '../delegation/codec.js';
import type { WireMessage } from '../judge/wire.js';
import { allOf, missing, type Check, type JudgeContext } from './check.js';

const dmsMessages = (ctx: JudgeContext) => ctx.messages.filter((m) => (m.event.link === 'dms1-dms2' || m.event.link === 'dms2-bootstrap') && (m.event.body?.bytes ?? 0) > 0);

export const wireContentType: Check = {
  id: 'wire-content-type',
  title: 'DMS↔DMS bodies are application/vnd.dm.delegation+xml',
  requirements: ['PRF-CONTENT-TYPE'],
  run(ctx) {
    const ms = dmsMessages(ctx);
    if (!ms.length) return missing(ctx, `every DMS↔DMS body typed ${MEDIA.delegation}`, 'no DMS↔DMS message');
    const bad = ms.filter((m) => !(m.event.body?.contentType ?? '').startsWith(MEDIA.delegation));
    return allOf(`every DMS↔DMS body typed ${MEDIA.delegation}`, bad.map((m) => `seq ${m.seq}: ${m.event.body?.contentType ?? 'no content type'}`), bad.length ? bad : ms.slice(0, 1), `${ms.length} bodies`);
  },
};

export const wireSchemaValid: Check = {
  id: 'wire-schema-valid',
  title: 'DMS↔DMS messages are valid against the profile schema',
  requirements: ['PRF-SCHEMA'],
  run(ctx) {
    const ms = dmsMessages(ctx);
    if (!ms.length) return missing(ctx, 'every DMS↔DMS message valid', 'no DMS↔DMS message');
    const bad = ms
      .map((m) => ({ m, why: m.decodeError ?? (m.delegation ? (v => (v.ok ? undefined : v.reason))(validateDelegation(m.delegation)) : 'not a delegation document') }))
      .filter((x) => x.why);
    return allOf('every DMS↔DMS message decodes and validates against the binding-profile schema', bad.map((x) => `seq ${x.m.seq} (${x.m.event.from} → ${x.m.event.to}): ${x.why}`), bad.length ? bad.map((x) => x.m) : ms.slice(0, 1), `${ms.length} messages valid`);
  },
};

export const wireSessionId: Check = {
  id: 'wire-session-id',
  title: "Every DMS↔DMS message carries the delegation's session id",
  requirements: ['PRF-SESSION-ID'],
  run(ctx) {
    const ms = dmsMessages(ctx).filter((m) => m.delegation && m.delegation.type !== 'Error');
    const init = ms.find((m) => m.delegation!.type === 'DelegationInitiationRequest');
    if (!init) return missing(ctx, 'a DelegationInitiationRequest fixing the session id', 'none observed');
    const sid = (m: WireMessage) => (m.delegation && 'sessionId' in m.delegation ? m.delegation.sessionId : undefined);
    const bad = ms.filter((m) => sid(m) !== sid(init));
    return allOf(`every message carries SessionId ${sid(init)}`, bad.map((m) => `seq ${m.seq} ${m.delegation!.type}: ${sid(m)}`), bad.length ? bad : [init], `${ms.length} messages`);
  },
};

const ANSWER: Record<string, string> = {
  DelegationInitiationRequest: 'DelegationInitiationResponse',
  BootstrapServerUrlRequest: 'BootstrapServerUrlResponse',
  AccountRequest: 'AccountResponse',
};

export const wireResponses: Check = {
  id: 'wire-responses',
  title: 'Each DMS↔DMS request gets its matching answer',
  requirements: ['PRF-RESPONSES'],
  run(ctx) {
    const reqs = dmsMessages(ctx).filter((m) => m.direction === 'request' && m.delegation);
    if (!reqs.length) return missing(ctx, 'each request answered by its response type or an Ack naming it', 'no request');
    const p: string[] = [];
    const unanswered: WireMessage[] = [];
    for (const q of reqs) {
      const r = ctx.messages.find((m) => m.direction === 'response' && m.event.exchange === q.event.exchange && m.event.link === q.event.link);
      const want = ANSWER[q.delegation!.type] ?? 'Ack';
      const got = r?.delegation;
      if (!r) unanswered.push(q);
      else if (!got) p.push(`seq ${q.seq} ${q.delegation!.type}: no readable answer`);
      else if (got.type === 'Error') continue; // a refusal is judged by the step it refuses
      else if (got.type !== want || (got.type === 'Ack' && got.of !== q.delegation!.type)) p.push(`seq ${q.seq} ${q.delegation!.type} answered by ${got.type === 'Ack' ? `Ack of ${got.of}` : got.type}`);
    }
    const expected = 'each request answered by its response type or an Ack naming it';
    // An answer that never came is a failure only when the flow did not simply run out of its budget.
    if (!p.length && unanswered.length) return missing(ctx, expected, unanswered.map((q) => `seq ${q.seq} ${q.delegation!.type}: no answer`).join('; '), unanswered);
    p.push(...unanswered.map((q) => `seq ${q.seq} ${q.delegation!.type}: no answer`));
    return allOf(expected, p, reqs, `${reqs.length} requests answered`);
  },
};
