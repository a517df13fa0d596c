/**
 * The session authentication types other than syncml:auth-md5 (DM 1.2.1 Security §5.1.3): syncml:auth-basic
 * in Cred, and syncml:auth-MAC in the x-syncml-hmac header of every message. Which type an account has is
 * read from the wire (the account DMS-2 handed over) and the client's trees, never from a mock.
 */
import { AUTH_BASIC, AUTH_MAC, verifyCred } from '../syncml/auth.js';
import { HMAC_HEADER, verifyHmac } from '../syncml/hmac.js';
import type { StatusCommand } from '../syncml/model.js';
import type { DmSession, WireMessage } from '../judge/wire.js';
import { bodyBytes } from '../trace/events.js';
import { allOf, type Check, type JudgeContext, type Outcome } from './check.js';
import { handedNonces, knownSecrets, type HandedNonce, type KnownCred } from './nonce-checks.js';

const hmacOf = (m: WireMessage) => m.event.http?.headers?.[HMAC_HEADER];
const bytesOf = (m: WireMessage) => bodyBytes(m.event);
const hdrStatus = (m: WireMessage) => m.syncml?.body.find((c): c is StatusCommand => c.kind === 'Status' && c.cmd === 'SyncHdr');

/** The sessions with a server whose account (one side's credentials, `side`) is of `type`, with those credentials. */
function sessionsOfType(ctx: JudgeContext, known: Map<string, KnownCred>, type: string): Array<{ s: DmSession; serverId: string; cred: KnownCred }> {
  const ids: Record<string, string> = { dms1: ctx.flow.facts.serverIds.dms1, dms2: ctx.flow.facts.serverIds.dms2 };
  return ctx.sessions.flatMap((s) => {
    const serverId = ids[s.server];
    const cred = serverId ? known.get(serverId) : undefined;
    return cred?.type === type ? [{ s, serverId, cred }] : [];
  });
}

const noneOfType = (who: string, type: string): Outcome => ({
  verdict: 'NOT_OBSERVABLE',
  reason: `not observable: no DM session under an account whose ${who} is ${type} in this flow`,
  evidence: [],
});

/**
 * Whether a mac verifies with the sender's secret over one of the nonces it may use: the provisioned one or
 * any the receiver handed over before. Which of them it must be is SES-NONCE-CLIENT's / SES-NONCE-SERVER's.
 */
function macVerifies(m: WireMessage, cred: KnownCred, handed: HandedNonce[], serverId: string): ReturnType<typeof verifyHmac> {
  const nonces = [...(cred.nonce ? [cred.nonce] : []), ...handed.filter((x) => x.serverId === serverId && x.seq < m.seq).map((x) => x.nonce)];
  const checks = (nonces.length ? nonces : [Buffer.alloc(0)]).map((nonce) => verifyHmac(hmacOf(m), bytesOf(m), { username: cred.name, password: cred.secret, nonce }));
  return checks.find((c) => c.ok) ?? checks.at(-1)!;
}

/** SES-HMAC-CLIENT: every client message under an HMAC CLCRED carries a MAC that verifies with the server's last nonce. */
export const hmacClient: Check = {
  id: 'hmac-client-every-message',
  title: 'The client signs every message with x-syncml-hmac over the last nonce',
  requirements: ['SES-HMAC-CLIENT'],
  run(ctx): Outcome {
    const expected = "every client message carries x-syncml-hmac (algorithm MD5, its AAuthName) whose mac verifies over the body with the account's secret, and no Cred";
    const sessions = sessionsOfType(ctx, knownSecrets(ctx).client, 'HMAC');
    if (!sessions.length) return noneOfType('CLCRED', 'HMAC');
    const { toClient } = handedNonces(ctx);
    const problems: string[] = [];
    const judged: WireMessage[] = [];
    for (const { s, serverId, cred } of sessions) {
      for (const m of s.messages.filter((x) => x.direction === 'request' && x.syncml && ctx.judges(x.event.from))) {
        judged.push(m);
        if (m.syncml!.hdr.cred) problems.push(`seq ${m.seq}: a Cred in the SyncHdr (${m.syncml!.hdr.cred.meta.type ?? 'no type'}); HMAC credentials go only in ${HMAC_HEADER}`);
        const check = macVerifies(m, cred, toClient, serverId);
        if (!check.ok) problems.push(`seq ${m.seq} to ${serverId}: ${check.reason}`);
      }
    }
    if (!judged.length) return noneOfType('CLCRED', 'HMAC');
    return allOf(expected, problems, judged, `${judged.length} client messages signed`);
  },
};

/**
 * SES-HMAC-SERVER: a server answers every HMAC-signed client message with SyncHdr Status 200 and a new nonce
 * (a Chal of type syncml:auth-MAC), and under an HMAC SRVCRED signs every message of its own.
 */
export const hmacServer: Check = {
  id: 'hmac-server-every-message',
  title: 'The server accepts each HMAC message with 200 and a new nonce, and signs its own',
  requirements: ['SES-HMAC-SERVER'],
  run(ctx): Outcome {
    const expected = 'each accepted HMAC message is answered with SyncHdr Status 200 and a Chal (syncml:auth-MAC) with a nonce not handed over before; under an HMAC SRVCRED every server message carries an x-syncml-hmac that verifies with the SRVCRED secret';
    const known = knownSecrets(ctx);
    const clientSide = sessionsOfType(ctx, known.client, 'HMAC');
    const serverSide = sessionsOfType(ctx, known.server, 'HMAC');
    if (!clientSide.length && !serverSide.length) return noneOfType('CLCRED or SRVCRED', 'HMAC');
    const { toServer } = handedNonces(ctx);
    const problems: string[] = [];
    const judged: WireMessage[] = [];
    for (const { s, serverId } of clientSide) {
      const seen = new Set<string>();
      for (const m of s.messages.filter((x) => x.direction === 'response' && x.syncml && ctx.judges(x.event.from))) {
        const st = hdrStatus(m);
        // A refusal (401/407) is NEG-DM-AUTH's subject; only the answers to accepted messages are judged here.
        if (!st || st.data === '401' || st.data === '407') continue;
        judged.push(m);
        if (st.data !== '200') problems.push(`seq ${m.seq}: ${serverId} answered an HMAC message with ${st.data}, expected 200 (212 is for Cred credentials, once a session)`);
        const next = st.chal?.nextNonce;
        if (st.chal?.type !== AUTH_MAC || !next) problems.push(`seq ${m.seq}: ${serverId}'s Status for the SyncHdr hands over no ${AUTH_MAC} NextNonce for the next message`);
        else if (seen.has(next)) problems.push(`seq ${m.seq}: ${serverId} handed over a nonce it had handed over before in the session`);
        if (next) seen.add(next);
      }
    }
    for (const { s, serverId, cred } of serverSide) {
      for (const m of s.messages.filter((x) => x.direction === 'response' && x.syncml && ctx.judges(x.event.from))) {
        judged.push(m);
        const check = macVerifies(m, cred, toServer, serverId);
        if (!check.ok) problems.push(`seq ${m.seq} from ${serverId}: ${check.reason}`);
      }
    }
    if (!judged.length) return noneOfType('CLCRED or SRVCRED', 'HMAC');
    return allOf(expected, problems, judged, `${judged.length} server messages of HMAC sessions`);
  },
};

/** SES-AUTH-BASIC: under a BASIC CLCRED, package 1 carries syncml:auth-basic b64 "AAuthName:AAuthSecret". */
export const basicClient: Check = {
  id: 'basic-client-credentials',
  title: 'The client sends syncml:auth-basic credentials of its account',
  requirements: ['SES-AUTH-BASIC'],
  run(ctx): Outcome {
    const expected = 'each package 1 to a server whose CLCRED is BASIC carries Cred syncml:auth-basic, Format b64, over "AAuthName:AAuthSecret"';
    const sessions = sessionsOfType(ctx, knownSecrets(ctx).client, 'BASIC');
    if (!sessions.length) return noneOfType('CLCRED', 'BASIC');
    const problems: string[] = [];
    const judged: WireMessage[] = [];
    for (const { s, serverId, cred } of sessions) {
      const first = s.messages.find((x) => x.direction === 'request' && x.syncml);
      if (!first || !ctx.judges(first.event.from)) continue;
      judged.push(first);
      const c = first.syncml!.hdr.cred;
      if (!c) problems.push(`seq ${first.seq}: package 1 to ${serverId} carries no Cred`);
      else if (c.meta.type !== AUTH_BASIC) problems.push(`seq ${first.seq}: package 1 to ${serverId} carries ${c.meta.type ?? 'untyped'} credentials for a BASIC account`);
      else {
        const check = verifyCred(c, { username: cred.name, password: cred.secret, type: 'BASIC' });
        if (!check.ok) problems.push(`seq ${first.seq} to ${serverId}: ${check.reason}`);
      }
    }
    if (!judged.length) return noneOfType('CLCRED', 'BASIC');
    return allOf(expected, problems, judged, `${judged.length} packages 1 with the account's basic credentials`);
  },
};
