import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';

/**
 * A catalogue file's version and the SHA-256 of its bytes: the version is what its authors say, the hash
 * what it is. Not validated here: the run validated the catalogue it judged with.
 */
export function catalogueFingerprint(file: string): { version: string; sha256: string; file: string } {
  const bytes = readFileSync(file);
  const parsed = JSON.parse(bytes.toString('utf8')) as { version?: unknown };
  const fromRoot = relative(PACKAGE_ROOT, file);
  return {
    version: typeof parsed.version === 'string' ? parsed.version : '(none)',
    sha256: createHash('sha256').update(bytes).digest('hex'),
    file: fromRoot.startsWith('..') || isAbsolute(fromRoot) ? file : fromRoot.split('\\').join('/'),
  };
}
