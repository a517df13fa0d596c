import type { DelegationMessage } from '../delegation/messages.js';
import { validateAcl, parseAcl, aclServers } from '../tree/acl.js';
import { answersIn, isAclTarget, responseFor, responseTo, targetsOf, type WireMessage } from '../judge/wire.js';
import { bootstrapLayout, bootstrapProblems } from './bootstrap-content.js';
import { allOf, failAfter, missing, pass, silence, type Check, type JudgeContext, type Outcome } from './check.js';

/** The numbered steps in order, for "a later step happened without this one". */
const ORDER: Record<'A' | 'B', string[]> = {
  A: ['A.1', 'A.2', 'A.3', 'A.4', 'A.5', 'A.6', 'A.7', 'A.8'],
  B: ['B.1', 'B.2', 'B.3', 'B.4', 'B.5', 'B.6', 'B.7', 'B.8', 'B.8b', 'B.9', 'B.10'],
};

export const stepObserved: Check = {
  id: 'step-observed',
  title: 'The step is observed on its link',
  requirements: [...ORDER.A, ...ORDER.B],
  run(ctx, req) {
    const step = req.id;
    const occ = ctx.steps.get(step);
    if (occ) return pass(`${step} observed`, `${occ.events.length} events, seq ${occ.events[0].seq}–${occ.events.at(-1)!.seq}`, occ.events);
    const order = ORDER[req.approach ?? 'B'];
    const later = order.slice(order.indexOf(step) + 1).map((s) => ctx.steps.get(s)).find(Boolean);
    const actual = later ? `not observed, although ${later.step} happened (seq ${later.events[0].seq})` : 'not observed';
    // A later step on the wire means this one was skipped, not that the flow stopped before it.
    return later ? failAfter(`${step} observed`, actual, later.events.slice(0, 1)) : missing(`${step} observed`, actual);
  },
};

const delegations = (ctx: JudgeContext, step: string) =>
  (ctx.steps.get(step)?.events ?? []).map((e) => ctx.messages.find((m) => m.seq === e.seq)).filter((m): m is WireMessage => !!m && !!m.delegation);

/** A later message must carry the SessionId the delegation was started with (on the wire, DMS-1 chose it). */
function sameSession(ctx: JudgeContext, id: string | undefined): string[] {
  const init = delegations(ctx, `${ctx.scenario.approach}.2`).find((m) => m.delegation!.type === 'DelegationInitiationRequest')?.delegation;
  const started = init && 'sessionId' in init ? init.sessionId : undefined;
  return id !== started ? [`SessionId ${id}, the delegation started as ${started ?? '(no initiation request seen)'}`] : [];
}

/** Content rule of a request/response step: who sent what to whom, and what came back. */
function exchange(ctx: JudgeContext, step: string, from: string, to: string, requestType: string, responseType: string, extra?: (req: DelegationMessage, res?: DelegationMessage) => string[]): Outcome {
  const ms = delegations(ctx, step);
  const req = ms.find((m) => m.direction === 'request' && m.delegation!.type === requestType);
  const expected = `${requestType} ${from} → ${to}, answered 200 with ${responseType}`;
  if (!req) return missing(expected, `no ${requestType} observed`);
  const res = responseTo(ctx.messages, req);
  // A request with no answer within its budget is silence, not a wrong answer.
  if (!res) return silence(expected, `${requestType} seen (seq ${req.seq}), no response`, [req]);
  const problems: string[] = [];
  if (req.event.from !== from || req.event.to !== to) problems.push(`sent ${req.event.from} → ${req.event.to}`);
  // A refusal is judged by the requirement about what was refused (TLS, media type, schema, order): when
  // an earlier FAIL explains it, this step is BLOCKED behind that one; a refusal nothing explains is a FAIL.
  if (!problems.length && (res.event.http?.status !== 200 || res.delegation?.type === 'Error')) {
    const why = res.delegation?.type === 'Error' ? `: ${res.delegation.code} ${res.delegation.reason ?? ''}`.trimEnd() : '';
    return failAfter(expected, `${requestType} (seq ${req.seq}) refused with HTTP ${res.event.http?.status}${why}`, [req, res]);
  }
  const got = res.delegation;
  if (!got || got.type !== responseType || (got.type === 'Ack' && got.of !== requestType)) {
    problems.push(`answered with ${got ? (got.type === 'Ack' ? `Ack of ${got.of}` : got.type) : `an unreadable body${res.decodeError ? ` (${res.decodeError})` : ''}`}`);
  }
  problems.push(...(extra?.(req.delegation!, res.delegation) ?? []));
  return allOf(expected, problems, [req, res], `${requestType} seq ${req.seq} answered by ${responseType}`);
}

/** Server commands of a step and the client's Status for each. */
function commandOutcomes(ctx: JudgeContext, step: string, pred: (t: ReturnType<typeof targetsOf>[number]) => boolean) {
  const out: Array<{ msg: WireMessage; target: string; data?: string; kind: string; status?: string; answer?: WireMessage }> = [];
  const evs = ctx.steps.get(step)?.events ?? [];
  const ms = evs.map((e) => ctx.messages.find((m) => m.seq === e.seq)).filter((m): m is WireMessage => !!m?.syncml);
  for (const m of ms.filter((x) => x.direction === 'response')) {
    // The answer is the client's next message in the same session (sessions are told apart by their
    // exchanges, so a changed SessionID is judged once, by SES-SESSIONID).
    const session = ctx.sessions.find((x) => x.messages.includes(m));
    const answers = session ? answersIn(session, m) : [];
    for (const t of targetsOf(m.syncml!).filter(pred)) {
      // The Status may come in any message of the answering package (one split over messages).
      const found = responseFor(answers, m, t.cmdId);
      const st = found?.command;
      out.push({ msg: m, target: t.target, data: t.data, kind: t.kind, status: st && 'data' in st ? st.data : undefined, answer: found?.in ?? answers[0] });
    }
  }
  return out;
}

export const stepContent: Check = {
  id: 'step-content',
  title: 'The step carries what the spec says',
  requirements: [...ORDER.A.slice(1), ...ORDER.B.slice(1)],
  run(ctx, req) {
    const f = ctx.flow.facts;
    const s = ctx.scenario;
    const sid = (m: DelegationMessage) => ('sessionId' in m ? m.sessionId : undefined);
    switch (req.id) {
      case 'A.2':
      case 'B.2':
        return exchange(ctx, req.id, 'dms1', 'dms2', 'DelegationInitiationRequest', 'DelegationInitiationResponse', (q, r) => {
          const p: string[] = [];
          if (q.type !== 'DelegationInitiationRequest') return p;
          if (q.delegatorServerId !== f.serverIds.dms1) p.push(`DelegatorServerId ${q.delegatorServerId}, expected ${f.serverIds.dms1}`);
          if (q.delegateeServerId !== f.serverIds.dms2) p.push(`DelegateeServerId ${q.delegateeServerId}, expected ${f.serverIds.dms2}`);
          if (q.device.devId !== f.devId) p.push(`DevId ${q.device.devId}, expected ${f.devId}`);
          if (q.delegationType.scope !== s.delegationType.scope || q.delegationType.duration !== s.delegationType.duration) {
            p.push(`DelegationType ${q.delegationType.scope}/${q.delegationType.duration}, expected ${s.delegationType.scope}/${s.delegationType.duration}`);
          }
          // Profile §3.4: with scope="full" an empty list means all of DMS-1's authority.
          const everything = q.subtrees.length === 0 && q.delegationType.scope === 'full';
          if (!everything && [...q.subtrees].sort().join() !== [...f.subtrees].sort().join()) p.push(`Subtrees ${q.subtrees.join(',')}, expected ${f.subtrees.join(',')}`);
          if (r?.type === 'DelegationInitiationResponse' && !r.accepted) p.push(`rejected: ${r.reason ?? 'no reason'}`);
          return p;
        });
      case 'B.3':
        return exchange(ctx, 'B.3', 'dms1', 'dms2', 'BootstrapServerUrlRequest', 'BootstrapServerUrlResponse', (_q, r) =>
          r?.type === 'BootstrapServerUrlResponse' && !r.url.startsWith('https://') ? [`Bootstrap Server URL ${r.url} is not https`] : [],
        );
      case 'A.3':
        return exchange(ctx, 'A.3', 'dms1', 'dms2', 'AccountRequest', 'AccountResponse', (_q, r) => {
          if (r?.type !== 'AccountResponse') return [];
          const p: string[] = [];
          if (r.account.serverId !== f.serverIds.dms2) p.push(`account ServerID ${r.account.serverId}, expected ${f.serverIds.dms2}`);
          // The client will reach DMS-2 at this Addr: it must be the DM URL DMS-2 is reached at in this run
          // (a real DMS-2's configured dmUrl, which names the proxy when one stands in front of it).
          if (r.account.addr !== f.urls.dms2Dm) p.push(`account Addr ${r.account.addr}, expected DMS-2's DM URL ${f.urls.dms2Dm}`);
          for (const lvl of ['CLCRED', 'SRVCRED']) if (!r.account.appAuth.some((a) => a.level === lvl)) p.push(`no ${lvl} credentials`);
          return p;
        });
      case 'B.4': {
        const url = delegations(ctx, 'B.3').find((m) => m.delegation!.type === 'BootstrapServerUrlResponse')?.delegation;
        const layout = f.treeLayout;
        const adds = commandOutcomes(ctx, 'B.4', (t) => t.kind === 'Add' && t.target.startsWith(`${layout.bootConfigRoot}/`));
        const urlAdd = adds.find((a) => a.target.endsWith(`/${layout.bootConfigUrlLeaf}`));
        const expected = `DMS-1 adds a Bootstrap Config MO entry holding the URL DMS-2 gave${url?.type === 'BootstrapServerUrlResponse' ? ` (${url.url})` : ''}, and the client accepts it`;
        if (!urlAdd) return missing(expected, 'no Add of a Bootstrap Config URL', adds.map((a) => a.msg));
        const p: string[] = [];
        if (url?.type === 'BootstrapServerUrlResponse' && urlAdd.data !== url.url) p.push(`URL ${urlAdd.data} differs from DMS-2's ${url.url}`);
        for (const a of adds) if (a.status !== '200') p.push(`Add ${a.target} answered ${a.status ?? 'nothing'}`);
        return allOf(expected, p, adds.flatMap((a) => [a.msg, ...(a.answer ? [a.answer] : [])]), `Add ${urlAdd.target} = ${urlAdd.data}`);
      }
      case 'B.5': {
        const ms = (ctx.steps.get('B.5')?.events ?? []).map((e) => ctx.messages.find((m) => m.seq === e.seq)!).filter(Boolean);
        const res = ms.find((m) => m.direction === 'response');
        const expected = `the Bootstrap Server answers the client with a bootstrap adding an account for ${f.serverIds.dms2}`;
        if (!res) return missing(expected, 'no bootstrap response', ms);
        if (res.event.http?.status !== 200) {
          const refusal = `the Bootstrap Server refused the client with HTTP ${res.event.http?.status}${res.event.reason ? ` (${res.event.reason})` : ''}`;
          // A stand-alone Bootstrap Server serves what DMS-2 ordered: refusing a device no accepted order named
          // follows from an earlier fault (ORD-B-ORDER-BEFORE-URL); refusing one it accepted is its own.
          if (s.bootstrap === 'separate') {
            const asked = ms.find((m) => m.direction === 'request' && m.event.exchange === res.event.exchange) ?? res;
            const devId = asked.syncml?.hdr.source ?? f.devId;
            const link = ctx.flow.observability['dms2-bootstrap'];
            if (!link.observed) {
              return { verdict: 'INCONCLUSIVE', expected, actual: refusal, reason: `whether DMS-2 had ordered the bootstrap of ${devId} cannot be seen: ${link.how}`, evidence: [res.seq] };
            }
            const accepted = ctx.messages.some((o) => {
              if (o.event.link !== 'dms2-bootstrap' || o.direction !== 'request' || o.delegation?.type !== 'BootstrapOrder' || o.delegation.device.devId !== devId) return false;
              const ack = responseTo(ctx.messages, o);
              return !!ack && ack.seq < asked.seq && ack.event.http?.status === 200 && ack.delegation?.type === 'Ack';
            });
            if (!accepted) return failAfter(expected, `${refusal}; no BootstrapOrder for ${devId} had been acknowledged by the Bootstrap Server before the client asked (seq ${asked.seq})`, ms);
            return allOf(expected, [`${refusal}, although it had acknowledged DMS-2's BootstrapOrder for ${devId}`], ms, '');
          }
          // Any other refusal is judged by the rule about what was refused (e.g. the media type) when that failed first.
          return failAfter(expected, refusal, ms);
        }
        if (!res.syncml) return allOf(expected, [`the answer (seq ${res.seq}) is no SyncML message${res.decodeError ? `: ${res.decodeError}` : ''}`], ms, '');
        // What DMS-2 ordered, when the order is on the wire: the Bootstrap Server serves exactly that.
        const order = ctx.messages.find((o) => o.event.link === 'dms2-bootstrap' && o.direction === 'request' && o.delegation?.type === 'BootstrapOrder' && o.delegation.device.devId === f.devId)?.delegation;
        const ordered = order?.type === 'BootstrapOrder' ? order.account : undefined;
        const p = bootstrapProblems(res.syncml, { serverId: f.serverIds.dms2, addr: f.urls.dms2Dm, ordered }, f.treeLayout.dmAccRoot);
        return allOf(`${expected}: ${bootstrapLayout(f.treeLayout.dmAccRoot)}`, p, ms, `bootstrap (seq ${res.seq}) adds the account of ${f.serverIds.dms2} as the profile lays it out`);
      }
      case 'B.6':
      case 'A.7': {
        const evs = ctx.steps.get(req.id)?.events ?? [];
        const first = ctx.messages.find((m) => m.seq === evs.find((e) => e.kind === 'request' && e.link === 'dms2-client' && !!ctx.messages.find((x) => x.seq === e.seq)?.syncml)?.seq);
        const reply = first && responseTo(ctx.messages, first);
        const expected = `the client opens a DM session with DMS-2${req.id === 'B.6' ? ' on its own after the bootstrap (Alert 1201, no Package #0)' : ''} and DMS-2 authenticates it (212)`;
        if (!first?.syncml) return missing(expected, 'no session with DMS-2 observed', evs);
        // DMS-2 that never answers is silent, not wrong; one that refuses the message over HTTP refused it.
        if (!reply) return silence(expected, `package 1 (seq ${first.seq}) got no answer`, [first]);
        if (!reply.syncml) return failAfter(expected, `DMS-2 refused package 1 (seq ${first.seq}) with HTTP ${reply.event.http?.status}${reply.event.reason ? `: ${reply.event.reason}` : ''}`, [first, reply]);
        // A challenge (401/407) is part of authentication: the verdict is the server's answer to the package 1
        // the client sent again, in the same session.
        const hdrOf = (m: WireMessage) => m.syncml?.body.find((c) => c.kind === 'Status' && c.cmd === 'SyncHdr');
        const codeOf = (m: WireMessage) => { const h = hdrOf(m); return h && 'data' in h ? h.data : undefined; };
        const answers = (ctx.sessions.find((x) => x.messages.includes(first))?.messages ?? [reply]).filter((m) => m.direction === 'response' && m.syncml);
        const settled = answers.find((m) => !['401', '407'].includes(codeOf(m) ?? '')) ?? answers.at(-1) ?? reply;
        const p: string[] = [];
        if (first.syncml.hdr.source !== f.devId) p.push(`client identifies as ${first.syncml.hdr.source}`);
        if (!['200', '212'].includes(codeOf(settled) ?? '')) p.push(`DMS-2 answered the session's SyncHdr with ${codeOf(settled) ?? 'nothing'} (seq ${settled.seq})`);
        if (req.id === 'B.6') {
          // Binding profile §4.2: the bootstrap is confirmed by the client's own session, not one DMS-2 triggered.
          const pkg0 = ctx.sessions.find((x) => x.messages.includes(first))?.pkg0;
          if (pkg0) p.push(`the session answers DMS-2's Package #0 (seq ${pkg0.seq}): the client did not open it after its bootstrap`);
          const alert = first.syncml.body.find((c) => c.kind === 'Alert');
          const code = alert && 'data' in alert ? alert.data : undefined;
          if (code !== '1201') p.push(`package 1 (seq ${first.seq}) carries Alert ${code ?? '(none)'}, not 1201 (client-initiated)`);
        }
        if (req.id === 'A.7' && !evs.some((e) => ctx.messages.find((m) => m.seq === e.seq)?.notification?.serverId === f.serverIds.dms2)) p.push('no Package #0 from DMS-2');
        return allOf(expected, p, [first, reply, settled], `session ${first.syncml.hdr.sessionId} with DMS-2, SyncHdr ${codeOf(settled)} at seq ${settled.seq}`);
      }
      case 'B.7':
        return exchange(ctx, 'B.7', 'dms2', 'dms1', 'BootstrapComplete', 'Ack', (q) => sameSession(ctx, sid(q)));
      case 'A.6':
      case 'B.9':
        return exchange(ctx, req.id, 'dms1', 'dms2', 'ClientPrepared', 'Ack', (q) => sameSession(ctx, sid(q)));
      case 'A.8':
      case 'B.10':
      {
        // A delegation reported as failed is DMS-2 telling the truth about an earlier fault, if there was one.
        const out = exchange(ctx, req.id, 'dms2', 'dms1', 'DelegationComplete', 'Ack');
        const complete = delegations(ctx, req.id).find((m) => m.delegation!.type === 'DelegationComplete' && m.direction === 'request')?.delegation;
        if (out.verdict !== 'PASS' || complete?.type !== 'DelegationComplete' || complete.result === 'success') return out;
        return failAfter(out.expected ?? '', `result ${complete.result}: ${complete.reason ?? ''}`, out.evidence);
      }
      case 'B.8':
      case 'A.4': {
        const acls = commandOutcomes(ctx, req.id, (t) => t.kind === 'Replace' && isAclTarget(t.target));
        const accountAdds = req.id === 'A.4' ? commandOutcomes(ctx, 'A.4', (t) => t.kind === 'Add' && t.target.startsWith(`${f.treeLayout.dmAccRoot}/`)) : [];
        const expected = `DMS-1 rewrites the ACL of every delegated subtree so that it names ${f.serverIds.dms2}${req.id === 'A.4' ? `, after adding DMS-2's account` : ''}; the client accepts each command`;
        if (!acls.length) return missing(expected, 'no ACL Replace observed');
        const p: string[] = [];
        for (const a of [...acls, ...accountAdds]) if (a.status !== '200') p.push(`${a.kind} ${a.target} answered ${a.status ?? 'nothing'}`);
        for (const a of acls) {
          const v = validateAcl(a.data ?? '');
          if (!v.ok) p.push(`ACL for ${a.target} is not valid: ${v.reason}`);
          else if (!aclServers(parseAcl(a.data ?? '')).has(f.serverIds.dms2)) p.push(`ACL for ${a.target} does not name ${f.serverIds.dms2}: ${a.data}`);
        }
        const written = new Set(acls.map((a) => a.target.replace('?prop=ACL', '')));
        for (const root of f.subtrees) if (!written.has(root)) p.push(`no ACL Replace on delegated subtree ${root}`);
        if (req.id === 'A.4') {
          const sid2 = accountAdds.find((a) => a.target.endsWith('/ServerID'));
          if (sid2?.data !== f.serverIds.dms2) p.push(`the account added names ServerID ${sid2?.data ?? '(none)'}`);
        }
        return allOf(expected, p, [...acls, ...accountAdds].flatMap((a) => [a.msg, ...(a.answer ? [a.answer] : [])]), acls.map((a) => `${a.target} = ${a.data}`).join('; '));
      }
      case 'A.5':
      case 'B.8b': {
        const dels = commandOutcomes(ctx, req.id, (t) => t.kind === 'Delete');
        const expected = `DMS-1 deletes its own account ${f.dms1AccountPath} and the client accepts`;
        if (!dels.length) return missing(expected, 'no Delete of DMS-1\'s account observed');
        return allOf(expected, dels.filter((d) => d.status !== '200').map((d) => `Delete ${d.target} answered ${d.status ?? 'nothing'}`), dels.flatMap((d) => [d.msg, ...(d.answer ? [d.answer] : [])]), `Delete ${dels[0].target} → ${dels[0].status}`);
      }
      default:
        return { verdict: 'ERROR', reason: `step-content has no rule for ${req.id}`, evidence: [] };
    }
  },
};
