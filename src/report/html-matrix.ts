/**
 * report.html's verdict matrices: one per approach (its requirements × its flows) and one for the requirements
 * both approaches' flows are judged on, so no cell stands for "the other approach". The tester's negative
 * cases, judged once per run and endpoint rather than per flow, have a table of their own.
 */
import type { Verdict } from '../verdict/verdict.js';
import { refIn, type FlowReport, type RequirementRef, type RequirementResult } from './model.js';
import { anchor, escapeHtml as h } from './html-text.js';
import {
  byNatural,
  CATEGORY_LABEL,
  CATEGORY_ORDER,
  cellTitle,
  LISTED,
  otherApproachIn,
  type PageIndex,
  provTag,
  searchText,
  sevTag,
  shortBadge,
  VERDICT_SHORT,
} from './html-parts.js';

type Approach = FlowReport['approach'];

interface Matrix {
  id: string;
  title: string;
  flows: FlowReport[];
  refs: RequirementRef[];
}

interface Partition {
  matrices: Matrix[];
  negative: RequirementRef[];
  /** Requirements of an approach no flow of this run has, or judged nowhere. */
  unshown: Array<{ ref: RequirementRef; why: string }>;
  /** Results left out because they only say "the other approach". */
  otherApproach: number;
}

const APPROACH_TITLE: Record<Approach, string> = {
  A: 'Approach A: DMS-1 delegates to DMS-2 directly',
  B: 'Approach B: through the Bootstrap Server',
};

/** The approaches whose flows judge `ref`: its own, or for a requirement of none those where it was not ruled out as the other approach's. */
function approachesOf(ix: PageIndex, ref: RequirementRef, run: readonly Approach[]): Approach[] {
  if (ref.approach) return run.filter((a) => a === ref.approach);
  const judged = new Set((ix.byRequirement.get(ref.id) ?? []).filter((r) => !otherApproachIn(ix, r)).map((r) => ix.flow.get(r.flowId)?.approach));
  return run.filter((a) => judged.has(a));
}

export function partition(ix: PageIndex): Partition {
  const flows = ix.report.flows;
  const run = (['A', 'B'] as const).filter((a) => flows.some((f) => f.approach === a));
  const byKey = new Map<string, RequirementRef[]>();
  const negative: RequirementRef[] = [];
  const unshown: Partition['unshown'] = [];
  for (const ref of ix.refs) {
    if (ref.category === 'negative') {
      negative.push(ref);
      continue;
    }
    const judged = ix.byRequirement.get(ref.id) ?? [];
    const aps = approachesOf(ix, ref, run);
    if (aps.length === 0) {
      const why = judged.length === 0
        ? 'not judged in this run'
        : ref.approach
          ? `a requirement of approach ${ref.approach}; this run has no flow of it`
          : `NOT_APPLICABLE in every flow: ${judged.map((r) => r.checks[0]?.reason).find(Boolean) ?? 'the other approach'}`;
      unshown.push({ ref, why });
      continue;
    }
    // With both approaches run, what both judge goes in one common matrix rather than twice.
    const key = aps.length > 1 ? 'both' : aps[0]!;
    const list = byKey.get(key);
    if (list) list.push(ref);
    else byKey.set(key, [ref]);
  }
  const matrices: Matrix[] = [];
  for (const a of run) {
    const refs = byKey.get(a);
    if (refs) matrices.push({ id: `matrix-${a}`, title: run.length > 1 ? APPROACH_TITLE[a] : `${APPROACH_TITLE[a]} (every requirement of this run)`, flows: flows.filter((f) => f.approach === a), refs });
  }
  const both = byKey.get('both');
  if (both) matrices.push({ id: 'matrix-both', title: 'Both approaches: the requirements every flow is judged on', flows, refs: both });
  const shownFlows = new Map(matrices.flatMap((m) => m.refs.map((r) => [r.id, new Set(m.flows.map((f) => f.id))] as const)));
  const otherCount = ix.report.results.filter((r) => otherApproachIn(ix, r) && ix.refOf(r.requirementId).category !== 'negative' && !shownFlows.get(r.requirementId)?.has(r.flowId)).length;
  return { matrices, negative, unshown, otherApproach: otherCount };
}

interface Group {
  label: string;
  rank: number;
  refs: RequirementRef[];
}

/** Rows by category, one header row per category (not per step: most steps have one requirement). */
function groups(refs: RequirementRef[]): Group[] {
  const out = new Map<string, Group>();
  for (const ref of refs) {
    const g = out.get(ref.category) ?? { label: CATEGORY_LABEL[ref.category], rank: CATEGORY_ORDER.indexOf(ref.category), refs: [] };
    g.refs.push(ref);
    out.set(ref.category, g);
  }
  const sortKey = (r: RequirementRef) => (r.category === 'step' && r.step ? r.step : r.id);
  return [...out.values()].sort((a, b) => a.rank - b.rank).map((g) => ({ ...g, refs: g.refs.sort((a, b) => byNatural(sortKey(a), sortKey(b)) || byNatural(a.id, b.id)) }));
}

/** A verdict linking to its details where the failures section has them; the others explain themselves in the title. */
function verdictLink(ix: PageIndex, ref: RequirementRef, res: RequirementResult): string {
  const badge = shortBadge(res.verdict, cellTitle(res));
  if (!LISTED.includes(res.verdict)) return badge;
  const prov = ref.provenance !== 'spec' ? provTag(ref.provenance, true) : '';
  const known = res.baselined ? '<span class="baselined" title="known FAIL in the baseline">known</span>' : '';
  return `<a href="#${anchor('r', res.flowId, ref.id)}">${badge}${prov}${known}</a>`;
}

function cell(ix: PageIndex, ref: RequirementRef, flow: FlowReport): { html: string; verdict?: Verdict } {
  const res = ix.result(ref.id, flow.id);
  if (!res) return { html: '<td class="cell"><span class="nj" title="not judged in this flow">–</span></td>' };
  return { html: `<td class="cell c-${res.verdict}">${verdictLink(ix, refIn(ref, flow.approach), res)}</td>`, verdict: res.verdict };
}

function rowHead(ref: RequirementRef): string {
  return `<th class="rq" scope="row"><code>${h(ref.id)}</code> ${h(ref.title)} <span class="tags">${sevTag(ref)} ${provTag(ref.provenance)}</span></th>`;
}

function matrixTable(ix: PageIndex, m: Matrix): string {
  const head = `<tr><th class="rq">Requirement <span class="muted">(severity, provenance)</span></th>${m.flows
    .map((f) => `<th class="flow" scope="col"><a href="#${anchor('flow', f.id)}">${h(f.id)}</a></th>`)
    .join('')}</tr>`;
  const body = groups(m.refs)
    .map((g, gi) => {
      const rows = g.refs.map((ref) => {
        const cells = m.flows.map((f) => cell(ix, ref, f));
        const verdicts = [...new Set(cells.map((c) => c.verdict).filter((v): v is Verdict => v !== undefined))];
        const judgedIn = m.flows.filter((_, i) => cells[i]!.verdict).map((f) => f.id);
        const q = searchText(ref.id, ref.title, ref.step, ...judgedIn);
        return `<tr class="fr" data-g="${gi}" data-v="${h(verdicts.join(' '))}" data-q="${h(q)}">${rowHead(ref)}${cells.map((c) => c.html).join('')}</tr>`;
      });
      return `<tr class="group" data-g="${gi}"><th colspan="${1 + m.flows.length}">${h(g.label)} <span class="muted">(${g.refs.length})</span></th></tr>${rows.join('')}`;
    })
    .join('\n');
  return `<h3 id="${m.id}">${h(m.title)} <span class="muted">· ${m.refs.length} requirement${m.refs.length === 1 ? "" : "s"} × ${m.flows.length} flow${m.flows.length === 1 ? "" : "s"}</span></h3>
<div class="scroll"><table class="matrix"><thead>${head}</thead><tbody>${body}</tbody></table></div>`;
}

export function matrices(ix: PageIndex, p: Partition): string {
  const legend = (Object.keys(VERDICT_SHORT) as Verdict[]).filter((v) => VERDICT_SHORT[v] !== v).map((v) => `${VERDICT_SHORT[v]} = ${v}`).join(', ');
  const other = p.otherApproach
    ? ` ${p.otherApproach} results that are NOT_APPLICABLE only because the requirement belongs to the other approach are not shown as cells (they count in the header).`
    : '';
  const unshown = p.unshown.length
    ? `<details class="unshown"><summary>${p.unshown.length} requirements not in a matrix</summary><ul>${p.unshown
        .map(({ ref, why }) => `<li><code>${h(ref.id)}</code> ${h(ref.title)}: <span class="muted">${h(why)}</span></li>`)
        .join('')}</ul></details>`
    : '';
  const body = p.matrices.length ? p.matrices.map((m) => matrixTable(ix, m)).join('\n') : '<p class="muted">No requirement was judged in a flow.</p>';
  return `<section id="matrix"><h2>Verdict matrix</h2>
<p class="hint">One matrix per approach (its requirements, its flows), and one for the requirements every flow is judged on. Hover a cell for the verdict and its reason; click a non-passing cell for the details. ${h(legend)}; “–” means not judged in that flow.${h(other)}</p>
${body}
${unshown}
</section>`;
}

/** The tester's cases: rows of their own, each result named by the flow it was played in. */
export function negativeCases(ix: PageIndex, refs: RequirementRef[]): string {
  const tally = new Map<Verdict, number>();
  const rows = refs
    .sort((a, b) => byNatural(a.id, b.id))
    .map((ref) => {
      const all = ix.byRequirement.get(ref.id) ?? [];
      // A case of the other approach is not shown as NOT_APPLICABLE in that approach's flows (as in the matrices).
      const shown = all.filter((r) => !otherApproachIn(ix, r));
      const results = (shown.length ? shown : all).sort((a, b) => (ix.flowRank.get(a.flowId) ?? 0) - (ix.flowRank.get(b.flowId) ?? 0));
      for (const r of results) tally.set(r.verdict, (tally.get(r.verdict) ?? 0) + 1);
      const chips = results.map((r) => `<span class="chip"><a href="#${anchor('flow', r.flowId)}">${h(r.flowId)}</a> ${verdictLink(ix, ref, r)}</span>`).join(' ');
      const verdicts = [...new Set(results.map((r) => r.verdict))];
      const q = searchText(ref.id, ref.title, ...results.map((r) => r.flowId));
      return `<tr class="fr" data-v="${h(verdicts.join(' '))}" data-q="${h(q)}">${rowHead(ref)}<td>${chips || '<span class="nj">not judged in this run</span>'}</td></tr>`;
    });
  const counts = [...tally].map(([v, n]) => `<span class="badge v-${v}">${v} <b>${n}</b></span>`).join(' ');
  const body = rows.length
    ? `<p class="hint">What the implementations must refuse: the tester plays each case once per run against each endpoint, in the first flow that has it. ${counts}</p>
<div class="scroll"><table class="matrix neg"><thead><tr><th class="rq">Case <span class="muted">(severity, provenance)</span></th><th>Played in (flow: verdict)</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`
    : '<p class="muted">No negative case in this run.</p>';
  return `<section id="negative"><h2>Negative cases (${refs.length})</h2>
${body}
</section>`;
}
