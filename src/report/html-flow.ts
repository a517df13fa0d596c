/** report.html's section of one flow: its sequence diagram, its messages, its final ACL tree's changes. */
import { VERDICTS } from '../verdict/verdict.js';
import type { FlowReport, RequirementResult, TreeNodeView } from './model.js';
import { isBad, orderViolations, partyName, sequenceSvg, type RefLookup } from './html-sequence.js';
import { anchor, escapeHtml as h, fmtMs } from './html-text.js';
import { aclHtml, otherApproach, searchText, shortValue } from './html-parts.js';

function messageTable(flow: FlowReport, evidence: Set<number>): string {
  if (flow.sequence.length === 0) return '<p class="muted">No messages were observed in this flow.</p>';
  const rows = flow.sequence.map((e) => {
    const cls = [isBad(e) ? 'bad' : '', evidence.has(e.seq) ? 'ev' : ''].filter(Boolean).join(' ');
    const summary = `<span class="st">${h(e.summary)}${e.reason ? ` <span class="reason">${h(e.reason)}</span>` : ''}</span>`;
    const cell =
      e.body !== undefined
        ? `<details class="body"><summary>${summary}</summary><pre>${h(e.body)}</pre></details>`
        : summary;
    return `<tr id="${anchor('m', flow.id, e.seq)}" class="${cls}"><td class="num">${e.seq}</td><td class="num">${h(String(e.t))}</td><td>${h(e.kind)}</td><td>${e.step ? `<code>${h(e.step)}</code>` : ''}</td><td>${h(e.link)}</td><td class="nowrap">${h(partyName(e.from))} → ${h(partyName(e.to))}</td><td class="num">${e.httpStatus ?? ''}</td><td>${h(e.tlsProtocol ?? '')}</td><td class="sum">${cell}</td></tr>`;
  });
  return `<table class="msgs"><thead><tr><th>seq</th><th>t ms</th><th>kind</th><th>step</th><th>link</th><th>from → to</th><th>HTTP</th><th>TLS</th><th>summary (click to show the body)</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function aclCell(acl: string): string {
  return acl === '' ? '<span class="muted">(inherited)</span>' : `<code>${aclHtml(acl)}</code>`;
}

/** The path, with a leaf's value shortened beside it (the whole value and the format on hover). */
function pathCell(n: TreeNodeView): string {
  const value = n.value !== undefined && n.value !== '' ? ` <span class="val">= ${shortValue(n.value, 40)}</span>` : '';
  return `<td title="${h(`format ${n.format}`)}"><code>${h(n.path)}</code>${value}</td>`;
}

/** `same`: what a node shares with its parent when it changed only as the parent did; `follows`: it may fold under it. */
type Change = { cls: 'changed' | 'added' | 'removed' | 'own-changed'; html: string; same: string; follows: boolean; below?: number; sub?: boolean };

function changeOf(n: TreeNodeView, before: TreeNodeView | undefined): Change | undefined {
  if (!before) return { cls: 'added', html: 'new node', same: 'added', follows: true };
  if (before.effectiveAcl !== n.effectiveAcl) {
    const html = `effective ACL was <code>${aclHtml(before.effectiveAcl || '(empty)')}</code>`;
    // Only a node that inherits its ACL changed merely because its parent did.
    return { cls: 'changed', html, same: JSON.stringify([before.effectiveAcl, n.effectiveAcl]), follows: n.acl === '' && before.acl === '' };
  }
  if (before.acl !== n.acl) return { cls: 'own-changed', html: `own ACL was ${before.acl ? `<code>${aclHtml(before.acl)}</code>` : '(inherited)'}`, same: '', follows: false };
  return undefined;
}

const TREE_HEAD = (change: boolean) =>
  `<colgroup><col class="c-path"><col class="c-acl"><col class="c-acl">${change ? '<col class="c-change">' : ''}</colgroup><thead><tr><th>path</th><th>own ACL</th><th>effective ACL</th>${change ? '<th>change</th>' : ''}</tr></thead>`;

function row(n: TreeNodeView, change?: Change | null): string {
  const cls = change ? ` class="${change.cls}${change.sub ? ' sub' : ''}"` : '';
  const below = change?.below ? ` <span class="below">(and ${change.below} node${change.below === 1 ? '' : 's'} below it, the same)</span>` : '';
  return `<tr${cls}>${pathCell(n)}<td>${aclCell(n.acl)}</td><td><code>${aclHtml(n.effectiveAcl)}</code></td>${change === undefined ? '' : `<td>${change?.html ?? ''}${below}</td>`}</tr>`;
}

const parentOf = (path: string) => path.slice(0, Math.max(0, path.lastIndexOf('/')));

/**
 * A node that changed only as its parent did (new under a new node, removed under a removed one, the same
 * inherited ACL change) is marked `sub`, and the parent counts it: paper shows the parent alone.
 */
function markSubtrees(rows: Array<{ n: TreeNodeView; c: Change }>): void {
  const at = new Map(rows.map((r) => [r.n.path, r]));
  for (const r of rows) {
    if (!r.c.follows) continue;
    let top: typeof r | undefined;
    for (let p = parentOf(r.n.path), up = at.get(p); up && up.c.same === r.c.same; p = parentOf(p), up = at.get(p)) top = up;
    if (!top) continue;
    r.c.sub = true;
    top.c.below = (top.c.below ?? 0) + 1;
  }
}

/** A tree, four narrow columns; against an initial tree, the changed, new and removed nodes first and the rest folded. */
export function treeTable(nodes: TreeNodeView[], initial?: Map<string, TreeNodeView>): string {
  if (!initial) {
    if (nodes.length === 0) return '<p class="muted">Empty.</p>';
    return `<table class="tree">${TREE_HEAD(false)}<tbody>${nodes.map((n) => row(n)).join('')}</tbody></table>`;
  }
  const changed: Array<{ n: TreeNodeView; c: Change }> = [];
  const same: TreeNodeView[] = [];
  for (const n of nodes) {
    const c = changeOf(n, initial.get(n.path));
    if (c) changed.push({ n, c });
    else same.push(n);
  }
  const finalPaths = new Set(nodes.map((n) => n.path));
  for (const n of initial.values()) if (!finalPaths.has(n.path)) changed.push({ n, c: { cls: 'removed', html: 'removed', same: 'removed', follows: true } });
  markSubtrees(changed);
  const subs = changed.filter((r) => r.c.sub).length;
  // With the script, the rows that only follow their parent start folded; a button unfolds them.
  const unfold = subs ? `<button type="button" class="unfold" aria-expanded="false">show the ${subs} node${subs === 1 ? '' : 's'} that changed with their parent</button>` : '';
  const changes = changed.length
    ? `<div class="scroll"><table class="tree${subs ? ' fold' : ''}">${TREE_HEAD(true)}<tbody>${changed.map(({ n, c }) => row(n, c)).join('')}</tbody></table>${unfold}</div>`
    : '<p class="muted">No node changed.</p>';
  const rest = same.length
    ? `<details class="same"><summary>Unchanged nodes (${same.length})</summary><div class="scroll"><table class="tree">${TREE_HEAD(true)}<tbody>${same.map((n) => row(n, null)).join('')}</tbody></table></div></details>`
    : '';
  return changes + rest;
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

export function flowSection(flow: FlowReport, results: RequirementResult[], compactIfPassed: boolean, refOf: RefLookup = () => undefined): string {
  const counts = VERDICTS.map((v) => [v, results.filter((r) => r.verdict === v).length] as const).filter(([, n]) => n > 0);
  const failing = results.filter((r) => r.verdict !== 'PASS' && r.verdict !== 'NOT_APPLICABLE' && r.verdict !== 'NOT_OBSERVABLE');
  const open = failing.some((r) => r.verdict !== 'WARN') || flow.status !== 'completed';
  const variant = `approach ${flow.approach} · ${flow.scope} · ${flow.duration}${flow.removeAccount ? ' · remove account' : ''} · bootstrap ${flow.bootstrap}`;
  const summary = `<summary><span class="fid">${h(flow.id)}</span> <span class="status st-${flow.status}">${flow.status}</span> ${counts.map(([v, n]) => `<span class="badge v-${v}">${v} <b>${n}</b></span>`).join(' ')} <span class="muted">${h(variant)} · ${h(fmtMs(flow.durationMs))}</span></summary>`;
  // The filter shows a flow when one of its verdicts is on and the search names it or one of its requirements.
  const judged = results.filter((r) => !otherApproach(r, refOf(r.requirementId), flow.approach));
  const attrs = `id="${anchor('flow', flow.id)}" data-v="${h([...new Set(judged.map((r) => r.verdict))].join(' '))}" data-q="${h(searchText(flow.id, variant, ...judged.map((r) => r.requirementId)))}"`;
  if (compactIfPassed && !failing.length && flow.status === 'completed') {
    return `<details class="flow fr" ${attrs}>
${summary}
<p class="muted">Passed: ${flow.sequence.length} messages; with more than ${FULL_FLOW_SECTIONS} flows a passing flow's messages and trees are in report.json and the trace only.</p>
</details>`;
  }
  const evidence = new Set(failing.flatMap((r) => r.checks.filter((c) => c.verdict !== 'PASS').flatMap((c) => c.evidence)));
  const initial = new Map(flow.initialTree.map((n) => [n.path, n]));
  // On paper a flow shows only the messages its verdicts cite: the whole sequence is dozens of pages.
  const cited = flow.sequence.filter((e) => evidence.has(e.seq)).length;
  return `<details class="flow fr" ${attrs}${open ? ' open' : ''}>
${summary}
${flow.error ? `<p class="flow-error"><strong>Error:</strong> ${h(flow.error)}</p>` : ''}
${flow.stop ? `<p class="flow-stop"><strong>Stopped at <a href="#${anchor('r', flow.id, flow.stop.requirementId)}">${h(flow.stop.requirementId)}</a></strong>${flow.stop.seq ? ` (seq ${flow.stop.seq})` : ''}: ${h(flow.stop.actual)}. Requirements after it are BLOCKED, not failed.</p>` : ''}
${flow.rootFailures.length ? `<p class="flow-roots"><strong>FAIL, earliest first:</strong> ${flow.rootFailures.map((id) => `<a href="#${anchor('r', flow.id, id)}"><code>${h(id)}</code></a>`).join(', ')}</p>` : ''}
<div class="screen-only">
<h4>Observed message sequence</h4>
<p class="hint">Dashed arrows are responses; red marks refused or failed messages; thick arrows are the evidence of a non-passing verdict; thin rows are TLS handshakes (a red × a refusal); faded, bracketed rows are the harness's own traffic; the left column shows where each step of the approach happened; a red curve on the right is an order the catalogue requires that the flow broke. Click an arrow for the message row.</p>
<div class="scroll seq">${sequenceSvg(flow, evidence, orderViolations(results, refOf))}</div>
</div>
<h4${cited ? '' : ' class="screen-only"'}>Messages<span class="print-only"> cited as evidence</span></h4>
<p class="print-only hint">${cited ? `The ${cited} of ${flow.sequence.length} messages cited as evidence; the` : 'The'} whole sequence is in report.html on screen and in report.json.</p>
<div class="scroll${cited ? '' : ' screen-only'}">${messageTable(flow, evidence)}</div>
<h4>Final ACL tree <span class="muted">(${h(TREE_SOURCE_NOTE[flow.treeSource])})</span></h4>
<p class="hint">First the nodes whose effective ACL differs from the initial tree, new nodes and removed nodes; the unchanged nodes are folded below them.</p>
${flow.treeSource === 'none' && flow.finalTree.length === 0 ? '<p class="muted">The final tree could not be read in this flow; final-state checks are not judged from it.</p>' : treeTable(flow.finalTree, initial)}
${flow.treeUnread?.length ? `<p class="hint">Could not be read: ${flow.treeUnread.map((u) => `<code>${h(u.path)}</code> (${h(u.status)})`).join(', ')}. A final-state check that passes on what was read is INCONCLUSIVE.</p>` : ''}
<details class="initial"><summary>Initial ACL tree (${flow.initialTree.length} nodes)</summary><div class="scroll">${treeTable(flow.initialTree)}</div></details>
</details>`;
}
