/** Writes the test sheets of a catalogue: Markdown (one file per sheet and index.md), HTML (sheets.html), or both. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Catalogue } from '../catalogue/catalogue.js';
import { indexMarkdown, sheetFileName, sheetMarkdown } from './render-md.js';
import { sheetsHtml } from './render-html.js';
import { buildSheets, initialSetup, type InitialSetup } from './sheet-model.js';

export const SHEET_FORMATS = ['md', 'html', 'both'] as const;
export type SheetFormat = (typeof SHEET_FORMATS)[number];

export const INDEX_FILE = 'index.md';
export const HTML_FILE = 'sheets.html';

/** Writes the sheets into `out` (created when absent) and returns the absolute paths written, index first. */
export function writeSheets(catalogue: Catalogue, out: string, format: SheetFormat = 'both', setup: InitialSetup = initialSetup()): string[] {
  const dir = resolve(out);
  mkdirSync(dir, { recursive: true });
  const sheets = buildSheets(catalogue, setup);
  const written: string[] = [];
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    written.push(file);
  };
  if (format !== 'html') {
    write(INDEX_FILE, indexMarkdown(sheets, catalogue.version));
    for (const s of sheets) write(sheetFileName(s.id), sheetMarkdown(s));
  }
  if (format !== 'md') write(HTML_FILE, sheetsHtml(sheets, catalogue.version));
  return written;
}
