/** `dmdc sheets`: the requirement catalogue as test sheets in the layout of an OMA Enabler Test Specification. */
import { parseArgs } from 'node:util';
import { loadCatalogue } from '../catalogue/catalogue.js';
import { SHEET_FORMATS, writeSheets, type SheetFormat } from '../sheets/write-sheets.js';

export const SHEETS_HELP = `dmdc sheets [options]

Writes one test sheet per requirement of the catalogue (test purpose), from the catalogue alone: test case
id, test object, description, specification reference with its provenance, applicability (SCR), tool, test
code, preconditions, procedure, pass criteria and notes. Markdown: one file per sheet and index.md; HTML:
one self-contained, printable sheets.html with a table of contents. Prints the paths written.

Options:
  --out DIR            where to write (default reports/sheets)
  --format md|html|both  (default both)
  --catalogue FILE     another requirement catalogue (default: the bundled one)
  --help               this text

Exit codes: 0 written; 2 a bad option or a catalogue that cannot be read.`;

export async function sheetsCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        out: { type: 'string', default: 'reports/sheets' },
        format: { type: 'string', default: 'both' },
        catalogue: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    console.error(`dmdc sheets: ${(err as Error).message}\n\n${SHEETS_HELP}`);
    return 2;
  }
  if (values.help) return console.log(SHEETS_HELP), 0;
  const format = values.format as SheetFormat;
  if (!SHEET_FORMATS.includes(format)) {
    console.error(`dmdc sheets: --format must be one of ${SHEET_FORMATS.join(', ')}, not "${values.format}"\n\n${SHEETS_HELP}`);
    return 2;
  }
  let catalogue;
  try {
    catalogue = loadCatalogue(values.catalogue);
  } catch (err) {
    console.error(`dmdc sheets: ${(err as Error).message}`);
    return 2;
  }
  const written = writeSheets(catalogue, values.out, format);
  for (const file of written) console.log(file);
  console.log(`dmdc sheets: ${catalogue.entries.length} test purposes, ${written.length} files`);
  return 0;
}
