import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Debian's libwbxml2 tools (libwbxml2-utils), the independent WBXML implementation the codec is checked
 * against. A missing tool fails the test with the fix, never skips it.
 */
export function libwbxml() {
  const dir = mkdtempSync(join(tmpdir(), 'dmdc-wbxml-'));
  let n = 0;
  const run = (tool: 'xml2wbxml' | 'wbxml2xml', flags: string[], input: Buffer | string): Buffer => {
    const base = join(dir, `${n++}`);
    writeFileSync(`${base}.in`, input);
    try {
      execFileSync(tool, [...flags, '-o', `${base}.out`, `${base}.in`], { stdio: 'pipe' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${tool} not found: the libwbxml2 tests need it (apt-get install -y libwbxml2-utils)`);
      throw e;
    }
    return readFileSync(`${base}.out`);
  };
  return {
    // -k keeps whitespace in text (without it libwbxml trims Data); -v 1.2 is the WBXML version DM uses; -n: no string table.
    xml2wbxml: (xml: string, stringTable = false) => run('xml2wbxml', ['-k', ...(stringTable ? [] : ['-n']), '-v', '1.2'], xml),
    // -m 0: compact output, so no indentation is added to Data.
    wbxml2xml: (bytes: Buffer) => run('wbxml2xml', ['-m', '0', '-k'], bytes).toString('utf8'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
