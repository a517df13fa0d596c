/**
 * The files a configuration names (trust anchors, certificates, keys) and the harness PKI directory: each
 * problem is one line naming the field.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROLES, type Role } from '../model/roles.js';
import { createPki, DEFAULT_PKI_HOSTS, hostsInclude, hostsNotNamed, identityOf, writePki, type Identity, type Pki } from '../pki/pki.js';
import type { ConfigFile, LoadConfigOptions, RunConfig } from './config.js';

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export class FileChecks {
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
    // A certificate the harness presents must be valid now, or every peer refuses it for a reason not under test.
    const leaf = certs[0]!;
    const now = Date.now();
    if (Date.parse(leaf.validTo) < now || Date.parse(leaf.validFrom) > now) {
      this.errors.push(`${certField}: ${certAbs} is valid from ${leaf.validFrom} to ${leaf.validTo}, not now${certField === 'pki.dir' ? ' (empty the folder to make a fresh harness PKI)' : ''}`);
      return undefined;
    }
    return identityOf({ cert: certs.map((c) => c.toString()).join(''), key });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Harness PKI

const PKI_NAMES = ['ca', ...ROLES] as const;

/** `hosts`: what the harness's leaf certificates name (pki.hosts, or DEFAULT_PKI_HOSTS). */
export type PkiPlan = { hosts: string[] } & ({ kind: 'memory' } | { kind: 'create'; dir: string } | { kind: 'loaded'; dir: string; pki: Pki });

/**
 * Loads pki.dir when it holds a PKI; otherwise says what to create once the rest of the configuration is valid.
 * A loaded PKI whose leaves do not name every one of pki.hosts is refused, not replaced: implementations under
 * test may trust its CA, so only the user empties the folder.
 */
export function planPki(cfg: ConfigFile, files: FileChecks): PkiPlan | undefined {
  const hosts = [...(cfg.pki?.hosts ?? DEFAULT_PKI_HOSTS)];
  if (cfg.pki?.dir === undefined) return { kind: 'memory', hosts };
  const dir = files.path(cfg.pki.dir);
  if (!existsSync(dir)) return { kind: 'create', dir, hosts };
  if (!statSync(dir).isDirectory()) {
    files.errors.push(`pki.dir: ${dir} is not a directory`);
    return undefined;
  }
  const entries = readdirSync(dir);
  if (entries.length === 0) return { kind: 'create', dir, hosts };
  if (!entries.includes('ca.crt')) {
    files.errors.push(`pki.dir: ${dir} is neither empty nor a harness PKI (no ca.crt)`);
    return undefined;
  }
  const pki = readPkiDir(dir, files);
  if (!pki) return undefined;
  const lacking = ROLES.map((role) => ({ role, missing: hostsNotNamed(pki.roles[role].cert, hosts) })).filter((l) => l.missing.length > 0);
  if (lacking.length > 0) {
    const missing = [...new Set(lacking.flatMap((l) => l.missing))];
    const names = new X509Certificate(pki.roles[lacking[0]!.role].cert).subjectAltName ?? 'no subjectAltName';
    files.errors.push(
      `pki.hosts: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not named by the harness PKI in ${dir} (${lacking.map((l) => `${l.role}.crt`).join(', ')}; ${lacking[0]!.role}.crt names ${names}); empty that folder to make a fresh PKI for pki.hosts, then give the implementations under test its new ca.crt`,
    );
    return undefined;
  }
  return { kind: 'loaded', dir, pki, hosts };
}

/**
 * A mock presenting the harness PKI's certificate is reached at a URL naming its `host` (127.0.0.1 when absent
 * or 0.0.0.0), by the other mocks and by the implementations under test alike: that certificate must name it,
 * or every TLS connection to the mock fails verification for a reason not under test.
 */
export function mockHostErrors(roles: Record<Role, { mode: string; host?: string; identity?: unknown }>, plan: PkiPlan): string[] {
  // One line per host and certificate names: the same gap in every mock is one problem.
  const gaps = new Map<string, { host: string; names: string; fields: string[] }>();
  for (const role of ROLES) {
    const r = roles[role];
    if (r.mode !== 'mock' || r.identity) continue;
    const host = r.host === undefined || r.host === '0.0.0.0' ? '127.0.0.1' : r.host;
    const named = plan.kind === 'loaded' ? hostsNotNamed(plan.pki.roles[role].cert, [host]).length === 0 : hostsInclude(plan.hosts, host);
    if (named) continue;
    const names = plan.kind === 'loaded' ? (new X509Certificate(plan.pki.roles[role].cert).subjectAltName ?? 'no subjectAltName') : plan.hosts.join(', ');
    const gap = gaps.get(`${host}\n${names}`) ?? { host, names, fields: [] };
    gap.fields.push(`roles.${role}${r.host === undefined ? '' : '.host'}`);
    gaps.set(`${host}\n${names}`, gap);
  }
  return [...gaps.values()].map(({ host, names, fields }) =>
    fields.length === 1
      ? `${fields[0]}: the mock's URLs name ${host}, which the harness certificate it presents does not (it names ${names}); add ${host} to pki.hosts, or set the mock's host to a host the certificate names`
      : `${fields.join(', ')}: the mocks' URLs name ${host}, which the harness certificates they present do not (they name ${names}); add ${host} to pki.hosts, or set each mock's host to a host the certificates name`,
  );
}

/** The PKI a configuration without pki.dir uses: the caller's default when its leaves name `hosts`, else a fresh one. */
async function memoryPki(hosts: string[], opts: LoadConfigOptions): Promise<Pki> {
  const given = opts.defaults?.pki;
  if (given && ROLES.every((role) => hostsNotNamed(given.roles[role].cert, hosts).length === 0)) return given;
  return createPki({ hostNames: hosts });
}

/**
 * A harness PKI as `writePki` (or `dmdc mock --out`) wrote it: every certificate with its key, valid now,
 * each role's signed by the CA. Problems go to `files.errors` under `field`.
 */
export function readPkiDir(dir: string, files: FileChecks, field = 'pki.dir'): Pki | undefined {
  const loaded = {} as Record<(typeof PKI_NAMES)[number], Identity>;
  let complete = true;
  for (const name of PKI_NAMES) {
    const crt = join(dir, `${name}.crt`);
    const key = join(dir, `${name}.key`);
    const missing = [crt, key].filter((f) => !existsSync(f));
    if (missing.length > 0) {
      for (const f of missing) files.errors.push(`${field}: missing ${f}`);
      complete = false;
      continue;
    }
    const id = files.identity(field, crt, field, key);
    if (id) loaded[name] = id;
    else complete = false;
  }
  if (!complete) return undefined;
  const caKey = new X509Certificate(loaded.ca.cert).publicKey;
  for (const role of ROLES) {
    if (!new X509Certificate(loaded[role].cert).verify(caKey)) {
      files.errors.push(`${field}: ${join(dir, `${role}.crt`)} is not signed by ${join(dir, 'ca.crt')}`);
      complete = false;
    }
  }
  if (!complete) return undefined;
  const { ca, ...roles } = loaded;
  return { ca, roles };
}

export async function realisePki(plan: PkiPlan, opts: LoadConfigOptions): Promise<RunConfig['pki'] | string> {
  switch (plan.kind) {
    case 'loaded':
      return { dir: plan.dir, hosts: plan.hosts, ...plan.pki };
    case 'memory':
      return { hosts: plan.hosts, ...(await memoryPki(plan.hosts, opts)) };
    case 'create': {
      const pki = await createPki({ hostNames: plan.hosts });
      try {
        writePki(plan.dir, pki);
      } catch (e) {
        return `pki.dir: cannot write the harness PKI to ${plan.dir} (${(e as Error).message})`;
      }
      return { dir: plan.dir, hosts: plan.hosts, ...pki };
    }
  }
}
