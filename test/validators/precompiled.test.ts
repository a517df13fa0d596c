import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { DEFAULT_CATALOGUE_FILE } from '../../src/catalogue/catalogue.js';
import { ajvFor, validatorFor, type ValidatorSpec } from '../../src/validators/precompiled.js';
import { allValidatorSpecs, standaloneSource } from '../../src/validators/standalone.js';

// The validators `npm run build` writes ahead must judge exactly as the ones compiled at run time: the same
// verdict and the same errors (with verbose, the same schema and data they point at).
// Written inside the checkout, as the build writes them: their code requires ajv-formats from node_modules.
const ROOT = new URL('../..', import.meta.url).pathname;
mkdirSync(join(ROOT, '.dmdc-tmp'), { recursive: true });
const dir = `${mkdtempSync(join(ROOT, '.dmdc-tmp', 'validators-'))}/`;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const catalogue = JSON.parse(readFileSync(DEFAULT_CATALOGUE_FILE, 'utf8')) as { entries: Array<Record<string, unknown>> };
const broken = structuredClone(catalogue);
broken.entries[0]!.severity = 'OFTEN';
delete broken.entries[1]!.id;

/** Values each validator is tried on: valid ones where there is one at hand, and wrong ones of every kind. */
function samples(spec: ValidatorSpec): unknown[] {
  const wrong = [{}, [], 'x', null, { sessionId: '', extra: 1 }, { sessionId: 'a b', url: 'http://x', accepted: 'maybe', code: 7 }];
  if (spec.name === 'catalogue') return [catalogue, broken, ...wrong];
  // A whole message of the simplest delegation types (type and SessionId only), short of the others.
  if (spec.name.startsWith('delegation-')) return [{ type: spec.name.slice('delegation-'.length), sessionId: 'S-1' }, ...wrong];
  if (spec.name === 'report') return [...wrong, { schemaVersion: '1.0', runId: 5, flows: [{}], results: [{ verdict: 'GOOD' }] }];
  return wrong;
}

describe('validators built ahead', () => {
  const specs = allValidatorSpecs();
  for (const spec of specs) writeFileSync(`${dir}${spec.name}.cjs`, standaloneSource(spec));

  test.each(specs.map((s) => [s.name, s] as const))('%s: the built one is used, and judges as the compiled one', (_name, spec) => {
    const built = validatorFor(spec, dir) as ReturnType<typeof validatorFor> & { stamp?: string };
    expect(built.stamp).toBeTypeOf('string');
    const compiled = ajvFor(spec).compile(spec.schema);
    for (const value of samples(spec)) {
      expect(built(value)).toBe(compiled(value));
      expect(built.errors ?? null).toEqual(compiled.errors ?? null);
    }
  });

  test('a built validator whose schema has changed since is not used: the schema is compiled again', () => {
    const spec = specs.find((s) => s.name === 'report')!;
    const edited: ValidatorSpec = { ...spec, schema: { ...spec.schema, required: ['nothing-else'] } };
    const v = validatorFor(edited, dir) as ReturnType<typeof validatorFor> & { stamp?: string };
    expect(v.stamp).toBeUndefined();
    expect(v({})).toBe(false);
    expect(v.errors?.[0]?.params).toEqual({ missingProperty: 'nothing-else' });
  });

  test('without built validators (the TypeScript as it is), each is compiled', () => {
    const v = validatorFor(specs[0]!, join(dir, 'none/')) as ReturnType<typeof validatorFor> & { stamp?: string };
    expect(v.stamp).toBeUndefined();
    expect(v({})).toBe(false);
  });
});
