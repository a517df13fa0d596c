import { TREE } from '../profile.js';
import { AUTH_BASIC } from '../syncml/auth.js';
import { HMAC_HEADER } from '../syncml/hmac.js';
import { decodeNotification, verifyNotification } from '../syncml/notification.js';
import type { StatusCommand } from '../syncml/model.js';
import { aclGrants, type AclCommand } from '../tree/acl.js';
import { acceptance, answersIn, commandsOf, isAclTarget, responseFor, responseTo, type DmSession, type WireMessage } from '../judge/wire.js';
import { aclRead, allOf, missing, type Check, type JudgeContext, type Outcome } from './check.js';
import { handedNonces, knownSecrets, pkg0Nonces } from './nonce-checks.js';

const clientMsgs = (s: DmSession) => s.messages.filter((m) => m.direction === 'request' && m.syncml);
const serverMsgs = (s: DmSession) => s.messages.filter((m) => m.direction === 'response' && m.syncml);

/**
 * Runs `rule` on every DM session that has what the rule needs (`judgeable`: e.g. a SyncML answer from the
 * server; a server that never answered is silence, not a wrong answer); none at all is missing evidence.
 */
function everySession(ctx: JudgeContext, expected: string, rule: (s: DmSession) => string[], judgeable: (s: DmSession) => boolean = () => true): Outcome {
  const sessions = ctx.sessions.filter(judgeable);
  if (!sessions.length) return missing(expected, ctx.sessions.length ? `${ctx.sessions.length} DM sessions, none answered by the server` : 'no DM session observed', ctx.sessions.flatMap((s) => s.messages.slice(0, 1)));
  const problems: string[] = [];
  const evidence: WireMessage[] = [];
  for (const s of sessions) {
    const p = rule(s);
    if (p.length) evidence.push(...s.messages.slice(0, 2));
    problems.push(...p.map((x) => `${s.link} session ${s.sessionId}: ${x}`));
  }
  // A PASS cites each session's opening exchange: the client's package 1 and the server's answer.
  return allOf(expected, problems, evidence.length ? evidence : sessions.flatMap((s) => s.messages.slice(0, 2)), `${sessions.length} sessions`);
}

export const sessionPkg1Alert: Check = {
  id: 'session-pkg1-alert',
  title: 'Package 1 carries Alert 1200 (after Package #0) or 1201',
  requirements: ['SES-PKG1-ALERT'],
  run: (ctx) =>
    everySession(ctx, 'package 1 holds Alert 1200 when answering Package #0, 1201 when client-initiated', (s) => {
      const first = clientMsgs(s)[0]?.syncml;
      const alert = first?.body.find((c) => c.kind === 'Alert');
      const want = s.pkg0 ? '1200' : '1201';
      return alert && 'data' in alert && alert.data === want ? [] : [`package 1 alert ${alert && 'data' in alert ? alert.data : 'missing'}, expected ${want}`];
    }),
};

export const sessionPkg1DevInfo: Check = {
  id: 'session-pkg1-devinfo',
  title: 'Package 1 carries DevInfo',
  requirements: ['SES-PKG1-DEVINFO'],
  run: (ctx) =>
    everySession(ctx, 'package 1 holds a Replace with ./DevInfo/DevId, Man, Mod, DmV, Lang', (s) => {
      const first = clientMsgs(s)[0]?.syncml;
      const uris = new Set((first?.body ?? []).flatMap((c) => (c.kind === 'Replace' ? c.items.map((i) => i.source ?? i.target) : [])));
      return ['DevId', 'Man', 'Mod', 'DmV', 'Lang'].filter((k) => !uris.has(`./DevInfo/${k}`)).map((k) => `no ./DevInfo/${k} in package 1`);
    }),
};

export const sessionIdKept: Check = {
  id: 'session-id-kept',
  title: 'SessionID kept, and equal to the Package #0 session id',
  requirements: ['SES-SESSIONID'],
  run: (ctx) =>
    everySession(ctx, 'every message of a session carries its SessionID; after Package #0 it is that id in hex', (s) => {
      const p: string[] = [];
      const want = s.pkg0?.notification!.sessionId.toString(16).toUpperCase();
      if (want !== undefined && s.sessionId.toUpperCase() !== want) p.push(`Package #0 (seq ${s.pkg0!.seq}) for session ${want} answered with SessionID ${s.sessionId} (seq ${s.messages[0].seq})`);
      for (const req of clientMsgs(s)) {
        if (req.syncml!.hdr.sessionId !== s.sessionId) p.push(`the client changed SessionID from ${s.sessionId} to ${req.syncml!.hdr.sessionId} at seq ${req.seq}`);
        const res = responseTo(ctx.messages, req);
        const got = res?.syncml?.hdr.sessionId;
        if (got !== undefined && got !== req.syncml!.hdr.sessionId) p.push(`server answered session ${req.syncml!.hdr.sessionId} with SessionID ${got}`);
      }
      return p;
    }),
};

export const sessionMsgId: Check = {
  id: 'session-msgid',
  title: 'MsgID starts at 1 and increases by one',
  requirements: ['SES-MSGID'],
  run: (ctx) =>
    everySession(ctx, 'each side numbers its messages 1, 2, 3 … in a session', (s) => {
      const p: string[] = [];
      for (const [who, list] of [['client', clientMsgs(s)], ['server', serverMsgs(s)]] as const) {
        const ids = list.map((m) => m.syncml!.hdr.msgId);
        // A client that answers a challenge restarts package 1; its numbering still goes on.
        if (ids.some((id, i) => id !== String(i + 1))) p.push(`${who} MsgIDs ${ids.join(',')}`);
      }
      return p;
    }),
};

export const sessionStatus: Check = {
  id: 'session-status-every-command',
  title: 'Status for the SyncHdr first and for every command received',
  requirements: ['SES-STATUS'],
  run: (ctx) =>
    everySession(ctx, 'each answer starts with the Status for the SyncHdr and has one Status per command received', (s) => {
      const p: string[] = [];
      const ordered = [...s.messages].sort((a, b) => a.seq - b.seq).filter((m) => m.syncml);
      ordered.forEach((m, i) => {
        const next = ordered.slice(i + 1).find((x) => x.direction !== m.direction);
        if (!next) return;
        const cmds = commandsOf(m.syncml!).filter((c) => c.kind !== 'Status' && c.kind !== 'Results' && c.kind !== 'Atomic' && c.kind !== 'Sequence');
        if (!cmds.length && m.direction === 'response') return;
        const statuses = next.syncml!.body.filter((c): c is StatusCommand => c.kind === 'Status');
        if (statuses[0]?.cmd !== 'SyncHdr' || statuses[0].msgRef !== m.syncml!.hdr.msgId) p.push(`seq ${next.seq} does not start with the Status for SyncHdr of message ${m.syncml!.hdr.msgId}`);
        // A challenge (401/407) refuses the whole message: its commands were not processed. The server's
        // makes the client send package 1 again; the client's makes the server send its credentials again.
        if (['401', '407'].includes(statuses[0]?.data ?? '')) return;
        // The Status of each command may come in any message of the answering package.
        const answers = answersIn(s, m);
        for (const c of cmds) {
          if (!responseFor(answers, m, c.cmdId)) p.push(`seq ${next.seq}: no Status for ${c.kind} CmdID ${c.cmdId} of message ${m.syncml!.hdr.msgId}`);
        }
      });
      return p;
    }),
};

export const sessionCredentials: Check = {
  id: 'session-credentials',
  title: 'The client authenticates and the server accepts (212, or 200 per HMAC message)',
  requirements: ['SES-CRED'],
  run(ctx) {
    // Refused HMAC or basic credentials are judged by the rule of their type (SES-HMAC-CLIENT, SES-AUTH-BASIC):
    // here they are a consequence, not a second failure.
    let ownFault = false;
    const out = everySession(ctx, 'package 1 carries syncml:auth-md5 or auth-basic credentials and the server answers the SyncHdr with 212; or every message carries x-syncml-hmac and the server answers it with 200', (s) => {
      // An HMAC account signs every message in a transport header and is accepted message by message.
      const hmac = clientMsgs(s).some((m) => m.event.http?.headers?.[HMAC_HEADER]);
      const basic = clientMsgs(s).some((m) => m.syncml!.hdr.cred?.meta.type === AUTH_BASIC);
      if (!hmac && !clientMsgs(s).some((m) => m.syncml!.hdr.cred)) {
        ownFault = true;
        return ['the client sent no credentials'];
      }
      if (acceptance(s)) return [];
      ownFault ||= !hmac && !basic;
      return [hmac ? 'the server never accepted the HMAC-signed messages (no 200 for the SyncHdr)' : 'the server never accepted the credentials (no 212)'];
    }, (s) => serverMsgs(s).length > 0);
    return out.verdict === 'FAIL' && !ownFault ? { ...out, consequence: true } : out;
  },
};

export const sessionPkg0Digest: Check = {
  id: 'session-pkg0-digest',
  title: 'Package #0 digests verify',
  requirements: ['SES-PKG0-DIGEST'],
  run(ctx) {
    const pushes = ctx.messages.filter((m) => m.notification && m.direction === 'request');
    const expected = "each Package #0 digest verifies with the sending server's SRVCRED";
    if (!pushes.length) return missing(expected, 'no Package #0 observed');
    const secrets = knownSecrets(ctx).server;
    const { toServer } = handedNonces(ctx);
    const problems: string[] = [];
    for (const p of pushes) {
      const n = p.notification!;
      const secret = secrets.get(n.serverId);
      if (!secret) {
        problems.push(`seq ${p.seq}: no credentials known for ${n.serverId}`);
        continue;
      }
      // The secret is what this rule judges; which nonce is SES-NONCE-SERVER's.
      const decoded = decodeNotification(Buffer.from(p.event.body!.raw, 'base64'));
      const ok = pkg0Nonces(secret.nonce, n.serverId, p.seq, toServer).some((nonce) => verifyNotification(decoded, { password: secret.secret, nonce }));
      if (!ok) problems.push(`seq ${p.seq}: digest of Package #0 from ${n.serverId} does not verify`);
    }
    return allOf(expected, problems, pushes, `${pushes.length} Package #0 digests verified`);
  },
};

/**
 * Commands sent without the right must be answered 425, and change nothing; judged against the tree as it
 * stood then. A Get of the same node later in the session (the probe reads back what it tried) shows
 * whether anything changed: an added node is not there, a deleted one still is, a replaced value is as before.
 */
export const sessionAcl425: Check = {
  id: 'session-acl-425',
  title: 'Operations without the ACL right get 425 and change nothing',
  requirements: ['SES-ACL-425'],
  run(ctx) {
    const expected = 'a command the server has no ACL right for is refused with 425 and changes nothing';
    const cases: string[] = [];
    const problems: string[] = [];
    const evidence: WireMessage[] = [];
    const serverIdOf: Record<string, string> = { dms1: ctx.flow.facts.serverIds.dms1, dms2: ctx.flow.facts.serverIds.dms2 };
    // A right is judged only where both trees were read along the whole path: an ACL never read is not "inherit".
    const neither = (uri: string, cmd: AclCommand, id: string) =>
      aclRead(ctx, 'initial', uri) && aclRead(ctx, 'final', uri) && [ctx.initial, ctx.final].every((t) => !aclGrants(t.effectiveAcl(uri).acl, cmd, id));
    for (const s of ctx.sessions) {
      const id = serverIdOf[s.server];
      for (const m of serverMsgs(s)) {
        const answer = clientMsgs(s).find((x) => x.seq > m.seq);
        for (const c of commandsOf(m.syncml!)) {
          if (c.kind !== 'Replace' && c.kind !== 'Get' && c.kind !== 'Delete' && c.kind !== 'Add') continue;
          for (const it of c.items) {
            const uri = it.target ?? '';
            if (isAclTarget(uri)) continue;
            // Only where neither the initial nor the final tree grants the right: no delegation step gave it.
            // An Add is of a node neither tree has, under a parent both have; the parent's Add right decides.
            const parent = uri.slice(0, uri.lastIndexOf('/'));
            const denied =
              c.kind === 'Add'
                ? !ctx.initial.has(uri) && !ctx.final.has(uri) && ctx.initial.has(parent) && ctx.final.has(parent) && neither(parent, 'Add', id)
                : ctx.initial.has(uri) && ctx.final.has(uri) && neither(uri, c.kind as AclCommand, id);
            if (!denied) continue;
            const found = responseFor(answersIn(s, m), m, c.cmdId);
            const st = found?.command;
            const code = st && 'data' in st ? st.data : 'nothing';
            cases.push(`${c.kind} ${uri} by ${id} → ${code}`);
            evidence.push(m, ...(found ? [found.in] : answer ? [answer] : []));
            // DevInfo's nodes are read-only by their AccessType (DM 1.2.1 Standardized Objects): refusing a
            // write there with 405 before looking at the ACL is as right as 425.
            const readOnly = c.kind !== 'Get' && uri.startsWith(`${TREE.devInfoRoot}/`);
            if (code !== '425' && !(readOnly && code === '405')) problems.push(`${c.kind} ${uri} by ${id} without the right answered ${code}`);
            if (c.kind === 'Get') continue;
            const changed = readBackChange(s, m.seq, uri, c.kind, ctx.final.node(uri)?.value);
            if (changed) problems.push(`${c.kind} ${uri} by ${id} without the right changed the tree: ${changed}`);
          }
        }
      }
    }
    if (!cases.length) return missing(expected, 'no command without the right was observed');
    return allOf(expected, problems, evidence, cases.join('; '));
  },
};

/** What a later Get of `uri` in the session shows changed by the `kind` command sent before `after`, if anything. */
function readBackChange(s: DmSession, after: number, uri: string, kind: string, value: string | undefined): string | undefined {
  for (const m of serverMsgs(s).filter((x) => x.seq > after)) {
    const get = commandsOf(m.syncml!).find((c) => c.kind === 'Get' && c.items.some((it) => it.target === uri));
    if (!get) continue;
    const answers = answersIn(s, m);
    const found = responseFor(answers, m, get.cmdId)?.command;
    const st = found && 'data' in found ? found.data : undefined;
    const res = responseFor(answers, m, get.cmdId, 'Results')?.command;
    const data = res && 'items' in res ? res.items[0]?.data : undefined;
    if (kind === 'Add' && st === '200') return `${uri} exists when read back`;
    if (kind === 'Delete' && st === '404') return `${uri} is gone when read back`;
    if (kind === 'Replace' && st === '200' && data !== undefined && value !== undefined && data !== value) return `${uri} reads "${data}", it was "${value}"`;
    return undefined;
  }
  return undefined;
}
