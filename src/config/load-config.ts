/**
 * Reads a dmdc configuration file, validates it against fixtures/config/dmdc-config.schema.json, checks the files
 * it names and resolves it to a RunConfig. Every problem comes back as one line naming the field by its dotted path.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { ROLES, type Role } from '../model/roles.js';
import { createPki, identityOf, writeIdentity, type Identity, type Pki } from '../pki/pki.js';
import { loadClientFixture, type ClientFixture } from '../runner/client-fixture.js';
import { DEFAULT_BUDGETS } from '../runner/run-flow.js';
import type {
  BootstrapConfig,
  ClientConfig,
  ConfigFile,
  Dms1Config,
  Dms2Config,
  IcsConfig,
  MockRoleConfig,
  ResolvedRole,
  RunConfig,
} from './config.js';

const addFormats = addFormatsModule.default;

export const configSchemaPath = fileURLToPath(new URL('../../fixtures/config/dmdc-config.schema.json', import.meta.url));

export const DEFAULT_DRIVER_MS = 10_000;

export const DEFAULT_ICS: Required<IcsConfig> = {
  approaches: ['A', 'B'],
  scopes: ['full', 'partial'],
  durations: ['temporary', 'permanent'],
  removeAccount: true,
  bootstrapPlacements: ['colocated', 'separate'],
  authTypes: ['DIGEST'],
};

export interface LoadConfigOptions {
  defaults?: {
    /** Source of the device defaults (default: fixtures/trees/client-initial.json). */
    fixture?: ClientFixture;
    /** PKI used when the configuration names no pki.dir (default: a fresh one). */
    pki?: Pki;
  };
}

export type LoadConfigResult = { ok: true; config: RunConfig } | { ok: false; errors: string[] };

/** Reads, validates and resolves a configuration file. Never throws for a bad file: the errors come back. */
export async function loadConfig(file: string, opts: LoadConfigOptions = {}): Promise<LoadConfigResult> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return fail([err.code === 'ENOENT' ? `${path}: no such configuration file` : `${path}: cannot be read (${err.message})`]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text) as unknown;
  } catch (e) {
    return fail([`${path}${jsonErrorPosition(text, (e as Error).message)}: not valid JSON (${(e as Error).message})`]);
  }
  const schemaErrors = validateConfigData(data);
  if (schemaErrors.length > 0) return fail(schemaErrors);
  return resolveConfig(data as ConfigFile, path, opts);
}

const fail = (errors: string[]): LoadConfigResult => ({ ok: false, errors: [...new Set(errors)] });

/** `:line:column` of a JSON.parse error when its message gives a position. */
function jsonErrorPosition(text: string, message: string): string {
  const m = /position (\d+)/.exec(message);
  if (!m) return '';
  const before = text.slice(0, Number(m[1]));
  const line = before.split('\n').length;
  return `:${line}:${before.length - before.lastIndexOf('\n')}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Schema validation → field-named messages

type Json = Record<string, unknown>;

let schema: Json | undefined;
let validator: ValidateFunction | undefined;

function configSchema(): Json {
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

// ---------------------------------------------------------------------------------------------------------------
// Files named by the configuration

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

class FileChecks {
  readonly errors: string[] = [];
  constructor(private readonly baseDir: string) {}

  path(relative: string): string {
    return resolve(this.baseDir, relative);
  }

  private read(field: string, abs: string): Buffer | undefined {
    try {
      return readFileSync(abs);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      this.errors.push(
        err.code === 'ENOENT' ? `${field}: no such file ${abs}` : `${field}: cannot read ${abs} (${err.code ?? err.message})`,
      );
      return undefined;
    }
  }

  /** Every certificate of a PEM file (or the one of a DER file). */
  certificates(field: string, abs: string): X509Certificate[] | undefined {
    const bytes = this.read(field, abs);
    if (!bytes) return undefined;
    const blocks = bytes.toString('latin1').match(PEM_CERT) ?? [];
    try {
      return blocks.length > 0 ? blocks.map((b) => new X509Certificate(b)) : [new X509Certificate(bytes)];
    } catch (e) {
      this.errors.push(`${field}: ${abs} is not a readable certificate (${(e as Error).message})`);
      return undefined;
    }
  }

  privateKey(field: string, abs: string): string | undefined {
    const bytes = this.read(field, abs);
    if (!bytes) return undefined;
    try {
      createPrivateKey(bytes);
      return bytes.toString('utf8');
    } catch (e) {
      this.errors.push(`${field}: ${abs} is not a readable private key (${(e as Error).message})`);
      return undefined;
    }
  }

  /** A certificate file (its first certificate is the leaf) and the key that goes with it. */
  identity(certField: string, certAbs: string, keyField: string, keyAbs: string): Identity | undefined {
    const certs = this.certificates(certField, certAbs);
    const key = this.privateKey(keyField, keyAbs);
    if (!certs || key === undefined) return undefined;
    if (!certs[0]!.checkPrivateKey(createPrivateKey(key))) {
      this.errors.push(`${keyField}: ${keyAbs} is not the key of the certificate in ${certAbs}`);
      return undefined;
    }
    return identityOf({ cert: certs.map((c) => c.toString()).join(''), key });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Harness PKI

const PKI_NAMES = ['ca', ...ROLES] as const;

type PkiPlan = { kind: 'memory' } | { kind: 'create'; dir: string } | { kind: 'loaded'; dir: string; pki: Pki };

/** Loads pki.dir when it holds a PKI; otherwise says what to create once the rest of the configuration is valid. */
function planPki(cfg: ConfigFile, files: FileChecks): PkiPlan | undefined {
  if (!cfg.pki) return { kind: 'memory' };
  const dir = files.path(cfg.pki.dir);
  if (!existsSync(dir)) return { kind: 'create', dir };
  if (!statSync(dir).isDirectory()) {
    files.errors.push(`pki.dir: ${dir} is not a directory`);
    return undefined;
  }
  const entries = readdirSync(dir);
  if (entries.length === 0) return { kind: 'create', dir };
  if (!entries.includes('ca.crt')) {
    files.errors.push(`pki.dir: ${dir} is neither empty nor a harness PKI (no ca.crt)`);
    return undefined;
  }
  const loaded = {} as Record<(typeof PKI_NAMES)[number], Identity>;
  let complete = true;
  for (const name of PKI_NAMES) {
    const crt = join(dir, `${name}.crt`);
    const key = join(dir, `${name}.key`);
    const missing = [crt, key].filter((f) => !existsSync(f));
    if (missing.length > 0) {
      for (const f of missing) files.errors.push(`pki.dir: missing ${f}`);
      complete = false;
      continue;
    }
    const id = files.identity('pki.dir', crt, 'pki.dir', key);
    if (id) loaded[name] = id;
    else complete = false;
  }
  if (!complete) return undefined;
  const caKey = new X509Certificate(loaded.ca.cert).publicKey;
  for (const role of ROLES) {
    if (!new X509Certificate(loaded[role].cert).verify(caKey)) {
      files.errors.push(`pki.dir: ${join(dir, `${role}.crt`)} is not signed by ${join(dir, 'ca.crt')}`);
      complete = false;
    }
  }
  if (!complete) return undefined;
  const { ca, ...roles } = loaded;
  return { kind: 'loaded', dir, pki: { ca, roles } };
}

async function realisePki(plan: PkiPlan, opts: LoadConfigOptions): Promise<RunConfig['pki'] | string> {
  switch (plan.kind) {
    case 'loaded':
      return { dir: plan.dir, ...plan.pki };
    case 'memory':
      return opts.defaults?.pki ?? (await createPki());
    case 'create': {
      const pki = await createPki();
      try {
        writeIdentity(plan.dir, 'ca', pki.ca);
        for (const role of ROLES) writeIdentity(plan.dir, role, pki.roles[role]);
      } catch (e) {
        return `pki.dir: cannot write the harness PKI to ${plan.dir} (${(e as Error).message})`;
      }
      return { dir: plan.dir, ...pki };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Resolution to a RunConfig

type RealConfig = Dms1Config | Dms2Config | BootstrapConfig | ClientConfig;
type AnyResolved = ResolvedRole<RealConfig>;

function resolveRole(role: Role, raw: MockRoleConfig | RealConfig | undefined, files: FileChecks): AnyResolved {
  const field = `roles.${role}`;
  if (!raw || raw.mode === 'mock') {
    const mock: MockRoleConfig = raw ?? { mode: 'mock' };
    const { identity: idFiles, ...rest } = mock;
    if (!idFiles) return rest;
    const identity = files.identity(
      `${field}.identity.cert`,
      files.path(idFiles.cert),
      `${field}.identity.key`,
      files.path(idFiles.key),
    );
    return identity ? { ...rest, identity } : rest;
  }
  const real: RealConfig & { trustAnchorPem?: string[]; certificateFingerprint256?: string } = { ...raw };
  if (raw.trustAnchor !== undefined) {
    real.trustAnchor = files.path(raw.trustAnchor);
    const certs = files.certificates(`${field}.trustAnchor`, real.trustAnchor);
    if (certs) real.trustAnchorPem = certs.map((c) => c.toString());
  }
  if (raw.certificate !== undefined) {
    real.certificate = files.path(raw.certificate);
    const certs = files.certificates(`${field}.certificate`, real.certificate);
    if (certs) real.certificateFingerprint256 = certs[0]!.fingerprint256;
  }
  return real;
}

function resolveDevice(cfg: ConfigFile, fixture: ClientFixture, errors: string[]): RunConfig['device'] {
  const d = cfg.device ?? {};
  const dms1Id = cfg.roles?.dms1?.serverId ?? fixture.servers.dms1;
  const entry = fixture.accounts.find((a) => a.account.serverId === fixture.servers.dms1);
  const cl = entry?.account.appAuth.find((x) => x.level === 'CLCRED');
  const srv = entry?.account.appAuth.find((x) => x.level === 'SRVCRED');
  let dms1Account = d.dms1Account;
  if (!dms1Account) {
    if (cl?.secret && srv?.secret) {
      dms1Account = {
        clientName: cl.name ?? fixture.devInfo.devId,
        clientSecret: cl.secret,
        clientNonce: cl.data ?? '',
        serverName: srv.name ?? dms1Id,
        serverSecret: srv.secret,
        serverNonce: srv.data ?? '',
      };
    } else {
      errors.push(`device.dms1Account: required field missing (the client fixture has no credentials for ${fixture.servers.dms1})`);
    }
  }
  const dms1AccountPath = d.dms1AccountPath ?? entry?.path;
  if (dms1AccountPath === undefined) {
    errors.push(`device.dms1AccountPath: required field missing (the client fixture has no account for ${fixture.servers.dms1})`);
  }
  const account = dms1Account ?? { clientName: '', clientSecret: '', clientNonce: '', serverSecret: '', serverNonce: '' };
  return {
    devId: d.devId ?? fixture.devInfo.devId,
    man: d.man ?? fixture.devInfo.man,
    mod: d.mod ?? fixture.devInfo.mod,
    dms1Account: { ...account, serverName: account.serverName ?? dms1Id },
    managedSubtrees: d.managedSubtrees ?? fixture.managedSubtrees,
    partialSubtrees: d.partialSubtrees ?? fixture.partialSubtrees,
    otherServers: d.otherServers ?? fixture.servers.other,
    dms1AccountPath: dms1AccountPath ?? '',
  };
}

/** Rules across fields that the schema cannot state. */
function crossFieldErrors(cfg: ConfigFile, c: Omit<RunConfig, 'pki' | 'trustAnchors'>): string[] {
  const errors: string[] = [];
  const { dms1, dms2 } = c.serverIds;
  if (dms1 === dms2) {
    const field = cfg.roles?.dms2?.serverId !== undefined ? 'roles.dms2.serverId' : 'roles.dms1.serverId';
    errors.push(`${field}: "${dms1}" is the ServerID of both DMS-1 and DMS-2; they need different ones`);
  }
  c.device.otherServers.forEach((id, i) => {
    if (id === dms1 || id === dms2)
      errors.push(`device.otherServers[${i}]: "${id}" is the ServerID of ${id === dms1 ? 'DMS-1' : 'DMS-2'}, not another server`);
  });
  c.device.partialSubtrees.forEach((p, i) => {
    if (!c.device.managedSubtrees.some((m) => p === m || p.startsWith(`${m}/`)))
      errors.push(`device.partialSubtrees[${i}]: ${p} is not at or under any of device.managedSubtrees`);
  });
  const seen = new Map<string, number>();
  c.proxies.forEach((proxy, i) => {
    const [a, b] = proxy.link.split('-') as [Role, Role];
    const notReal = [a, b].filter((r) => c.roles[r].mode !== 'real');
    if (notReal.length > 0)
      errors.push(`proxies[${i}].link: ${proxy.link} does not join two real implementations (${notReal.join(' and ')} ${notReal.length > 1 ? 'are mocks' : 'is a mock'})`);
    if (proxy.to !== a && proxy.to !== b) errors.push(`proxies[${i}].to: ${proxy.to} is not an end of ${proxy.link}`);
    // One proxy per direction: a DMS calls its peer's delegation API both ways.
    const key = `${proxy.link}>${proxy.to}`;
    const first = seen.get(key);
    if (first !== undefined) errors.push(`proxies[${i}]: ${proxy.link} towards ${proxy.to} already has a proxy (proxies[${first}])`);
    else seen.set(key, i);
  });
  // The end of a delegation (DelegationComplete) is only visible on the DMS-1↔DMS-2 link.
  if (c.roles.dms1.mode === 'real' && c.roles.dms2.mode === 'real' && !c.proxies.some((p) => p.link === 'dms1-dms2' && p.to === 'dms2'))
    errors.push('proxies: with DMS-1 and DMS-2 both real, the harness sees the end of a delegation only through a recording proxy on dms1-dms2 towards dms2 (and one towards dms1 for the notifications); add them');
  const placements = c.ics.bootstrapPlacements;
  if (c.roles.bootstrap.mode === 'real' && !placements.includes('separate'))
    errors.push('ics.bootstrapPlacements: a real Bootstrap Server is a separate one; list "separate"');
  return errors;
}

async function resolveConfig(cfg: ConfigFile, path: string, opts: LoadConfigOptions): Promise<LoadConfigResult> {
  const files = new FileChecks(dirname(path));
  const fixture = opts.defaults?.fixture ?? loadClientFixture();
  const errors: string[] = [];

  const roles = {
    dms1: resolveRole('dms1', cfg.roles?.dms1, files) as ResolvedRole<Dms1Config>,
    dms2: resolveRole('dms2', cfg.roles?.dms2, files) as ResolvedRole<Dms2Config>,
    bootstrap: resolveRole('bootstrap', cfg.roles?.bootstrap, files) as ResolvedRole<BootstrapConfig>,
    client: resolveRole('client', cfg.roles?.client, files) as ResolvedRole<ClientConfig>,
  };
  const device = resolveDevice(cfg, fixture, errors);
  const partial: Omit<RunConfig, 'pki' | 'trustAnchors'> = {
    file: path,
    ...(cfg.name !== undefined ? { name: cfg.name } : {}),
    roles,
    device,
    serverIds: {
      dms1: cfg.roles?.dms1?.serverId ?? fixture.servers.dms1,
      dms2: cfg.roles?.dms2?.serverId ?? fixture.servers.dms2,
    },
    ics: { ...structuredClone(DEFAULT_ICS), ...cfg.ics },
    budgets: { ...DEFAULT_BUDGETS, driverMs: DEFAULT_DRIVER_MS, ...cfg.budgets },
    proxies: cfg.proxies ?? [],
  };
  errors.push(...crossFieldErrors(cfg, partial));
  const plan = planPki(cfg, files);
  errors.push(...files.errors);
  // Nothing is generated or written for a configuration that will be refused anyway.
  if (errors.length > 0 || !plan) return fail(errors);

  const pki = await realisePki(plan, opts);
  if (typeof pki === 'string') return fail([pki]);
  const realAnchors = ROLES.flatMap((r) => {
    const role: AnyResolved = roles[r];
    return role.mode === 'real' ? (role.trustAnchorPem ?? []) : [];
  });
  // One entry per certificate: a lab's bundle may well include the harness CA again.
  const anchors = new Map<string, string>();
  for (const pem of [pki.ca.cert, ...realAnchors]) {
    const fingerprint = new X509Certificate(pem).fingerprint256;
    if (!anchors.has(fingerprint)) anchors.set(fingerprint, pem);
  }
  return { ok: true, config: { ...partial, pki, trustAnchors: [...anchors.values()] } };
}

// ---------------------------------------------------------------------------------------------------------------
// Summary for the CLI

/** One short line per role, e.g. `dms1       real  https://dms1.lab/dm  ServerID acme (trust: /lab/ca.pem)`. */
export function describeConfig(c: RunConfig): string {
  return ROLES.map((role) => {
    const r: AnyResolved = c.roles[role];
    const serverId = role === 'dms1' || role === 'dms2' ? `  ServerID ${c.serverIds[role]}` : '';
    if (r.mode === 'mock') {
      const where = `${r.host ?? '127.0.0.1'}:${r.port ? r.port : 'any port'}`;
      return `${role.padEnd(10)} mock  ${where}${serverId} (certificate: ${r.identity ? r.identity.subject.replace(/\n/g, ', ') : 'harness PKI'})`;
    }
    const trust = `trust: ${r.trustAnchor ? basename(r.trustAnchor) : 'harness CA'}${r.certificateFingerprint256 ? ', pinned' : ''}`;
    return `${role.padEnd(10)} real  ${realUrl(r)}${serverId} (${trust})`;
  }).join('\n');
}

function realUrl(r: RealConfig): string {
  if ('dmUrl' in r) return r.dmUrl;
  if ('orderUrl' in r) return r.orderUrl;
  const client = r as ClientConfig;
  return client.pushUrl ?? 'Package #0 by drivers.trigger';
}
