import { DELEGATION_LINKS } from '../model/roles.js';
import { MEDIA } from '../profile.js';
import { validateDelegation } from '../delegation/codec.js';
import { sameMediaType } from '../transport/media-type.js';
import { responseTo, type WireMessage } from '../judge/wire.js';
import { allOf, firstOfEachSender, missing, silence, type Check, type JudgeContext } from './check.js';

const dmsMessages = (ctx: JudgeContext) => ctx.messages.filter((m) => DELEGATION_LINKS.has(m.event.link) && (m.event.body?.bytes ?? 0) > 0);
/** Messages the judged roles sent (with a real implementation in the run, the mocks' are not its doing). */
const sentByJudged = (ctx: JudgeContext, ms: WireMessage[]) => ms.filter((m) => ctx.judges(m.event.from));

const SYNCML_LINKS = new Set(['dms1-client', 'dms2-client', 'client-bootstrap']);
const isServer = (r: string) => r === 'dms1' || r === 'dms2' || r === 'bootstrap';

/** The SyncML type of the encoding a body is in: what it says is what it must be typed as. */
const syncmlTypeOf = (m: WireMessage) => (m.event.body?.parsed?.encoding === 'wbxml' ? MEDIA.syncmlWbxml : MEDIA.syncml);

/**
 * The media type binding profile 1.1 §2 gives a message with a body, or undefined when it names none: the
 * answer to a Package #0 push, and an HTTP error on a SyncML link (a refusal, not a SyncML message; §7 judges
 * a refusal by the message it refuses). DMS↔DMS errors are Error documents and keep the delegation type.
 * SyncML is typed by its encoding (XML or WBXML); a server answers in the encoding it was asked in.
 */
function expectedType(m: WireMessage, requests: ReadonlyMap<string, WireMessage>): string | undefined {
  const { link, from } = m.event;
  // The recording proxy's own 502 stands for an upstream that failed: harness traffic, not the implementation's.
  if (m.direction === 'response' && m.event.http?.status === 502 && m.event.reason?.startsWith('proxy:')) return undefined;
  if (DELEGATION_LINKS.has(link)) return MEDIA.delegation;
  if (!SYNCML_LINKS.has(link)) return undefined;
  if (m.direction === 'request') return from === 'client' ? syncmlTypeOf(m) : MEDIA.notification;
  const status = m.event.http?.status ?? 200;
  if (status < 200 || status > 299) return undefined;
  const req = m.event.exchange ? requests.get(`${link} ${m.event.exchange}`) : undefined;
  // Unpaired, a server's answer can only be to the client's SyncML; the client's is to a push.
  const askedBy = req ? req.event.from : isServer(from) ? 'client' : undefined;
  if (askedBy !== 'client') return undefined;
  return req ? syncmlTypeOf(req) : syncmlTypeOf(m);
}

/** How many offending messages the actual text names before it only counts them. */
const LISTED = 6;

export const wireContentType: Check = {
  id: 'wire-content-type',
  title: "Every message is typed with its link's media type",
  requirements: ['PRF-CONTENT-TYPE'],
  run(ctx) {
    const requests = new Map(ctx.messages.filter((m) => m.direction === 'request' && m.event.exchange).map((m) => [`${m.event.link} ${m.event.exchange}`, m]));
    const judged = sentByJudged(ctx, ctx.messages)
      .filter((m) => (m.event.body?.bytes ?? 0) > 0)
      .map((m) => ({ m, want: expectedType(m, requests) }))
      .filter((x): x is { m: WireMessage; want: string } => x.want !== undefined);
    const expected = `every message typed exactly with its link's media type: ${MEDIA.delegation} on DMS↔DMS links, ${MEDIA.syncml} or ${MEDIA.syncmlWbxml} (as the body is encoded, an answer as its request) for DM sessions and the bootstrap, ${MEDIA.notification} for Package #0`;
    if (!judged.length) return missing(expected, 'no message with a body');
    const bad = judged.filter(({ m, want }) => !sameMediaType(m.event.body?.contentType, want));
    const named = bad.slice(0, LISTED).map(({ m, want }) => `seq ${m.seq} on ${m.event.link} from ${m.event.from}: ${m.event.body?.contentType || 'no content type'}, not ${want}`);
    if (bad.length > LISTED) named.push(`${bad.length - LISTED} more`);
    // A PASS cites the first message of each sender, so whichever role is judged has one of its own.
    return allOf(expected, named, bad.length ? bad.map((x) => x.m) : firstOfEachSender(judged.map((x) => x.m)), `${judged.length} messages typed as the profile says`);
  },
};

export const wireSchemaValid: Check = {
  id: 'wire-schema-valid',
  title: 'DMS↔DMS messages are valid against the profile schema',
  requirements: ['PRF-SCHEMA'],
  run(ctx) {
    const ms = sentByJudged(ctx, dmsMessages(ctx));
    if (!ms.length) return missing('every DMS↔DMS message valid', 'no DMS↔DMS message');
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
    const all = dmsMessages(ctx).filter((m) => m.delegation && m.delegation.type !== 'Error');
    const init = all.find((m) => m.delegation!.type === 'DelegationInitiationRequest');
    const ms = sentByJudged(ctx, all);
    if (!init) return missing('a DelegationInitiationRequest fixing the session id', 'none observed');
    const sid = (m: WireMessage) => (m.delegation && 'sessionId' in m.delegation ? m.delegation.sessionId : undefined);
    const expected = `every message carries SessionId ${sid(init)}`;
    if (!ms.length) return missing(expected, 'no DMS↔DMS message of the implementation');
    const bad = ms.filter((m) => sid(m) !== sid(init));
    return allOf(expected, bad.map((m) => `seq ${m.seq} ${m.delegation!.type}: ${sid(m)}`), bad.length ? bad : ms.slice(0, 1), `${ms.length} messages`);
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
    // Answers are judged where the judged role answers.
    const reqs = dmsMessages(ctx).filter((m) => m.direction === 'request' && m.delegation && ctx.judges(m.event.to));
    if (!reqs.length) return missing('each request answered by its response type or an Ack naming it', 'no request');
    const p: string[] = [];
    const unanswered: WireMessage[] = [];
    const exchanged: WireMessage[] = [];
    for (const q of reqs) {
      const r = responseTo(ctx.messages, q);
      exchanged.push(q, ...(r ? [r] : []));
      const want = ANSWER[q.delegation!.type] ?? 'Ack';
      const got = r?.delegation;
      if (!r) unanswered.push(q);
      else if (!got) p.push(`seq ${q.seq} ${q.delegation!.type}: no readable answer`);
      else if (got.type === 'Error') continue; // a refusal is judged by the step it refuses
      else if (got.type !== want || (got.type === 'Ack' && got.of !== q.delegation!.type)) p.push(`seq ${q.seq} ${q.delegation!.type} answered by ${got.type === 'Ack' ? `Ack of ${got.of}` : got.type}`);
    }
    const expected = 'each request answered by its response type or an Ack naming it';
    // An answer that never came is silence; with a wrong answer beside it, it is listed with the failure.
    if (!p.length && unanswered.length) return silence(expected, unanswered.map((q) => `seq ${q.seq} ${q.delegation!.type}: no answer`).join('; '), unanswered);
    p.push(...unanswered.map((q) => `seq ${q.seq} ${q.delegation!.type}: no answer`));
    return allOf(expected, p, exchanged, `${reqs.length} requests answered`);
  },
};
