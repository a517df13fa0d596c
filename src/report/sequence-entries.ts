/** A flow's recorded messages as the report shows them: one entry per event, labelled with its step. */
import type { DelegationMessage } from '../delegation/messages.js';
import { commandsOf, isAclTarget } from '../judge/wire.js';
import { judgeContext } from '../judge/judge.js';
import type { FlowResult } from '../runner/run-flow.js';
import type { Command, StatusCommand, SyncMLMessage } from '../syncml/model.js';
import { decodeWbxml } from '../syncml/wbxml.js';
import { bodyBytes, type TraceEvent } from '../trace/events.js';
import type { SequenceEntry } from './model.js';

/** A body as a reader can take it: a WBXML message decoded to its XML (said so), anything else as traced. */
function readableBody(e: TraceEvent): string {
  if (e.body?.parsed?.codec !== 'syncml' || e.body.parsed.encoding !== 'wbxml') return e.body!.raw;
  try {
    return `<!-- WBXML on the wire, ${e.body.bytes} bytes; shown decoded -->\n${decodeWbxml(bodyBytes(e))}`;
  } catch {
    return e.body.raw;
  }
}

// What a reader looks for first in a message: the ACL change, then what adds or removes nodes; a Get or the
// Results answering it are routine. Statuses go last, summarised.
const RANK: Record<string, number> = { Delete: 1, Add: 2, Alert: 3, Replace: 4, Exec: 5, Copy: 6, Get: 7, Results: 8 };
const rankOf = (kind: string, target: string | undefined) => (kind === 'Replace' && target && isAclTarget(target) ? 0 : (RANK[kind] ?? 9));

const succeeded = (code: string) => /^2\d\d$/.test(code);

/** `Status 425 for Replace ./Vendor?prop=ACL`: a status with the command it answers (the SyncHdr's target is only the URL). */
const statusText = (s: StatusCommand) => (s.cmd === 'SyncHdr' ? `Status ${s.data} SyncHdr` : `Status ${s.data} for ${[s.cmd, s.targetRefs[0]].filter(Boolean).join(' ')}`);

/** `+3 Status 200` or `+3 Status 200/212`: the statuses a label does not spell out. */
function statusTally(rest: StatusCommand[]): string | undefined {
  if (!rest.length) return undefined;
  const codes = [...new Set(rest.map((s) => s.data))];
  return `+${rest.length} Status ${codes.join('/')}`;
}

/**
 * The command(s) that matter in a SyncML message, most significant first (`Replace ./Vendor/Apps?prop=ACL (+2)`),
 * then a failing status with what it answers, then the other statuses counted.
 */
export function syncmlLabel(m: SyncMLMessage): string {
  const all = commandsOf(m).filter((c) => c.kind !== 'Atomic' && c.kind !== 'Sequence');
  const statuses = all.filter((c): c is StatusCommand => c.kind === 'Status');
  const groups = new Map<string, { rank: number; kind: string; first: string; n: number }>();
  for (const c of all.filter((x): x is Exclude<Command, StatusCommand> => x.kind !== 'Status')) {
    const uris = 'items' in c ? c.items.map((i) => i.target ?? i.source ?? '') : [];
    const first = c.kind === 'Alert' ? c.data : (uris[0] ?? '');
    const rank = rankOf(c.kind, uris.find((u) => isAclTarget(u)) ?? uris[0]);
    // One group per kind and significance: ACL Replaces apart from other Replaces.
    const key = `${rank}:${c.kind}`;
    const g = groups.get(key);
    const n = c.kind === 'Alert' ? 1 : Math.max(1, uris.length);
    if (g) g.n += n;
    else groups.set(key, { rank, kind: c.kind, first, n });
  }
  const ranked = [...groups.values()].map((g) => ({ rank: g.rank, text: `${g.kind}${g.first ? ` ${g.first}` : ''}${g.n > 1 ? ` (+${g.n - 1})` : ''}` }));
  // A refusal is what matters in an answer (more than the Results of a Get); with no command at all the
  // status of the most significant command answered stands in for one (the SyncHdr's last: it only says
  // the message was authenticated).
  const failed = statuses.filter((s) => !succeeded(s.data));
  const shown = failed.length ? failed.slice(0, 2) : ranked.length ? [] : [...statuses].sort((a, b) => statusRank(a) - statusRank(b)).slice(0, 1);
  ranked.push(...shown.map((s) => ({ rank: RANK.Get! - 0.5, text: statusText(s) })));
  const parts = ranked.sort((a, b) => a.rank - b.rank).map((p) => p.text);
  const tally = statusTally(statuses.filter((s) => !shown.includes(s)));
  if (tally) parts.push(tally);
  return parts.join(' · ') || '(no commands)';
}

const statusRank = (s: StatusCommand) => (s.cmd === 'SyncHdr' ? 99 : rankOf(s.cmd, s.targetRefs[0]));

/** A delegation message by its type, with the one fact that tells how it went. */
export function delegationLabel(m: DelegationMessage): string {
  switch (m.type) {
    case 'DelegationInitiationRequest':
      return `${m.type} ${m.delegationType.scope}/${m.delegationType.duration}, approach ${m.approach}`;
    case 'DelegationInitiationResponse':
      return `${m.type} ${m.accepted ? 'accepted' : 'rejected'}`;
    case 'DelegationComplete':
      return `${m.type} ${m.result}`;
    case 'Ack':
      return `Ack of ${m.of}`;
    case 'Error':
      return `Error ${m.code}`;
    default:
      return m.type;
  }
}

const isSyncML = (v: unknown): v is SyncMLMessage => !!v && typeof v === 'object' && Array.isArray((v as SyncMLMessage).body) && !!(v as SyncMLMessage).hdr;
const isDelegation = (v: unknown): v is DelegationMessage => !!v && typeof v === 'object' && typeof (v as DelegationMessage).type === 'string';

/** The diagram's short text for an event, or undefined where the summary already is that. */
function labelOf(e: TraceEvent): string | undefined {
  if (e.kind === 'tls') return e.tls?.protocol ?? 'TLS';
  if (e.kind === 'tls-error') return 'TLS refused';
  if (e.kind === 'error') return e.reason ? `failed: ${e.reason}` : undefined;
  const p = e.body?.parsed;
  if (!p || p.error) return undefined;
  try {
    if (p.codec === 'syncml' && isSyncML(p.value)) return syncmlLabel(p.value);
    if (p.codec === 'delegation' && isDelegation(p.value)) return delegationLabel(p.value);
  } catch {
    // A value read back in another shape: the summary still says it.
  }
  return undefined;
}

/** What the socket showed of a connection: protocol, cipher, the peer's certificate and whether it verified. */
function tlsSummary(e: TraceEvent): string {
  const t = e.tls;
  if (e.kind === 'tls-error') return 'TLS connection refused or failed';
  if (!t) return 'TLS connection';
  const peer = t.peerCertificate ? `peer ${t.peerSubject ?? 'certificate'}${t.authorized ? ' verified' : ` not verified${t.authorizationError ? ` (${t.authorizationError})` : ''}`}` : 'no peer certificate';
  return `TLS ${t.protocol ?? '?'}${t.cipher ? ` ${t.cipher}` : ''}, ${peer}`;
}

export function sequenceOf(f: FlowResult): SequenceEntry[] {
  // Labelled with the steps the judge saw (its connections without a client certificate are none).
  const { steps } = judgeContext(f);
  const stepOf = new Map<number, string>();
  for (const occ of steps.values()) for (const e of occ.events) if (!stepOf.has(e.seq)) stepOf.set(e.seq, occ.step);
  return f.events.map((e) => {
    const step = stepOf.get(e.seq);
    const label = labelOf(e);
    const tls = e.kind === 'tls' || e.kind === 'tls-error';
    const summary = tls
      ? tlsSummary(e)
      : (e.note ?? e.body?.parsed?.summary ?? e.body?.parsed?.error ?? (`${e.http?.method ?? ''} ${e.http?.path ?? ''}`.trim() || e.kind));
    // The harness's own sessions and the tester's cases; an event the judge counted as a step is the
    // delegation's, whatever phase it was recorded in (a late answer can land after a probe began).
    const harness = (e.phase !== undefined || e.probe !== undefined) && step === undefined;
    return {
      seq: e.seq,
      t: e.t,
      kind: e.kind,
      link: e.link,
      from: e.from,
      to: e.to,
      ...(step !== undefined ? { step } : {}),
      ...(e.http?.status !== undefined ? { httpStatus: e.http.status } : {}),
      summary: `${summary}${e.attributedFrom ? ` (recorded during flow ${e.attributedFrom.flow}, seq ${e.attributedFrom.seq})` : ''}`,
      ...(label !== undefined ? { label } : {}),
      ...(harness ? { harness: true as const } : {}),
      ...(e.body?.raw ? { body: readableBody(e) } : {}),
      ...(e.tls?.protocol ? { tlsProtocol: e.tls.protocol } : {}),
      ...(e.reason ? { reason: e.reason } : {}),
    };
  });
}
