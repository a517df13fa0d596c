import type { StatusCommand } from '../syncml/model.js';
import type { TraceEvent } from '../trace/events.js';
import { opensSession } from '../judge/wire.js';
import { clientPackages, SERVER_AUTH_CASE, syncmlOf } from '../runner/server-auth-case.js';
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

/** A case a harness DM server plays against the client and then watches: its events and how the watch went. */
export function watchedCase(ctx: JudgeContext, id: string) {
  const evs = ctx.probes.filter((e) => e.probe === id);
  const note = (reason: string) => evs.find((e) => e.kind === 'note' && e.reason === reason);
  return { evs, played: attemptsOf(ctx, id).length > 0, watched: note('WATCHED'), undelivered: note('NOT_DELIVERED') };
}

const NO_HARNESS_SERVER: Outcome = { verdict: 'NOT_OBSERVABLE', reason: 'no harness DM server holds an account on the client in this role assignment', evidence: [] };

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
    const { evs, played, watched, undelivered } = watchedCase(ctx, PKG0_DIGEST_CASE);
    if (!played) return NO_HARNESS_SERVER;
    const opened = evs.find(sessionOpened);
    if (opened) return fail(expected, `the client opened a session with DMS-1 (seq ${opened.seq})`, [opened]);
    const push = evs.filter((e) => (e.link === 'dms1-client' && e.to === 'client') || (e.kind === 'response' && e.from === 'client'));
    if (!watched) return silence(expected, undelivered?.note ?? 'the Package #0 was never handed over', evs);
    const answer = push.find((e) => e.kind === 'response');
    return pass(expected, `no session: ${watched.note!.replace(/^.*watched for a session: /, '')}${answer ? `; the push was answered HTTP ${answer.http?.status}` : ''}`, [...push, watched]);
  },
};

/**
 * A client that authenticates its server by SyncML credentials runs nothing for a server whose credentials do
 * not verify (NEG-DM-SERVER-AUTH): its package 3 answers the SyncHdr with 401 and executes nothing, or it
 * sends no package 3 at all (silence is the pass, for as long as the tester watched).
 */
export const serverAuthRefused: Check = {
  id: 'server-auth-refused',
  title: "A DM client runs nothing for a server whose credentials do not verify",
  requirements: [SERVER_AUTH_CASE],
  run(ctx): Outcome {
    const expected = "after a package 2 whose server credentials do not verify, the client answers the SyncHdr with 401 and executes none of its commands, or ends the session";
    const { evs, played, watched, undelivered } = watchedCase(ctx, SERVER_AUTH_CASE);
    if (!played) return NO_HARNESS_SERVER;
    const packages = clientPackages(evs);
    if (!packages.length) return silence(expected, undelivered?.note ?? 'the client opened no session for the Package #0', evs);
    // Package 1 again (after a challenge) opens the session anew; package 3 is the first that does not.
    const later = packages.filter((p) => syncmlOf(p).hdr.msgId !== '1' && !opensSession(syncmlOf(p)));
    if (!later.length) return watched ? pass(expected, `the client ended the session after package 2 (${watched.note!.replace(/^.*watched for package 3: /, '')})`, [...packages, watched]) : silence(expected, 'the tester did not finish watching', packages);
    const p3 = syncmlOf(later[0]);
    const hdr = p3.body.find((c): c is StatusCommand => c.kind === 'Status' && c.cmd === 'SyncHdr');
    const ran = p3.body.some((c) => c.kind === 'Results' || (c.kind === 'Status' && c.cmd === 'Get' && c.data === '200'));
    if (ran) return fail(expected, `the client ran the Get of a server whose credentials do not verify (seq ${later[0].seq}${hdr ? `, SyncHdr Status ${hdr.data}` : ''})`, [later[0]]);
    if (hdr?.data === '401') return pass(expected, `the client refused the server's credentials: SyncHdr Status 401, nothing executed (seq ${later[0].seq})`, [...packages]);
    return fail(expected, `the client went on without refusing the server's credentials: SyncHdr Status ${hdr?.data ?? 'missing'} (seq ${later[0].seq})`, [later[0]]);
  },
};
