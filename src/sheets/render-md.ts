/** The sheets as Markdown: one file per test purpose and an index.md linking them. */
import { CATEGORY_TITLES, ETS_HEADINGS, INDEX_WORDS, type SheetField } from './sheet-words.js';
import type { Block, ListItem, Sheet } from './sheet-model.js';
import { escapeMarkdown } from '../report/markdown-text.js';

/** The file a sheet is written to; ids are [A-Za-z0-9.-] (catalogue schema), so they name files as they are. */
export function sheetFileName(id: string): string {
  return `${id}.md`;
}

function item(i: ListItem): string {
  return i.label ? `**${escapeMarkdown(i.label)}**: ${escapeMarkdown(i.text)}` : escapeMarkdown(i.text);
}

function block(b: Block): string {
  switch (b.kind) {
    case 'p':
      return escapeMarkdown(b.text);
    case 'statement':
      return `**${escapeMarkdown(b.label)}:**\n\n> ${escapeMarkdown(b.text)}`;
    case 'list':
      return b.items.map((x, n) => `${b.ordered ? `${n + 1}.` : '-'} ${item(x)}`).join('\n');
  }
}

export function sheetMarkdown(sheet: Sheet): string {
  const out = [
    `# ${escapeMarkdown(sheet.id)}: ${escapeMarkdown(sheet.title)}`,
    '',
    `Provenance: **${escapeMarkdown(sheet.provenance)}** · Severity: ${sheet.severity} · Category: ${CATEGORY_TITLES[sheet.category]} · [All sheets](index.md)`,
  ];
  for (const k of Object.keys(ETS_HEADINGS) as SheetField[]) out.push('', `## ${ETS_HEADINGS[k]}`, '', sheet.fields[k].map(block).join('\n\n'));
  return `${out.join('\n')}\n`;
}

export function indexMarkdown(sheets: readonly Sheet[], catalogueVersion: string): string {
  const cell = (s: string) => escapeMarkdown(s);
  const out = [
    `# ${INDEX_WORDS.title}`,
    '',
    escapeMarkdown(INDEX_WORDS.intro),
    '',
    `${INDEX_WORDS.catalogue} ${escapeMarkdown(catalogueVersion)}: ${sheets.length} ${INDEX_WORDS.count}.`,
  ];
  for (const category of Object.keys(CATEGORY_TITLES) as Array<Sheet['category']>) {
    const members = sheets.filter((s) => s.category === category);
    if (!members.length) continue;
    out.push('', `## ${CATEGORY_TITLES[category]} (${members.length})`, '', `| ${INDEX_WORDS.columns.join(' | ')} |`, `|${INDEX_WORDS.columns.map(() => '---').join('|')}|`);
    for (const s of members) out.push(`| [${cell(s.id)}](${sheetFileName(s.id)}) | ${cell(s.provenance)} | ${s.severity} | ${cell(s.title)} |`);
  }
  return `${out.join('\n')}\n`;
}
