/**
 * report.html in a real browser: the reports of a passing run and of a run with a mutant, opened from disk in
 * headless Chromium (Debian's package; CI installs it). It checks what only a browser shows: the page fits
 * its width, the Content-Security-Policy lets the page's own script and style run and nothing else, the
 * verdict filter and the search work, and the print layout opens what it must and stays short.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCommand } from '../../src/cli/run-command.js';
import type { RunReport } from '../../src/report/model.js';

// The callbacks given to page.evaluate run in the page; the project compiles without the DOM library.
declare const document: any, window: any, location: any, getComputedStyle: (e: unknown) => Record<string, string>;

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const TITLE = CHROMIUM
  ? 'report.html in headless Chromium'
  : 'report.html in headless Chromium: SKIPPED, no chromium binary at /usr/bin/chromium (apt-get install -y chromium; CI installs it)';

if (!CHROMIUM) console.warn('html-browser.test.ts: no chromium binary (apt-get install -y chromium): the browser checks of report.html are skipped');

interface Run {
  out: string;
  file: string;
  url: string;
  report: RunReport;
}

/** One dmdc run in this process, its reports in a fresh folder; the console lines of the run are not the test's. */
async function run(args: string[]): Promise<Run> {
  const out = mkdtempSync(join(tmpdir(), 'dmdc-html-browser-'));
  const quiet = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  let code: number;
  try {
    code = await runCommand(['--no-suites', '--out', out, ...args]);
  } finally {
    quiet.mockRestore();
  }
  expect([0, 1]).toContain(code);
  const dir = join(out, 'latest');
  const file = join(dir, 'report.html');
  return { out, file, url: pathToFileURL(file).href, report: JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as RunReport };
}

/** What a page did that it must not: console errors (CSP violations among them), exceptions, requests. */
interface Watch {
  errors: string[];
  requests: string[];
  violations: () => Promise<string[]>;
}

async function open(browser: Browser, r: Run, width: number): Promise<{ page: Page; watch: Watch }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const watch: Watch = {
    errors: [],
    requests: [],
    violations: () => page.evaluate(() => window.cspViolations as string[]),
  };
  page.on('console', (m) => {
    if (m.type() === 'error') watch.errors.push(m.text());
  });
  page.on('pageerror', (e) => watch.errors.push(String(e)));
  page.on('request', (q) => watch.requests.push(q.url()));
  // Runs before the page's own script, outside its CSP: it only records what the policy refused.
  await page.addInitScript(() => {
    const list: string[] = [];
    window.cspViolations = list;
    document.addEventListener('securitypolicyviolation', (e: { violatedDirective: string; blockedURI: string }) => list.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(r.url, { waitUntil: 'load' });
  return { page, watch };
}

const visible = (page: Page, selector: string, attr: string) =>
  page.evaluate(
    ([s, a]) => [...document.querySelectorAll(s!)].filter((e) => e.checkVisibility()).map((e) => e.getAttribute(a!) ?? ''),
    [selector, attr],
  );

const shownText = (page: Page) => page.locator('#dmdc-shown').textContent();

/** Waits for the filter's status line to change from `before`: the filter has run on the whole page. */
const filtered = (page: Page, before: string | null) =>
  page.waitForFunction((b) => document.getElementById('dmdc-shown')!.textContent !== b, before);

// A 3.5 MB page per load: generous time for a loaded CI machine, not a wait on anything.
describe.skipIf(!CHROMIUM)(TITLE, { timeout: 60_000 }, () => {
  let browser: Browser;
  let pass: Run;
  let mutant: Run;

  beforeAll(async () => {
    pass = await run([]);
    mutant = await run(['--mutant', 'wrong-delegatee']);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    for (const r of [pass, mutant]) if (r) rmSync(r.out, { recursive: true, force: true });
  });

  for (const width of [1400, 800]) {
    it(`fits ${width} px, runs its own script under its CSP and loads nothing, for a passing and a failing run`, async () => {
      for (const r of [pass, mutant]) {
        const { page, watch } = await open(browser, r, width);
        const size = await page.evaluate(() => ({ scroll: document.scrollingElement!.scrollWidth, client: document.scrollingElement!.clientWidth }));
        expect(size.scroll, `${r.report.runId} at ${width} px`).toBeLessThanOrEqual(size.client);
        // The script ran (the CSP hash matches it): it marked the page and filled the filter's status line.
        expect(await page.evaluate(() => document.documentElement.classList.contains('js'))).toBe(true);
        expect(await shownText(page)).toMatch(/^showing \d+ of \d+ requirement rows/);
        // The stylesheet applied (its hash matches too): the toolbar is a flex box.
        expect(await page.locator('#dmdc-tools').evaluate((e) => getComputedStyle(e).display)).toBe('flex');
        expect(watch.errors).toEqual([]);
        expect(await watch.violations()).toEqual([]);
        expect(watch.requests).toEqual([r.url]);
        await page.close();
      }
    });
  }

  it('shows each approach its own requirements and flows, and NOT_APPLICABLE only with a reason of the scenario', async () => {
    const { page } = await open(browser, mutant, 1400);
    const cells = await page.evaluate(() =>
      [...document.querySelectorAll('table.matrix:not(.neg) td.cell .v')].map((v) => ({ text: v.textContent, title: v.getAttribute('title') ?? '' })),
    );
    expect(cells.length).toBeGreaterThan(100);
    for (const c of cells) expect(c.title).not.toMatch(/approach [AB] only; this flow is approach/);
    expect(cells.filter((c) => c.text === 'N/A').every((c) => /^NOT_APPLICABLE: .+/.test(c.title))).toBe(true);
    const headers = await page.evaluate(() => [...document.querySelectorAll('section#matrix h3')].map((x) => x.id));
    expect(headers).toEqual(['matrix-A', 'matrix-B', 'matrix-both']);
    const flowsOf = (id: string) => page.evaluate((m) => [...document.querySelectorAll(`#${m} + .scroll th.flow`)].map((t) => t.textContent), id);
    expect((await flowsOf('matrix-A')).every((f) => f!.startsWith('A-'))).toBe(true);
    expect((await flowsOf('matrix-B')).every((f) => f!.startsWith('B-'))).toBe(true);
    expect(await flowsOf('matrix-both')).toHaveLength(mutant.report.flows.length);
    await page.close();
  });

  it('the verdict toggles hide the rows, cards and flow entries of a verdict turned off', async () => {
    const { page, watch } = await open(browser, mutant, 1400);
    const failing = new Set(mutant.report.results.filter((r) => r.verdict === 'FAIL').map((r) => r.requirementId));
    const warned = new Set(mutant.report.results.filter((r) => r.verdict === 'WARN').map((r) => r.requirementId));
    expect(failing.size).toBeGreaterThan(0);
    expect(warned.size).toBeGreaterThan(0);
    // Every verdict off but FAIL.
    for (const v of ['PASS', 'WARN', 'INCONCLUSIVE', 'ERROR', 'NOT_APPLICABLE', 'NOT_OBSERVABLE', 'BLOCKED']) {
      const before = await shownText(page);
      await page.click(`#dmdc-tools button.vt[data-v="${v}"]`);
      if (v === 'PASS' || v === 'WARN') await filtered(page, before);
    }
    expect(await page.locator('#dmdc-tools button.vt[data-v="PASS"]').getAttribute('aria-pressed')).toBe('false');
    const rows = await visible(page, 'tr.fr', 'data-v');
    expect(rows.length).toBeGreaterThan(0);
    for (const v of rows) expect(v.split(' ')).toContain('FAIL');
    const rowIds = await page.evaluate(() => [...document.querySelectorAll('tr.fr')].filter((e) => e.checkVisibility()).map((e) => e.querySelector('code')!.textContent!));
    expect(new Set(rowIds)).toEqual(failing);
    const cards = await visible(page, 'article.failure', 'id');
    expect(cards.sort()).toEqual([...failing].map((id) => `req--${id}`).sort());
    const items = await visible(page, 'details.fi', 'data-v');
    expect(items.length).toBe(mutant.report.results.filter((r) => r.verdict === 'FAIL').length);
    expect(new Set(items)).toEqual(new Set(['FAIL']));
    // WARN back on: its cards come back; "all" shows everything again.
    let before = await shownText(page);
    await page.click('#dmdc-tools button.vt[data-v="WARN"]');
    await filtered(page, before);
    const withWarn = await visible(page, 'article.failure', 'id');
    for (const id of warned) expect(withWarn).toContain(`req--${id}`);
    before = await shownText(page);
    await page.click('#dmdc-all');
    await filtered(page, before);
    expect(await page.evaluate(() => document.querySelectorAll('.fh').length)).toBe(0);
    expect(watch.errors).toEqual([]);
    await page.close();
  });

  it('the search narrows the page to the requirements and flows it names', async () => {
    const { page, watch } = await open(browser, mutant, 1400);
    const query = 'FIN-ACL';
    let before = await shownText(page);
    await page.fill('#dmdc-q', query);
    await filtered(page, before);
    const named = mutant.report.requirements.filter((r) => `${r.id} ${r.title}`.toLowerCase().includes(query.toLowerCase())).map((r) => r.id);
    expect(named.length).toBeGreaterThan(0);
    const rowIds = await page.evaluate(() => [...document.querySelectorAll('tr.fr')].filter((e) => e.checkVisibility()).map((e) => e.querySelector('code')!.textContent!));
    expect(new Set(rowIds)).toEqual(new Set(named));
    const cards = await visible(page, 'article.failure', 'id');
    const failedNamed = named.filter((id) => mutant.report.results.some((r) => r.requirementId === id && r.verdict === 'FAIL'));
    expect(cards.sort()).toEqual(failedNamed.map((id) => `req--${id}`).sort());
    // A flow id narrows a card to its entry in that flow.
    const flow = mutant.report.flows.at(-1)!.id;
    before = await shownText(page);
    await page.fill('#dmdc-q', flow);
    await filtered(page, before);
    const entries = await visible(page, 'details.fi', 'id');
    expect(entries.length).toBeGreaterThan(0);
    for (const id of entries) expect(id).toMatch(new RegExp(`^r--${flow}--`));
    expect(await visible(page, 'details.flow', 'id')).toEqual([`flow--${flow}`]);
    expect(watch.errors).toEqual([]);
    await page.close();
  });

  it('a link to a filtered-out or folded result clears the filter and opens it', async () => {
    const { page } = await open(browser, mutant, 1400);
    const target = mutant.report.results.filter((r) => r.verdict === 'FAIL').at(-1)!;
    const id = `r--${target.flowId}--${target.requirementId}`;
    const before = await shownText(page);
    await page.fill('#dmdc-q', 'no such requirement');
    await filtered(page, before);
    expect(await page.locator(`[id="${id}"]`).isVisible()).toBe(false);
    await page.evaluate((h) => (location.hash = h), id);
    await page.waitForFunction((i) => document.getElementById(i).open && document.getElementById(i)!.checkVisibility(), id);
    expect(await page.inputValue('#dmdc-q')).toBe('');
    await page.close();
  });

  it('folds the tree rows that only follow their parent and unfolds them on demand', async () => {
    const { page, watch } = await open(browser, mutant, 1400);
    // The table's class changes when it unfolds; the box around it and its button stay.
    const box = page.locator('div.scroll:has(> button.unfold)').first();
    const sub = box.locator('tr.sub').first();
    expect(await sub.isVisible()).toBe(false);
    const button = box.locator('button.unfold');
    await button.click();
    await sub.waitFor({ state: 'visible' });
    expect(await button.getAttribute('aria-expanded')).toBe('true');
    expect(await button.textContent()).toMatch(/^hide the \d+ nodes? that changed with their parent$/);
    expect(watch.errors).toEqual([]);
    await page.close();
  });

  it('prints without the toolbar, with the flows and failures open, a flow a page, in far fewer pages', async () => {
    const { page } = await open(browser, mutant, 1400);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('#dmdc-tools').isVisible()).toBe(false);
    // A folded failure entry and a collapsed flow both print their content.
    const folded = await page.evaluate(() => {
      const fi = [...document.querySelectorAll('details.fi')].find((d: { open: boolean }) => !d.open)!;
      return { check: fi.querySelector('.check:not(.ck-PASS)')!.checkVisibility(), rerun: fi.querySelector('.rerun')!.checkVisibility() };
    });
    expect(folded).toEqual({ check: true, rerun: true });
    expect(await page.evaluate(() => getComputedStyle(document.querySelectorAll('details.flow')[1]!).breakBefore)).toBe('page');
    const size = await page.evaluate(() => ({ scroll: document.scrollingElement!.scrollWidth, client: document.scrollingElement!.clientWidth }));
    expect(size.scroll).toBeLessThanOrEqual(size.client);
    const pdf = (await page.pdf({ format: 'A4' })).toString('latin1');
    const pages = Math.max(...[...pdf.matchAll(/\/Type\s*\/Pages\b[^>]*?\/Count\s+(\d+)/g)].map((m) => Number(m[1])));
    // Before the print stylesheet this report printed as 73 A4 pages; every message and diagram then went on paper.
    expect(pages).toBeGreaterThan(5);
    expect(pages).toBeLessThan(40);
    await page.close();
  });
});
