import { X509Certificate } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ROLES, type Role } from '../model/roles.js';

export interface KeyPair {
  /** PEM certificate. */
  cert: string;
  /** PEM private key. */
  key: string;
}

export interface Identity extends KeyPair {
  subject: string;
  /** SHA-256 fingerprint, colon-separated upper-case hex as node:tls reports it. */
  fingerprint256: string;
}

/** One run's trust material: a CA and a certificate for each role, all signed by that CA. */
export interface Pki {
  ca: Identity;
  roles: Record<Role, Identity>;
}

export interface PkiOptions {
  /** EC P-256 by default: about 20x faster to generate than RSA-2048. */
  keyType?: 'ec' | 'rsa';
  caName?: string;
  notBefore?: Date;
  notAfter?: Date;
  /**
   * DNS names and IP addresses a leaf is issued for instead of DEFAULT_PKI_HOSTS (a certificate for another
   * host, or for the lab address a device reaches the harness at): IPs go in as iPAddress, the rest as dNSName.
   */
  hostNames?: string[];
}

/** What the harness's leaves name when nothing else is configured (`pki.hosts`). */
export const DEFAULT_PKI_HOSTS: readonly string[] = ['localhost', '127.0.0.1'];

/** subjectAltName entries for `hosts`: type 7 (iPAddress) for an IPv4/IPv6 address, type 2 (dNSName) otherwise. */
export function subjectAltNames(hosts: readonly string[]): Array<{ type: 2; value: string } | { type: 7; ip: string }> {
  return hosts.map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h }));
}

/** The hosts of `hosts` that `cert` is not valid for (no matching dNSName / iPAddress in its subjectAltName). */
export function hostsNotNamed(cert: string | X509Certificate, hosts: readonly string[]): string[] {
  const x = typeof cert === 'string' ? new X509Certificate(cert) : cert;
  return hosts.filter((h) => (isIP(h) ? x.checkIP(h) === undefined : x.checkHost(h, { subject: 'never' }) === undefined));
}

/** Whether a leaf issued for `hosts` names `host` (DNS names without regard to case, IP addresses in any notation). */
export function hostsInclude(hosts: readonly string[], host: string): boolean {
  const canonical = (h: string) => (isIP(h) === 6 ? new URL(`https://[${h}]/`).hostname : h.toLowerCase());
  return hosts.some((h) => canonical(h) === canonical(host));
}

const DAY = 86_400_000;

function identity(pair: KeyPair): Identity {
  const x = new X509Certificate(pair.cert);
  return { ...pair, subject: x.subject, fingerprint256: x.fingerprint256 };
}
export { identity as identityOf };

function keyOptions(o: PkiOptions) {
  return o.keyType === 'rsa'
    ? ({ keyType: 'rsa', keySize: 2048 } as const)
    : ({ keyType: 'ec', curve: 'P-256' } as const);
}

/** selfsigned (and its X.509 library) is loaded only by a run that makes its certificates. */
const generator = async () => (await import('selfsigned')).generate;

/** A certificate to make, as the certificate thread takes it. */
export type CertificateCall = { op: 'ca'; o: PkiOptions } | { op: 'leaf'; ca: KeyPair; commonName: string; o: PkiOptions };

let certificateThread: ((call: CertificateCall) => Promise<Identity>) | undefined;

/**
 * From now on this process's certificates are made on a worker thread (certificate-worker.ts): a run then
 * goes on loading and setting up while its PKI and the tester's certificates are made. Compiled only: run as
 * TypeScript (the tests) they are made in this thread, as before.
 */
export function offCertificateThread(): void {
  if (certificateThread || import.meta.url.endsWith('.ts')) return;
  const worker = new Worker(new URL('./certificate-worker.js', import.meta.url));
  // It keeps the process alive only while a certificate is being made.
  worker.unref();
  const waiting = new Map<number, { resolve: (i: Identity) => void; reject: (e: Error) => void }>();
  let next = 0;
  worker.on('message', (m: { id: number; identity?: Identity; error?: string }) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (!waiting.size) worker.unref();
    if (m.identity) w?.resolve(m.identity);
    else w?.reject(new Error(`certificate thread: ${m.error}`));
  });
  // A thread that fails leaves the certificates to this one.
  const fallBack = () => {
    certificateThread = undefined;
    for (const [id, w] of waiting) w.reject(new Error(`certificate thread ended before certificate ${id} was made`));
    waiting.clear();
  };
  worker.on('error', fallBack);
  worker.on('exit', fallBack);
  certificateThread = (call) =>
    new Promise<Identity>((resolve, reject) => {
      const id = ++next;
      waiting.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ ...call, id });
    });
}

export function createCa(o: PkiOptions = {}): Promise<Identity> {
  return certificateThread ? certificateThread({ op: 'ca', o }) : makeCa(o);
}

/**
 * A leaf for one role. Every role may be both TLS server and TLS client (a DMS serves its delegation API
 * and calls its peer's), so the leaf carries both EKUs and names `o.hostNames` (default localhost / 127.0.0.1).
 */
export function issueLeaf(ca: KeyPair, commonName: string, o: PkiOptions = {}): Promise<Identity> {
  return certificateThread ? certificateThread({ op: 'leaf', ca: { key: ca.key, cert: ca.cert }, commonName, o }) : makeLeaf(ca, commonName, o);
}

/** createCa, in this thread. */
export async function makeCa(o: PkiOptions = {}): Promise<Identity> {
  const generate = await generator();
  const ca = await generate([{ name: 'commonName', value: o.caName ?? 'dmdc run CA' }], {
    ...keyOptions(o),
    algorithm: 'sha256',
    notBeforeDate: o.notBefore ?? new Date(Date.now() - DAY),
    notAfterDate: o.notAfter ?? new Date(Date.now() + 30 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return identity({ cert: ca.cert, key: ca.private });
}

/** issueLeaf, in this thread. */
export async function makeLeaf(ca: KeyPair, commonName: string, o: PkiOptions = {}): Promise<Identity> {
  const generate = await generator();
  const leaf = await generate([{ name: 'commonName', value: commonName }], {
    ...keyOptions(o),
    algorithm: 'sha256',
    ca: { key: ca.key, cert: ca.cert },
    notBeforeDate: o.notBefore ?? new Date(Date.now() - DAY),
    notAfterDate: o.notAfter ?? new Date(Date.now() + 30 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
      {
        name: 'subjectAltName',
        altNames: subjectAltNames(o.hostNames ?? DEFAULT_PKI_HOSTS),
      },
    ],
  });
  return identity({ cert: leaf.cert, key: leaf.private });
}

export async function createPki(o: PkiOptions = {}): Promise<Pki> {
  const ca = await createCa(o);
  const leaves = await Promise.all(ROLES.map((role) => issueLeaf(ca, `dmdc ${role}`, o)));
  return { ca, roles: Object.fromEntries(ROLES.map((role, i) => [role, leaves[i]])) as Record<Role, Identity> };
}

/** Writes a whole PKI to `dir`: ca.crt/.key and <role>.crt/.key for every role. */
export function writePki(dir: string, pki: Pki): void {
  writeIdentity(dir, 'ca', pki.ca);
  for (const role of ROLES) writeIdentity(dir, role, pki.roles[role]);
}

/** Writes PEM files so an outside implementation can trust and present them. Returns the paths. */
export function writeIdentity(dir: string, name: string, id: KeyPair): { cert: string; key: string } {
  mkdirSync(dir, { recursive: true });
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  writeFileSync(cert, id.cert);
  writeFileSync(key, id.key, { mode: 0o600 });
  return { cert, key };
}
