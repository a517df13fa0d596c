import type { DelegationMessage, ErrorCode } from '../delegation/messages.js';
import type { Role } from '../model/roles.js';
import { PEER_IDENTITY_CASES, variantText, type PeerVariant } from '../runner/peer-identity-cases.js';
import { NO_CLIENT_CERTIFICATE } from '../runner/tls-server-cases.js';
import type { TraceEvent } from '../trace/events.js';
import { fail, missing, pass, silence, type Check, type JudgeContext } from './check.js';
import { connectionsOf, mutualRequirementOf, outcomeOf } from './tls-checks.js';

const delegationOf = (e: TraceEvent) => (e.body?.parsed?.codec === 'delegation' ? (e.body.parsed.value as DelegationMessage | undefined) : undefined);

/** Whether an HTTP answer is the profile's error answer: this status, an Error document with this code. */
export function isErrorAnswer(e: TraceEvent, status: number, code: ErrorCode): boolean {
  const m = delegationOf(e);
  return e.http?.status === status && m?.type === 'Error' && m.code === code;
}

/** The profile's answer to a peer that is not a configured one: HTTP 403, `Error/Code` REJECTED (binding profile §2.2). */
const isRejection = (e: TraceEvent) => isErrorAnswer(e, 403, 'REJECTED');

/** An HTTP answer as the verdict names it: status and error code, or what came instead of an Error. */
export function answerOf(e: TraceEvent): string {
  const m = delegationOf(e);
  const what = m?.type === 'Error' ? m.code : `no error code (${m ? m.type : (e.body?.parsed?.error ?? 'no delegation document')})`;
  return `HTTP ${e.http?.status} ${what}`;
}

/**
 * The requirement whose finding explains an endpoint that took a wrong certificate: it also answered,
 * other than by rejecting the peer, a connection with no certificate or with one that does not verify. It
 * checks no certificate at all, and that is judged there, once.
 */
function takesAnyCertificate(ctx: JudgeContext, at: TraceEvent): string | undefined {
  const cases: Array<[string, string]> = [
    [NO_CLIENT_CERTIFICATE, mutualRequirementOf(at.link)],
    ['NEG-TLS-CLIENT-CERT', 'NEG-TLS-CLIENT-CERT'],
  ];
  const answered = (c: TraceEvent[]) => {
    const { accepted } = outcomeOf(c, 'answer');
    return c[0].to === at.to && c[0].link === at.link && !!accepted && !isRejection(accepted);
  };
  return cases.find(([id]) => connectionsOf(ctx, id).some(answered))?.[1];
}

/**
 * The tester's peer-identity cases (NEG-DMS-PEER-*): each mutual delegation endpoint they were played
 * against refuses the harness as no configured peer, with 403 REJECTED (or, for a certificate, in the
 * handshake). Any other answer is a FAIL; no answer at all is silence.
 */
export const peerIdentityRefused: Check = {
  id: 'peer-identity-refused',
  title: 'A mutual delegation endpoint refuses a peer that is not its configured peer',
  requirements: PEER_IDENTITY_CASES.map((c) => c.id),
  run(ctx, req) {
    const c = PEER_IDENTITY_CASES.find((x) => x.id === req.id)!;
    const expected = `every mutually authenticated delegation endpoint refuses ${c.presents}: ${c.tlsRefusalPasses ? 'in the handshake, or ' : ''}with HTTP 403 REJECTED`;
    // Each connection is judged where the endpoint's role is (its first event goes to it).
    const connections = connectionsOf(ctx, req.id)
      .filter((events) => ctx.judges(events[0].to))
      .map((events) => {
        const { accepted, refused } = outcomeOf(events, 'answer');
        const end = accepted ?? refused;
        const judged = accepted
          ? isRejection(accepted) ? 'right' : 'wrong'
          : !refused ? 'silent'
          : c.tlsRefusalPasses ? 'right'
          // The configured peer's own certificate refused is the handshake rule's to judge; a connection
          // closed after the request is no answer of the profile.
          : refused.kind === 'tls-error' ? 'peer-refused' : 'wrong';
        const variant = events[0].probe!.split('/')[1] as PeerVariant;
        const what = accepted ? answerOf(accepted) : refused ? `${refused.kind === 'tls-error' ? 'refused' : 'closed without an answer'}: ${refused.reason}` : '';
        return { events, end, judged, where: `${events[0].to} (${events[0].link}), variant ${variant} (${variantText(variant, events[0].to as Role)})`, said: end ? `${what} (seq ${end.seq})` : '' };
      });
    if (!connections.length) return missing(expected, 'the case was played against no endpoint');
    const only = (j: string) => connections.filter((x) => x.judged === j);

    const wrong = only('wrong');
    const cause = (x: (typeof wrong)[number]) => (c.tlsRefusalPasses ? takesAnyCertificate(ctx, x.events[0]) : undefined);
    const unexplained = wrong.filter((x) => !cause(x));
    if (unexplained.length) return fail(expected, unexplained.map((x) => `${x.where}: ${x.said}`).join('; '), unexplained.map((x) => x.end!));
    if (wrong.length) return { ...missing(expected, `${wrong[0].where}: takes any client certificate`, wrong.map((x) => x.end!)), dependsOn: cause(wrong[0]) };
    const peerRefused = only('peer-refused');
    if (peerRefused.length) return { ...missing(expected, `${peerRefused[0].where}: the configured peer's certificate ${peerRefused[0].said}`, peerRefused.map((x) => x.end!)), dependsOn: mutualRequirementOf(peerRefused[0].events[0].link) };
    const silent = only('silent');
    if (silent.length) return silence(expected, `${silent.map((x) => x.where).join('; ')}: neither refused nor answered`, silent.flatMap((x) => x.events));
    // A refusal is cited with the handshake it ended, so the endpoint's own part is in the evidence.
    return pass(expected, connections.map((x) => `${x.where}: ${x.said}`).join('; '), connections.flatMap((x) => x.events.filter((e) => e.kind === 'tls' || e === x.end)));
  },
};
