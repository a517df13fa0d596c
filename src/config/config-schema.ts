/**
 * The configuration's JSON Schema (fixtures/config/dmdc-config.schema.json) and the translation of ajv's errors
 * into one line per problem that names the field by its dotted path.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { packageFile } from '../package-root.js';

const addFormats = addFormatsModule.default;

export const configSchemaPath = packageFile('fixtures', 'config', 'dmdc-config.schema.json');

export type Json = Record<string, unknown>;

let schema: Json | undefined;
let validator: ValidateFunction | undefined;

export function configSchema(): Json {
  schema ??= JSON.parse(readFileSync(configSchemaPath, 'utf8')) as Json;
  return schema;
}

function schemaValidator(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true, verbose: true });
    addFormats(ajv);
    // `errorMessage` (as in ajv-errors): a string for every keyword of its schema, or one per keyword.
    ajv.addVocabulary(['errorMessage']);
    validator = ajv.compile(configSchema());
  }
  return validator;
}

/** Validates parsed configuration data against the schema; one message per problem, empty when valid. */
export function validateConfigData(data: unknown): string[] {
  const validate = schemaValidator();
  if (validate(data)) return [];
  const errors = validate.errors ?? [];
  // An anyOf/oneOf reports itself as one line; what each of its alternatives missed is noise.
  const grouped = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => `${e.schemaPath}/`);
  const out = errors
    // if/then says only "must match then": the then branch's own errors (the declared mode's) say what is wrong.
    .filter((e) => e.keyword !== 'if')
    .filter((e) => !grouped.some((g) => e.schemaPath.startsWith(g)))
    .map((e) => describeSchemaError(e, data));
  return [...new Set(out)];
}

function describeSchemaError(e: ErrorObject, root: unknown): string {
  const segments = pointerSegments(e.instancePath);
  const where = dotted(segments, root);
  const p = e.params as Record<string, unknown>;
  const child = (key: string) => (where ? `${where}${dottedKey(key)}` : key);
  const custom = customMessage(e);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(p['additionalProperty']);
      return `${child(key)}: ${custom ?? unknownField(key, e, segments)}`;
    }
    case 'required':
      return `${child(String(p['missingProperty']))}: ${custom ?? 'required field missing'}`;
  }
  return `${where || '(top level)'}: ${custom ?? genericMessage(e)}`;
}

function customMessage(e: ErrorObject): string | undefined {
  const m = (e.parentSchema as Json | undefined)?.['errorMessage'];
  if (typeof m === 'string') return m;
  if (m && typeof m === 'object') {
    const byKeyword = (m as Json)[e.keyword];
    if (typeof byKeyword === 'string') return byKeyword;
  }
  return undefined;
}

function genericMessage(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type': {
      const t = String(p['type']);
      return `must be ${/^[aeiou]/.test(t) ? 'an' : 'a'} ${t} (found ${jsonType(e.data)})`;
    }
    case 'enum':
      return `must be one of ${(p['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')} (found ${shown(e.data)})`;
    case 'const':
      return `must be ${JSON.stringify(p['allowedValue'])} (found ${shown(e.data)})`;
    case 'minimum':
      return `must be ≥ ${String(p['limit'])}`;
    case 'maximum':
      return `must be ≤ ${String(p['limit'])}`;
    case 'minLength':
      return p['limit'] === 1 ? 'must not be empty' : `must be at least ${String(p['limit'])} characters long`;
    case 'minItems':
      return `must list at least ${String(p['limit'])} item${p['limit'] === 1 ? '' : 's'}`;
    case 'uniqueItems':
      return `must not repeat an item (items [${String(p['j'])}] and [${String(p['i'])}] are equal)`;
    case 'pattern':
      return `must match ${String(p['pattern'])} (found ${shown(e.data)})`;
    case 'format':
      return `must be a valid ${String(p['format'])} (found ${shown(e.data)})`;
    case 'anyOf':
    case 'oneOf':
      return 'matches none of the allowed forms';
    default:
      return e.message ?? `fails ${e.keyword}`;
  }
}

function unknownField(key: string, e: ErrorObject, segments: string[]): string {
  const present = new Set(Object.keys((e.data as Json | undefined) ?? {}));
  const allowed = Object.keys(((e.parentSchema as Json | undefined)?.['properties'] as Json | undefined) ?? {});
  // A real-only field on a mock role: say so rather than guess a spelling.
  const [top, role] = segments;
  if (segments.length === 2 && top === 'roles' && (e.data as Json | undefined)?.['mode'] === 'mock') {
    const realDef = ((configSchema()['$defs'] as Json)[`${role}Real`] as Json | undefined)?.['properties'] as Json | undefined;
    if (realDef && key in realDef) return `unknown field for a mock role (${key} needs mode "real")`;
  }
  const guess = suggest(key, allowed.filter((a) => !present.has(a)));
  return guess ? `unknown field (did you mean "${guess}"?)` : `unknown field (allowed: ${allowed.join(', ')})`;
}

/** The closest allowed name, if it is close enough to be a likely misspelling. */
function suggest(key: string, allowed: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const a of allowed) {
    const d = editDistance(key.toLowerCase(), a.toLowerCase());
    if (d < bestDistance && d <= Math.max(1, Math.floor(a.length / 3))) {
      best = a;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

function pointerSegments(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `/roles/dms1/dmUrl` → `roles.dms1.dmUrl`; `/proxies/0/link` → `proxies[0].link`. */
function dotted(segments: readonly string[], root: unknown): string {
  let out = '';
  let v = root;
  for (const s of segments) {
    out += Array.isArray(v) ? `[${s}]` : dottedKey(s);
    v = v !== null && typeof v === 'object' ? (v as Json)[s] : undefined;
  }
  return out.startsWith('.') ? out.slice(1) : out;
}

function dottedKey(key: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function shown(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}
