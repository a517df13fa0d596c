/**
 * report.html's failures section: one card per requirement that did not pass somewhere, listing the flows it
 * failed in, each collapsible with its checks and evidence. The id of each flow's entry (`r--flow--req`) is
 * what the matrix, summary.md and the CI gate link to.
 */
import type { Verdict } from '../verdict/verdict.js';
import { refIn, type CheckResult, type FlowReport, type RequirementRef, type RequirementResult } from './model.js';
import { partyName } from './html-sequence.js';
import { anchor, escapeHtml as h, truncate } from './html-text.js';
import {
  byNatural,
  checkSummary,
  LISTED,
  otherApproachIn,
  type PageIndex,
  PROVENANCE_CAVEAT,
  provTag,
  rerunLine,
  searchText,
  verdictBadge,
  verdictWithProvenance,
} from './html-parts.js';

const bySeq = new WeakMap<FlowReport, Map<number, FlowReport['sequence'][number]>>();
/** A flow's message by seq, indexed once per flow: a report cites evidence thousands of times. */
function messageAt(flow: FlowReport, seq: number) {
  let index = bySeq.get(flow);
  if (!index) bySeq.set(flow, (index = new Map(flow.sequence.map((m) => [m.seq, m]))));
  return index.get(seq);
}

function evidenceList(flowId: string, flow: FlowReport | undefined, seqs: number[]): string {
  if (seqs.length === 0) return '';
  const items = seqs.map((seq) => {
    const e = flow && messageAt(flow, seq);
    if (!e) return `<li>#${seq} <span class="muted">(not in this flow's message list)</span></li>`;
    return `<li><a href="#${anchor('m', flowId, seq)}">#${seq}</a> <span class="muted">${h(e.link)}</span> ${h(partyName(e.from))} → ${h(partyName(e.to))}${e.step ? ` <code>${h(e.step)}</code>` : ''}: ${h(truncate(e.summary, 160))}</li>`;
  });
  return `<div class="evidence"><span class="k">Evidence</span><ul>${items.join('')}</ul></div>`;
}

function checkBlock(ix: PageIndex, flowId: string, c: CheckResult): string {
  const row = (k: string, v: string | undefined, cls = '') => (v === undefined ? '' : `<tr${cls ? ` class="${cls}"` : ''}><th>${k}</th><td>${h(v)}</td></tr>`);
  const blocked = c.blockedBy ? `<tr><th>Blocked by</th><td>${rootLink(ix, flowId, c.blockedBy)}</td></tr>` : '';
  const rows = row('Expected', c.expected, 'exp') + row('Actual', c.actual, 'act') + row('Reason', c.reason) + blocked;
  return `<div class="check ck-${c.verdict}"><div>${verdictBadge(c.verdict)} <code>${h(c.checkId)}</code></div>
${rows ? `<table class="ea">${rows}</table>` : ''}
${evidenceList(flowId, ix.flow.get(flowId), c.evidence)}</div>`;
}

/** The root FAIL a BLOCKED result names, linked to its entry in this section (the flow when it has none). */
function rootLink(ix: PageIndex, flowId: string, rootId: string): string {
  const root = ix.result(rootId, flowId);
  const target = root && LISTED.includes(root.verdict) ? anchor('r', flowId, rootId) : anchor('flow', flowId);
  return `<a href="#${target}"><code>${h(rootId)}</code></a>`;
}

/** New FAILs first; a FAIL the baseline knows of after the warnings; BLOCKED last. */
function rank(r: RequirementResult): number {
  if (r.verdict === 'FAIL' && r.baselined) return LISTED.indexOf('WARN') + 0.5;
  return LISTED.indexOf(r.verdict);
}

function entry(ix: PageIndex, ref: RequirementRef, res: RequirementResult, open: boolean): string {
  const flow = ix.flow.get(res.flowId);
  // Where the flow went wrong first: the FAIL that stopped it, or the earliest of several on the wire.
  const note =
    flow?.stop?.requirementId === res.requirementId
      ? ' <span class="root">stopped the flow</span>'
      : flow && flow.rootFailures.length > 1 && flow.rootFailures[0] === res.requirementId
        ? ' <span class="root">earliest FAIL of the flow</span>'
        : '';
  const blockedHere = (ix.byFlow.get(res.flowId) ?? []).filter((r) => r.verdict === 'BLOCKED' && r.blockedBy === res.requirementId);
  const first = res.checks.find((c) => c.verdict !== 'PASS');
  const lead =
    res.verdict === 'BLOCKED' && res.blockedBy
      ? `behind ${rootLink(ix, res.flowId, res.blockedBy)}`
      : first
        ? `<span class="muted">${h(truncate(first.reason ?? (first.actual !== undefined ? `actual ${first.actual}` : checkSummary(first)), 160))}</span>`
        : '';
  const known = res.baselined ? ' <span class="baselined">known</span>' : '';
  const summary = `<summary>${verdictBadge(res.verdict)}${known} in flow <a href="#${anchor('flow', res.flowId)}">${h(res.flowId)}</a>${note}: ${lead}</summary>`;
  const baselined = res.baselined
    ? `<p class="baselined-note"><span class="baselined">known</span> in the baseline: ${h(res.baselined.reason)}${res.baselined.expires ? ` (until ${h(res.baselined.expires)})` : ''}; it does not fail the gate</p>`
    : '';
  const behind = blockedHere.length
    ? `<p class="blocked-behind"><span class="k">BLOCKED behind it</span> ${blockedHere
        .map((b) => `<a href="#${anchor('r', b.flowId, b.requirementId)}"><code>${h(b.requirementId)}</code></a>`)
        .join(', ')}</p>`
    : '';
  const checks = [...res.checks].sort((a, b) => Number(a.verdict === 'PASS') - Number(b.verdict === 'PASS'));
  const q = searchText(ref.id, ref.title, res.flowId);
  return `<details class="fi fr" id="${anchor('r', res.flowId, res.requirementId)}" data-v="${h(res.verdict)}" data-q="${h(q)}"${open ? ' open' : ''}>
${summary}
${baselined}${behind}
${checks.map((c) => checkBlock(ix, res.flowId, c)).join('\n')}
<p class="rerun"><span class="k">Re-run</span> <code>${h(rerunLine(ix.report, flow, res.requirementId))}</code></p>
</details>`;
}

function tally(results: RequirementResult[]): string {
  const n = new Map<Verdict, number>();
  for (const r of results) n.set(r.verdict, (n.get(r.verdict) ?? 0) + 1);
  return [...n].map(([v, k]) => `${v} ${k}`).join(', ');
}

function card(ix: PageIndex, ref: RequirementRef, listed: RequirementResult[]): string {
  const judged = (ix.byRequirement.get(ref.id) ?? []).filter((r) => !otherApproachIn(ix, r));
  const others = judged.filter((r) => !LISTED.includes(r.verdict));
  const worst = listed[0]!;
  const allKnown = listed.every((r) => r.verdict !== 'FAIL' || r.baselined) && listed.some((r) => r.baselined);
  // Its provenance in the flows listed (a requirement may be spec in one approach, reconstructed in the other).
  const at = (r: RequirementResult) => refIn(ref, ix.flow.get(r.flowId)?.approach).provenance;
  const provenances = [...new Set(listed.map(at))];
  const caveat = provenances.filter((p) => PROVENANCE_CAVEAT[p]).map((p) => `<p class="caveat">${provenances.length > 1 ? `In the flows where it is ${p}: ` : ''}${h(PROVENANCE_CAVEAT[p])}</p>`).join('');
  const notes = ref.notes?.length ? `<ul class="notes">${ref.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>` : '';
  const q = searchText(ref.id, ref.title, ...listed.map((r) => r.flowId));
  return `<article class="failure f-${worst.verdict}" id="${anchor('req', ref.id)}" data-q="${h(q)}">
<h3>${verdictWithProvenance(worst.verdict, at(worst))}${allKnown ? ' <span class="baselined">known</span>' : ''} <code>${h(ref.id)}</code> ${h(ref.title)} <span class="in">${h(tally(listed))} of ${judged.length} flow${judged.length === 1 ? '' : 's'}${others.length ? `; elsewhere ${h(tally(others))}` : ''}</span></h3>
<blockquote>${h(ref.text)}</blockquote>
${ref.proof ? `<p class="proof"><span class="k">A PASS cites</span> ${h(ref.proof)}</p>` : ''}
<p class="meta">${h(ref.section)} · ${ref.severity} · provenance ${provenances.map((p) => provTag(p)).join(' / ')} · category ${h(ref.category)}${ref.step ? ` · step <code>${h(ref.step)}</code>` : ''}</p>
${caveat}${notes}
<div class="fis">
${listed.map((r, i) => entry(ix, ref, r, i === 0)).join('\n')}
</div>
${listed.length > 1 ? `<p class="rerun"><span class="k">Re-run in every flow</span> <code>${h(rerunLine(ix.report, undefined, ref.id))}</code></p>` : ''}
</article>`;
}

export function failures(ix: PageIndex): string {
  // Within a flow, its FAILs in the order they showed on the wire: the root first.
  const rootRank = (r: RequirementResult) => {
    const i = ix.flow.get(r.flowId)?.rootFailures.indexOf(r.requirementId) ?? -1;
    return i < 0 ? 1e9 : i;
  };
  const flowRank = (r: RequirementResult) => ix.flowRank.get(r.flowId) ?? 1e9;
  const byReq = new Map<string, RequirementResult[]>();
  for (const r of ix.report.results) {
    if (!LISTED.includes(r.verdict)) continue;
    const list = byReq.get(r.requirementId);
    if (list) list.push(r);
    else byReq.set(r.requirementId, [r]);
  }
  if (byReq.size === 0) return `<section id="failures"><h2>Failures and warnings</h2><p>None: no FAIL, ERROR, INCONCLUSIVE, WARN or BLOCKED.</p></section>`;
  const cards = [...byReq.entries()].map(([id, rs]) => {
    const listed = rs.sort((a, b) => rank(a) - rank(b) || flowRank(a) - flowRank(b));
    const first = (f: (r: RequirementResult) => number) => listed.reduce((m, r) => Math.min(m, f(r)), Number.POSITIVE_INFINITY);
    return { ref: ix.refOf(id), listed, worst: rank(listed[0]!), root: first(rootRank), flow: first(flowRank) };
  });
  cards.sort((a, b) => a.worst - b.worst || a.root - b.root || a.flow - b.flow || byNatural(a.ref.id, b.ref.id));
  const results = cards.reduce((n, c) => n + c.listed.length, 0);
  return `<section id="failures"><h2>Failures and warnings (${cards.length} requirements, ${results} results)</h2>
<p class="hint">One card per requirement, worst first; under it each flow it did not pass in (click to open its checks and evidence). A BLOCKED result names the root FAIL that stopped its flow; <span class="baselined">known</span> marks a FAIL the baseline excuses.</p>
${cards.map((c) => card(ix, c.ref, c.listed)).join('\n')}
</section>`;
}
