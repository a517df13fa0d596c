/**
 * Build step (`npm run build`, after tsc): writes every validator of dmdc as ajv standalone code into
 * generated/ beside precompiled.js, where validatorFor looks for it.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { GENERATED_DIR } from './precompiled.js';
import { allValidatorSpecs, standaloneSource } from './standalone.js';

const specs = allValidatorSpecs();
rmSync(GENERATED_DIR, { recursive: true, force: true });
mkdirSync(GENERATED_DIR, { recursive: true });
// Silent: `npm pack --json` runs this through prepare, and its stdout must stay the pack's JSON.
for (const spec of specs) writeFileSync(`${GENERATED_DIR}${spec.name}.cjs`, standaloneSource(spec));
