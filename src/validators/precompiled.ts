/**
 * JSON Schema validators compiled once, when dmdc is built, instead of at every start: compiling the report,
 * catalogue and delegation schemas with ajv took about 150 ms of each run. `npm run build` writes each as
 * ajv standalone code (write-validators.ts) beside this module's compiled form, stamped with a hash of its
 * schema and options. A validator without that file (the TypeScript run as it is), or whose stamp differs
 * (a schema edited since the build), is compiled here as before, so the result never depends on the build.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type Options, type SchemaObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule.default;

export interface ValidatorSpec {
  /** The generated file's name: letters, digits and '-'. */
  name: string;
  schema: SchemaObject;
  options: Pick<Options, 'allErrors' | 'verbose'>;
  /** Annotation keywords of ours that ajv must accept (e.g. `hint`). */
  vocabulary?: string[];
}

/** An Ajv 2020 instance as every validator of dmdc uses it: formats on, our annotations known. */
export function ajvFor(spec: ValidatorSpec, extra: Options = {}): Ajv2020 {
  const ajv = new Ajv2020({ ...spec.options, ...extra });
  addFormats(ajv);
  if (spec.vocabulary) ajv.addVocabulary(spec.vocabulary);
  return ajv;
}

/** What a generated validator must have been made from to be used. */
export function specStamp(spec: ValidatorSpec): string {
  return createHash('sha256').update(JSON.stringify([spec.schema, spec.options, spec.vocabulary ?? []])).digest('hex');
}

export const GENERATED_DIR = fileURLToPath(new URL('./generated/', import.meta.url));
const require = createRequire(import.meta.url);

/** The validator of a spec: built ahead when a matching one was, compiled now otherwise. */
export function validatorFor<T = unknown>(spec: ValidatorSpec, dir: string = GENERATED_DIR): ValidateFunction<T> {
  const file = `${dir}${spec.name}.cjs`;
  if (existsSync(file)) {
    try {
      const built = require(file) as ValidateFunction<T> & { stamp?: string };
      if (built.stamp === specStamp(spec)) return built;
    } catch {
      // An unreadable file is no reason to fail: compiled below.
    }
  }
  return ajvFor(spec).compile<T>(spec.schema);
}
