import type { TraceEvent } from '../trace/events.js';
import { PKG0_DIGEST_CASE, sessionOpened } from '../runner/pkg0-digest-case.js';
import { AS_CLIENT, endedOnHostileEndpoint, TLS_CLIENT_CASES } from '../runner/tls-client-cases.js';
import type { LinkId, Role } from '../model/roles.js';
import { fail, pass, silence, type Check, type JudgeContext, type Outcome } from './check.js';

/** The tester's notes that it played a case (`id` or `id/<variant>`) against a role, one per attempt. */
const attemptsOf = (ctx: JudgeContext, id: string) =>
  ctx.probes.filter((e) => e.kind === 'note' && e.note?.startsWith('tester: ') && !e.reason && (e.probe === id || e.probe?.startsWith(`${id}/`)) && ctx.judges(e.to));


/**
 * The tester's cases against a role as TLS client (NEG-TLS-SERVER-*): at every harness endpoint that posed
 * as a hostile server, the role aborted the handshake. A completed handshake or a request is acceptance;
 * no connection at all is silence.
 */
export const tlsClientCaseRefused: Check = {
  id: 'tls-client-case-refused',
  title: 'A TLS client aborts the handshake with a server it must not trust',
  requirements: TLS_CLIENT_CASES.map((c) => c.id),
  run(ctx, req): Outcome {
    const c = TLS_CLIENT_CASES.find((x) => x.id === req.id)!;
    const expected = `the implementation, as TLS client, aborts the handshake with a server that offers ${c.offers}, and sends nothing`;
    const attempts = attemptsOf(ctx, req.id).map((note) => {
      const ended = ctx.probes.filter(endedOnHostileEndpoint({ role: note.to as Role, link: note.link as LinkId }, note.probe!));
      return { note, accepted: ended.find((e) => e.kind === 'request'), refused: ended.find((e) => e.kind !== 'request') };
    });
    // With every role it would connect to real, the harness has no endpoint to pose at (NEG-TLS-V11 keeps its server half).
    if (!attempts.length) return { verdict: 'NOT_OBSERVABLE', reason: 'no role under test connects to a harness endpoint in this role assignment', evidence: [] };
    const variant = (e: TraceEvent) => (e.probe?.endsWith(`/${AS_CLIENT}`) ? ` offering ${c.offers}` : ` presenting a certificate ${e.probe?.split('/')[1]}`);
    const accepted = attempts.filter((a) => a.accepted);
    if (accepted.length) {
      return fail(
        expected,
        accepted.map((a) => `${a.note.to} (${a.note.link}) sent a request to a server${variant(a.note)} (seq ${a.accepted!.seq})`).join('; '),
        accepted.map((a) => a.accepted!),
      );
    }
    const silent = attempts.filter((a) => !a.refused);
    if (silent.length) return silence(expected, `${silent.map((a) => `${a.note.to} (${a.note.link}) never connected${variant(a.note)}`).join('; ')}`, silent.map((a) => a.note));
    return pass(expected, `${attempts.length} handshake(s) aborted: ${[...new Set(attempts.map((a) => `${a.note.to} ${a.note.link}`))].join(', ')} (${attempts[0].refused!.reason})`, attempts.map((a) => a.refused!));
  },
};

/**
 * A Package #0 whose digest verifies with no nonce opens no session (NEG-PKG0-DIGEST). Silence is the pass
 * here, for as long as the tester watched; a Package #0 that could not be handed over judges nothing.
 */
export const pkg0DigestRefused: Check = {
  id: 'pkg0-digest-refused',
  title: 'A DM client opens no session for a Package #0 whose digest does not verify',
  requirements: [PKG0_DIGEST_CASE],
  run(ctx): Outcome {
    const expected = 'after a Package #0 whose digest verifies with neither the current nonce nor 0x00000000, the client opens no session';
    const evs = ctx.probes.filter((e) => e.probe === PKG0_DIGEST_CASE);
    if (!attemptsOf(ctx, PKG0_DIGEST_CASE).length) return { verdict: 'NOT_OBSERVABLE', reason: 'no harness DM server holds an account on the client in this role assignment', evidence: [] };
    const opened = evs.find(sessionOpened);
    if (opened) return fail(expected, `the client opened a session with DMS-1 (seq ${opened.seq})`, [opened]);
    const watched = evs.find((e) => e.kind === 'note' && e.reason === 'WATCHED');
    const push = evs.filter((e) => e.link === 'dms1-client' && e.to === 'client' || (e.kind === 'response' && e.from === 'client'));
    if (!watched) return silence(expected, evs.find((e) => e.reason === 'NOT_DELIVERED')?.note ?? 'the Package #0 was never handed over', evs);
    const answer = push.find((e) => e.kind === 'response');
    return pass(expected, `no session: ${watched.note!.replace(/^.*watched for a session: /, '')}${answer ? `; the push was answered HTTP ${answer.http?.status}` : ''}`, [...push, watched]);
  },
};
