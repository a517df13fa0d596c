/**
 * report.html: one self-contained page for a test engineer or a lab's customer. It loads nothing from anywhere
 * (inline CSS, inline JS, inline SVG) and a Content-Security-Policy pins that: only the page's own style and
 * script, by hash, may run, so a report that leaked markup from a message body still could not execute it.
 * Every value from the report is escaped. The sections are in html-matrix.ts, html-failures.ts and
 * html-flow.ts; the style and the script in html-assets.ts.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROLE_NAMES, ROLES } from '../model/roles.js';
import { EXIT_MEANING, VERDICTS } from '../verdict/verdict.js';
import type { RequirementResult, RunReport } from './model.js';
import { placeholderRef } from './model.js';
import { describeSelection } from './selection-words.js';
import { escapeHtml, fmtMs } from './html-text.js';
import { CSS, JS } from './html-assets.js';
import { failures } from './html-failures.js';
import { flowSection, FULL_FLOW_SECTIONS } from './html-flow.js';
import { matrices, negativeCases, partition } from './html-matrix.js';
import { PROVENANCE_MEANING, provTag, resultKey, VERDICT_MEANING, VERDICT_SHORT, verdictBadge, type PageIndex } from './html-parts.js';

export { anchor, escapeHtml } from './html-text.js';
export { FULL_FLOW_SECTIONS } from './html-flow.js';

const h = escapeHtml;

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
  if (report.secretsShown) rows.push(['Secrets', '<strong class="mutant">shown</strong> (written with --show-secrets: account secrets and nonces are in this report; not for a customer)']);
  if (report.mutant) rows.push(['Mutant', `<span class="mutant">${h(report.mutant)}</span> (harness self-test: deliberately broken behaviour)`]);
  rows.push([
    'Exit code',
    `<span class="exit exit-${report.summary.exitCode}">${report.summary.exitCode}</span> ${h(EXIT_MEANING[report.summary.exitCode])}`,
  ]);
  const legendV = VERDICTS.map((v) => `${verdictBadge(v)}${VERDICT_SHORT[v] !== v ? ` (${VERDICT_SHORT[v]})` : ''} ${h(VERDICT_MEANING[v])}`).join(' · ');
  const legendP = (['spec', 'reconstructed', 'profile'] as const).map((p) => `${provTag(p)} ${h(PROVENANCE_MEANING[p])}`).join(' · ');
  const harness =
    report.errors.length > 0
      ? `<div class="harness-errors"><strong>Harness errors (not tied to a flow):</strong><ul>${report.errors
          .map((e) => `<li>${h(e)}</li>`)
          .join('')}</ul></div>`
      : '';
  const presentation = report.presentation?.length
    ? `<div class="harness-errors"><strong>Presentation problems (the verdicts and the exit code stand):</strong><ul>${report.presentation.map((e) => `<li>${h(e)}</li>`).join('')}</ul></div>`
    : '';
  return `<header>
<h1>DM Server Delegation conformance report</h1>
<dl class="facts">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>
<p class="counts">${counts} <span class="total">of ${report.summary.total}</span></p>
${harness}${presentation}
<p class="legend"><strong>Verdicts:</strong> ${legendV}</p>
<p class="legend"><strong>Provenance:</strong> ${legendP}. A non-passing verdict against a <em>reconstructed</em> or <em>profile</em> requirement carries its tag and is not, by itself, proof of non-conformance.</p>
</header>`;
}

/** The sticky bar: where to go, which verdicts to show, what to search for (the controls need the script). */
function toolbar(report: RunReport, negative: boolean): string {
  const toggles = VERDICTS.map((v) => {
    const n = report.summary.byVerdict[v] ?? 0;
    return `<button type="button" class="vt v-${v}${n === 0 ? ' zero' : ''}" data-v="${v}" aria-pressed="true" title="${h(`show or hide ${v}: ${VERDICT_MEANING[v]}`)}">${VERDICT_SHORT[v]} ${n}</button>`;
  }).join('');
  return `<div class="tools" id="dmdc-tools">
<nav><a href="#matrix">Matrix</a> · <a href="#failures">Failures</a>${negative ? ' · <a href="#negative">Negative cases</a>' : ''} · <a href="#flows">Flows</a></nav>
<div class="ctl" role="group" aria-label="Show verdicts">${toggles}<button type="button" id="dmdc-problems">problems only</button><button type="button" id="dmdc-all">all</button></div>
<div class="ctl"><input type="search" id="dmdc-q" placeholder="search: id, title, flow" aria-label="Search requirements and flows"> <span class="shown" id="dmdc-shown" aria-live="polite"></span></div>
</div>`;
}

// ---------------------------------------------------------------------------------------------- page

function sha256(s: string): string {
  return `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
}

const CSP = `default-src 'none'; style-src ${sha256(CSS)}; script-src ${sha256(JS)}; img-src 'none'; base-uri 'none'; form-action 'none'`;

function pageIndex(report: RunReport): PageIndex {
  const catalogue = new Map(report.requirements.map((r) => [r.id, r]));
  const refOf = (id: string) => catalogue.get(id) ?? placeholderRef(id);
  // Results naming a requirement missing from the catalogue still get a row rather than vanishing.
  const refs = [...report.requirements];
  for (const id of new Set(report.results.map((r) => r.requirementId).filter((id) => !catalogue.has(id)))) refs.push(placeholderRef(id));
  const results = new Map(report.results.map((r) => [resultKey(r.requirementId, r.flowId), r]));
  const byFlow = new Map<string, RequirementResult[]>(report.flows.map((f) => [f.id, []]));
  const byRequirement = new Map<string, RequirementResult[]>();
  for (const r of report.results) {
    byFlow.get(r.flowId)?.push(r);
    const list = byRequirement.get(r.requirementId);
    if (list) list.push(r);
    else byRequirement.set(r.requirementId, [r]);
  }
  return {
    report,
    refOf,
    refs,
    result: (req, flow) => results.get(resultKey(req, flow)),
    byFlow,
    byRequirement,
    flow: new Map(report.flows.map((f) => [f.id, f])),
    flowRank: new Map(report.flows.map((f, i) => [f.id, i])),
  };
}

export function htmlReport(report: RunReport): string {
  const ix = pageIndex(report);
  const parts = partition(ix);
  const flows = report.flows.length
    ? report.flows.map((f) => flowSection(f, ix.byFlow.get(f.id)!, report.flows.length > FULL_FLOW_SECTIONS, ix.refOf)).join('\n')
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
${toolbar(report, parts.negative.length > 0)}
${matrices(ix, parts)}
${failures(ix)}
${parts.negative.length ? negativeCases(ix, parts.negative) : ''}
<section id="flows"><h2>Flows (${report.flows.length})</h2>
<p class="flow-buttons"><button type="button" id="dmdc-expand">Expand all</button> <button type="button" id="dmdc-collapse">Collapse all</button></p>
${flows}
</section>
<footer>${h(report.tool.name)} ${h(report.tool.version)} · report schema ${report.schemaVersion} · run ${h(report.runId)}</footer>
<script>${JS}</script>
</body>
</html>
`;
}

/** Writes report.html; returns its path. */
export function writeHtml(dir: string, report: RunReport): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'report.html');
  writeFileSync(file, htmlReport(report));
  return file;
}
