import { verifyCred } from '../syncml/auth.js';
import { HMAC_HEADER, verifyHmac } from '../syncml/hmac.js';
import type { StatusCommand, SyncMLMessage } from '../syncml/model.js';
import { decodeNotification, SPECIAL_NONCE, verifyNotification } from '../syncml/notification.js';
import { ACL_GRAMMAR_CASE, FORGED_HEADER_CASES } from '../runner/client-session-cases.js';
import { SERVER_AUTH_CASE } from '../runner/server-auth-case.js';
import { bodyBytes, type TraceEvent } from '../trace/events.js';
import { readAccounts } from '../tree/dmacc.js';
import { DmTree } from '../tree/tree.js';
import { targetsOf } from '../judge/wire.js';
import { allOf, type Check, type JudgeContext, type Outcome } from './check.js';

/** A nonce one side handed the other in the Chal of its Status for the SyncHdr (NextNonce), where and when. */
export interface HandedNonce {
  seq: number;
  serverId: string;
  nonce: Buffer;
  /**
   * Handed in a server message under another SessionID than the request it answers, or with a MsgID the
   * session already used (the tester forges such): no message of the session, so a client may take its
   * nonce or leave it; the last nonce is the one before it, and this one is accepted too.
   */
  forged?: boolean;
}

const syncml = (e: TraceEvent) => (e.body?.parsed?.codec === 'syncml' ? (e.body.parsed.value as SyncMLMessage) : undefined);
const hdrStatus = (m: SyncMLMessage) => m.body.find((c): c is StatusCommand => c.kind === 'Status' && c.cmd === 'SyncHdr');

/** The tester's DM sessions with the client itself: they move its nonces too. */
const CLIENT_SESSION_CASES = [SERVER_AUTH_CASE, ACL_GRAMMAR_CASE, ...FORGED_HEADER_CASES.map((c) => c.id)];

/**
 * Every DM message between the client and a DM server, in wire order: the flow's and those of the tester's
 * sessions with the client. Other tester connections (NEG-DM-AUTH: the harness posing as the client) are
 * not the client's: what a server hands them is not handed to the client.
 */
function dmMessages(ctx: JudgeContext): Array<{ e: TraceEvent; m: SyncMLMessage; serverId: string }> {
  const ids: Record<string, string> = { dms1: ctx.flow.facts.serverIds.dms1, dms2: ctx.flow.facts.serverIds.dms2 };
  return [...ctx.events, ...ctx.probes.filter((e) => CLIENT_SESSION_CASES.includes(e.probe ?? ''))]
    .filter((e) => (e.kind === 'request' && e.from === 'client' && ids[e.to]) || (e.kind === 'response' && e.to === 'client' && ids[e.from]))
    .flatMap((e) => {
      const m = syncml(e);
      return m ? [{ e, m, serverId: ids[e.kind === 'request' ? e.to : e.from] }] : [];
    })
    .sort((a, b) => a.e.seq - b.e.seq);
}

/** The nonces handed to the client by each server (for the client's credentials) and to each server by the client. */
export function handedNonces(ctx: JudgeContext): { toClient: HandedNonce[]; toServer: HandedNonce[] } {
  const toClient: HandedNonce[] = [];
  const toServer: HandedNonce[] = [];
  const all = dmMessages(ctx);
  const requestOf = new Map(all.filter((x) => x.e.kind === 'request').map((x) => [`${x.e.link} ${x.e.exchange}`, x.m]));
  const seen = new Set<string>();
  for (const { e, m, serverId } of all) {
    // A server message under another SessionID than the request it answers, or with a MsgID already used in
    // the session, is no message of the session (the tester forges such).
    if (e.kind === 'response') {
      const asked = requestOf.get(`${e.link} ${e.exchange}`)?.hdr.sessionId ?? m.hdr.sessionId;
      const key = `${serverId}#${asked.toUpperCase()}#${m.hdr.msgId}`;
      const forged = asked.toUpperCase() !== m.hdr.sessionId.toUpperCase() || seen.has(key);
      seen.add(key);
      const next = hdrStatus(m)?.chal?.nextNonce;
      if (next) toClient.push({ seq: e.seq, serverId, nonce: Buffer.from(next, 'base64'), ...(forged ? { forged: true } : {}) });
      continue;
    }
    const next = hdrStatus(m)?.chal?.nextNonce;
    if (next) toServer.push({ seq: e.seq, serverId, nonce: Buffer.from(next, 'base64') });
  }
  return { toClient, toServer };
}

const lastBefore = (xs: HandedNonce[], serverId: string, seq: number) => xs.filter((x) => x.serverId === serverId && x.seq < seq && !x.forged).at(-1);

/** The nonces a client's credentials at `seq` may use: the last one handed over, and any forged one since. */
const usable = (xs: HandedNonce[], serverId: string, seq: number, last: HandedNonce) => [
  last.nonce,
  ...xs.filter((x) => x.serverId === serverId && x.forged && x.seq > last.seq && x.seq < seq).map((x) => x.nonce),
];

/** One side's credentials of an account as the harness knows them; type is the DMAcc AAuthType (DIGEST when not known). */
export interface KnownCred {
  name: string;
  secret: string;
  /** The provisioned nonce, when known. */
  nonce?: Buffer;
  type: string;
}

/** What the harness knows of each account's secrets: the config and fixture first, then the wire, then the trees. */
export function knownSecrets(ctx: JudgeContext): { client: Map<string, KnownCred>; server: Map<string, KnownCred> } {
  const client = new Map<string, KnownCred>();
  const server = new Map<string, KnownCred>();
  const learn = (serverId: string, a: Array<{ level: string; type?: string; name?: string; secret?: string; data?: string }>) => {
    const cl = a.find((x) => x.level === 'CLCRED');
    const srv = a.find((x) => x.level === 'SRVCRED');
    const known = (x: (typeof a)[number], name: string) => ({ name, secret: x.secret!, nonce: Buffer.from(x.data ?? '', 'base64'), type: x.type ?? 'DIGEST' });
    if (cl?.secret && cl.name && !client.has(serverId)) client.set(serverId, known(cl, cl.name));
    if (srv?.secret && !server.has(serverId)) server.set(serverId, known(srv, srv.name ?? serverId));
  };
  // The configured DMS-1 account is syncml:auth-md5 (its nonce is moved by the sessions, judged elsewhere).
  for (const [id, c] of Object.entries(ctx.flow.facts.serverCredentials ?? {})) server.set(id, { name: id, secret: c.secret, nonce: Buffer.from(c.nonce, 'base64'), type: 'DIGEST' });
  for (const [id, c] of Object.entries(ctx.flow.facts.clientCredentials ?? {})) client.set(id, { ...c, type: 'DIGEST' });
  for (const m of ctx.messages) if (m.delegation?.type === 'AccountResponse') learn(m.delegation.account.serverId, m.delegation.account.appAuth);
  // Approach B: the account as the bootstrap provisioned it, before any session moved its nonces.
  for (const { account } of bootstrappedAccounts(ctx)) learn(account.serverId, account.appAuth);
  for (const t of [ctx.initial, ctx.final]) for (const { account } of readAccounts(t, ctx.flow.facts.treeLayout.dmAccRoot)) learn(account.serverId, account.appAuth);
  return { client, server };
}

/** The accounts the bootstrap messages to the client provision (their Adds laid out as a tree). */
function bootstrappedAccounts(ctx: JudgeContext): ReturnType<typeof readAccounts> {
  const tree = new DmTree();
  for (const m of ctx.messages) {
    if (m.event.link !== 'client-bootstrap' || m.direction !== 'response' || !m.syncml) continue;
    for (const t of targetsOf(m.syncml)) {
      if (t.kind !== 'Add' && t.kind !== 'Replace') continue;
      try {
        tree.setNode(t.target, { format: t.format ?? 'chr', ...(t.data !== undefined ? { value: t.data } : {}) });
      } catch {
        // A bootstrap that does not lay out as a tree is judged by B.5; nothing is learnt from it here.
      }
    }
  }
  return readAccounts(tree, ctx.flow.facts.treeLayout.dmAccRoot);
}

/** The nonces a Package #0 from `serverId` sent at `seq` may verify with: the provisioned one, any the client handed over before, the special one. */
export function pkg0Nonces(provisioned: Buffer | undefined, serverId: string, seq: number, toServer: HandedNonce[]): Buffer[] {
  return [...(provisioned ? [provisioned] : []), ...toServer.filter((x) => x.serverId === serverId && x.seq < seq).map((x) => x.nonce), SPECIAL_NONCE];
}

/**
 * For a message signed in x-syncml-hmac: true when its mac verifies with an older nonce but not the last one,
 * false when with the last one; undefined when with none (a wrong secret, SES-HMAC-CLIENT's or -SERVER's).
 */
function staleMac(e: TraceEvent, mac: string, cred: KnownCred, handed: HandedNonce[], serverId: string, last: HandedNonce): boolean | undefined {
  const bytes = bodyBytes(e);
  const verifies = (nonce: Buffer) => verifyHmac(mac, bytes, { username: cred.name, password: cred.secret, nonce }).ok;
  if (usable(handed, serverId, e.seq, last).some(verifies)) return false;
  const older = [...(cred.nonce ? [cred.nonce] : []), ...handed.filter((x) => x.serverId === serverId && x.seq < last.seq).map((x) => x.nonce)];
  return older.some(verifies) ? true : undefined;
}

const NONE_HANDED = (who: string): Outcome => ({ verdict: 'NOT_OBSERVABLE', reason: `not observable: ${who} handed over no NextNonce before later credentials, so which nonce is the last cannot be judged`, evidence: [] });

/**
 * SES-NONCE-CLIENT: the client's MD5 credentials use the last nonce its server gave it (NextNonce with a 212
 * or a challenge), in later sessions as after a challenge in the same one.
 */
export const nonceClientFollows: Check = {
  id: 'nonce-client-follows',
  title: 'The client uses the last nonce its server gave it',
  requirements: ['SES-NONCE-CLIENT'],
  run(ctx): Outcome {
    const expected = "the client's credentials (an MD5 digest, or the x-syncml-hmac mac of an HMAC account) are computed over the last nonce the server handed it";
    const { toClient } = handedNonces(ctx);
    const secrets = knownSecrets(ctx).client;
    const problems: string[] = [];
    const judged: TraceEvent[] = [];
    for (const { e, m, serverId } of dmMessages(ctx)) {
      const cred = m.hdr.cred;
      const secret = secrets.get(serverId);
      const last = lastBefore(toClient, serverId, e.seq);
      const mac = e.http?.headers?.[HMAC_HEADER];
      if (e.kind !== 'request' || !ctx.judges(e.from) || !secret || !last) continue;
      if (mac) {
        const stale = staleMac(e, mac, secret, toClient, serverId, last);
        if (stale !== undefined) judged.push(e);
        if (stale) problems.push(`seq ${e.seq}: the x-syncml-hmac mac to ${serverId} is not computed with the nonce it handed over at seq ${last.seq}`);
        continue;
      }
      if (!cred || cred.meta?.type !== 'syncml:auth-md5') continue;
      judged.push(e);
      if (!usable(toClient, serverId, e.seq, last).some((nonce) => verifyCred(cred, { username: secret.name, password: secret.secret, nonce }).ok)) {
        problems.push(`seq ${e.seq}: credentials to ${serverId} are not signed with the nonce it handed over at seq ${last.seq}`);
      }
    }
    if (!judged.length) return NONE_HANDED('the server');
    return allOf(expected, problems, judged, `${judged.length} credentials signed with the last nonce handed over`);
  },
};

/**
 * SES-NONCE-SERVER: a server's credentials to the client and its Package #0 use the last nonce the client
 * gave it; the special nonce only right after a Package #0 the client refused.
 */
export const nonceServerFollows: Check = {
  id: 'nonce-server-follows',
  title: 'A DM server uses the last nonce the client gave it',
  requirements: ['SES-NONCE-SERVER'],
  run(ctx): Outcome {
    const expected = "the server's credentials (an MD5 digest, or the x-syncml-hmac mac of an HMAC account) and Package #0 digests are computed over the last nonce the client handed it";
    const { toServer } = handedNonces(ctx);
    const secrets = knownSecrets(ctx).server;
    const problems: string[] = [];
    const judged: TraceEvent[] = [];
    for (const { e, m, serverId } of dmMessages(ctx)) {
      const cred = m.hdr.cred;
      const secret = secrets.get(serverId);
      const last = lastBefore(toServer, serverId, e.seq);
      // NEG-DM-SERVER-AUTH signs the harness server's credentials with a wrong secret on purpose.
      if (e.kind !== 'response' || !ctx.judges(e.from) || e.probe === SERVER_AUTH_CASE || !secret || !last) continue;
      const mac = e.http?.headers?.[HMAC_HEADER];
      if (mac) {
        const stale = staleMac(e, mac, secret, toServer, serverId, last);
        if (stale !== undefined) judged.push(e);
        if (stale) problems.push(`seq ${e.seq}: ${serverId}'s x-syncml-hmac mac is not computed with the nonce the client handed it at seq ${last.seq}`);
        continue;
      }
      if (!cred || cred.meta?.type !== 'syncml:auth-md5') continue;
      judged.push(e);
      if (!verifyCred(cred, { username: serverId, password: secret.secret, nonce: last.nonce }).ok) {
        problems.push(`seq ${e.seq}: ${serverId}'s credentials are not signed with the nonce the client handed it at seq ${last.seq}`);
      }
    }
    const pushes = ctx.messages.filter((x) => x.notification && x.direction === 'request' && ctx.judges(x.event.from));
    pushes.forEach((p, i) => {
      const serverId = p.notification!.serverId;
      const secret = secrets.get(serverId);
      const last = lastBefore(toServer, serverId, p.seq);
      if (!secret || !last) return;
      judged.push(p.event);
      const decoded = decodeNotification(Buffer.from(p.event.body!.raw, 'base64'));
      if (verifyNotification(decoded, { password: secret.secret, nonce: last.nonce })) return;
      // A resynchronisation: the special nonce right after a push the client refused as not verifying.
      const before = pushes[i - 1];
      const refused = before && ctx.messages.find((r) => r.direction === 'response' && r.event.exchange === before.event.exchange)?.event.http?.status === 401;
      if (refused && verifyNotification(decoded, { password: secret.secret, nonce: SPECIAL_NONCE })) return;
      problems.push(`seq ${p.seq}: the Package #0 from ${serverId} is not signed with the nonce the client handed it at seq ${last.seq}`);
    });
    if (!judged.length) return NONE_HANDED('the client');
    return allOf(expected, problems, judged, `${judged.length} credentials and Package #0 digests signed with the last nonce handed over`);
  },
};
