import { spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BundleMeta } from '../../src/bundle/bundle-layout.js';
import { REMOVED, redactText } from '../../src/bundle/redact-config.js';
import { writeBundle } from '../../src/bundle/write-bundle.js';
import { DEFAULT_CATALOGUE_FILE } from '../../src/catalogue/catalogue.js';
import type { RunConfig } from '../../src/config/config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { PACKAGE_ROOT, PACKAGE_VERSION } from '../../src/package-root.js';
import { createCa, createPki, type Pki } from '../../src/pki/pki.js';

const dir = mkdtempSync(join(tmpdir(), 'dmdc-bundle-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function put(name: string, content: string): string {
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}

/** Every secret the configuration holds, each distinct so a leak is found by a plain search. */
const SECRETS = {
  clientSecret: 'cl-secret-4f1b9a',
  serverSecret: 'srv-secret-7c2e55',
  bearer: 'brr-5e7a1d9c0f',
  queryToken: 'tok-61ab2f',
  bodyKey: 'key-3b8d2a',
  basicPassword: 'pw-91c4e7',
  flagToken: 'tk-2a7f3c',
  apiKeyHeader: 'xk-6d1e8b',
  envToken: 'env-4c9b1f',
  urlPassword: 'up-0d5c3e',
  proxyAuth: 'px-8e2b7a',
  clientNonce: 'MTIzNDU2Nzg5MDEyMzQ1Ng==',
  serverNonce: 'YWJjZGVmZ2hpamtsbW5vcA==',
};

let pki: Pki;
let config: RunConfig;
let text: string;

beforeAll(async () => {
  pki = await createPki();
  const labCa = await createCa({ caName: 'lab CA' });
  put('certs/lab-ca.pem', labCa.cert);
  put('certs/dms1.crt', pki.roles.dms1.cert);
  put('certs/dms1.key', pki.roles.dms1.key);
  const file = put('config.json', JSON.stringify({
    name: 'client under test',
    roles: {
      dms1: { mode: 'mock', identity: { cert: 'certs/dms1.crt', key: 'certs/dms1.key' } },
      client: {
        mode: 'real',
        pushUrl: `https://lab:${SECRETS.urlPassword}@client.lab/push`,
        trustAnchor: 'certs/lab-ca.pem',
        drivers: {
          reset: {
            http: {
              method: 'POST',
              url: `https://lab.example/reset?token=${SECRETS.queryToken}&dev=7`,
              headers: { Authorization: `Bearer ${SECRETS.bearer}`, 'Content-Type': 'application/json', 'X-Proxy-Auth': SECRETS.proxyAuth },
              body: `{"apiKey":"${SECRETS.bodyKey}","devId":"{devId}"}`,
            },
          },
          setup: { command: `curl -s -u admin:${SECRETS.basicPassword} --token ${SECRETS.flagToken} -H "X-Api-Key: ${SECRETS.apiKeyHeader}" https://lab.example/setup && API_TOKEN=${SECRETS.envToken} ./go.sh {devId}` },
          // The Bearer token again, where no rule would see it: removed because it was removed from a header.
          trigger: { command: `push-pkg0 {pkg0Hex} ${SECRETS.bearer}` },
        },
      },
    },
    device: {
      dms1Account: {
        clientName: 'dev-1',
        clientSecret: SECRETS.clientSecret,
        clientNonce: SECRETS.clientNonce,
        serverSecret: SECRETS.serverSecret,
        serverNonce: SECRETS.serverNonce,
      },
    },
  }));
  const loaded = await loadConfig(file, { defaults: { pki } });
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  config = loaded.config;
  writeBundle(join(dir, 'run'), { flows: [], config, runId: 'run-1' });
  text = readFileSync(join(dir, 'run', 'bundle', 'config.json'), 'utf8');
});

describe('bundle/config.json', () => {
  test('holds no secret of the configuration', () => {
    for (const [what, secret] of Object.entries(SECRETS)) expect(text, what).not.toContain(secret);
  });

  test('holds no private key, neither of the harness PKI nor of a mock identity', () => {
    expect(text).not.toMatch(/PRIVATE KEY|BEGIN/);
    const keyLines = [pki.ca.key, ...Object.values(pki.roles).map((r) => r.key)].flatMap((k) => k.split('\n').filter((l) => l.length > 40));
    expect(keyLines.length).toBeGreaterThan(0);
    for (const line of keyLines) expect(text).not.toContain(line);
  });

  test('keeps what is meaningful: certificates by fingerprint, the shape of the drivers, the account without its secrets and nonces', () => {
    const c = JSON.parse(text) as Record<string, any>;
    expect(c.pki.ca).toEqual({ subject: pki.ca.subject, fingerprint256: pki.ca.fingerprint256 });
    expect(c.roles.dms1.identity.fingerprint256).toBe(pki.roles.dms1.fingerprint256);
    expect(c.roles.client.trustAnchorCertificates[0].fingerprint256).toBe(new X509Certificate(readFileSync(join(dir, 'certs/lab-ca.pem'))).fingerprint256);
    expect(c.trustAnchors.map((t: { fingerprint256: string }) => t.fingerprint256)).toContain(pki.ca.fingerprint256);
    expect(c.device.dms1Account).toMatchObject({ clientName: 'dev-1', clientSecret: REMOVED, serverSecret: REMOVED, clientNonce: REMOVED, serverNonce: REMOVED });
    const reset = c.roles.client.drivers.reset.http;
    expect(reset.headers).toEqual({ Authorization: REMOVED, 'Content-Type': 'application/json', 'X-Proxy-Auth': REMOVED });
    expect(reset.url).toBe(`https://lab.example/reset?token=${REMOVED}&dev=7`);
    expect(reset.body).toBe(`{"apiKey":"${REMOVED}","devId":"{devId}"}`);
    expect(c.roles.client.drivers.setup.command).toBe(`curl -s -u ${REMOVED} --token ${REMOVED} -H "X-Api-Key: ${REMOVED}" https://lab.example/setup && API_TOKEN=${REMOVED} ./go.sh {devId}`);
    expect(c.roles.client.drivers.trigger.command).toBe(`push-pkg0 {pkg0Hex} ${REMOVED}`);
    expect(c.roles.client.pushUrl).toBe(`https://${REMOVED}@client.lab/push`);
    expect(c.serverIds).toEqual(config.serverIds);
    expect(c.ics).toEqual(config.ics);
  });

  test('is null for a run without a configuration', () => {
    writeBundle(join(dir, 'bare'), { flows: [], runId: 'run-2' });
    expect(readFileSync(join(dir, 'bare', 'bundle', 'config.json'), 'utf8').trim()).toBe('null');
  });
});

describe('redactText', () => {
  test.each([
    ['wget --password=hunter22 https://x', `wget --password=${REMOVED} https://x`],
    ['curl --user "admin:hunter22" https://x', `curl --user ${REMOVED} https://x`],
    ["curl -H 'Authorization: Basic YWRtaW46aHVudGVyMjI=' https://x", `curl -H 'Authorization: ${REMOVED}' https://x`],
    ['SECRET="hunter22" ./go.sh', `SECRET=${REMOVED} ./go.sh`],
    ['https://u:hunter22@host/p?api_key=hunter22&x=1', `https://${REMOVED}@host/p?api_key=${REMOVED}&x=1`],
    // Nothing recognisable, nothing removed: a plain command stays as written.
    ['./reset-device.sh {devId} --scope {scope}', './reset-device.sh {devId} --scope {scope}'],
  ])('%s', (input, output) => {
    expect(redactText(input)).toBe(output);
  });
});

describe('bundle/meta.json', () => {
  test('names the harness, its commit when it is a git checkout, the catalogue by version and SHA-256, the selection and node', () => {
    writeBundle(join(dir, 'meta'), { flows: [], runId: 'run-3', only: 'B.*,FIN-*' });
    const meta = JSON.parse(readFileSync(join(dir, 'meta', 'bundle', 'meta.json'), 'utf8')) as BundleMeta;
    const catalogue = readFileSync(DEFAULT_CATALOGUE_FILE);
    expect(meta).toMatchObject({
      bundleVersion: 1,
      runId: 'run-3',
      harness: { name: 'dmdc', version: PACKAGE_VERSION },
      catalogue: { version: (JSON.parse(catalogue.toString('utf8')) as { version: string }).version, sha256: createHash('sha256').update(catalogue).digest('hex'), file: 'fixtures/catalogue/catalogue.json' },
      only: 'B.*,FIN-*',
      node: process.version,
    });
    expect(Number.isNaN(Date.parse(meta.createdAt))).toBe(false);
    if (existsSync(join(PACKAGE_ROOT, '.git'))) {
      const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: PACKAGE_ROOT, encoding: 'utf8' }).stdout.trim();
      expect(meta.harness.gitCommit).toBe(head);
      expect(typeof meta.harness.gitDirty).toBe('boolean');
    } else {
      expect(meta.harness.gitCommit).toBeUndefined();
    }
  });
});
