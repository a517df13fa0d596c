import { DELEGATION_API_CASES, variantsFor, type DelegationApiVariant } from '../runner/delegation-api-cases.js';
import type { TraceEvent } from '../trace/events.js';
import { fail, missing, pass, silence, type Check } from './check.js';
import { answerOf, isErrorAnswer } from './peer-identity-checks.js';
import { connectionsOf, mutualRequirementOf, outcomeOf } from './tls-checks.js';

type Judged = 'right' | 'wrong' | 'silent' | 'peer-refused' | 'not-set-up';

interface Finding {
  judged: Judged;
  end?: TraceEvent;
  said: string;
}

/**
 * How one connection ended, against what it should have been answered. The configured peer's own
 * certificate refused, in the handshake or with 403 REJECTED, is the mutual TLS rule's to judge; a
 * connection closed after the request is no answer of the profile.
 */
function findingOf(connection: TraceEvent[] | undefined, right: (e: TraceEvent) => boolean): Finding {
  const { accepted, refused } = connection ? outcomeOf(connection, 'answer') : {};
  if (accepted) {
    const said = `${answerOf(accepted)} (seq ${accepted.seq})`;
    if (right(accepted)) return { judged: 'right', end: accepted, said };
    return isErrorAnswer(accepted, 403, 'REJECTED') ? { judged: 'peer-refused', end: accepted, said: `refused: ${said}` } : { judged: 'wrong', end: accepted, said };
  }
  if (!refused) return { judged: 'silent', said: '' };
  const tls = refused.kind === 'tls-error';
  return { judged: tls ? 'peer-refused' : 'wrong', end: refused, said: `${tls ? 'refused' : 'closed without an answer'}: ${refused.reason} (seq ${refused.seq})` };
}

/** A variant at one endpoint: its setup first, when it has one, which must be answered 200 for it to be judged. */
function judgeVariant(v: DelegationApiVariant, connections: TraceEvent[][]): Finding {
  const [first, second] = connections;
  const judged = (c: TraceEvent[] | undefined) => findingOf(c, (e) => isErrorAnswer(e, v.answer.status, v.answer.code));
  if (!v.setup) return judged(first);
  const setup = findingOf(first, (e) => e.http?.status === 200);
  if (setup.judged === 'wrong') return { ...setup, judged: 'not-set-up', said: `not judged: the setup ${v.setup} ${setup.said}` };
  return setup.judged === 'right' ? judged(second) : setup;
}

/**
 * The tester's delegation API cases (NEG-DLG-*): each mutual delegation endpoint they were played against
 * answers every variant with the profile's error, its HTTP status and `Error/Code` (binding profile §2.2).
 * Any other answer is a FAIL; no answer at all is silence.
 */
export const delegationApiRefused: Check = {
  id: 'delegation-api-refused',
  title: "A mutual delegation endpoint answers an invalid or inopportune message with the profile's error",
  requirements: DELEGATION_API_CASES.map((c) => c.id),
  run(ctx, req) {
    const c = DELEGATION_API_CASES.find((x) => x.id === req.id)!;
    const answers = [...new Set(c.variants.map((v) => `${v.answer.status} ${v.answer.code}`))].join(', ');
    const expected = `every mutually authenticated delegation endpoint answers ${c.fault} with the profile's error (binding profile §2.2: HTTP ${answers}, by variant)`;
    // Each variant at each endpoint, its connections in the order they were made; judged where the endpoint's role is.
    const played = new Map<string, TraceEvent[][]>();
    for (const events of connectionsOf(ctx, req.id).filter((x) => ctx.judges(x[0].to))) {
      const key = `${events[0].to} ${events[0].link} ${events[0].probe}`;
      played.set(key, [...(played.get(key) ?? []), events]);
    }
    const findings = [...played.values()].flatMap((connections) => {
      const at = connections[0][0];
      const name = at.probe!.slice(req.id.length + 1);
      const v = variantsFor(c, at.to).find((x) => x.name === name);
      if (!v) return [];
      const f = judgeVariant(v, connections);
      return [{ ...f, at, where: `${at.to} (${at.link}), variant ${name} (${v.says})`, expect: `HTTP ${v.answer.status} ${v.answer.code}` }];
    });
    if (!findings.length) return missing(expected, 'the case was played against no endpoint');
    const only = (j: Judged) => findings.filter((x) => x.judged === j);

    const wrong = only('wrong');
    if (wrong.length) return fail(expected, wrong.map((x) => `${x.where}: ${x.said}, expected ${x.expect}`).join('; '), wrong.map((x) => x.end!));
    const peerRefused = only('peer-refused');
    if (peerRefused.length) return { ...missing(expected, `${peerRefused[0].where}: the configured peer's certificate ${peerRefused[0].said}`, peerRefused.map((x) => x.end!)), dependsOn: mutualRequirementOf(peerRefused[0].at.link) };
    const silent = only('silent');
    if (silent.length) return silence(expected, `${silent.map((x) => x.where).join('; ')}: neither refused nor answered`, silent.map((x) => x.at));
    const right = only('right');
    const notSetUp = only('not-set-up').map((x) => `${x.where}: ${x.said}`);
    if (!right.length) return missing(expected, notSetUp.join('; '));
    return pass(expected, [...right.map((x) => `${x.where}: ${x.said}`), ...notSetUp].join('; '), right.map((x) => x.end!));
  },
};
