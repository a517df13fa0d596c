import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isReal, type RunConfig } from '../../src/config/config.js';
import { configSchemaPath, describeConfig, loadConfig, type LoadConfigOptions } from '../../src/config/load-config.js';
import { LINKS, ROLES } from '../../src/model/roles.js';
import { createCa, createPki, writePki, type Pki } from '../../src/pki/pki.js';
import { loadClientFixture } from '../../src/tree/client-fixture.js';
import { DEFAULT_BUDGETS } from '../../src/config/budgets.js';
import { DEFAULT_LIMITS } from '../../src/config/limits.js';

const addFormats = addFormatsModule.default;

const dir = mkdtempSync(join(tmpdir(), 'dmdc-config-'));
let pki: Pki;
let opts: LoadConfigOptions;
let configCount = 0;

/** Writes a file under the temp dir; objects as JSON. Returns its absolute path. */
function put(name: string, content: unknown): string {
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

const configFile = (content: unknown) => put(`config-${++configCount}.json`, content);

async function accepted(content: unknown, o: LoadConfigOptions = opts): Promise<RunConfig> {
  const r = await loadConfig(configFile(content), o);
  if (!r.ok) throw new Error(`refused: ${r.errors.join('; ')}`);
  return r.config;
}

async function refused(content: unknown, o: LoadConfigOptions = opts): Promise<string[]> {
  const r = await loadConfig(configFile(content), o);
  if (r.ok) throw new Error('the configuration was accepted');
  return r.errors;
}

const startDelegation = { http: { method: 'POST', url: 'http://127.0.0.1:9/start', body: '{approach}' } };
const realDms1 = {
  mode: 'real',
  serverId: 'acme-dms1',
  dmUrl: 'https://dms1.lab/dm',
  delegationUrl: 'https://dms1.lab/delegation',
  drivers: { startDelegation },
};
const realDms2 = { mode: 'real', serverId: 'acme-dms2', dmUrl: 'https://dms2.lab/dm', delegationUrl: 'https://dms2.lab/delegation' };

beforeAll(async () => {
  pki = await createPki();
  opts = { defaults: { pki } };
  const otherCa = await createCa({ caName: 'lab CA' });
  put('certs/ca.pem', pki.ca.cert);
  put('certs/bundle.pem', `${pki.ca.cert}\n${otherCa.cert}`);
  put('certs/dms1.crt', pki.roles.dms1.cert);
  put('certs/dms1.key', pki.roles.dms1.key);
  put('certs/dms2.key', pki.roles.dms2.key);
  put('certs/garbage.pem', '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n');
  put('certs/empty.pem', 'nothing here');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the shipped schema', () => {
  const schema = JSON.parse(readFileSync(configSchemaPath, 'utf8')) as Record<string, unknown>;

  it('compiles in strict mode', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(ajv);
    ajv.addVocabulary(['errorMessage']);
    expect(() => ajv.compile(schema)).not.toThrow();
  });

  it('describes every property', () => {
    const defs = schema['$defs'] as Record<string, Record<string, unknown>>;
    const described = (s: Record<string, unknown>): boolean =>
      typeof s['description'] === 'string' ||
      (typeof s['$ref'] === 'string' && described(defs[(s['$ref'] as string).replace('#/$defs/', '')]!));
    const missing: string[] = [];
    const walk = (s: unknown, at: string): void => {
      if (!s || typeof s !== 'object') return;
      const props = (s as Record<string, unknown>)['properties'] as Record<string, Record<string, unknown>> | undefined;
      for (const [k, v] of Object.entries(props ?? {})) if (!described(v)) missing.push(`${at}.${k}`);
      for (const [k, v] of Object.entries(s)) if (k !== 'properties') walk(v, `${at}/${k}`);
      for (const [k, v] of Object.entries(props ?? {})) walk(v, `${at}.${k}`);
    };
    walk(schema, '#');
    // Properties inside if/anyOf conditions only restate a field described elsewhere.
    expect(missing.filter((m) => !/\/(if|anyOf|then)\b/.test(m))).toEqual([]);
  });

  it('names the roles and links of the model', () => {
    const props = schema['properties'] as Record<string, { properties?: Record<string, unknown> }>;
    expect(Object.keys(props['roles']!.properties!)).toEqual([...ROLES]);
    const proxy = (schema['$defs'] as Record<string, { properties: { link: { enum: string[] } } }>)['proxy']!;
    expect(proxy.properties.link.enum).toEqual([...LINKS]);
  });
});

describe('loadConfig resolves', () => {
  it('a driver naming every field the initiation request needs, {man} and {mod} included', async () => {
    const command = 'start --device {devId} --man {man} --mod {mod} --to {dms2ServerId} --subtrees {subtrees}';
    const c = await accepted({ roles: { dms1: { ...realDms1, drivers: { startDelegation: { command } } } } });
    expect(c.roles.dms1).toMatchObject({ mode: 'real', drivers: { startDelegation: { command } } });
  });

  it('{} to four mocks with the fixture defaults', async () => {
    const c = await accepted({});
    const f = loadClientFixture();
    for (const role of ROLES) expect(c.roles[role]).toEqual({ mode: 'mock' });
    expect(c.serverIds).toEqual({ dms1: f.servers.dms1, dms2: f.servers.dms2 });
    expect(c.device).toEqual({
      devId: f.devInfo.devId,
      man: f.devInfo.man,
      mod: f.devInfo.mod,
      dms1Account: {
        clientName: 'dev-493005100592800',
        clientSecret: 'client-secret-for-dms1',
        clientNonce: 'MTIzNDU2Nzg5MDEyMzQ1Ng==',
        serverName: 'dms1.example',
        serverSecret: 'server-secret-of-dms1',
        serverNonce: 'YWJjZGVmZ2hpamtsbW5vcA==',
      },
      managedSubtrees: f.managedSubtrees,
      partialSubtrees: f.partialSubtrees,
      otherServers: f.servers.other,
      dms1AccountPath: './DMAcc/dms1',
      treeLayout: { dmAccRoot: './DMAcc', bootConfigRoot: './BootConfig', bootConfigUrlLeaf: 'URL' },
    });
    expect(c.ics).toEqual({
      approaches: ['A', 'B'],
      scopes: ['full', 'partial'],
      durations: ['temporary', 'permanent'],
      removeAccount: true,
      bootstrapPlacements: ['colocated', 'separate'],
      authTypes: ['DIGEST', 'HMAC', 'BASIC'],
      encodings: ['xml', 'wbxml'],
      serverAuthentication: 'application',
    });
    expect(c.budgets).toEqual({ ...DEFAULT_BUDGETS, driverMs: 10_000 });
    expect(c.limits).toEqual(DEFAULT_LIMITS);
    expect(c.proxies).toEqual([]);
    expect(c.pki.ca).toBe(pki.ca);
    expect(c.trustAnchors).toEqual([pki.ca.cert]);
  });

  it('a real DMS-1 with its trust anchors (a bundle of two) and pinned certificate, paths relative to the file', async () => {
    const c = await accepted({
      $schema: './dmdc-config.schema.json',
      name: 'ACME DMS',
      roles: { dms1: { ...realDms1, trustAnchor: 'certs/bundle.pem', certificate: 'certs/dms1.crt' } },
      budgets: { flowMs: 60_000 },
      limits: { connections: 8 },
      ics: { approaches: ['B'] },
    });
    const dms1 = c.roles.dms1;
    if (!isReal(dms1)) throw new Error('dms1 should be real');
    expect(dms1.trustAnchor).toBe(join(dir, 'certs/bundle.pem'));
    expect(dms1.trustAnchorPem).toHaveLength(2);
    expect(dms1.certificateFingerprint256).toBe(new X509Certificate(pki.roles.dms1.cert).fingerprint256);
    expect(dms1.drivers.startDelegation).toEqual(startDelegation);
    expect(c.serverIds.dms1).toBe('acme-dms1');
    expect(c.trustAnchors).toHaveLength(2); // the harness CA is also in the bundle: listed once
    expect(c.trustAnchors).toContain(dms1.trustAnchorPem![1]);
    expect(c.budgets.flowMs).toBe(60_000);
    expect(c.limits).toEqual({ ...DEFAULT_LIMITS, connections: 8 });
    expect(c.ics.approaches).toEqual(['B']);
    expect(c.ics.scopes).toEqual(['full', 'partial']);
    expect(c.name).toBe('ACME DMS');

    const lines = describeConfig(c).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^dms1\s+real\s+https:\/\/dms1\.lab\/dm\s+ServerID acme-dms1 \(trust: bundle\.pem, pinned\)$/);
    expect(lines[1]).toMatch(/^dms2\s+mock\s+127\.0\.0\.1:any port\s+ServerID dms2\.example \(certificate: harness PKI\)$/);
  });

  it('a mock identity from files, and a real client reached by a driver', async () => {
    const c = await accepted({
      roles: {
        dms1: { mode: 'mock', port: 8443, identity: { cert: 'certs/dms1.crt', key: 'certs/dms1.key' } },
        client: { mode: 'real', drivers: { trigger: { command: 'adb shell push {pkg0Hex}', timeoutMs: 2000 } } },
      },
    });
    const dms1 = c.roles.dms1;
    if (isReal(dms1)) throw new Error('dms1 should be a mock');
    expect(dms1.identity?.fingerprint256).toBe(pki.roles.dms1.fingerprint256);
    expect(dms1.port).toBe(8443);
    expect(describeConfig(c).split('\n')[3]).toMatch(/^client\s+real\s+Package #0 by drivers\.trigger \(trust: harness CA\)$/);
  });

  it('a proxy between two real implementations', async () => {
    const c = await accepted({
      roles: { dms1: realDms1, dms2: realDms2 },
      proxies: [
        { link: 'dms1-dms2', to: 'dms2', listen: { port: 9443 }, upstream: 'https://dms2.lab:8443' },
        { link: 'dms1-dms2', to: 'dms1', listen: { port: 9444 }, upstream: 'https://dms1.lab:8443' },
      ],
    });
    expect(c.proxies.map((p) => p.to)).toEqual(['dms2', 'dms1']);
  });

  it('refuses DMS-1 and DMS-2 both real without a proxy on their link, naming proxies', async () => {
    const errors = await refused({ roles: { dms1: realDms1, dms2: realDms2 } });
    expect(errors.join('\n')).toMatch(/^proxies: with DMS-1 and DMS-2 both real/m);
  });
});

interface Refusal {
  name: string;
  config: unknown;
  /** Substrings, each expected in one of the messages. */
  expected: string[] | ((dir: string) => string[]);
  /** When set, the whole list of messages (no noise from the other mode's branch). */
  exactly?: boolean;
}

const REFUSALS: Refusal[] = [
  { name: 'an unknown top-level field', config: { colour: 'red' }, expected: ['colour: unknown field'], exactly: true },
  {
    name: 'a misspelt nested field, with a suggestion',
    config: { roles: { dms1: { ...realDms1, dmUrl: undefined, dmUrll: 'https://dms1.lab/dm' } } },
    expected: ['roles.dms1.dmUrll: unknown field (did you mean "dmUrl"?)', 'roles.dms1.dmUrl: required field missing'],
    exactly: true,
  },
  {
    name: 'a misspelt budget',
    config: { budgets: { sesionMs: 100 } },
    expected: ['budgets.sesionMs: unknown field (did you mean "sessionMs"?)'],
  },
  { name: 'a wrong mode', config: { roles: { dms2: { mode: 'fake' } } }, expected: ['roles.dms2.mode: must be one of "mock", "real" (found "fake")'], exactly: true },
  { name: 'a role without a mode', config: { roles: { bootstrap: {} } }, expected: ['roles.bootstrap.mode: required field missing'], exactly: true },
  {
    name: 'a missing required field of the declared mode only',
    config: { roles: { dms1: { ...realDms1, delegationUrl: undefined } } },
    expected: ['roles.dms1.delegationUrl: required field missing'],
    exactly: true,
  },
  {
    name: "a missing required driver of a real DMS-1",
    config: { roles: { dms1: { ...realDms1, drivers: {} } } },
    expected: ['roles.dms1.drivers.startDelegation: required field missing'],
    exactly: true,
  },
  {
    name: 'a real-only field on a mock',
    config: { roles: { dms1: { mode: 'mock', dmUrl: 'https://dms1.lab/dm' } } },
    expected: ['roles.dms1.dmUrl: unknown field for a mock role (dmUrl needs mode "real")'],
    exactly: true,
  },
  {
    name: 'a real bootstrap server without its URLs',
    config: { roles: { bootstrap: { mode: 'real' } } },
    expected: ['roles.bootstrap.orderUrl: required field missing', 'roles.bootstrap.bootstrapUrl: required field missing'],
    exactly: true,
  },
  {
    name: 'a real client that cannot be reached',
    config: { roles: { client: { mode: 'real', drivers: { readTree: { command: 'cat tree.json' } } } } },
    expected: ['roles.client: a real client needs pushUrl or drivers.trigger'],
    exactly: true,
  },
  {
    name: 'a tree read by driver without the driver',
    config: { roles: { client: { mode: 'real', pushUrl: 'https://client.lab/push', treeRead: 'driver' } } },
    expected: ['roles.client.drivers: required field missing'],
  },
  {
    name: 'a driver with both forms',
    config: { roles: { dms1: { ...realDms1, drivers: { startDelegation: { ...startDelegation, command: 'x' } } } } },
    expected: ['roles.dms1.drivers.startDelegation.command: unknown field'],
  },
  { name: 'an http URL', config: { roles: { dms1: { ...realDms1, dmUrl: 'http://dms1.lab/dm' } } }, expected: ['roles.dms1.dmUrl: must be an https:// URL'], exactly: true },
  { name: 'a non-URL', config: { roles: { dms2: { ...realDms2, delegationUrl: 'dms2.lab' } } }, expected: ['roles.dms2.delegationUrl: must be an https:// URL'], exactly: true },
  {
    name: 'a driver URL that is not http(s)',
    config: { roles: { dms1: { ...realDms1, drivers: { startDelegation: { http: { url: 'ftp://lab/start' } } } } } },
    expected: ['roles.dms1.drivers.startDelegation.http.url: must be an http:// or https:// URL'],
  },
  { name: 'a negative budget', config: { budgets: { flowMs: -1 } }, expected: ['budgets.flowMs: must be an integer ≥ 1'], exactly: true },
  { name: 'a fractional budget', config: { budgets: { driverMs: 1.5 } }, expected: ['budgets.driverMs: must be an integer ≥ 1'], exactly: true },
  { name: 'a connection cap of 0', config: { limits: { connections: 0 } }, expected: ['limits.connections: must be an integer ≥ 1'], exactly: true },
  { name: 'an unknown limit', config: { limits: { bodyMs: 10 } }, expected: ['limits.bodyMs: unknown field'] },
  { name: 'a time limit that bounds nothing', config: { limits: { headersMs: 5_000, requestMs: 3_000_000_000 } }, expected: ['limits.requestMs: must be at most 600000 (10 minutes)'], exactly: true },
  { name: 'a connection cap that caps nothing', config: { limits: { connections: 1_000_000 } }, expected: ['limits.connections: must be at most 10000'], exactly: true },
  { name: 'headers allowed longer than the request', config: { limits: { headersMs: 20_000 } }, expected: ['limits.headersMs: 20000 is more than limits.requestMs (10000)'], exactly: true },
  { name: 'a port out of range', config: { roles: { client: { mode: 'mock', port: 65535 } } }, expected: ['roles.client.port: must be an integer from 0 to 65534'] },
  { name: 'an ics value outside its enum', config: { ics: { scopes: ['full', 'some'] } }, expected: ['ics.scopes[1]: must be one of "full", "partial"'] },
  {
    name: 'a nonce that is not base64',
    config: { device: { dms1Account: { clientName: 'a', clientSecret: 'b', clientNonce: 'not base64!', serverSecret: 'c', serverNonce: 'AAAA' } } },
    expected: ['device.dms1Account.clientNonce: must be base64'],
    exactly: true,
  },
  { name: 'an unknown link', config: { proxies: [{ link: 'dms1-bootstrap', to: 'dms1', upstream: 'https://x.lab' }] }, expected: ['proxies[0].link: must be one of'] },
  {
    name: 'a missing trust anchor file',
    config: { roles: { dms1: { ...realDms1, trustAnchor: 'certs/missing.pem' } } },
    expected: (d) => [`roles.dms1.trustAnchor: no such file ${join(d, 'certs/missing.pem')}`],
    exactly: true,
  },
  {
    name: 'an unparsable certificate file',
    config: { roles: { dms2: { ...realDms2, certificate: 'certs/garbage.pem' } } },
    expected: (d) => [`roles.dms2.certificate: ${join(d, 'certs/garbage.pem')} is not a readable certificate`],
  },
  {
    name: 'a trust anchor file without a certificate',
    config: { roles: { dms2: { ...realDms2, trustAnchor: 'certs/empty.pem' } } },
    expected: (d) => [`roles.dms2.trustAnchor: ${join(d, 'certs/empty.pem')} is not a readable certificate`],
  },
  {
    name: "a mock identity whose key is another certificate's",
    config: { roles: { dms2: { mode: 'mock', identity: { cert: 'certs/dms1.crt', key: 'certs/dms2.key' } } } },
    expected: ['roles.dms2.identity.key:', 'is not the key of the certificate'],
  },
  {
    name: 'a key file that is no key',
    config: { roles: { dms2: { mode: 'mock', identity: { cert: 'certs/dms1.crt', key: 'certs/dms1.crt' } } } },
    expected: ['roles.dms2.identity.key:', 'is not a readable private key'],
  },
  {
    name: 'DMS-1 and DMS-2 with one ServerID',
    config: {
      roles: { dms1: realDms1, dms2: { ...realDms2, serverId: 'acme-dms1' } },
      proxies: [
        { link: 'dms1-dms2', to: 'dms2', upstream: 'https://dms2.lab:8443' },
        { link: 'dms1-dms2', to: 'dms1', upstream: 'https://dms1.lab:8443' },
      ],
    },
    expected: ['roles.dms2.serverId: "acme-dms1" is the ServerID of both DMS-1 and DMS-2'],
    exactly: true,
  },
  {
    name: 'a driver placeholder nobody fills',
    config: { roles: { dms1: { ...realDms1, drivers: { startDelegation: { command: 'start {devId} {devID}' } } } } },
    expected: ['roles.dms1.drivers.startDelegation: unknown placeholder {devID}'],
    exactly: true,
  },
  {
    name: 'a proxy on a link with a mock',
    config: { roles: { dms1: realDms1 }, proxies: [{ link: 'dms1-client', to: 'dms1', upstream: 'https://dms1.lab' }] },
    expected: ['proxies[0].link: dms1-client does not join two real implementations'],
    exactly: true,
  },
  {
    name: 'a real Bootstrap Server declared colocated only',
    config: {
      roles: { bootstrap: { mode: 'real', orderUrl: 'https://bs.lab/order', bootstrapUrl: 'https://bs.lab/bs' } },
      ics: { bootstrapPlacements: ['colocated'] },
    },
    expected: ['ics.bootstrapPlacements: a real Bootstrap Server is a separate one'],
    exactly: true,
  },
  {
    name: 'a partial subtree outside the managed ones',
    config: { device: { managedSubtrees: ['./Vendor/Apps'], partialSubtrees: ['./Vendor/Apps/Mail', './Other'] } },
    expected: ['device.partialSubtrees[1]: ./Other is not at or under any of device.managedSubtrees'],
    exactly: true,
  },
  { name: 'invalid JSON', config: '{\n  "roles": {,}\n}', expected: ['config-', ':2:', 'not valid JSON'], exactly: false },
];

describe('loadConfig refuses', () => {
  it.each(REFUSALS)('$name', async ({ config, expected, exactly }) => {
    const errors = await refused(config);
    const wanted = typeof expected === 'function' ? expected(dir) : expected;
    for (const w of wanted) expect(errors.some((e) => e.includes(w)), `"${w}" in ${JSON.stringify(errors)}`).toBe(true);
    if (exactly) expect(errors).toHaveLength(wanted.length);
  });

  it('a configuration file that does not exist, naming it', async () => {
    const missing = join(dir, 'nope.json');
    expect(await loadConfig(missing, opts)).toEqual({ ok: false, errors: [`${missing}: no such configuration file`] });
  });
});

describe('pki.dir', () => {
  const fingerprints = (c: RunConfig) => [c.pki.ca, ...ROLES.map((r) => c.pki.roles[r])].map((i) => i.fingerprint256);

  it('is created when absent and loaded when present', async () => {
    const first = await accepted({ pki: { dir: 'pki-a' } }, {});
    expect(first.pki.dir).toBe(join(dir, 'pki-a'));
    expect(readdirSync(join(dir, 'pki-a')).sort()).toEqual(
      ['ca', ...ROLES].flatMap((n) => [`${n}.crt`, `${n}.key`]).sort(),
    );
    const second = await accepted({ pki: { dir: 'pki-a' } }, {});
    expect(fingerprints(second)).toEqual(fingerprints(first));
    expect(second.trustAnchors.map((pem) => new X509Certificate(pem).fingerprint256)).toEqual([first.pki.ca.fingerprint256]);
  });

  it('is filled when empty', async () => {
    mkdirSync(join(dir, 'pki-empty'));
    const c = await accepted({ pki: { dir: 'pki-empty' } }, {});
    expect(existsSync(join(dir, 'pki-empty', 'client.key'))).toBe(true);
    expect(c.pki.roles.client.subject).toContain('dmdc client');
  });

  it('refuses a harness PKI whose certificates have expired', async () => {
    const day = 86_400_000;
    const old = await createPki({ notBefore: new Date(Date.now() - 60 * day), notAfter: new Date(Date.now() - day) });
    writePki(join(dir, 'pki-old'), old);
    const errors = await refused({ pki: { dir: 'pki-old' } }, {});
    expect(errors[0]).toMatch(/^pki\.dir: .*ca\.crt is valid from .* to .*, not now \(empty the folder to make a fresh harness PKI\)$/);
  });

  it('names a missing file of an existing PKI', async () => {
    await accepted({ pki: { dir: 'pki-b' } }, {});
    unlinkSync(join(dir, 'pki-b', 'dms2.key'));
    expect(await refused({ pki: { dir: 'pki-b' } }, {})).toEqual([`pki.dir: missing ${join(dir, 'pki-b', 'dms2.key')}`]);
  });

  it('refuses a directory that holds something else', async () => {
    put('pki-c/readme.txt', 'mine');
    expect((await refused({ pki: { dir: 'pki-c' } }, {}))[0]).toMatch(/^pki\.dir: .*pki-c is neither empty nor a harness PKI/);
  });

  it('is not created for a configuration that is refused', async () => {
    await refused({ pki: { dir: 'pki-d' }, roles: { dms1: realDms1, dms2: { ...realDms2, serverId: 'acme-dms1' } } }, {});
    expect(existsSync(join(dir, 'pki-d'))).toBe(false);
  });
});
