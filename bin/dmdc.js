#!/usr/bin/env node
// The CLI runs compiled from dist/ (built by `npm ci` through `prepare`, or `npm run build`) when that build
// is newer than every source file; otherwise tsx (a dev dependency) runs the TypeScript as it is, which starts
// slower. An installed copy (in a node_modules folder) always runs dist/, which `npm pack` built from the sources
// beside it: unpacking gives the files arbitrary mtimes, and nobody edits them there.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = `${root}dist/src/cli/main.js`;

function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function fresh() {
  if (/[\\/]node_modules[\\/]/.test(root)) return existsSync(built);
  try {
    return statSync(built).mtimeMs >= Math.max(newestSource(`${root}src`), newestSource(`${root}mocks`));
  } catch {
    return false;
  }
}

let main;
if (fresh()) ({ main } = await import(built));
else {
  const { register } = await import('tsx/esm/api').catch((err) => {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    console.error('dmdc: dist/ is missing or older than the sources, and tsx is not installed to run them: npm run build');
    process.exit(2);
  });
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
// Once a command is done, abandoned work of a misbehaving peer (a budget still running) must not keep the
// process alive.
process.exit(await main(process.argv.slice(2)));
