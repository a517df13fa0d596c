import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../src/catalogue/catalogue.js';
import { requirementRefs } from '../../src/report/build-report.js';
import { escapeHtml, FULL_FLOW_SECTIONS, htmlReport, writeAllReports, writeHtml, type RunReport } from '../../src/report/index.js';
import { aclHtml, otherApproach } from '../../src/report/html-parts.js';
import { VERDICTS } from '../../src/verdict/verdict.js';
import { FLOW_A, FLOW_B, SCRIPT, sampleReport } from './sample-report.js';

/** The part of the page between two markers (the end marker's first occurrence after the start). */
function between(html: string, start: string, end: string): string {
  const at = html.indexOf(start);
  expect(at, start).toBeGreaterThanOrEqual(0);
  const to = html.indexOf(end, at + start.length);
  return html.slice(at, to < 0 ? undefined : to);
}

const flowSection = (html: string, id: string) => between(html, `<details class="flow fr" id="flow--${id}"`, '\n</details>\n<details class="flow');

/** The sample run with a second approach-B flow, in which B.7 FAILs again, known to the baseline, and ORD is BLOCKED behind it. */
function twoFlowsOfB(): RunReport {
  const r = sampleReport();
  const b2 = 'B-full-temporary';
  const flowB = r.flows.find((f) => f.id === FLOW_B)!;
  r.flows.push({ ...flowB, id: b2, status: 'completed', rootFailures: ['SDP-B.7-acl'], stop: { flowId: b2, requirementId: 'SDP-B.7-acl', seq: 6, actual: 'ACL wrong', evidence: [6], status: 'completed' } });
  delete r.flows.at(-1)!.error;
  r.results.push(
    {
      requirementId: 'SDP-B.7-acl',
      flowId: b2,
      verdict: 'FAIL',
      checks: [{ checkId: 'b7.acl-value', verdict: 'FAIL', expected: 'Replace=dms2', actual: 'Replace=dms3', evidence: [6] }],
      baselined: { reason: 'vendor ticket 12', expires: '2099-01-01' },
    },
    {
      requirementId: 'ORD-B-acl-before-dms2',
      flowId: b2,
      verdict: 'BLOCKED',
      blockedBy: 'SDP-B.7-acl',
      checks: [{ checkId: 'ord.acl', verdict: 'BLOCKED', blockedBy: 'SDP-B.7-acl', evidence: [] }],
    },
    // In a flow of approach A, B.7 is only "the other approach".
    {
      requirementId: 'SDP-B.7-acl',
      flowId: FLOW_A,
      verdict: 'NOT_APPLICABLE',
      checks: [{ checkId: '-', verdict: 'NOT_APPLICABLE', reason: 'approach B only; this flow is approach A', evidence: [] }],
    },
  );
  return r;
}

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
  });

  it('leaves other text, including non-ASCII, as it is', () => {
    expect(escapeHtml('DMS-1 → DMS-2 §5.2 ./Vendor')).toBe('DMS-1 → DMS-2 §5.2 ./Vendor');
    expect(escapeHtml('')).toBe('');
  });
});

describe('report.html', () => {
  const report = sampleReport();
  const html = htmlReport(report);

  it('loads nothing from the network', () => {
    expect(html).not.toMatch(/\b(?:src|href|action|srcset|xlink:href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<script\b[^>]*\bsrc\s*=/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).not.toMatch(/<(?:img|iframe|object|embed)\b/i);
  });

  it('has exactly its own inline script, pinned by hash in the Content-Security-Policy', () => {
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    expect(html.match(/<script/gi)).toHaveLength(1);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1]?.replaceAll('&#39;', "'");
    const hash = createHash('sha256').update(scripts[0]![1]!, 'utf8').digest('base64');
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src 'sha256-${hash}'`);
    // The style likewise; a style attribute would be refused by that policy, so there is none.
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)];
    expect(styles).toHaveLength(1);
    expect(csp).toContain(`style-src 'sha256-${createHash('sha256').update(styles[0]![1]!, 'utf8').digest('base64')}'`);
    expect(html).not.toMatch(/<[^>]+\sstyle=/);
    expect(html).not.toMatch(/<[^>]+\son[a-z]+=/);
  });

  it('has a print stylesheet that drops the toolbar, opens the flows and failures and starts each flow on a page', () => {
    const css = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const print = css.slice(css.indexOf('@media print{'));
    expect(print).toContain('.tools,');
    expect(print).toContain('details.flow::details-content,details.fi::details-content{content-visibility:visible}');
    expect(print).toContain('details.flow{break-before:page}');
    expect(print).not.toContain('sticky');
  });

  it('escapes report data: script strings, XML bodies, ampersands', () => {
    expect(html).not.toContain(SCRIPT);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;Replace&gt;&lt;CmdID&gt;3&lt;/CmdID&gt;');
    expect(html).toContain('a &amp;amp; b &amp;lt; c');
    expect(html).toContain('keeps DMS-1 &lt;Get&gt;.');
  });

  it('names every requirement, flow and verdict', () => {
    for (const r of report.requirements) expect(html).toContain(r.id);
    for (const f of report.flows) expect(html).toContain(`<span class="fid">${f.id}</span>`);
    for (const v of VERDICTS) expect(html).toMatch(new RegExp(`<span class="v v-${v}"[^>]*>${v}</span>`));
  });

  it('shows run facts and verdict counts in the header', () => {
    expect(html).toContain(report.runId);
    expect(html).toContain('DMS-2: real');
    expect(html).toContain('acl-after-notify');
    expect(html).toContain('<span class="exit exit-1">1</span>');
    expect(html).toContain('<span class="badge v-FAIL" title="a MUST was violated by the implementation">FAIL <b>1</b></span>');
  });

  it("puts every requirement in one matrix: its approach's, or the common one, with a cell per flow of that matrix", () => {
    const section = between(html, '<section id="matrix">', '</section>');
    const tables = [...section.matchAll(/<h3 id="(matrix-[^"]+)"[\s\S]*?<table class="matrix">([\s\S]*?)<\/table>/g)].map((m) => ({ id: m[1]!, table: m[2]! }));
    expect(tables.map((t) => t.id)).toEqual(['matrix-A', 'matrix-B', 'matrix-both']);
    for (const r of report.requirements) expect(section.split(`<code>${r.id}</code>`), r.id).toHaveLength(2);
    const cellsOf = (id: string, req: string) => {
      const t = tables.find((x) => x.id === id)!.table;
      const row = t.split('<tr').find((x) => x.includes(`<code>${req}</code>`));
      return row ? row.match(/<td class="cell[^"]*">/g)!.length : 0;
    };
    // A requirement of approach A has the A flow as its only column; one judged in every flow has both.
    expect(cellsOf('matrix-A', 'SDP-A.2-request')).toBe(1);
    expect(cellsOf('matrix-B', 'SDP-B.7-acl')).toBe(1);
    expect(cellsOf('matrix-B', 'ORD-B-acl-before-dms2')).toBe(1);
    expect(cellsOf('matrix-both', 'TLS-min-version')).toBe(2);
    expect(cellsOf('matrix-both', 'FS-acl-final')).toBe(2);
    // One header row per category, not per step.
    expect(tables.find((t) => t.id === 'matrix-A')!.table.match(/<tr class="group"/g)).toHaveLength(2);
    expect(section).toContain('Protocol steps');
    expect(section).toContain('Ordering (happens-before)');
  });

  it('leaves "the other approach" out of the matrices and gives a NOT_APPLICABLE cell its reason', () => {
    const page = htmlReport(twoFlowsOfB());
    const section = between(page, '<section id="matrix">', '</section>');
    expect(section).not.toContain('approach B only; this flow is approach A');
    expect(section).toContain('1 results that are NOT_APPLICABLE only because the requirement belongs to the other approach are not shown');
    expect(section).toMatch(/<td class="cell c-NOT_APPLICABLE"><span class="v v-NOT_APPLICABLE" title="NOT_APPLICABLE: ICS: step 8b not supported">N\/A<\/span><\/td>/);
    expect(html).toContain('NOT_APPLICABLE</span> (N/A) the scenario or the ICS excludes it');
    expect(html).not.toContain('the ICS declares the feature unsupported');
  });

  it("recognises the other approach by the requirement's applicability, as the report carries it", () => {
    // The report's requirements carry the catalogue's one approach (applicability), whatever a reason says.
    const entries = loadCatalogue().entries;
    const refs = new Map(requirementRefs(entries, ['A', 'B']).map((q) => [q.id, q]));
    for (const e of entries) expect(refs.get(e.id)!.onlyApproach, e.id).toBe(e.applicability.approach);
    const na = { requirementId: 'x', flowId: 'f', verdict: 'NOT_APPLICABLE' as const, checks: [{ checkId: '-', verdict: 'NOT_APPLICABLE' as const, reason: 'permanent delegations only; this flow is temporary', evidence: [] }] };
    expect(otherApproach(na, { onlyApproach: 'B' }, 'A')).toBe(true);
    expect(otherApproach(na, { onlyApproach: 'B' }, 'B')).toBe(false);
    expect(otherApproach(na, {}, 'A')).toBe(false);
    expect(otherApproach({ ...na, verdict: 'FAIL' }, { onlyApproach: 'B' }, 'A')).toBe(false);
  });

  it('gives the filter its verdicts and search words on every row, card entry and flow, escaped', () => {
    const rows = [...html.matchAll(/<tr class="fr"[^>]*data-v="([^"]*)" data-q="([^"]*)">/g)];
    expect(rows.length).toBe(report.requirements.length);
    for (const [, v, q] of rows) {
      for (const x of v!.split(' ')) expect(VERDICTS).toContain(x);
      expect(q).toBe(q!.toLowerCase());
    }
    expect(html.match(/<details class="fi fr" id="r--[^"]+" data-v="[A-Z_]+" data-q="[^"]+"/g)).toHaveLength(4);
    expect(html.match(/<details class="flow fr" id="flow--[^"]+" data-v="[^"]*" data-q="[^"]+"/g)).toHaveLength(2);
    const weird = sampleReport();
    weird.requirements[0]!.title = `quote " and ${SCRIPT}`;
    const page = htmlReport(weird);
    expect(page).toContain('data-q="sdp-a.2-request quote &quot; and &lt;script&gt;alert(1)&lt;/script&gt; a.2 a-full-temporary"');
  });

  it('tags a FAIL against a reconstructed requirement as reconstructed next to the verdict', () => {
    expect(html).toMatch(/<span class="v v-FAIL">FAIL<\/span> <span class="ptag p-reconstructed"[^>]*>reconstructed<\/span>/);
    expect(html).toContain('This requirement is reconstructed, not verbatim spec text');
  });

  it('lists each non-passing result with expected, actual and evidence linked to message rows', () => {
    const section = between(html, '<section id="failures">', '</section>');
    expect(section.match(/<article /g)).toHaveLength(4);
    expect(section.indexOf('v-FAIL')).toBeLessThan(section.indexOf('v-WARN'));
    expect(section).toContain('Replace=dms2 on ./Vendor &amp; Get=dms1 kept');
    // Re-run lines select the flow and the requirement (--only takes requirement ids, --flow flow ids).
    expect(section).toContain('dmdc run --flow B-partial-permanent --only SDP-B.7-acl --mutant acl-after-notify --config &lt;config-file&gt;');
    expect(section).not.toContain('--only B-partial-permanent');
    const links = [...section.matchAll(/href="#(m--[^"]+)"/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThanOrEqual(4);
    for (const id of links) expect(html).toContain(`<tr id="${id}"`);
  });

  it('groups failures by requirement: one card, an entry per flow, BLOCKED linked to its root, baselined FAILs known', () => {
    const page = htmlReport(twoFlowsOfB());
    const section = between(page, '<section id="failures">', '</section>');
    const card = between(section, '<article class="failure f-FAIL" id="req--SDP-B.7-acl"', '</article>');
    expect(section.split('id="req--SDP-B.7-acl"')).toHaveLength(2);
    expect(card.match(/<details class="fi fr"/g)).toHaveLength(2);
    expect(card).toContain('FAIL 2 of 2 flows');
    // The new FAIL first and open; the known one after it, folded, marked known with the baseline's reason.
    expect(card.indexOf('id="r--B-partial-permanent--SDP-B.7-acl"')).toBeLessThan(card.indexOf('id="r--B-full-temporary--SDP-B.7-acl"'));
    expect(card).toMatch(/<details class="fi fr" id="r--B-partial-permanent--SDP-B\.7-acl"[^>]*open>/);
    expect(card).toMatch(/<details class="fi fr" id="r--B-full-temporary--SDP-B\.7-acl" data-v="FAIL" data-q="[^"]*">/);
    expect(card).toMatch(/<span class="v v-FAIL">FAIL<\/span> <span class="baselined">known<\/span> in flow <a href="#flow--B-full-temporary">/);
    expect(card).toContain('vendor ticket 12 (until 2099-01-01); it does not fail the gate');
    expect(card).toContain('in flow <a href="#flow--B-full-temporary">B-full-temporary</a> <span class="root">stopped the flow</span>');
    expect(card).toContain('<span class="k">BLOCKED behind it</span> <a href="#r--B-full-temporary--ORD-B-acl-before-dms2"><code>ORD-B-acl-before-dms2</code></a>');
    expect(card).toContain('Re-run in every flow</span> <code>dmdc run --only SDP-B.7-acl');
    // ORD's card holds its INCONCLUSIVE and, after it, its BLOCKED entry naming the root.
    const ord = between(section, 'id="req--ORD-B-acl-before-dms2"', '</article>');
    expect(ord.indexOf('v-INCONCLUSIVE')).toBeLessThan(ord.indexOf('v-BLOCKED'));
    expect(ord).toContain('in flow <a href="#flow--B-full-temporary">B-full-temporary</a>: behind <a href="#r--B-full-temporary--SDP-B.7-acl"><code>SDP-B.7-acl</code></a>');
    expect(ord).toContain('<tr><th>Blocked by</th><td><a href="#r--B-full-temporary--SDP-B.7-acl">');
    // In the matrix the known FAIL says so, and BLOCKED links to its entry.
    const matrix = between(page, '<section id="matrix">', '</section>');
    expect(matrix).toMatch(/<a href="#r--B-full-temporary--SDP-B\.7-acl"><span class="v v-FAIL"[^>]*>FAIL<\/span><span class="ptag p-reconstructed"[^>]*>rec\.<\/span><span class="baselined"/);
    expect(matrix).toContain('<a href="#r--B-full-temporary--ORD-B-acl-before-dms2"><span class="v v-BLOCKED"');
    const flow = flowSection(page, 'B-full-temporary');
    expect(flow).toContain('<strong>Stopped at <a href="#r--B-full-temporary--SDP-B.7-acl">SDP-B.7-acl</a></strong>');
  });

  it('shows the negative cases in a section of their own, not in the matrices', () => {
    const r = sampleReport();
    r.requirements.push({ ...r.requirements[3]!, id: 'NEG-TLS-V10', title: 'TLS 1.0 is refused', category: 'negative', severity: 'MUST', onlyApproach: 'A' });
    r.results.push(
      { requirementId: 'NEG-TLS-V10', flowId: FLOW_A, verdict: 'FAIL', checks: [{ checkId: 'neg.tls10', verdict: 'FAIL', actual: 'accepted TLSv1', evidence: [2] }] },
      { requirementId: 'NEG-TLS-V10', flowId: FLOW_B, verdict: 'NOT_APPLICABLE', checks: [{ checkId: '-', verdict: 'NOT_APPLICABLE', reason: 'approach A only; this flow is approach B', evidence: [] }] },
    );
    const page = htmlReport(r);
    expect(between(page, '<section id="matrix">', '</section>')).not.toContain('NEG-TLS-V10');
    const neg = between(page, '<section id="negative">', '</section>');
    expect(neg).toContain('<h2>Negative cases (1)</h2>');
    expect(neg).toContain(`<span class="chip"><a href="#flow--${FLOW_A}">${FLOW_A}</a> <a href="#r--${FLOW_A}--NEG-TLS-V10"><span class="v v-FAIL"`);
    expect(neg).not.toContain(FLOW_B);
    expect(page).toContain('<a href="#negative">Negative cases</a>');
    expect(page).toContain('id="req--NEG-TLS-V10"');
    // Without negative cases there is no such section.
    expect(html).not.toContain('id="negative"');
  });

  it('has no dangling in-page link', () => {
    const ids = new Set([...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]));
    const targets = [...html.matchAll(/href="#([^"]*)"/g)].map((m) => m[1]);
    expect(targets.length).toBeGreaterThan(10);
    for (const t of targets) expect(ids.has(t), t).toBe(true);
  });

  it('draws one SVG sequence diagram per flow with the four lifelines and red refused messages', () => {
    const svgs = [...html.matchAll(/<svg class="seqdiag"[\s\S]*?<\/svg>/g)].map((m) => m[0]);
    expect(svgs).toHaveLength(2);
    for (const name of ['DMS-1', 'DMS-2', 'Bootstrap Server', 'DM Client']) expect(svgs[1]).toContain(`>${name}</text>`);
    expect(svgs[1]!.match(/<line class="sq-life"/g)).toHaveLength(4);
    expect(svgs[1]).toMatch(/<a href="#m--B-partial-permanent--9" class="sq sq-response sq-bad">/);
    expect(svgs[1]).toMatch(/<a href="#m--B-partial-permanent--6" class="sq sq-request sq-ev">/);
    expect(svgs[1]).toContain('B.6 Replace ACL on ./Vendor');
  });

  it('shows raw bodies in expandable rows and the flow error', () => {
    expect(html).toMatch(/<details class="body"><summary><span class="st">DelegationRequest s-1<\/span><\/summary><pre>&lt;\?xml version=&quot;1.0&quot;/);
    expect(html).toContain('<strong>Error:</strong> client refused package 2 &lt;script&gt;');
  });

  it('lists the changed, new and removed final-tree nodes first, in four narrow columns, and folds the rest', () => {
    const flowB = html.slice(html.indexOf(`<details class="flow fr" id="flow--${FLOW_B}"`));
    const changes = between(flowB, '<table class="tree fold">', '</div>');
    expect(changes).toContain('<thead><tr><th>path</th><th>own ACL</th><th>effective ACL</th><th>change</th></tr></thead>');
    expect(changes).toMatch(/<tr class="changed"><td title="format node"><code>\.\/Vendor<\/code><\/td><td><code>Get=dms1&amp;<wbr>Replace=dms2<\/code>/);
    expect(changes).toMatch(/<tr class="added"><td title="format chr"><code>\.\/Vendor\/New<\/code> <span class="val">= &lt;v&gt;<\/span>/);
    expect(changes).toMatch(/<tr class="removed"><td title="format chr"><code>\.\/Vendor\/Old<\/code>/);
    // ./Vendor/App inherits the same change from ./Vendor: a sub-row, counted on its parent, left off paper.
    expect(changes).toMatch(/<tr class="changed sub"><td title="format node"><code>\.\/Vendor\/App<\/code>/);
    expect(changes).toContain('(and 1 node below it, the same)');
    expect(changes).toContain('</table><button type="button" class="unfold" aria-expanded="false">show the 1 node that changed with their parent</button>');
    expect(changes).toContain('effective ACL was <code>Get=dms1&amp;<wbr>Replace=dms1</code>');
    expect(flowB).toContain('<details class="initial"><summary>Initial ACL tree (3 nodes)</summary>');
    const flowA = flowSection(html, FLOW_A);
    expect(flowA).not.toMatch(/<tr class="(?:changed|added|removed)/);
    expect(flowA).toContain('<p class="muted">No node changed.</p>');
    expect(flowA).toContain('<details class="same"><summary>Unchanged nodes (2)</summary>');
  });

  it('breaks long ACLs after each & and shortens long values, the whole value on hover', () => {
    expect(aclHtml('Get=*&Add=dms1&Replace=<x>')).toBe('Get=*&amp;<wbr>Add=dms1&amp;<wbr>Replace=&lt;x&gt;');
    const r = sampleReport();
    const long = 'v'.repeat(100) + '"<';
    r.flows[1]!.finalTree[2]!.value = long;
    expect(htmlReport(r)).toContain(`<span class="val">= <span title="${'v'.repeat(100)}&quot;&lt;">${'v'.repeat(39)}…</span></span>`);
  });

  it('opens failed flows and leaves clean ones collapsed', () => {
    expect(html).toMatch(new RegExp(`<details class="flow fr" id="flow--${FLOW_B}"[^>]*open>`));
    // Flow A has an ERROR, so it is open too; without it, it stays collapsed.
    const clean = sampleReport();
    clean.results = clean.results.filter((r) => r.verdict === 'PASS' || r.flowId !== FLOW_A);
    expect(htmlReport(clean)).toMatch(new RegExp(`<details class="flow fr" id="flow--${FLOW_A}" data-v="[^"]*" data-q="[^"]*">`));
  });

  it(`beyond ${FULL_FLOW_SECTIONS} flows shows a passing flow as one line and a failing one in full`, () => {
    const base = sampleReport();
    base.results = base.results.filter((r) => r.verdict === 'PASS' || r.flowId !== FLOW_A);
    const copies = Array.from({ length: FULL_FLOW_SECTIONS }, (_, i) => i);
    const many = {
      ...base,
      flows: [...base.flows, ...copies.map((i) => ({ ...base.flows.find((f) => f.id === FLOW_A)!, id: `${FLOW_A}-${i}` }))],
      results: [...base.results, ...copies.flatMap((i) => base.results.filter((r) => r.flowId === FLOW_A).map((r) => ({ ...r, flowId: `${FLOW_A}-${i}` })))],
    };
    const page = htmlReport(many);
    const section = (id: string) => page.slice(page.indexOf(`<details class="flow fr" id="flow--${id}"`)).split('\n</details>')[0];
    expect(section(`${FLOW_A}-3`)).toMatch(/Passed: \d+ messages/);
    expect(section(`${FLOW_A}-3`)).not.toContain('>Messages<');
    expect(section(FLOW_B)).toContain('<h4>Messages<');
    expect(section(FLOW_B)).toContain('Initial ACL tree');
    // Below the limit every flow is in full.
    expect(htmlReport(base)).not.toMatch(/Passed: \d+ messages/);
  });
});

describe('writing the reports', () => {
  it('writeHtml writes report.html', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dmdc-html-'));
    const file = writeHtml(dir, sampleReport());
    expect(readFileSync(file, 'utf8')).toBe(htmlReport(sampleReport()));
  });

  it('writeAllReports writes json, schema, junit, html and summary.md and returns their paths', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'dmdc-all-')), 'run-1');
    const paths = writeAllReports(dir, sampleReport());
    expect(paths).toEqual({ json: join(dir, 'report.json'), junit: join(dir, 'junit.xml'), html: join(dir, 'report.html'), summary: join(dir, 'summary.md') });
    for (const p of [...Object.values(paths), join(dir, 'report.schema.json')]) expect(existsSync(p), p).toBe(true);
  });

  it('writeAllReports writes nothing when the report is invalid', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'dmdc-all-')), 'run-2');
    const bad = sampleReport();
    bad.results[0]!.flowId = 'Z-missing';
    expect(() => writeAllReports(dir, bad)).toThrow('Z-missing');
    expect(existsSync(dir)).toBe(false);
  });
});
