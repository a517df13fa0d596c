/**
 * Reads a dmdc configuration file, validates it against fixtures/config/dmdc-config.schema.json, checks the files
 * it names and resolves it to a RunConfig. Every problem comes back as one line naming the field by its dotted path.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ROLES, type Role } from '../model/roles.js';
import { loadClientFixture, withTreeLayout, type ClientFixture } from '../tree/client-fixture.js';
import { TREE, type TreeLayout } from '../profile.js';
import { DEFAULT_BUDGETS, DEFAULT_DRIVER_MS } from './budgets.js';
import { DEFAULT_LIMITS } from './limits.js';
import { FileChecks, mockHostErrors, planPki, realisePki } from './config-files.js';
import { validateConfigData } from './config-schema.js';
import { placeholdersOf } from '../drivers/driver.js';
import { FLOW_PLACEHOLDERS, proxyPlaceholder, TRIGGER_PLACEHOLDERS } from '../drivers/placeholders.js';
import type {
  BootstrapConfig,
  ClientConfig,
  ConfigFile,
  DriverSpec,
  Dms1Config,
  Dms2Config,
  IcsConfig,
  LoadConfigOptions,
  MockRoleConfig,
  ResolvedRole,
  RunConfig,
} from './config.js';

import { AUTH_TYPES } from '../syncml/auth.js';

export { configSchemaPath, validateConfigData } from './config-schema.js';

export { DEFAULT_DRIVER_MS } from './budgets.js';

export const DEFAULT_ICS: Required<IcsConfig> = {
  approaches: ['A', 'B'],
  scopes: ['full', 'partial'],
  durations: ['temporary', 'permanent'],
  removeAccount: true,
  bootstrapPlacements: ['colocated', 'separate'],
  authTypes: [...AUTH_TYPES],
  encodings: ['xml', 'wbxml'],
  serverAuthentication: 'application',
};

export type { LoadConfigOptions } from './config.js';

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
  const treeLayout: TreeLayout = {
    dmAccRoot: d.treeLayout?.dmAccRoot ?? TREE.dmAccRoot,
    bootConfigRoot: d.treeLayout?.bootConfigRoot ?? TREE.bootConfigRoot,
    bootConfigUrlLeaf: d.treeLayout?.bootConfigUrlLeaf ?? TREE.bootConfigUrlLeaf,
  };
  // The fixture's accounts where the configured layout keeps them (the reference client is laid out so too).
  const entry = withTreeLayout(fixture, treeLayout).accounts.find((a) => a.account.serverId === fixture.servers.dms1);
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
    treeLayout,
  };
}

/** The tree layout's rules the schema cannot state: the two roots apart, DMS-1's account an account of dmAccRoot. */
function treeLayoutErrors(cfg: ConfigFile, device: RunConfig['device']): string[] {
  const errors: string[] = [];
  const { dmAccRoot, bootConfigRoot } = device.treeLayout;
  const atOrUnder = (p: string, root: string) => p === root || p.startsWith(`${root}/`);
  if (atOrUnder(bootConfigRoot, dmAccRoot) || atOrUnder(dmAccRoot, bootConfigRoot)) {
    const field = cfg.device?.treeLayout?.bootConfigRoot !== undefined ? 'device.treeLayout.bootConfigRoot' : 'device.treeLayout.dmAccRoot';
    errors.push(`${field}: the Bootstrap Config MO (${bootConfigRoot}) and the accounts (${dmAccRoot}) need separate subtrees, neither at or under the other`);
  }
  const account = device.dms1AccountPath;
  if (account && !(account.startsWith(`${dmAccRoot}/`) && !account.slice(dmAccRoot.length + 1).includes('/'))) {
    errors.push(`device.dms1AccountPath: ${account} is not an account node under device.treeLayout.dmAccRoot (${dmAccRoot}/<X>)`);
  }
  return errors;
}

/** Rules across fields that the schema cannot state. */
function crossFieldErrors(cfg: ConfigFile, c: Omit<RunConfig, 'pki' | 'trustAnchors'>): string[] {
  const errors: string[] = [];
  // A driver with a placeholder nobody fills would fail only after traffic has started.
  const known = [...FLOW_PLACEHOLDERS, ...c.proxies.map(proxyPlaceholder)];
  for (const role of ROLES) {
    const r = c.roles[role];
    if (r.mode !== 'real') continue;
    for (const [name, spec] of Object.entries(r.drivers ?? {}) as Array<[string, DriverSpec]>) {
      const allowed = new Set<string>(name === 'trigger' ? [...known, ...TRIGGER_PLACEHOLDERS] : known);
      const unknown = placeholdersOf(spec).filter((p) => !allowed.has(p));
      if (unknown.length) errors.push(`roles.${role}.drivers.${name}: unknown placeholder${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `{${u}}`).join(', ')} (docs/vendor-guide.md lists them)`);
    }
  }
  if (c.limits.headersMs > c.limits.requestMs) {
    errors.push(`limits.headersMs: ${c.limits.headersMs} is more than limits.requestMs (${c.limits.requestMs}); the headers are part of the request`);
  }
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
  if (c.roles.dms1.mode === 'real' && c.roles.dms2.mode === 'real') {
    const lacking = (['dms2', 'dms1'] as const).filter((to) => !c.proxies.some((p) => p.link === 'dms1-dms2' && p.to === to));
    if (lacking.length)
      errors.push(`proxies: with DMS-1 and DMS-2 both real, the harness sees the delegation (and its end) only through recording proxies on dms1-dms2 towards dms2 and towards dms1; missing: towards ${lacking.join(', ')}`);
  }
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
    limits: { ...DEFAULT_LIMITS, ...cfg.limits },
    proxies: cfg.proxies ?? [],
  };
  errors.push(...crossFieldErrors(cfg, partial));
  errors.push(...treeLayoutErrors(cfg, partial.device));
  const plan = planPki(cfg, files);
  errors.push(...files.errors);
  if (plan) errors.push(...mockHostErrors(roles, plan));
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
