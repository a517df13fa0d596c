/**
 * manifest.sha256 of a run folder: the SHA-256 of every regular file in it, in `sha256sum` format, so
 * `sha256sum -c manifest.sha256` run inside the folder checks it as `dmdc verify` does.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MANIFEST_FILE = 'manifest.sha256';

/** The manifest cannot be read or does not parse: nothing it would vouch for can be checked. */
export class ManifestError extends Error {
  constructor(readonly file: string, readonly problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'ManifestError';
  }
}

export interface ManifestCheck {
  /** Files the manifest lists. */
  listed: number;
  /** Listed, but absent or no longer a regular file. */
  missing: string[];
  /** Listed, with other bytes than when the manifest was written. */
  changed: string[];
  /** Regular files the manifest does not list: not covered by it, and not a failure of it. */
  added: string[];
  /** Symbolic links and other non-regular entries: never followed, never covered. */
  notRegular: string[];
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Relative paths ('/'-separated) of the regular files under `root` and of what is neither file nor directory. */
function walk(root: string): { files: string[]; others: string[] } {
  const files: string[] = [];
  const others: string[] = [];
  const visit = (rel: string) => {
    for (const e of readdirSync(rel ? join(root, rel) : root, { withFileTypes: true })) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      // A link is not followed: what it points to may lie outside the folder, and may change apart from it.
      if (e.isDirectory()) visit(path);
      else if (e.isFile()) files.push(path);
      else others.push(path);
    }
  };
  visit('');
  return { files: files.filter((f) => f !== MANIFEST_FILE).sort(), others: others.sort() };
}

// GNU sha256sum escapes a name with a backslash or a newline and marks its line with a leading backslash.
const needsEscape = (name: string) => /[\\\n\r]/.test(name);
const escapeName = (name: string) => name.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
const unescapeName = (name: string) => name.replace(/\\(\\|n|r)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : '\\'));

/** Writes runDir/manifest.sha256 over every regular file under runDir but itself; returns how many it lists. */
export function writeManifest(runDir: string): { file: string; files: number } {
  const { files } = walk(runDir);
  const lines = files.map((f) => (needsEscape(f) ? `\\${sha256(join(runDir, f))}  ${escapeName(f)}` : `${sha256(join(runDir, f))}  ${f}`));
  const file = join(runDir, MANIFEST_FILE);
  writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
  return { file, files: files.length };
}

/** The manifest's entries, path → hex digest. Throws `ManifestError` when it is missing or malformed. */
export function readManifest(runDir: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(join(runDir, MANIFEST_FILE), 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ManifestError(MANIFEST_FILE, err.code === 'ENOENT' ? 'missing: this run folder has no manifest (written by dmdc run since the bundle was introduced)' : `cannot be read (${err.message})`);
  }
  const entries = new Map<string, string>();
  text.split('\n').forEach((line, i) => {
    if (line === '') return;
    const m = /^(\\?)([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
    if (!m) throw new ManifestError(MANIFEST_FILE, `line ${i + 1} is not "<sha256>  <path>"`);
    const path = m[1] ? unescapeName(m[3]!) : m[3]!;
    // A path out of the folder would have the check read files the run never wrote.
    if (path.startsWith('/') || path.split('/').some((p) => p === '..' || p === '')) throw new ManifestError(MANIFEST_FILE, `line ${i + 1}: ${JSON.stringify(path)} is not a path inside the run folder`);
    if (entries.has(path)) throw new ManifestError(MANIFEST_FILE, `line ${i + 1}: ${path} is listed twice`);
    entries.set(path, m[2]!.toLowerCase());
  });
  return entries;
}

/** Compares runDir with its manifest. Throws `ManifestError` when the manifest is missing or malformed. */
export function checkManifest(runDir: string): ManifestCheck {
  const listed = readManifest(runDir);
  const { files, others } = walk(runDir);
  const present = new Set(files);
  const missing: string[] = [];
  const changed: string[] = [];
  for (const [path, digest] of listed) {
    if (!present.has(path)) missing.push(path);
    else if (sha256(join(runDir, path)) !== digest) changed.push(path);
  }
  return { listed: listed.size, missing, changed, added: files.filter((f) => !listed.has(f)), notRegular: others };
}

/** The manifest holds: every file it lists is there with its bytes. */
export const manifestHolds = (c: ManifestCheck): boolean => c.missing.length === 0 && c.changed.length === 0;
