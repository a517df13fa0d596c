/**
 * The files a configuration names (trust anchors, certificates, keys) and the harness PKI directory: each
 * problem is one line naming the field.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROLES } from '../model/roles.js';
import { createPki, identityOf, writePki, type Identity, type Pki } from '../pki/pki.js';
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

export type PkiPlan = { kind: 'memory' } | { kind: 'create'; dir: string } | { kind: 'loaded'; dir: string; pki: Pki };

/** Loads pki.dir when it holds a PKI; otherwise says what to create once the rest of the configuration is valid. */
export function planPki(cfg: ConfigFile, files: FileChecks): PkiPlan | undefined {
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
  const pki = readPkiDir(dir, files);
  return pki && { kind: 'loaded', dir, pki };
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
      return { dir: plan.dir, ...plan.pki };
    case 'memory':
      return opts.defaults?.pki ?? (await createPki());
    case 'create': {
      const pki = await createPki();
      try {
        writePki(plan.dir, pki);
      } catch (e) {
        return `pki.dir: cannot write the harness PKI to ${plan.dir} (${(e as Error).message})`;
      }
      return { dir: plan.dir, ...pki };
    }
  }
}
