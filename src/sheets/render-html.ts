/** The sheets as one self-contained, printable HTML page: a table of contents, then one ETS table per sheet. */
import { anchor, escapeHtml } from '../report/html-text.js';
import { CATEGORY_TITLES, ETS_HEADINGS, INDEX_WORDS, type SheetField } from './sheet-words.js';
import type { Block, ListItem, Sheet } from './sheet-model.js';

/** The fragment id of a sheet's section. */
export function sheetAnchor(id: string): string {
  return anchor('sheet', id);
}

// No fonts, images or scripts from anywhere: the page must work offline and print as it shows.
const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 60em; padding: 0 1em; color: #111; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; } nav h2 { margin-top: 1em; }
nav ul { columns: 2; padding-left: 1.2em; } nav li { break-inside: avoid; }
table.ets { border-collapse: collapse; width: 100%; margin: .5em 0 1.5em; }
table.ets th, table.ets td { border: 1px solid #888; padding: .35em .6em; vertical-align: top; text-align: left; }
table.ets th { width: 13em; background: #eee; font-weight: 600; }
blockquote { margin: .3em 0 .3em 1em; padding-left: .6em; border-left: 3px solid #999; }
td p { margin: .2em 0 .45em; } td ol, td ul { margin: .2em 0; padding-left: 1.4em; }
.meta { color: #444; } .prov { font-weight: 600; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5pt; }
  nav { break-after: page; } section.sheet { break-before: page; }
  a { color: inherit; text-decoration: none; } table.ets th { background: none; }
}`;

function item(i: ListItem): string {
  return `<li>${i.label ? `<strong>${escapeHtml(i.label)}</strong>: ` : ''}${escapeHtml(i.text)}</li>`;
}

function block(b: Block): string {
  switch (b.kind) {
    case 'p':
      return `<p>${escapeHtml(b.text)}</p>`;
    case 'statement':
      return `<p><strong>${escapeHtml(b.label)}:</strong></p><blockquote>${escapeHtml(b.text)}</blockquote>`;
    case 'list': {
      const tag = b.ordered ? 'ol' : 'ul';
      return `<${tag}>${b.items.map(item).join('')}</${tag}>`;
    }
  }
}

function section(s: Sheet): string {
  const rows = (Object.keys(ETS_HEADINGS) as SheetField[]).map((k) => `<tr><th scope="row">${escapeHtml(ETS_HEADINGS[k])}</th><td>${s.fields[k].map(block).join('')}</td></tr>`);
  return [
    `<section class="sheet" id="${sheetAnchor(s.id)}">`,
    `<h2>${escapeHtml(s.id)}: ${escapeHtml(s.title)}</h2>`,
    `<p class="meta">Provenance: <span class="prov">${escapeHtml(s.provenance)}</span> · Severity: ${escapeHtml(s.severity)} · ${escapeHtml(CATEGORY_TITLES[s.category])} · <a href="#contents">${escapeHtml(INDEX_WORDS.contents)}</a></p>`,
    `<table class="ets"><tbody>${rows.join('')}</tbody></table>`,
    '</section>',
  ].join('\n');
}

function contents(sheets: readonly Sheet[]): string {
  const groups: string[] = [];
  for (const category of Object.keys(CATEGORY_TITLES) as Array<Sheet['category']>) {
    const members = sheets.filter((s) => s.category === category);
    if (!members.length) continue;
    const links = members.map((s) => `<li><a href="#${sheetAnchor(s.id)}">${escapeHtml(s.id)}</a> (${escapeHtml(s.provenance)}): ${escapeHtml(s.title)}</li>`);
    groups.push(`<h3>${escapeHtml(CATEGORY_TITLES[category])} (${members.length})</h3><ul>${links.join('')}</ul>`);
  }
  return `<nav id="contents"><h2>${escapeHtml(INDEX_WORDS.contents)}</h2>${groups.join('\n')}</nav>`;
}

export function sheetsHtml(sheets: readonly Sheet[], catalogueVersion: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(INDEX_WORDS.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head><body>',
    `<h1>${escapeHtml(INDEX_WORDS.title)}</h1>`,
    `<p>${escapeHtml(INDEX_WORDS.intro)}</p>`,
    `<p class="meta">${escapeHtml(INDEX_WORDS.catalogue)} ${escapeHtml(catalogueVersion)}: ${sheets.length} ${escapeHtml(INDEX_WORDS.count)}.</p>`,
    contents(sheets),
    ...sheets.map(section),
    '</body></html>',
    '',
  ].join('\n');
}
