/**
 * report.html: one self-contained page for a test engineer or a lab's customer. It loads nothing from anywhere
 * (inline CSS, a few lines of inline JS, inline SVG) and a Content-Security-Policy pins that: only the page's
 * own style and script, by hash, may run, so a report that leaked markup from a message body still could not
 * execute it. Every value from the report is escaped.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROLE_NAMES, ROLES } from '../model/roles.js';
import { EXIT_MEANING, VERDICTS, type Verdict } from '../verdict/verdict.js';
import type {
  Category,
  CheckResult,
  FlowReport,
  Provenance,
  RequirementRef,
  RequirementResult,
  RunReport,
  TreeNodeView,
} from './model.js';
import { placeholderRef } from './model.js';
import { describeSelection } from './selection-words.js';
import { anchor, escapeHtml, fmtMs, truncate } from './html-text.js';
import { isBad, partyName, sequenceSvg } from './html-sequence.js';

export { anchor, escapeHtml } from './html-text.js';

const h = escapeHtml;

const byNatural = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

// ---------------------------------------------------------------------------------------------- wording

const VERDICT_MEANING: Record<Verdict, string> = {
  PASS: 'requirement met',
  FAIL: 'a MUST was violated by the implementation',
  WARN: 'a SHOULD was not met',
  INCONCLUSIVE: 'no answer within the time budget',
  ERROR: 'the harness or environment failed, not the implementation',
  NOT_APPLICABLE: 'the ICS declares the feature unsupported',
  NOT_OBSERVABLE: 'the link is not visible with this role assignment',
  BLOCKED: 'not reached: the flow stopped earlier at the root FAIL the reason names',
};

const PROVENANCE_MEANING: Record<Provenance, string> = {
  spec: 'verbatim specification text',
  reconstructed: 'reconstructed by the harness (spec body not available)',
  profile: "the harness's binding-profile choice",
};

/** A FAIL against anything but spec text is not proven non-conformance; the page says so wherever it shows one. */
const PROVENANCE_CAVEAT: Record<Provenance, string> = {
  spec: '',
  reconstructed:
    "This requirement is reconstructed, not verbatim spec text: a FAIL means the implementation departs from the harness's reading of the specification, which is not by itself proof of non-conformance.",
  profile:
    "This requirement is a binding-profile choice of the harness: a FAIL means the implementation departs from that profile, not necessarily from the specification.",
};

const CATEGORY_ORDER: readonly Category[] = ['architecture', 'step', 'ordering', 'tls', 'session', 'final-state', 'profile', 'negative'];
const CATEGORY_LABEL: Record<Category, string> = {
  architecture: 'Architecture',
  step: 'Protocol steps',
  ordering: 'Ordering (happens-before)',
  tls: 'TLS',
  session: 'DM session',
  'final-state': 'Final state of the DM tree',
  profile: 'Binding profile',
  negative: 'Negative cases',
};

/** Worst first, so the failures section opens with what needs attention. */
const ATTENTION: readonly Verdict[] = ['FAIL', 'ERROR', 'INCONCLUSIVE', 'WARN'];

// ---------------------------------------------------------------------------------------------- small parts

function verdictBadge(v: Verdict, extra = ''): string {
  return `<span class="v v-${v}"${extra}>${v}</span>`;
}

function provTag(p: Provenance): string {
  return `<span class="ptag p-${p}" title="${h(PROVENANCE_MEANING[p])}">${p}</span>`;
}

/** The non-spec tag goes right beside a non-passing verdict so it cannot be read as plain non-conformance. */
function verdictWithProvenance(v: Verdict, p: Provenance): string {
  return verdictBadge(v) + (p !== 'spec' && v !== 'PASS' ? ` ${provTag(p)}` : '');
}


function checkSummary(c: CheckResult): string {
  if (c.reason) return c.reason;
  if (c.expected !== undefined || c.actual !== undefined) return `expected ${c.expected ?? '?'}; actual ${c.actual ?? '?'}`;
  return c.checkId;
}

function cellTitle(res: RequirementResult): string {
  const relevant = res.checks.filter((c) => c.verdict !== 'PASS');
  if (relevant.length === 0) return `${res.verdict}: ${res.checks.length} check(s) passed`;
  return `${res.verdict}: ${relevant.map(checkSummary).join(' | ')}`;
}

function quoteArg(s: string): string {
  return /^[A-Za-z0-9._\-*?]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The CLI line that replays one flow (anchors §18 item 15). */
function rerunLine(report: RunReport, flow: FlowReport | undefined, requirementId: string): string {
  const parts = ['dmdc', 'run'];
  if (flow) parts.push('--flow', quoteArg(flow.id));
  parts.push('--only', quoteArg(requirementId));
  if (report.mutant) parts.push('--mutant', report.mutant);
  if (ROLES.some((r) => report.roles[r] === 'real')) parts.push('--config', report.setup?.file ? quoteArg(report.setup.file) : '<config-file>');
  return parts.join(' ');
}

// ---------------------------------------------------------------------------------------------- header

function header(report: RunReport): string {
  const roles = ROLES.map(
    (r) => `<span class="role role-${report.roles[r]}">${h(ROLE_NAMES[r])}: ${report.roles[r]}</span>`,
  ).join(' ');
  const counts = VERDICTS.map((v) => {
    const n = report.summary.byVerdict[v] ?? 0;
    return `<span class="badge v-${v}${n === 0 ? ' zero' : ''}" title="${h(VERDICT_MEANING[v])}">${v} <b>${n}</b></span>`;
  }).join(' ');
  const sel = describeSelection(report.selection);
  const rows: Array<[string, string]> = [
    ['Run', `<code>${h(report.runId)}</code>`],
    ['Started', h(report.startedAt)],
    ['Finished', h(report.finishedAt)],
    ['Duration', h(fmtMs(report.durationMs))],
    ['Tool', `${h(report.tool.name)} ${h(report.tool.version)}, binding profile ${h(report.profileVersion)}`],
    ['Roles', roles],
    ['Selection', h(sel)],
  ];
  if (report.setup) {
    const st = report.setup;
    if (st.name || st.file) rows.push(['Under test', `${h(st.name ?? '')}${st.file ? ` <span class="muted">(config ${h(st.file)})</span>` : ''}`]);
    rows.push(['ICS', `<code>${h(JSON.stringify(st.ics))}</code>`]);
    const unseen = Object.entries(st.observability).filter(([, o]) => !o.observed);
    rows.push([
      'Observability',
      unseen.length
        ? `not observable: ${unseen.map(([c, o]) => `<b>${h(c)}</b> (${h(o.how)})`).join('; ')}; the requirements that need them are NOT_OBSERVABLE`
        : 'every link, the Package #0, the probe and the final tree',
    ]);
  }
  const bl = report.summary.baseline;
  if (bl) {
    rows.push([
      'Baseline',
      `${bl.file ? `<code>${h(bl.file)}</code>: ` : ''}${bl.entries.length} known FAILs listed; ${bl.known} FAILs excused here (marked <span class="baselined">known</span>), ${bl.newFailures.length} new` +
        (bl.stale.length ? `; <b>stale</b> (now passing, remove them): ${bl.stale.map((e) => `<code>${h(e.requirement)} × ${h(e.flow)}</code>`).join(', ')}` : '') +
        (bl.expired.length ? `; <b>expired</b>: ${bl.expired.map((e) => `<code>${h(e.requirement)} × ${h(e.flow)}</code> (${h(e.expires ?? '')})`).join(', ')}` : ''),
    ]);
  }
  if (report.mutant) rows.push(['Mutant', `<span class="mutant">${h(report.mutant)}</span> (harness self-test: deliberately broken behaviour)`]);
  rows.push([
    'Exit code',
    `<span class="exit exit-${report.summary.exitCode}">${report.summary.exitCode}</span> ${h(EXIT_MEANING[report.summary.exitCode])}`,
  ]);
  const legendV = VERDICTS.map((v) => `${verdictBadge(v)} ${h(VERDICT_MEANING[v])}`).join(' · ');
  const legendP = (['spec', 'reconstructed', 'profile'] as const).map((p) => `${provTag(p)} ${h(PROVENANCE_MEANING[p])}`).join(' · ');
  const harness =
    report.errors.length > 0
      ? `<div class="harness-errors"><strong>Harness errors (not tied to a flow):</strong><ul>${report.errors
          .map((e) => `<li>${h(e)}</li>`)
          .join('')}</ul></div>`
      : '';
  return `<header>
<h1>DM Server Delegation conformance report</h1>
<dl class="facts">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>
<p class="counts">${counts} <span class="total">of ${report.summary.total}</span></p>
${harness}
<p class="legend"><strong>Verdicts:</strong> ${legendV}</p>
<p class="legend"><strong>Provenance:</strong> ${legendP}. A non-passing verdict against a <em>reconstructed</em> or <em>profile</em> requirement carries its tag and is not, by itself, proof of non-conformance.</p>
<nav><a href="#matrix">Verdict matrix</a> · <a href="#failures">Failures and warnings</a> · <a href="#flows">Flows</a></nav>
</header>`;
}

// ---------------------------------------------------------------------------------------------- matrix

interface Group {
  key: string;
  label: string;
  rank: [number, string, string];
  refs: RequirementRef[];
}

function groupOf(ref: RequirementRef): Omit<Group, 'refs'> {
  const approach = ref.approach ?? '';
  if (ref.category === 'step') {
    const step = ref.step ?? '';
    const label = `${ref.approach ? `Approach ${ref.approach} · ` : ''}step ${step || '(unassigned)'}`;
    return { key: `step|${approach}|${step}`, label, rank: [0, approach || '~', step] };
  }
  const label = CATEGORY_LABEL[ref.category] + (ref.approach ? ` · approach ${ref.approach}` : '');
  return { key: `${ref.category}|${approach}`, label, rank: [CATEGORY_ORDER.indexOf(ref.category), approach || '~', ''] };
}

function groups(refs: RequirementRef[]): Group[] {
  const out = new Map<string, Group>();
  for (const ref of refs) {
    const g = groupOf(ref);
    const entry = out.get(g.key) ?? { ...g, refs: [] };
    entry.refs.push(ref);
    out.set(g.key, entry);
  }
  return [...out.values()]
    .sort((a, b) => a.rank[0] - b.rank[0] || byNatural(a.rank[1], b.rank[1]) || byNatural(a.rank[2], b.rank[2]))
    .map((g) => ({ ...g, refs: g.refs.sort((a, b) => byNatural(a.id, b.id)) }));
}

function matrix(report: RunReport, refs: RequirementRef[], results: Map<string, RequirementResult>): string {
  const flows = report.flows;
  const head = `<tr><th class="rq">Requirement</th><th>Sev.</th><th>Provenance</th>${flows
    .map((f) => `<th class="flow"><a href="#${anchor('flow', f.id)}">${h(f.id)}</a></th>`)
    .join('')}</tr>`;
  const body = groups(refs)
    .map((g) => {
      const rows = g.refs.map((ref) => {
        const cells = flows.map((f) => {
          const res = results.get(key(ref.id, f.id));
          if (!res) return `<td class="cell"><span class="nj" title="not judged in this flow">–</span></td>`;
          const title = ` title="${h(cellTitle(res))}"`;
          // Only the verdicts the failures section lists get a link; the others explain themselves in the title.
          const inner = ATTENTION.includes(res.verdict)
            ? `<a href="#${anchor('r', f.id, ref.id)}"${title}>${verdictWithProvenance(res.verdict, ref.provenance)}</a>`
            : verdictBadge(res.verdict, title);
          return `<td class="cell">${inner}</td>`;
        });
        return `<tr><th class="rq" scope="row"><code>${h(ref.id)}</code> ${h(ref.title)}</th><td class="sev sev-${ref.severity}">${ref.severity}</td><td>${provTag(ref.provenance)}</td>${cells.join('')}</tr>`;
      });
      return `<tr class="group"><th colspan="${3 + flows.length}">${h(g.label)}</th></tr>${rows.join('')}`;
    })
    .join('\n');
  return `<section id="matrix"><h2>Verdict matrix</h2>
<p class="hint">Rows: requirements by category and step. Columns: flows. Hover a cell for the reason; click a non-passing cell for the details. “–” means not judged in that flow.</p>
<div class="scroll"><table class="matrix"><thead>${head}</thead><tbody>${body}</tbody></table></div></section>`;
}

// ---------------------------------------------------------------------------------------------- failures

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

function checkBlock(flowId: string, flow: FlowReport | undefined, c: CheckResult): string {
  const row = (k: string, v: string | undefined, cls = '') => (v === undefined ? '' : `<tr class="${cls}"><th>${k}</th><td>${h(v)}</td></tr>`);
  return `<div class="check"><div>${verdictBadge(c.verdict)} <code>${h(c.checkId)}</code></div>
<table class="ea">${row('Expected', c.expected, 'exp')}${row('Actual', c.actual, 'act')}${row('Reason', c.reason)}</table>
${evidenceList(flowId, flow, c.evidence)}</div>`;
}

function failures(report: RunReport, refOf: (id: string) => RequirementRef): string {
  const flows = new Map(report.flows.map((f) => [f.id, f]));
  const flowRank = new Map(report.flows.map((f, i) => [f.id, i]));
  // Within a flow, its FAILs in the order they showed on the wire: the root first.
  const rootRank = (r: RequirementResult) => {
    const i = flows.get(r.flowId)?.rootFailures.indexOf(r.requirementId) ?? -1;
    return i < 0 ? 1e9 : i;
  };
  const list = report.results
    .filter((r) => ATTENTION.includes(r.verdict))
    .sort(
      (a, b) =>
        ATTENTION.indexOf(a.verdict) - ATTENTION.indexOf(b.verdict) ||
        (flowRank.get(a.flowId) ?? 1e9) - (flowRank.get(b.flowId) ?? 1e9) ||
        rootRank(a) - rootRank(b) ||
        byNatural(a.requirementId, b.requirementId),
    );
  if (list.length === 0) return `<section id="failures"><h2>Failures and warnings</h2><p>None: no FAIL, ERROR, INCONCLUSIVE or WARN.</p></section>`;
  const items = list.map((res) => {
    const ref = refOf(res.requirementId);
    const flow = flows.get(res.flowId);
    const caveat = PROVENANCE_CAVEAT[ref.provenance] ? `<p class="caveat">${h(PROVENANCE_CAVEAT[ref.provenance])}</p>` : '';
    const notes = ref.notes?.length ? `<ul class="notes">${ref.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>` : '';
    const checks = [...res.checks].sort((a, b) => Number(a.verdict === 'PASS') - Number(b.verdict === 'PASS'));
    return `<article class="failure f-${res.verdict}" id="${anchor('r', res.flowId, res.requirementId)}">
<h3>${verdictWithProvenance(res.verdict, ref.provenance)} <code>${h(ref.id)}</code> ${h(ref.title)} <span class="in">in flow <a href="#${anchor('flow', res.flowId)}">${h(res.flowId)}</a></span></h3>
${res.baselined ? `<p class="baselined-note"><span class="baselined">known</span> in the baseline: ${h(res.baselined.reason)}${res.baselined.expires ? ` (until ${h(res.baselined.expires)})` : ''}; it does not fail the gate</p>` : ''}
<blockquote>${h(ref.text)}</blockquote>
${ref.proof ? `<p class="proof"><span class="k">A PASS cites</span> ${h(ref.proof)}</p>` : ''}
<p class="meta">${h(ref.section)} · ${ref.severity} · provenance ${provTag(ref.provenance)} · category ${h(ref.category)}${ref.step ? ` · step <code>${h(ref.step)}</code>` : ''}</p>
${caveat}${notes}
${checks.map((c) => checkBlock(res.flowId, flow, c)).join('\n')}
<p class="rerun"><span class="k">Re-run</span> <code>${h(rerunLine(report, flow, res.requirementId))}</code></p>
</article>`;
  });
  return `<section id="failures"><h2>Failures and warnings (${list.length})</h2>${items.join('\n')}</section>`;
}

// ---------------------------------------------------------------------------------------------- per flow

function messageTable(flow: FlowReport, evidence: Set<number>): string {
  if (flow.sequence.length === 0) return '<p class="muted">No messages were observed in this flow.</p>';
  const rows = flow.sequence.map((e) => {
    const cls = [isBad(e) ? 'bad' : '', evidence.has(e.seq) ? 'ev' : ''].filter(Boolean).join(' ');
    const summary = `${h(e.summary)}${e.reason ? ` <span class="reason">${h(e.reason)}</span>` : ''}`;
    const cell =
      e.body !== undefined
        ? `<details class="body"><summary>${summary}</summary><pre>${h(e.body)}</pre></details>`
        : summary;
    return `<tr id="${anchor('m', flow.id, e.seq)}" class="${cls}"><td class="num">${e.seq}</td><td class="num">${h(String(e.t))}</td><td>${h(e.kind)}</td><td>${e.step ? `<code>${h(e.step)}</code>` : ''}</td><td>${h(e.link)}</td><td class="nowrap">${h(partyName(e.from))} → ${h(partyName(e.to))}</td><td class="num">${e.httpStatus ?? ''}</td><td>${h(e.tlsProtocol ?? '')}</td><td class="sum">${cell}</td></tr>`;
  });
  return `<table class="msgs"><thead><tr><th>seq</th><th>t ms</th><th>kind</th><th>step</th><th>link</th><th>from → to</th><th>HTTP</th><th>TLS</th><th>summary (click to show the body)</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function aclCell(acl: string): string {
  return acl === '' ? '<span class="muted">(inherited)</span>' : `<code>${h(acl)}</code>`;
}

function treeTable(nodes: TreeNodeView[], initial?: Map<string, TreeNodeView>): string {
  if (nodes.length === 0) return '<p class="muted">Empty.</p>';
  const rows = nodes.map((n) => {
    let cls = '';
    let change = '';
    if (initial) {
      const before = initial.get(n.path);
      if (!before) [cls, change] = ['added', 'new node'];
      else if (before.effectiveAcl !== n.effectiveAcl) [cls, change] = ['changed', `effective ACL was ${before.effectiveAcl || '(empty)'}`];
      else if (before.acl !== n.acl) [cls, change] = ['own-changed', `own ACL was ${before.acl || '(inherited)'}`];
    }
    return `<tr class="${cls}"><td><code>${h(n.path)}</code></td><td>${h(n.format)}</td><td>${h(n.value ?? '')}</td><td>${aclCell(n.acl)}</td><td><code>${h(n.effectiveAcl)}</code></td>${initial ? `<td>${h(change)}</td>` : ''}</tr>`;
  });
  const finalPaths = new Set(nodes.map((n) => n.path));
  const removed = initial
    ? [...initial.values()]
        .filter((n) => !finalPaths.has(n.path))
        .map((n) => `<tr class="removed"><td><code>${h(n.path)}</code></td><td>${h(n.format)}</td><td>${h(n.value ?? '')}</td><td>${aclCell(n.acl)}</td><td><code>${h(n.effectiveAcl)}</code></td><td>removed</td></tr>`)
    : [];
  return `<table class="tree"><thead><tr><th>path</th><th>format</th><th>value</th><th>own ACL</th><th>effective ACL</th>${initial ? '<th>change</th>' : ''}</tr></thead><tbody>${rows.join('')}${removed.join('')}</tbody></table>`;
}

const TREE_SOURCE_NOTE: Record<FlowReport['treeSource'], string> = {
  mock: 'read from the mock client',
  protocol: 'read over the protocol: DM sessions of the harness servers with Get and Get ?prop=ACL',
  driver: 'reported by the client driver',
  none: 'not obtained',
};

/**
 * Flows a page shows in full whatever their verdicts; in a larger run a flow that passed is one line, so the
 * page stays readable and its size follows the failures (report.json and the trace keep every message).
 */
export const FULL_FLOW_SECTIONS = 50;

function flowSection(flow: FlowReport, results: RequirementResult[], compactIfPassed: boolean): string {
  const counts = VERDICTS.map((v) => [v, results.filter((r) => r.verdict === v).length] as const).filter(([, n]) => n > 0);
  const failing = results.filter((r) => r.verdict !== 'PASS' && r.verdict !== 'NOT_APPLICABLE' && r.verdict !== 'NOT_OBSERVABLE');
  const open = failing.some((r) => r.verdict !== 'WARN') || flow.status !== 'completed';
  const variant = `approach ${flow.approach} · ${flow.scope} · ${flow.duration}${flow.removeAccount ? ' · remove account' : ''} · bootstrap ${flow.bootstrap}`;
  const summary = `<summary><span class="fid">${h(flow.id)}</span> <span class="status st-${flow.status}">${flow.status}</span> ${counts.map(([v, n]) => `<span class="badge v-${v}">${v} <b>${n}</b></span>`).join(' ')} <span class="muted">${h(variant)} · ${h(fmtMs(flow.durationMs))}</span></summary>`;
  if (compactIfPassed && !failing.length && flow.status === 'completed') {
    return `<details class="flow" id="${anchor('flow', flow.id)}">
${summary}
<p class="muted">Passed: ${flow.sequence.length} messages; with more than ${FULL_FLOW_SECTIONS} flows a passing flow's messages and trees are in report.json and the trace only.</p>
</details>`;
  }
  const evidence = new Set(failing.flatMap((r) => r.checks.filter((c) => c.verdict !== 'PASS').flatMap((c) => c.evidence)));
  const initial = new Map(flow.initialTree.map((n) => [n.path, n]));
  return `<details class="flow" id="${anchor('flow', flow.id)}"${open ? ' open' : ''}>
${summary}
${flow.error ? `<p class="flow-error"><strong>Error:</strong> ${h(flow.error)}</p>` : ''}
${flow.stop ? `<p class="flow-stop"><strong>Stopped at ${h(flow.stop.requirementId)}</strong>${flow.stop.seq ? ` (seq ${flow.stop.seq})` : ''}: ${h(flow.stop.actual)}. Requirements after it are BLOCKED, not failed.</p>` : ''}
${flow.rootFailures.length ? `<p class="flow-roots"><strong>FAIL, earliest first:</strong> ${flow.rootFailures.map((id) => `<code>${h(id)}</code>`).join(', ')}</p>` : ''}
<h4>Observed message sequence</h4>
<p class="hint">Dashed arrows are responses; red marks refused or failed messages; thick arrows are the evidence of a non-passing verdict. Click an arrow for the message row.</p>
<div class="scroll">${sequenceSvg(flow, evidence)}</div>
<h4>Messages</h4>
<div class="scroll">${messageTable(flow, evidence)}</div>
<h4>Final ACL tree <span class="muted">(${h(TREE_SOURCE_NOTE[flow.treeSource])})</span></h4>
<p class="hint">Highlighted: nodes whose effective ACL differs from the initial tree, new nodes and removed nodes.</p>
${flow.treeSource === 'none' && flow.finalTree.length === 0 ? '<p class="muted">The final tree could not be read in this flow; final-state checks are not judged from it.</p>' : `<div class="scroll">${treeTable(flow.finalTree, initial)}</div>`}
${flow.treeUnread?.length ? `<p class="hint">Could not be read: ${flow.treeUnread.map((u) => `<code>${h(u.path)}</code> (${h(u.status)})`).join(', ')}. A final-state check that passes on what was read is INCONCLUSIVE.</p>` : ''}
<details class="initial"><summary>Initial ACL tree (${flow.initialTree.length} nodes)</summary><div class="scroll">${treeTable(flow.initialTree)}</div></details>
</details>`;
}

// ---------------------------------------------------------------------------------------------- page

const CSS = `
:root{--pass:#1a7f37;--fail:#cf222e;--warn:#9a6700;--inc:#8250df;--err:#6e0f14;--na:#6e7781;--no:#4a6fa5;--blk:#bc4c00;--line:#d0d7de}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;padding:1em 1.5em;max-width:1400px;color:#1f2328;background:#fff}
h1{font-size:1.5em;margin:.2em 0 .6em}h2{border-bottom:2px solid var(--line);padding-bottom:.2em;margin-top:1.6em}h3{font-size:1.05em;margin:.2em 0}h4{margin:1em 0 .3em}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em}
a{color:#0969da}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.15em 1em;margin:0}.facts dt{font-weight:600}.facts dd{margin:0}
.v,.badge{display:inline-block;padding:0 .45em;border-radius:3px;color:#fff;font-weight:600;font-size:.85em;white-space:nowrap}
.badge.zero{opacity:.35}
.v-PASS{background:var(--pass)}.v-FAIL{background:var(--fail)}.v-WARN{background:var(--warn)}.v-INCONCLUSIVE{background:var(--inc)}
.v-ERROR{background:var(--err)}.v-NOT_APPLICABLE{background:var(--na)}.v-NOT_OBSERVABLE{background:var(--no)}.v-BLOCKED{background:var(--blk)}
.ptag{display:inline-block;padding:0 .35em;border-radius:3px;font-size:.78em;border:1px solid;white-space:nowrap}
.p-spec{color:#0a3069;border-color:#54aeff}.p-reconstructed{color:#953800;border-color:#fb8f44;border-style:dashed;background:#fff1e5}.p-profile{color:#0e6a6a;border-color:#3fb9b9;background:#e8fbfb}
.role{display:inline-block;margin-right:.5em;padding:0 .4em;border-radius:3px;border:1px solid var(--line)}.role-real{background:#ddf4ff;border-color:#54aeff;font-weight:600}
.mutant{color:var(--fail);font-weight:700}
.baselined{background:#eee3c4;color:#5a4500;border-radius:3px;padding:0 .35em;font-size:.85em;font-weight:600}
.exit{font-weight:700;padding:0 .4em;border-radius:3px;color:#fff}.exit-0{background:var(--pass)}.exit-1{background:var(--fail)}.exit-2{background:var(--err)}.exit-3{background:var(--inc)}
.counts{font-size:1.1em}.total{color:#656d76}
.legend{font-size:.88em;color:#424a53;margin:.3em 0}
.harness-errors{border:2px solid var(--err);padding:.4em .8em;border-radius:4px;background:#ffebe9}
nav{margin:.6em 0;font-weight:600}
.hint,.muted{color:#656d76}.hint{font-size:.88em;margin:.2em 0}
.scroll{overflow-x:auto}
table{border-collapse:collapse}th,td{border:1px solid var(--line);padding:.2em .45em;vertical-align:top;text-align:left}
.matrix th.flow{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:500;font-size:.85em;vertical-align:bottom;padding:.4em .2em}
.matrix th.rq{font-weight:400;min-width:22em;position:sticky;left:0;background:#fff}
.matrix tr.group th{background:#f6f8fa;font-weight:700;position:static}
.matrix td.cell{text-align:center;white-space:nowrap}.matrix td.cell a{text-decoration:none}
.nj{color:#8c959f}
.sev{font-size:.85em}.sev-MUST{font-weight:700}
.failure{border:1px solid var(--line);border-left:6px solid var(--na);border-radius:4px;padding:.5em .9em;margin:.8em 0}
.f-FAIL{border-left-color:var(--fail)}.f-ERROR{border-left-color:var(--err)}.f-INCONCLUSIVE{border-left-color:var(--inc)}.f-WARN{border-left-color:var(--warn)}
.failure .in{font-weight:400;font-size:.9em}
blockquote{margin:.4em 0;padding:.2em .8em;border-left:3px solid var(--line);color:#424a53;font-style:italic}
.meta{font-size:.88em;color:#424a53;margin:.2em 0}
.caveat{background:#fff8c5;border:1px solid #d4a72c;padding:.3em .6em;border-radius:3px;font-size:.9em}
.check{margin:.5em 0 .5em .4em}.ea th{width:6em;background:#f6f8fa}.ea .exp td{background:#dafbe1}.ea .act td{background:#ffebe9}
.evidence ul{margin:.2em 0;padding-left:1.4em}.k{font-weight:600;margin-right:.4em}
.rerun code{background:#f6f8fa;padding:.1em .4em;border-radius:3px}
details.flow{border:1px solid var(--line);border-radius:4px;margin:.6em 0;padding:.3em .8em}
details.flow>summary{cursor:pointer;font-size:1.02em}.fid{font-weight:700;font-family:ui-monospace,Menlo,Consolas,monospace}
.status{padding:0 .4em;border-radius:3px;font-size:.85em;border:1px solid}.st-completed{color:var(--pass)}.st-failed{color:var(--fail)}.st-timeout{color:var(--inc)}
.flow-error{color:var(--fail)}.flow-stop{color:var(--blk)}
.msgs td.num{text-align:right;font-variant-numeric:tabular-nums}.nowrap{white-space:nowrap}
.msgs tr.bad td{background:#ffebe9}.msgs tr.ev td:first-child{border-left:4px solid var(--fail)}.msgs tr:target td{outline:2px solid #0969da}
.msgs .sum{min-width:24em}.reason{color:var(--fail)}
details.body pre{white-space:pre-wrap;word-break:break-all;max-height:30em;overflow:auto;background:#f6f8fa;padding:.5em;margin:.3em 0}
details.body>summary{cursor:pointer}
.tree tr.changed td{background:#fff8c5}.tree tr.added td{background:#dafbe1}.tree tr.removed td{background:#ffebe9;text-decoration:line-through}.tree tr.own-changed td{background:#f6f8fa}
details.initial{margin:.6em 0}
.seqdiag{font:12px system-ui,sans-serif;display:block}
.seqdiag .sq-head{fill:#f6f8fa;stroke:#57606a}.seqdiag .sq-name{font-weight:700;fill:#1f2328}
.seqdiag .sq-life{stroke:#8c959f;stroke-dasharray:2 4}
.seqdiag .sq-line{stroke:#24292f;stroke-width:1.4;fill:none}.seqdiag .sq-head-arrow{fill:#24292f}
.seqdiag .sq-response .sq-line{stroke-dasharray:6 3}
.seqdiag .sq-tls .sq-line{stroke:#8c959f;stroke-dasharray:1 3}.seqdiag .sq-tls .sq-head-arrow{fill:#8c959f}.seqdiag .sq-tls .sq-label{fill:#656d76}
.seqdiag .sq-bad .sq-line,.seqdiag .sq-bad .sq-cross{stroke:var(--fail)}.seqdiag .sq-bad .sq-head-arrow{fill:var(--fail)}.seqdiag .sq-bad .sq-label{fill:var(--fail)}
.seqdiag .sq-cross{stroke-width:2}
.seqdiag .sq-ev .sq-line{stroke-width:3.2}
.seqdiag .sq-label{fill:#1f2328;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}.seqdiag .sq-seq,.seqdiag .sq-t{fill:#656d76;font-size:11px}.seqdiag .sq-note{fill:#8c959f;font-style:italic}
.seqdiag a:hover .sq-label{text-decoration:underline}
footer{margin-top:2em;color:#656d76;font-size:.85em}
`;

/** Opens the collapsed flow holding a linked message, so evidence links always land on something visible. */
const JS = `
function dmdcReveal(){var id=decodeURIComponent(location.hash.slice(1));var el=id&&document.getElementById(id);if(!el)return;for(var p=el;p;p=p.parentElement){if(p.tagName==='DETAILS')p.open=true}el.scrollIntoView()}
addEventListener('hashchange',dmdcReveal);dmdcReveal();
document.getElementById('dmdc-expand').addEventListener('click',function(){document.querySelectorAll('details.flow').forEach(function(d){d.open=true})});
document.getElementById('dmdc-collapse').addEventListener('click',function(){document.querySelectorAll('details.flow').forEach(function(d){d.open=false})});
`;

function sha256(s: string): string {
  return `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
}

const CSP = `default-src 'none'; style-src ${sha256(CSS)}; script-src ${sha256(JS)}; img-src 'none'; base-uri 'none'; form-action 'none'`;

export function htmlReport(report: RunReport): string {
  const catalogue = new Map(report.requirements.map((r) => [r.id, r]));
  const refOf = (id: string) => catalogue.get(id) ?? placeholderRef(id);
  // Results naming a requirement missing from the catalogue still get a row rather than vanishing.
  const refs = [...report.requirements];
  const placeholders = new Set(report.results.map((r) => r.requirementId).filter((id) => !catalogue.has(id)));
  for (const id of placeholders) refs.push(placeholderRef(id));
  const results = new Map(report.results.map((r) => [key(r.requirementId, r.flowId), r]));
  const byFlow = new Map<string, RequirementResult[]>(report.flows.map((f) => [f.id, []]));
  for (const r of report.results) byFlow.get(r.flowId)?.push(r);
  const flows = report.flows.length
    ? report.flows.map((f) => flowSection(f, byFlow.get(f.id)!, report.flows.length > FULL_FLOW_SECTIONS)).join('\n')
    : '<p class="muted">No flow was run.</p>';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${h(CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dmdc report ${h(report.runId)}</title>
<style>${CSS}</style>
</head>
<body>
${header(report)}
${matrix(report, refs, results)}
${failures(report, refOf)}
<section id="flows"><h2>Flows (${report.flows.length})</h2>
<p><button type="button" id="dmdc-expand">Expand all</button> <button type="button" id="dmdc-collapse">Collapse all</button></p>
${flows}
</section>
<footer>${h(report.tool.name)} ${h(report.tool.version)} · report schema ${report.schemaVersion} · run ${h(report.runId)}</footer>
<script>${JS}</script>
</body>
</html>
`;
}

function key(requirementId: string, flowId: string): string {
  return JSON.stringify([requirementId, flowId]);
}

/** Writes report.html; returns its path. */
export function writeHtml(dir: string, report: RunReport): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'report.html');
  writeFileSync(file, htmlReport(report));
  return file;
}
