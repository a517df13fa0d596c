import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { findEntry, loadCatalogue, parseCatalogue, type Catalogue } from '../../src/catalogue/catalogue.js';
import { main } from '../../src/cli/main.js';
import { sheetsCommand } from '../../src/cli/sheets-command.js';
import { icsFeatures } from '../../src/config/config.js';
import { escapeMarkdown } from '../../src/report/markdown-text.js';
import { sheetFileName, sheetMarkdown } from '../../src/sheets/render-md.js';
import { sheetAnchor, sheetsHtml } from '../../src/sheets/render-html.js';
import { applicabilityWords, buildSheets, defaultFlows, withoutUnshippedReferences, type Sheet } from '../../src/sheets/sheet-model.js';
import { ETS_HEADINGS, FEATURE_WORDS, PLAYED_NOTE, PROCEDURE_WORDS, PROVENANCE_WORDS, UNSHIPPED_NAMES } from '../../src/sheets/sheet-words.js';
import { HTML_FILE, INDEX_FILE } from '../../src/sheets/write-sheets.js';

const catalogue = loadCatalogue();
const scratch = mkdtempSync(join(tmpdir(), 'dmdc-sheets-'));
const headings = Object.values(ETS_HEADINGS);

/** Runs the command with console output captured. */
async function sheets(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const code = await sheetsCommand(argv);
  vi.restoreAllMocks();
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

afterEach(() => vi.restoreAllMocks());

describe('dmdc sheets writes one sheet per catalogue entry', () => {
  const out = join(scratch, 'both');
  let run: Awaited<ReturnType<typeof sheets>>;
  let html: string;
  beforeAll(async () => {
    run = await sheets(['--out', out]);
    html = readFileSync(join(out, HTML_FILE), 'utf8');
  });
  const md = (id: string) => readFileSync(join(out, sheetFileName(id)), 'utf8');
  /** The HTML section of one sheet, from its opening tag to the next section. */
  const section = (id: string) => {
    const start = html.indexOf(`<section class="sheet" id="${sheetAnchor(id)}">`);
    return start < 0 ? '' : html.slice(start, html.indexOf('</section>', start));
  };

  test('exits 0 and prints every path it wrote: the index, each sheet, the HTML page', () => {
    expect(run.code, run.stderr).toBe(0);
    const printed = run.stdout.split('\n').slice(0, -1);
    expect(printed).toEqual([join(out, INDEX_FILE), ...catalogue.entries.map((e) => join(out, sheetFileName(e.id))), join(out, HTML_FILE)]);
    for (const p of printed) expect(existsSync(p), p).toBe(true);
  });

  test('every entry has a Markdown sheet, an index row and an HTML section with its id, linked from the contents', () => {
    const index = readFileSync(join(out, INDEX_FILE), 'utf8');
    for (const e of catalogue.entries) {
      expect(md(e.id).split('\n')[0]).toBe(`# ${escapeMarkdown(e.id)}: ${escapeMarkdown(e.title)}`);
      expect(index).toContain(`](${sheetFileName(e.id)})`);
      expect(section(e.id), e.id).not.toBe('');
      expect(html).toContain(`<a href="#${sheetAnchor(e.id)}">`);
    }
    expect(html.match(/<section class="sheet"/g)).toHaveLength(catalogue.entries.length);
  });

  test('each sheet has every ETS heading, in order, in both formats', () => {
    for (const e of catalogue.entries) {
      const text = md(e.id);
      const at = headings.map((h) => text.indexOf(`\n## ${h}\n`));
      expect(at.every((i) => i > 0), `${e.id}: ${headings.filter((_, i) => at[i]! < 0).join(', ')}`).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
      const s = section(e.id);
      for (const h of headings) expect(s, `${e.id} ${h}`).toContain(`<th scope="row">${h}</th>`);
    }
  });

  test('the provenance is stated, and a reconstructed or profile requirement is never presented as spec text', () => {
    for (const e of catalogue.entries) {
      const text = md(e.id);
      const kinds = new Set([e.provenance, ...Object.values(e.provenanceByApproach ?? {})]);
      for (const p of kinds) expect(text, `${e.id} ${p}`).toContain(PROVENANCE_WORDS[p].statement);
      if (!kinds.has('spec')) {
        expect(text, e.id).not.toContain('from the specification');
        expect(text, e.id).toContain('not spec text');
        expect(text.toLowerCase(), e.id).toContain(PROVENANCE_WORDS[e.provenance].failReads!.toLowerCase());
      }
      expect(section(e.id)).toContain(`Provenance: <span class="prov">`);
    }
    // Spec in approach B, reconstructed in approach A: both said, each for its flows.
    const mixed = md('FIN-DMS2-ACCOUNT');
    expect(mixed).toContain('Provenance: **spec in approach B flows; reconstructed in approach A flows**');
    expect(mixed).toContain('reconstructed, not spec text, in approach A flows');
  });

  test('no sheet cites a document the project does not ship', () => {
    const all = [html, readFileSync(join(out, INDEX_FILE), 'utf8'), ...catalogue.entries.map((e) => md(e.id))].join('\n');
    for (const name of UNSHIPPED_NAMES) expect(all).not.toContain(name);
  });

  test('the HTML page is self-contained: no script, stylesheet, font or image from anywhere', () => {
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html).toMatch(/@media print/);
    for (const m of html.matchAll(/\bhref="([^"]*)"/g)) expect(m[1]).toMatch(/^#/);
  });

  test('a second run writes the same bytes', async () => {
    const again = join(scratch, 'again');
    expect((await sheets(['--out', again])).code).toBe(0);
    expect(readFileSync(join(again, HTML_FILE), 'utf8')).toBe(html);
    for (const e of catalogue.entries) expect(readFileSync(join(again, sheetFileName(e.id)), 'utf8')).toBe(md(e.id));
  });
});

describe('applicability, preconditions and procedure in words', () => {
  const sheets = new Map(buildSheets(catalogue).map((s) => [s.id, s]));
  const sheet = (id: string): Sheet => sheets.get(id)!;
  const entry = (id: string) => findEntry(catalogue, id)!;
  const field = (id: string, f: keyof typeof ETS_HEADINGS) => JSON.stringify(sheet(id).fields[f]);

  test('B.8b: approach B, permanent delegations, DMS-1 removing its account, ICS feature step-8b', () => {
    expect(applicabilityWords(entry('B.8b'))).toMatch(
      /^approach B flows \(.*\); permanent delegations only; only when DMS-1 removes its own account \(optional step A\.5 \/ B\.8b\); needs ICS feature step-8b$/,
    );
    expect(defaultFlows(entry('B.8b'))).toEqual(['B-full-permanent', 'B-partial-permanent']);
    expect(field('B.8b', 'scr')).toContain('ics.removeAccount');
  });

  test('a few more known entries', () => {
    expect(applicabilityWords(entry('A.3'))).toMatch(/^approach A flows .*; every delegation type; no ICS feature needed$/);
    expect(applicabilityWords(entry('TLS-DMS-BS'))).toContain('only with a stand-alone Bootstrap Server');
    expect(defaultFlows(entry('TLS-DMS-BS'))).toEqual(['B-partial-temporary', 'B-partial-permanent']);
    expect(applicabilityWords(entry('FIN-DMS1-KEPT'))).toBe('approach A and approach B flows; temporary delegations only; no ICS feature needed');
    expect(applicabilityWords(entry('SES-HMAC-CLIENT'))).toContain('AAuthType HMAC');
    expect(applicabilityWords(entry('SES-HMAC-CLIENT'))).toContain('needs ICS feature auth-hmac');
    expect(applicabilityWords(entry('NEG-DM-SERVER-AUTH'))).toContain('needs ICS feature server-auth-application');
    expect(applicabilityWords(entry('ARCH-ROLES'))).toBe('approach A and approach B flows; every delegation type; no ICS feature needed');
  });

  test('every ICS feature the harness derives or the catalogue names has its wording', () => {
    const named = catalogue.entries.flatMap((e) => (e.applicability.feature ? [e.applicability.feature] : []));
    for (const f of new Set([...icsFeatures(), ...named])) expect(FEATURE_WORDS[f], f).toBeTruthy();
  });

  test("a step's procedure is its approach's steps up to it, the optional one marked", () => {
    const labels = (id: string) => (sheet(id).fields.procedure[0] as { items: Array<{ label?: string }> }).items.map((i) => i.label);
    expect(labels('B.8b').slice(0, 9)).toEqual(['B.1', 'B.2', 'B.3', 'B.4', 'B.5', 'B.6', 'B.7', 'B.8', 'B.8b']);
    expect(labels('A.6').slice(0, 6)).toEqual(['A.1', 'A.2', 'A.3', 'A.4', 'A.5', 'A.6']);
    const a6 = field('A.6', 'procedure');
    expect(a6).toMatch(/A\.5.*performed only where it applies \(permanent delegations only/);
    expect(a6).toMatch(/"label":"A\.3","text":"[^"]*reconstructed/);
    expect(a6).toContain('the step under test');
    expect(field('B.1', 'preconditions')).toContain('Approach B: DMS-1 may Add under ./BootConfig');
    expect(field('A.4', 'preconditions')).toContain('an account for DMS-1 at ./DMAcc/dms1 (ServerID dms1.example)');
  });

  test('other categories: what is observed and how, and the steps an ordering names', () => {
    expect(field('ORD-B.2-B.3', 'procedure')).toMatch(/B\.2 \(.*\), then B\.3 \(/);
    expect(field('TLS-VERSION', 'procedure')).toContain('judged on whichever of these the run can see');
    expect(field('FIN-DMS2-ACCOUNT', 'procedure')).toContain("the client's final DM tree");
    // A note saying how the tester plays a case is the procedure, not repeated under Notes.
    for (const e of catalogue.entries.filter((x) => x.category === 'negative')) {
      const played = (e.notes ?? []).filter((n) => PLAYED_NOTE.test(n));
      for (const n of played) expect(field(e.id, 'procedure')).toContain(JSON.stringify(withoutUnshippedReferences(n)).slice(1, -1));
      if (!played.length) expect(field(e.id, 'procedure')).toContain(PROCEDURE_WORDS.testerGeneric);
      expect(field(e.id, 'notes')).not.toMatch(/"text":"Played by the tester/);
    }
    expect(field('NEG-DM-SERVER-AUTH', 'preconditions')).toContain('The tester poses as a server');
    expect(field('NEG-TLS-V10', 'preconditions')).toContain('The tester poses as a TLS client peer');
    expect(field('NEG-CLIENT-MSGID', 'preconditions')).toContain('DMS-2 holds an account on the client');
  });
});

describe('escaping and unshipped references', () => {
  /** The catalogue with one entry's text made hostile. */
  function hostile(): Catalogue {
    const raw = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/catalogue/catalogue.json'), 'utf8')) as Catalogue;
    const e = raw.entries.find((x) => x.id === 'B.4')!;
    e.title = 'Adds <script>alert(1)</script> & a|b *bold*';
    e.text = '<img src="https://example.invalid/x.png"> "quoted" & \'single\'';
    e.notes = ['[link](https://example.invalid) `code` _em_ (spec-digest §6 item 8)'];
    return parseCatalogue(raw, 'hostile');
  }

  test('HTML escapes every catalogue text', () => {
    const c = hostile();
    const page = sheetsHtml(buildSheets(c), c.version);
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<img');
    expect(page).toContain('Adds &lt;script&gt;alert(1)&lt;/script&gt; &amp; a|b *bold*');
    expect(page).toContain('&lt;img src=&quot;https://example.invalid/x.png&quot;&gt; &quot;quoted&quot; &amp; &#39;single&#39;');
    expect(page).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
  });

  test('Markdown escapes inline HTML, emphasis, code, links and table pipes', () => {
    const c = hostile();
    const text = sheetMarkdown(buildSheets(c).find((s) => s.id === 'B.4')!);
    expect(text).toContain('Adds \\<script\\>alert(1)\\</script\\> & a\\|b \\*bold\\*');
    expect(text).toContain('\\<img src="https://example.invalid/x.png"\\>');
    expect(text).toContain('\\[link\\](https://example.invalid) \\`code\\` \\_em\\_');
    expect(text).not.toContain('spec-digest');
    expect(escapeMarkdown('OMA-TS-DM_Server_Delegation_Protocol-V1_3')).toBe('OMA-TS-DM_Server_Delegation_Protocol-V1_3');
  });

  test('citations of unshipped documents are removed and the sentence still reads', () => {
    expect(withoutUnshippedReferences('inferred from approach B (spec-digest §1.3); a FAIL here')).toBe('inferred from approach B; a FAIL here');
    expect(withoutUnshippedReferences('(DMS-1 gives up authority; spec-digest §1.6). With')).toBe('(DMS-1 gives up authority). With');
    expect(withoutUnshippedReferences('the reading of spec-digest §1.6 and binding profile 1.1 §3.5.')).toBe('the reading of binding profile 1.1 §3.5.');
    expect(withoutUnshippedReferences('lists mostly Get access (spec-digest §6 item 8).')).toBe('lists mostly Get access.');
  });
});

describe('options', () => {
  test('--format md writes no HTML, --format html no Markdown', async () => {
    const [md, html] = [join(scratch, 'md'), join(scratch, 'html')];
    expect((await sheets(['--out', md, '--format', 'md'])).code).toBe(0);
    expect((await sheets(['--format', 'html', '--out', html])).code).toBe(0);
    expect(existsSync(join(md, INDEX_FILE)) && !existsSync(join(md, HTML_FILE))).toBe(true);
    expect(existsSync(join(html, HTML_FILE)) && !existsSync(join(html, INDEX_FILE))).toBe(true);
  });

  test('a bad --format, an unknown option or a stray argument exits 2 and writes nothing', async () => {
    const out = join(scratch, 'bad');
    for (const argv of [['--format', 'pdf'], ['--bogus'], ['stray'], ['--out']]) {
      const r = await sheets([...argv, ...(argv[0] === '--out' ? [] : ['--out', out])]);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^dmdc sheets: /);
    }
    expect(existsSync(out)).toBe(false);
  });

  test('a catalogue that does not validate exits 2', async () => {
    expect((await sheets(['--catalogue', join(scratch, 'none.json'), '--out', join(scratch, 'x')])).code).toBe(2);
  });

  test('dmdc sheets goes through the CLI, and --help exits 0', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await main(['sheets', '--out', join(scratch, 'cli'), '--format', 'html'])).toBe(0);
    expect(existsSync(join(scratch, 'cli', HTML_FILE))).toBe(true);
    expect(await main(['sheets', '--format', 'both', '--nope'])).toBe(2);
    expect(await main(['sheets', '--help'])).toBe(0);
  });
});
