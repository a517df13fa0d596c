import { isAclTarget, responseTo, targetsOf } from '../judge/wire.js';
import type { StepOccurrence } from '../judge/classify.js';
import type { TraceEvent } from '../trace/events.js';
import { orderedPair, stepFamily } from '../model/step-order.js';
import { allOf, fail, firstOfEachSender, missing, pass, type Check, type JudgeContext, type Outcome } from './check.js';

/** Steps that must be over before a later one starts; 8b travels with 8 (B.8 and B.8b before B.9). */
function occurrence(ctx: JudgeContext, step: string): StepOccurrence | undefined {
  const occ = stepFamily(step).map((s) => ctx.steps.get(s)).filter((o): o is StepOccurrence => !!o);
  if (!occ.length) return undefined;
  const events = occ.flatMap((o) => o.events).sort((a, b) => a.seq - b.seq);
  return { step, events, first: events[0].t, last: events.at(-1)!.t };
}

/** Happens-before between two steps: every event of `before` precedes every event of `after`. */
function happensBefore(ctx: JudgeContext, before: string, after: string): Outcome {
  const a = occurrence(ctx, before);
  const b = occurrence(ctx, after);
  const expected = `${before} complete before ${after} starts`;
  // A step that never happened is that step's failure (each step is a requirement of the same id); the
  // order between it and another is not judged twice.
  if (!b) return { ...(a ? missing(expected, `${after} not observed`, a.events.slice(-1)) : missing(expected, `neither ${before} nor ${after} observed`)), dependsOn: after };
  if (!a) return { ...missing(expected, `${after} happened (seq ${b.events[0].seq}) without ${before}`, b.events.slice(0, 1)), dependsOn: before };
  const firstB = b.events[0];
  // A role that answers the earlier step's last message and then starts the later step is observed on two
  // connections: its answer may still be in transit when its next message is recorded. The boundary is then
  // the message it answered, which it had before it could do anything after.
  const answered = a.events.at(-1)!;
  const lastA =
    answered.kind === 'response' && answered.from === firstB.from
      ? (ctx.events.find((x) => x.kind === 'request' && x.exchange === answered.exchange && x.link === answered.link) ?? answered)
      : answered;
  // The exchange on each side of the boundary, both ends of it: each role whose order this is sent one of them.
  const exchangeOf = (e: TraceEvent) => ctx.events.filter((x) => x.exchange === e.exchange && x.link === e.link && (x.kind === 'request' || x.kind === 'response'));
  return lastA.seq < firstB.seq
    ? pass(expected, `${before} ends at seq ${lastA.seq} (${lastA.t} ms), ${after} starts at seq ${firstB.seq} (${firstB.t} ms)`, [...exchangeOf(lastA), ...exchangeOf(firstB)])
    : fail(expected, `${after} started at seq ${firstB.seq} (${firstB.t} ms) before ${before} ended at seq ${lastA.seq} (${lastA.t} ms)`, [firstB, lastA]);
}

export const order: Check = {
  id: 'order',
  title: 'Happens-before between steps across links',
  requirements: [
    'ORD-TLS-BEFORE-DELEGATION', 'ORD-B.2-B.3', 'ORD-B.3-B.4', 'ORD-B.4-B.5', 'ORD-B.5-B.6', 'ORD-B.6-B.7', 'ORD-B.7-B.8', 'ORD-B.8-B.9',
    'ORD-B.9-B.10', 'ORD-B-NO-ACL-BEFORE-B.7', 'ORD-A.2-A.3', 'ORD-A.3-A.4', 'ORD-A.4-A.6', 'ORD-A.6-A.7', 'ORD-A.7-A.8', 'ORD-8B-LAST',
    'ORD-B-ORDER-BEFORE-URL',
  ],
  run(ctx, req) {
    const pair = orderedPair(req.id);
    if (pair) return happensBefore(ctx, ...pair);
    if (req.id === 'ORD-TLS-BEFORE-DELEGATION') return tlsFirst(ctx);
    if (req.id === 'ORD-B-NO-ACL-BEFORE-B.7') return noAclBefore(ctx);
    if (req.id === 'ORD-8B-LAST') return deleteLast(ctx);
    if (req.id === 'ORD-B-ORDER-BEFORE-URL') return orderBeforeUrl(ctx);
    return { verdict: 'ERROR', reason: `order has no rule for ${req.id}`, evidence: [] };
  },
};

/** Every delegation message travels on a connection where both servers were authenticated first. */
function tlsFirst(ctx: JudgeContext): Outcome {
  const msgs = ctx.messages.filter((x) => x.event.link === 'dms1-dms2' && x.direction === 'request');
  const expected = 'each DMS↔DMS message on a mutually authenticated TLS connection established before it';
  if (!msgs.length) return missing(expected, 'no DMS↔DMS message observed');
  const bad = msgs.filter((x) => {
    const t = x.event.tls;
    if (!t?.protocol) return true;
    // Seen by the receiving server: the sender's certificate must have been verified.
    return x.event.observer.side === 'server' ? !(t.peerCertificate && t.authorized) : !t.authorized;
  });
  const all = ctx.messages.filter((x) => x.event.link === 'dms1-dms2');
  const out = allOf(expected, bad.map((x) => `seq ${x.seq} on a connection without ${x.event.tls?.protocol ? 'an authenticated peer' : 'TLS'}`), bad.length ? bad : firstOfEachSender(all), `${msgs.length} messages, all on authenticated connections`);
  // The connection's own TLS failure, recorded before the message, is the root; this is what followed.
  return bad.length ? { ...out, consequence: true } : out;
}

function noAclBefore(ctx: JudgeContext): Outcome {
  const b7 = ctx.steps.get('B.7');
  const expected = "no ACL change by DMS-1 on the client before DMS-2's BootstrapComplete";
  const early = ctx.messages.filter(
    (x) => x.event.link === 'dms1-client' && x.direction === 'response' && x.syncml && targetsOf(x.syncml, 'Replace').some((t) => isAclTarget(t.target)) && (!b7 || x.seq < b7.events[0].seq),
  );
  if (!b7 && !early.length) return missing(expected, 'B.7 not observed');
  return early.length
    ? fail(expected, `ACL Replace at seq ${early.map((e) => e.seq).join(', ')}${b7 ? `, BootstrapComplete at seq ${b7.events[0].seq}` : ', no BootstrapComplete at all'}`, [...early, ...(b7 ? b7.events.slice(0, 1) : [])])
    : pass(expected, `first ACL change after seq ${b7!.events[0].seq}`, [...b7!.events, ...firstAcl(ctx, b7!.events[0].seq)]);
}

/** DMS-1's first ACL Replace after `seq`, if any. */
const firstAcl = (ctx: JudgeContext, seq: number) =>
  ctx.messages.filter((x) => x.seq > seq && x.event.link === 'dms1-client' && x.direction === 'response' && x.syncml && targetsOf(x.syncml, 'Replace').some((t) => isAclTarget(t.target))).slice(0, 1);

/** The account that authenticates the session goes last: nothing DMS-1 sends after the Delete. */
function deleteLast(ctx: JudgeContext): Outcome {
  const acct = ctx.flow.facts.dms1AccountPath;
  const expected = `Delete ${acct} is DMS-1's last command in its session`;
  for (const s of ctx.sessions.filter((x) => x.server === 'dms1')) {
    const server = s.messages.filter((m) => m.direction === 'response' && m.syncml);
    const i = server.findIndex((m) => targetsOf(m.syncml!).some((t) => t.kind === 'Delete' && t.target === acct));
    if (i < 0) continue;
    const cmds = targetsOf(server[i].syncml!);
    const after = [...cmds.slice(cmds.findIndex((t) => t.kind === 'Delete' && t.target === acct) + 1), ...server.slice(i + 1).flatMap((m) => targetsOf(m.syncml!))];
    return after.length
      ? fail(expected, `after the Delete DMS-1 sent ${after.map((t) => `${t.kind} ${t.target}`).join(', ')}`, [server[i]])
      : pass(expected, `Delete at seq ${server[i].seq}, nothing after it`, [server[i]]);
  }
  return missing(expected, `no Delete of ${acct} observed`);
}

/**
 * A stand-alone Bootstrap Server learns the device from DMS-2's BootstrapOrder, so DMS-2 must have it
 * acknowledged before DMS-2 hands the URL to DMS-1 (binding profile §3.4): otherwise the client may come first.
 */
function orderBeforeUrl(ctx: JudgeContext): Outcome {
  const { devId } = ctx.flow.facts;
  const expected = `DMS-2's BootstrapOrder for ${devId} sent to the Bootstrap Server and acknowledged before DMS-2 answers the BootstrapServerUrlRequest`;
  const url = ctx.messages.find((m) => m.event.link === 'dms1-dms2' && m.direction === 'response' && m.delegation?.type === 'BootstrapServerUrlResponse');
  const order = ctx.messages.find(
    (m) => m.event.link === 'dms2-bootstrap' && m.direction === 'request' && m.delegation?.type === 'BootstrapOrder' && m.delegation.device.devId === devId,
  );
  const answer = order && responseTo(ctx.messages, order);
  if (!url) return missing(expected, `no BootstrapServerUrlResponse observed${order ? `; BootstrapOrder at seq ${order.seq}` : ''}`, order ? [order] : []);
  if (!order) return fail(expected, `BootstrapServerUrlResponse at seq ${url.seq}, and no BootstrapOrder for ${devId} on dms2-bootstrap`, [url]);
  if (order.seq > url.seq) return fail(expected, `BootstrapOrder at seq ${order.seq}, after the BootstrapServerUrlResponse at seq ${url.seq}`, [url, order]);
  if (answer && answer.seq > url.seq) return fail(expected, `BootstrapOrder at seq ${order.seq} answered at seq ${answer.seq}, after the BootstrapServerUrlResponse at seq ${url.seq}`, [order, url, answer]);
  if (!answer) return fail(expected, `BootstrapOrder at seq ${order.seq} had no answer when DMS-2 answered with the URL at seq ${url.seq}`, [order, url]);
  // A refused order leaves the URL unserved; how the answer itself is formed is PRF-RESPONSES' concern.
  const refused = answer.delegation?.type === 'Error' ? answer.delegation : undefined;
  if (refused) return fail(expected, `the BootstrapOrder at seq ${order.seq} was refused (${refused.code}: ${refused.reason}), yet DMS-2 returned the URL at seq ${url.seq}`, [order, answer, url]);
  return pass(expected, `BootstrapOrder at seq ${order.seq} acknowledged at seq ${answer.seq}, URL returned at seq ${url.seq}`, [order, answer, url]);
}
