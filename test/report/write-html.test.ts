import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { escapeHtml, FULL_FLOW_SECTIONS, htmlReport, writeAllReports, writeHtml } from '../../src/report/index.js';
import { VERDICTS } from '../../src/verdict/verdict.js';
import { FLOW_A, FLOW_B, SCRIPT, sampleReport } from './sample-report.js';

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

  it('puts every requirement in the matrix once, grouped, with a cell per flow', () => {
    const matrix = /<table class="matrix">([\s\S]*?)<\/table>/.exec(html)![1]!;
    for (const r of report.requirements) expect(matrix.split(`<code>${r.id}</code>`)).toHaveLength(2);
    expect(matrix).toContain('Approach A · step A.2');
    expect(matrix).toContain('Approach B · step B.7');
    expect(matrix).toContain('Ordering (happens-before) · approach B');
    const rows = matrix.split('<tr>').filter((r) => r.includes('class="rq" scope="row"'));
    expect(rows).toHaveLength(report.requirements.length);
    for (const row of rows) expect(row.match(/<td class="cell">/g)).toHaveLength(report.flows.length);
    // A.2 is not judged in flow B: the cell says so rather than showing a verdict.
    const a2 = rows.find((r) => r.includes('SDP-A.2-request'))!;
    expect(a2).toContain('title="not judged in this flow"');
  });

  it('tags a FAIL against a reconstructed requirement as reconstructed next to the verdict', () => {
    expect(html).toMatch(/<span class="v v-FAIL">FAIL<\/span> <span class="ptag p-reconstructed"[^>]*>reconstructed<\/span>/);
    expect(html).toContain('This requirement is reconstructed, not verbatim spec text');
  });

  it('lists each non-passing result with expected, actual and evidence linked to message rows', () => {
    const section = /<section id="failures">([\s\S]*?)<\/section>/.exec(html)![1]!;
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
    expect(html).toMatch(/<details class="body"><summary>DelegationRequest s-1<\/summary><pre>&lt;\?xml version=&quot;1.0&quot;/);
    expect(html).toContain('<strong>Error:</strong> client refused package 2 &lt;script&gt;');
  });

  it('highlights final-tree nodes whose effective ACL changed, and new and removed nodes', () => {
    const flowB = html.slice(html.indexOf(`<details class="flow" id="flow--${FLOW_B}"`));
    expect(flowB).toMatch(/<tr class="changed"><td><code>\.\/Vendor<\/code>/);
    expect(flowB).toMatch(/<tr class="changed"><td><code>\.\/Vendor\/App<\/code>/);
    expect(flowB).toMatch(/<tr class="added"><td><code>\.\/Vendor\/New<\/code>/);
    expect(flowB).toMatch(/<tr class="removed"><td><code>\.\/Vendor\/Old<\/code>/);
    expect(flowB).toContain('<details class="initial"><summary>Initial ACL tree (3 nodes)</summary>');
    const flowA = html.slice(html.indexOf(`<details class="flow" id="flow--${FLOW_A}"`), html.indexOf(`<details class="flow" id="flow--${FLOW_B}"`));
    expect(flowA).not.toMatch(/<tr class="(?:changed|added|removed)">/);
  });

  it('opens failed flows and leaves clean ones collapsed', () => {
    expect(html).toContain(`<details class="flow" id="flow--${FLOW_B}" open>`);
    // Flow A has an ERROR, so it is open too; without it, it stays collapsed.
    const clean = sampleReport();
    clean.results = clean.results.filter((r) => r.verdict === 'PASS' || r.flowId !== FLOW_A);
    expect(htmlReport(clean)).toContain(`<details class="flow" id="flow--${FLOW_A}">`);
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
    const section = (id: string) => page.slice(page.indexOf(`<details class="flow" id="flow--${id}"`)).split('\n</details>')[0];
    expect(section(`${FLOW_A}-3`)).toMatch(/Passed: \d+ messages/);
    expect(section(`${FLOW_A}-3`)).not.toContain('<h4>Messages</h4>');
    expect(section(FLOW_B)).toContain('<h4>Messages</h4>');
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
