/**
 * The run configuration as bundle/config.json keeps it: what the run was told, without a secret. Account
 * secrets, nonces and other secret-looking fields become "(removed)", certificates their subject and
 * fingerprint, and private keys are never written. Driver commands, URLs and bodies are free text: the usual forms of a
 * credential in them (Authorization headers, `-u user:pass`, `--token x`, `API_TOKEN=x`, `https://u:p@`,
 * `"apiKey": "x"`, `?token=x`) are removed, and so is every value removed elsewhere wherever it recurs.
 */
import { X509Certificate } from 'node:crypto';
import type { DriverSpec, RunConfig } from '../config/config.js';
import { ROLES } from '../model/roles.js';
import type { Identity } from '../pki/pki.js';

export const REMOVED = '(removed)';

/**
 * Field names whose value is a secret wherever they appear. An account's AAuthData nonce too: the trace and the
 * reports mask every nonce (run-secrets.ts), and a configured one kept here would undo that.
 */
const SECRET_KEY = /secret|passw(?:or)?d|passphrase|token|api[-_]?key|private[-_]?key|^key$|credential|authorization|cookie|nonce/i;
/** Headers whose value says nothing secret; every other header value is removed. */
const PLAIN_HEADERS = new Set(['accept', 'accept-encoding', 'accept-language', 'content-type', 'content-length', 'user-agent', 'host', 'connection']);
/** Shorter values are not searched for in other text: they would match by chance. */
const MIN_KNOWN = 4;

const PRIVATE_KEY_PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g;
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
const CERTIFICATE_PEM = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const SECRET_WORD = '(?:passw(?:or)?d|passphrase|token|secret|api[-_]?key|apikey|credentials?|auth)';
const TEXT_RULES: Array<[RegExp, string]> = [
  // userinfo of any URL
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@'"]+@/gi, `$1${REMOVED}@`],
  // a header written into a command or a body
  [/\b((?:proxy-)?authorization|set-cookie|cookie|x-[\w-]*(?:token|key|auth|secret)[\w-]*)(\s*:\s*)[^'"\n\\]+/gi, `$1$2${REMOVED}`],
  [/\b(Bearer|Basic|Digest)\s+[\w.~+/=-]+/g, `$1 ${REMOVED}`],
  // curl -u / --user
  [/((?:^|\s)(?:-u|--user)(?:=|\s+))('[^']*'|"[^"]*"|[^\s'"]+)/g, `$1${REMOVED}`],
  // --password x, --api-key=x, -token x
  [new RegExp(`(\\s--?[\\w-]*${SECRET_WORD}[\\w-]*)(=|\\s+)('[^']*'|"[^"]*"|[^\\s'"]+)`, 'gi'), `$1$2${REMOVED}`],
  // "apiKey": "x" in a JSON body
  [new RegExp(`("[^"]*${SECRET_WORD}[^"]*"\\s*:\\s*)("(?:[^"\\\\]|\\\\.)*"|[^,}\\s]+)`, 'gi'), `$1"${REMOVED}"`],
  // API_TOKEN=x in a command, token=x in a query
  [new RegExp(`\\b([\\w.-]*${SECRET_WORD}[\\w.-]*)=('[^']*'|"[^"]*"|[^\\s'"&;]+)`, 'gi'), `$1=${REMOVED}`],
];

/** Free text (a driver command, URL, header or body) without the credentials it is recognisably carrying. */
export function redactText(text: string): string {
  return TEXT_RULES.reduce((t, [re, to]) => t.replace(re, to), text);
}

const certificate = (id: Pick<Identity, 'subject' | 'fingerprint256'>) => ({ subject: id.subject, fingerprint256: id.fingerprint256 });

function certificateOfPem(pem: string): { subject: string; fingerprint256: string } | string {
  try {
    return certificate(new X509Certificate(pem));
  } catch {
    return REMOVED;
  }
}

function redactDriver(spec: DriverSpec, known: Set<string>): unknown {
  if ('command' in spec) return { ...spec, command: redactText(spec.command) };
  const { url, headers, body, ...http } = spec.http;
  const redactedHeaders = headers && Object.fromEntries(Object.entries(headers).map(([name, value]) => {
    if (PLAIN_HEADERS.has(name.toLowerCase())) return [name, redactText(value)];
    // Removed here, and wherever else it was written (the same token in a command).
    known.add(value);
    const credential = /^\S+\s+(\S+)$/.exec(value)?.[1];
    if (credential) known.add(credential);
    return [name, REMOVED];
  }));
  return {
    ...spec,
    http: { ...http, url: redactText(url), ...(redactedHeaders ? { headers: redactedHeaders } : {}), ...(body !== undefined ? { body: redactText(body) } : {}) },
  };
}

function redactRole(role: RunConfig['roles'][keyof RunConfig['roles']], known: Set<string>): unknown {
  // Named fields of either mode, taken apart; the rest goes through the generic pass.
  const { identity, trustAnchorPem, drivers, ...rest } = role as Record<string, unknown> & {
    identity?: Identity;
    trustAnchorPem?: string[];
    drivers?: Record<string, DriverSpec | undefined>;
  };
  return {
    ...rest,
    ...(identity ? { identity: certificate(identity) } : {}),
    ...(trustAnchorPem ? { trustAnchorCertificates: trustAnchorPem.map(certificateOfPem) } : {}),
    ...(drivers ? { drivers: Object.fromEntries(Object.entries(drivers).filter(([, d]) => d).map(([name, d]) => [name, redactDriver(d!, known)])) } : {}),
  };
}

/** Every string under a secret-named field, to be removed wherever else it recurs. */
function collectSecrets(value: unknown, known: Set<string>, secretField = false): void {
  if (typeof value === 'string') {
    if (secretField) known.add(value);
  } else if (Array.isArray(value)) {
    for (const v of value) collectSecrets(v, known, secretField);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) collectSecrets(v, known, secretField || SECRET_KEY.test(k));
  }
}

/** The generic pass: secret-named fields, PEM keys and certificates, and known secret values in any string. */
function scrub(value: unknown, known: readonly string[], secretField = false): unknown {
  if (typeof value === 'string') {
    if (secretField && value !== '') return REMOVED;
    let s = value.replace(PRIVATE_KEY_PEM, REMOVED).replace(CERTIFICATE_PEM, (pem) => {
      const c = certificateOfPem(pem);
      return typeof c === 'string' ? c : `(certificate ${c.fingerprint256})`;
    });
    // A URL anywhere (a DM URL, a proxy's upstream) may carry userinfo or a token in its query.
    if (URL_LIKE.test(s)) s = redactText(s);
    for (const k of known) s = s.split(k).join(REMOVED);
    return s;
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, known, secretField));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, known, secretField || SECRET_KEY.test(k))]));
  }
  return value;
}

/** bundle/config.json's content: the configuration with every secret replaced by "(removed)", no key at all. */
export function redactedConfig(config: RunConfig): unknown {
  const known = new Set<string>();
  collectSecrets(config, known);
  const { pki, trustAnchors, roles, ...rest } = config;
  const structured = {
    ...rest,
    roles: Object.fromEntries(ROLES.map((r) => [r, redactRole(roles[r], known)])),
    pki: {
      ...(pki.dir ? { dir: pki.dir } : {}),
      hosts: pki.hosts,
      ca: certificate(pki.ca),
      roles: Object.fromEntries(ROLES.map((r) => [r, certificate(pki.roles[r])])),
    },
    trustAnchors: trustAnchors.map(certificateOfPem),
  };
  // Longest first: a secret that contains another is removed whole.
  const values = [...known].filter((k) => k.length >= MIN_KNOWN && k !== REMOVED).sort((a, b) => b.length - a.length);
  return scrub(structured, values);
}
