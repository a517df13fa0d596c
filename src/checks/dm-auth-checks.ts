import { wireMessages } from '../judge/wire.js';
import { linkBetween } from '../model/roles.js';
import { DM_AUTH_CASE, DM_AUTH_VARIANTS } from '../runner/dm-auth-cases.js';
import { AUTH_BASIC } from '../syncml/auth.js';
import { STATUS } from '../syncml/codes.js';
import type { StatusCommand } from '../syncml/model.js';
import type { TraceEvent } from '../trace/events.js';
import { fail, missing, pass, silence, type Check, type JudgeContext, type Outcome } from './check.js';
import { connectionsOf, outcomeOf } from './tls-checks.js';

const ACCEPTED = new Set<string>([STATUS.AUTH_ACCEPTED, STATUS.OK]);
const CHALLENGES = new Set<string>([STATUS.UNAUTHORIZED, STATUS.MISSING_CREDENTIALS]);

/** How one tester connection ended, in words naming the server, the variant and the seq. */
interface Finding {
  kind: 'accepted' | 'wrong-refusal' | 'not-syncml' | 'challenged' | 'silent' | 'unreached';
  server: string;
  what: string;
  cite: TraceEvent[];
}

function findingOf(events: TraceEvent[]): Finding {
  const server = events[0].to;
  const variant = events[0].probe!.slice(DM_AUTH_CASE.length + 1);
  const who = `${server} (${variant}: ${DM_AUTH_VARIANTS.find((v) => v.id === variant)?.offers ?? 'unknown variant'})`;
  const found = (kind: Finding['kind'], what: string, cite: TraceEvent[]): Finding => ({ kind, server, what, cite });
  const { accepted: answer, refused } = outcomeOf(events, 'answer');
  if (refused?.kind === 'tls-error') return found('unreached', `${who}: the TLS connection failed (seq ${refused.seq}: ${refused.reason})`, [refused]);
  if (refused) return found('wrong-refusal', `${who} closed the connection without an answer (seq ${refused.seq}): no SyncML challenge`, [refused]);
  if (!answer) return found('silent', who, events);
  const at = `(seq ${answer.seq})`;
  const m = wireMessages([answer])[0].syncml;
  if (!m) return found('not-syncml', `${who} answered HTTP ${answer.http?.status} with no SyncML message ${at}: no SyncHdr Status 401/407 with Chal`, [answer]);
  const hdr = m.body.find((c): c is StatusCommand => c.kind === 'Status' && c.cmd === 'SyncHdr');
  if (!hdr) return found('wrong-refusal', `${who} answered with no Status for the SyncHdr ${at}`, [answer]);
  if (ACCEPTED.has(hdr.data)) return found('accepted', `${who} authenticated the session: SyncHdr Status ${hdr.data} ${at}`, [answer]);
  if (!CHALLENGES.has(hdr.data)) return found('wrong-refusal', `${who} refused with SyncHdr Status ${hdr.data}, not a challenge (401/407 with Chal) ${at}`, [answer]);
  // A digest challenge must say which nonce to use; syncml:auth-basic needs none.
  const commands = m.body.filter((c) => c.kind !== 'Status').map((c) => c.kind);
  const lacks = [
    !hdr.chal && 'no Chal',
    hdr.chal && hdr.chal.type !== AUTH_BASIC && !hdr.chal.nextNonce && `a Chal (${hdr.chal.type ?? 'no Type'}) without NextNonce`,
    commands.length && `commands (${commands.join(', ')}) for a client it did not authenticate`,
  ].filter((x): x is string => !!x);
  if (lacks.length) return found('wrong-refusal', `${who} answered ${hdr.data} with ${lacks.join(' and ')} ${at}`, [answer]);
  return found('challenged', `${who} ${hdr.data} + Chal ${hdr.chal!.type ?? ''}${hdr.chal!.nextNonce ? ' with NextNonce' : ''} ${at}`, [answer]);
}

/**
 * The server answered a package 1 of the flow's own client with no SyncML either: it serves no DM session at
 * all, which that session's step judges (an HTTP refusal is judged by the requirement about the message).
 */
const servesNoSession = (ctx: JudgeContext, server: string) =>
  ctx.messages.some((m) => m.direction === 'response' && m.event.from === server && m.event.link === linkBetween(server as 'dms1' | 'dms2', 'client') && !m.syncml && (m.event.http?.status ?? 0) >= 400);

/**
 * NEG-DM-AUTH: a DM server's DM endpoint, sent package 1 by a client that authenticates wrongly, must not
 * authenticate the session and must challenge it. Judged from the tester's connections; the flow's own
 * traffic only tells whether a refusal without SyncML is the server's answer to every package 1.
 */
export const dmAuthRefused: Check = {
  id: 'dm-auth-refused',
  title: 'A DM server challenges a client that authenticates wrongly, and does not authenticate it',
  requirements: [DM_AUTH_CASE],
  run(ctx): Outcome {
    const expected =
      'each DM endpoint answers package 1 without Cred, with a wrong digest or over a stale nonce with a SyncHdr Status 401/407 carrying Chal (with NextNonce for a digest) and nothing but Status, never 212/200';
    const found = connectionsOf(ctx, DM_AUTH_CASE).filter((c) => ctx.judges(c[0].to)).map(findingOf);
    const of = (...kinds: Finding['kind'][]) => found.filter((f) => kinds.includes(f.kind));
    const say = (fs: Finding[]) => fs.map((f) => f.what).join('; ');
    const cite = (fs: Finding[]) => fs.flatMap((f) => f.cite);
    if (!found.length) return missing(expected, 'the case was played against no DM endpoint');
    const explained = of('not-syncml').filter((f) => servesNoSession(ctx, f.server));
    // Accepting comes first: it is the fault the case is about.
    const wrong = [...of('accepted'), ...of('wrong-refusal'), ...of('not-syncml').filter((f) => !explained.includes(f))];
    if (wrong.length) return fail(expected, say(wrong), cite(wrong));
    if (of('silent').length) return silence(expected, `no answer within the budget: ${say(of('silent'))}`, cite(of('silent')));
    // The DM layer was never reached: the TLS rules judge that connection.
    if (of('unreached').length) return { ...missing(expected, say(of('unreached')), cite(of('unreached'))), dependsOn: 'TLS-CLIENT-SERVER' };
    // Missing, so BLOCKED behind the flow's step that found the same refusal.
    if (explained.length) return missing(expected, `${say(explained)}; the flow's own package 1 got no SyncML answer either`, cite(explained));
    return pass(expected, `${found.length} refused with a challenge: ${say(found)}`, cite(found));
  },
};
