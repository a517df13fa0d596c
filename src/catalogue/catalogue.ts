/**
 * The requirement catalogue (fixtures/catalogue/catalogue.json): one entry per requirement, with its source,
 * provenance, the scenario facts it applies under and the checks that verify it. Suites are generated from it.
 */
import { readFileSync } from 'node:fs';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { Approach, DelegationDuration, DelegationScope } from '../delegation/messages.js';
import type { Provenance, RequirementRef } from '../report/model.js';
import type { Channel } from '../runner/observability.js';
import type { Role } from '../model/roles.js';
import type { AuthType } from '../syncml/auth.js';
import { packageFile } from '../package-root.js';
import { validatorFor, type ValidatorSpec } from '../validators/precompiled.js';

export const DEFAULT_CATALOGUE_FILE = packageFile('fixtures', 'catalogue', 'catalogue.json');
export const CATALOGUE_SCHEMA_FILE = packageFile('fixtures', 'catalogue', 'catalogue.schema.json');

/** The scenario and ICS facts a requirement applies under; a missing field means "any". */
export interface Applicability {
  approach?: Approach;
  duration?: DelegationDuration;
  scope?: DelegationScope;
  /** Only when DMS-1 does (true) or does not (false) remove its own account (A.5 / B.8b). */
  removeAccount?: boolean;
  /** Approach B: Bootstrap Server inside DMS-2 (`colocated`) or stand-alone (`separate`). */
  bootstrap?: 'colocated' | 'separate';
  /** An ICS feature the implementation must declare, e.g. `step-8b` or `auth-md5`. */
  feature?: string;
  /** Only in flows whose DMS-2 account is of this AAuthType (where the run chooses it: a mock DMS-2). */
  authType?: AuthType;
}

export interface CatalogueEntry extends RequirementRef {
  /** Provenance in the flows of one approach where it differs from `provenance`. */
  provenanceByApproach?: Partial<Record<Approach, Provenance>>;
  /** The roles constrained in one approach's flows, where fewer than `roles`. */
  rolesByApproach?: Partial<Record<Approach, Role[]>>;
  applicability: Applicability;
  /** Ids of the checks that verify this requirement. */
  checks: string[];
  /** What must be observable to judge it (links, the Package #0 push, the probe, the final tree). */
  observe: Channel[];
  /** all (default): every channel is needed; any: judged on the observable part. */
  observeMode?: 'all' | 'any';
}

export interface Catalogue {
  version: string;
  entries: CatalogueEntry[];
}

/** What `applicable` needs to know about a flow (a `Scenario` fits). */
export interface ApplicabilityScenario {
  approach: Approach;
  delegationType: { scope: DelegationScope; duration: DelegationDuration };
  removeAccount: boolean;
  bootstrap: 'colocated' | 'separate';
  /** The AAuthType the flow's DMS-2 account has, when the run chooses it. */
  authType?: AuthType;
}

/** ICS facts beyond the scenario: the optional features the implementation declares. */
export interface ApplicabilityIcs {
  features?: Iterable<string>;
}

export type Applicable = { ok: true } | { ok: false; reason: string };

/** The catalogue (or an object meant as one) is invalid; `problems` has one line per problem. */
export class CatalogueError extends Error {
  readonly problems: readonly string[];
  constructor(source: string, problems: readonly string[]) {
    super(`invalid requirement catalogue ${source}: ${problems.join('; ')}`);
    this.name = 'CatalogueError';
    this.problems = problems;
  }
}

// ------------------------------------------------------------------------------------------------ loading

let validator: ValidateFunction | undefined;

/** The catalogue file's schema as a validator spec (read from its file, as the build reads it). */
export function catalogueValidatorSpec(): ValidatorSpec {
  return { name: 'catalogue', schema: JSON.parse(readFileSync(CATALOGUE_SCHEMA_FILE, 'utf8')) as object, options: { allErrors: true, verbose: true } };
}

function schemaValidator(): ValidateFunction {
  return (validator ??= validatorFor(catalogueValidatorSpec()));
}

/** Reads, parses and validates a catalogue file (default: the bundled one). Throws `CatalogueError`. */
export function loadCatalogue(file: string = DEFAULT_CATALOGUE_FILE): Catalogue {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CatalogueError(file, [`cannot be read (${(e as Error).message})`]);
  }
  let data: unknown;
  try {
    data = JSON.parse(raw) as unknown;
  } catch (e) {
    throw new CatalogueError(file, [`is not valid JSON (${(e as Error).message})`]);
  }
  return parseCatalogue(data, file);
}

/** Validates an already parsed catalogue against the schema and the cross-field rules. Throws `CatalogueError`. */
export function parseCatalogue(data: unknown, source = 'catalogue'): Catalogue {
  const validate = schemaValidator();
  if (!validate(data)) {
    const problems = [...new Set((validate.errors ?? []).map((e) => describeSchemaError(e, data)))];
    throw new CatalogueError(source, problems);
  }
  const catalogue = data as Catalogue & { $schema?: string };
  const problems = crossFieldProblems(catalogue.entries);
  if (problems.length > 0) throw new CatalogueError(source, problems);
  return { version: catalogue.version, entries: catalogue.entries };
}

/** Rules a JSON Schema cannot say: unique ids, and approach / step fields that agree with each other. */
function crossFieldProblems(entries: readonly CatalogueEntry[]): string[] {
  const problems: string[] = [];
  const firstIndex = new Map<string, number>();
  entries.forEach((e, i) => {
    const where = `entries[${i}] (${e.id})`;
    const seen = firstIndex.get(e.id);
    if (seen !== undefined) problems.push(`${where}.id duplicates entries[${seen}]`);
    else firstIndex.set(e.id, i);
    if (e.approach !== undefined && e.applicability.approach !== e.approach)
      problems.push(`${where}.applicability.approach must be "${e.approach}" like the entry's approach`);
    if (e.step !== undefined) {
      if (e.approach === undefined) problems.push(`${where}.approach is required with a step`);
      else if (!e.step.startsWith(`${e.approach}.`))
        problems.push(`${where}.step "${e.step}" is not a step of approach ${e.approach}`);
    }
    if (e.category === 'step' && e.step === undefined) problems.push(`${where}.step is required in category step`);
    if (e.provenanceByApproach && e.applicability.approach !== undefined)
      for (const a of Object.keys(e.provenanceByApproach))
        if (a !== e.applicability.approach)
          problems.push(`${where}.provenanceByApproach.${a} names an approach the entry does not apply to`);
    for (const [a, roles] of Object.entries(e.rolesByApproach ?? {}))
      for (const r of roles ?? []) if (!e.roles.includes(r)) problems.push(`${where}.rolesByApproach.${a}: ${r} is not one of the entry's roles`);
  });
  return problems;
}

function at(data: unknown, segments: readonly string[]): unknown {
  let v = data;
  for (const s of segments) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[s] : undefined;
  return v;
}

/** `/entries/3/applicability/approach` → `entries[3] (B.4).applicability.approach`. */
function fieldPath(instancePath: string, data: unknown): string {
  if (instancePath === '') return 'catalogue';
  const segments = instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = '';
  segments.forEach((s, i) => {
    if (/^\d+$/.test(s)) {
      out += `[${s}]`;
      if (i === 1 && segments[0] === 'entries') {
        const id = at(data, ['entries', s, 'id']);
        if (typeof id === 'string') out += ` (${id})`;
      }
    } else out += out === '' ? s : `.${s}`;
  });
  return out;
}

function describeSchemaError(e: ErrorObject, data: unknown): string {
  const where = fieldPath(e.instancePath, data);
  const found = e.data === undefined ? '' : `, found ${JSON.stringify(e.data)}`;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `${where}: missing required field "${String(p['missingProperty'])}"`;
    case 'additionalProperties':
      return `${where}: unknown field "${String(p['additionalProperty'])}"`;
    case 'enum':
      return `${where} must be one of ${(p['allowedValues'] as unknown[]).map(String).join(', ')}${found}`;
    case 'minItems':
      return `${where} must list at least ${String(p['limit'])} item${p['limit'] === 1 ? '' : 's'}`;
    case 'uniqueItems':
      return `${where} must not repeat an item (items ${String(p['j'])} and ${String(p['i'])} are equal)`;
    case 'pattern':
      return `${where} must match ${String(p['pattern'])}${found}`;
    case 'type':
      return `${where} must be of type ${String(p['type'])}${found}`;
    default:
      return `${where} ${e.message ?? 'is invalid'}`;
  }
}

// ------------------------------------------------------------------------------------------------ queries

export function findEntry(catalogue: Catalogue, id: string): CatalogueEntry | undefined {
  return catalogue.entries.find((e) => e.id === id);
}

/** The provenance a verdict in a flow of `approach` is reported with. */
export function provenanceFor(entry: CatalogueEntry, approach: Approach): Provenance {
  return entry.provenanceByApproach?.[approach] ?? entry.provenance;
}

/** The provenance a report of the given approaches states: that approach's where only one was run. */
export function provenanceIn(entry: CatalogueEntry, approaches: Iterable<Approach>): Provenance {
  const run = new Set(approaches);
  return run.size === 1 ? provenanceFor(entry, [...run][0]) : entry.provenance;
}

/** The roles a requirement constrains in a flow of `approach`. */
export function rolesFor(entry: CatalogueEntry, approach: Approach): Role[] {
  return entry.rolesByApproach?.[approach] ?? entry.roles;
}

const BOOTSTRAP_WORDS = {
  colocated: 'a Bootstrap Server inside DMS-2',
  separate: 'a stand-alone Bootstrap Server',
} as const;

/**
 * Whether `entry` applies to a flow. When it does not, `reason` names each scenario or ICS fact that
 * excludes it, e.g. "approach B only; this flow is approach A" (several are separated by " | "). `ics.features`, when given, is the list of
 * optional features the implementation declares; without it the `feature` condition is not judged here.
 */
export function applicable(entry: CatalogueEntry, scenario: ApplicabilityScenario, ics: ApplicabilityIcs = {}): Applicable {
  const a = entry.applicability;
  const reasons: string[] = [];
  if (a.approach !== undefined && a.approach !== scenario.approach)
    reasons.push(`approach ${a.approach} only; this flow is approach ${scenario.approach}`);
  if (a.duration !== undefined && a.duration !== scenario.delegationType.duration)
    reasons.push(`${a.duration} delegations only; this flow is ${scenario.delegationType.duration}`);
  if (a.scope !== undefined && a.scope !== scenario.delegationType.scope)
    reasons.push(`${a.scope} delegations only; this flow is ${scenario.delegationType.scope}`);
  if (a.removeAccount !== undefined && a.removeAccount !== scenario.removeAccount)
    reasons.push(
      a.removeAccount
        ? "only when DMS-1 removes its own account (optional step A.5 / B.8b); in this flow DMS-1 keeps it"
        : 'only when DMS-1 keeps its own account; in this flow DMS-1 removes it (optional step A.5 / B.8b)',
    );
  if (a.bootstrap !== undefined && a.bootstrap !== scenario.bootstrap)
    reasons.push(`only with ${BOOTSTRAP_WORDS[a.bootstrap]}; this flow uses ${BOOTSTRAP_WORDS[scenario.bootstrap]}`);
  if (a.authType !== undefined && scenario.authType !== undefined && a.authType !== scenario.authType)
    reasons.push(`flows whose DMS-2 account is ${a.authType} only; this flow's is ${scenario.authType}`);
  if (a.feature !== undefined && ics.features !== undefined && ![...ics.features].includes(a.feature))
    reasons.push(`needs ICS feature ${a.feature}, which the implementation does not declare`);
  return reasons.length === 0 ? { ok: true } : { ok: false, reason: reasons.join(' | ') };
}

// ------------------------------------------------------------------------------------------------ --only

function globRegExp(glob: string): RegExp {
  const body = [...glob]
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'i');
}

/**
 * `--only` selection: `glob` is a comma-separated list of patterns (`B.*`, `ORD-*`, `B.8,B.8b`); `*` matches
 * any run of characters, `?` one character, everything else literally and case-insensitively. An id matches
 * when any pattern matches it whole; an empty list matches nothing.
 */
export function matchesGlob(id: string, glob: string): boolean {
  return glob
    .split(',')
    .map((g) => g.trim())
    .filter((g) => g !== '')
    .some((g) => globRegExp(g).test(id));
}
