import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunConfig } from '../../src/config/config.js';
import { loadConfig, type LoadConfigOptions } from '../../src/config/load-config.js';
import { ROLES } from '../../src/model/roles.js';
import { createPki, type Pki } from '../../src/pki/pki.js';

const dir = mkdtempSync(join(tmpdir(), 'dmdc-lab-'));
let pki: Pki;
let opts: LoadConfigOptions;
let count = 0;

function configFile(content: unknown): string {
  const path = join(dir, `config-${++count}.json`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(content, null, 2));
  return path;
}

async function accepted(content: unknown): Promise<RunConfig> {
  const r = await loadConfig(configFile(content), opts);
  if (!r.ok) throw new Error(`refused: ${r.errors.join('; ')}`);
  return r.config;
}

async function refused(content: unknown): Promise<string[]> {
  const r = await loadConfig(configFile(content), opts);
  if (r.ok) throw new Error('the configuration was accepted');
  return r.errors;
}

/** Every role a mock listening at `host`: its URLs name that host. */
const at = (host: string) => ({ roles: Object.fromEntries(ROLES.map((r) => [r, { mode: 'mock', host }])) });

/** What every leaf of the harness PKI names, as node:crypto prints it. */
const leafNames = (c: RunConfig) => [...new Set(ROLES.map((r) => new X509Certificate(c.pki.roles[r].cert).subjectAltName))];

beforeAll(async () => {
  pki = await createPki();
  opts = { defaults: { pki } };
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pki.hosts', () => {
  it('defaults to localhost and 127.0.0.1 (and keeps the given default PKI, which names them)', async () => {
    const c = await accepted({});
    expect(c.pki.hosts).toEqual(['localhost', '127.0.0.1']);
    expect(c.pki.ca).toBe(pki.ca);
    expect(leafNames(c)).toEqual(['DNS:localhost, IP Address:127.0.0.1']);
  });

  it('gives every leaf exactly the configured DNS names and IP addresses as subjectAltName', async () => {
    const c = await accepted({ ...at('10.0.0.7'), pki: { hosts: ['dm.lab.example', '10.0.0.7'] } });
    expect(c.pki.hosts).toEqual(['dm.lab.example', '10.0.0.7']);
    expect(leafNames(c)).toEqual(['DNS:dm.lab.example, IP Address:10.0.0.7']);
    const leaf = new X509Certificate(c.pki.roles.dms1.cert);
    expect(leaf.checkHost('dm.lab.example')).toBe('dm.lab.example');
    expect(leaf.checkIP('10.0.0.7')).toBe('10.0.0.7');
    expect(leaf.checkHost('localhost')).toBeUndefined();
    expect(leaf.checkIP('127.0.0.1')).toBeUndefined();
    // A fresh PKI: the default one names other hosts.
    expect(c.pki.ca).not.toBe(pki.ca);
  });

  it('takes IPv6 addresses as iPAddress entries', async () => {
    const c = await accepted({ ...at('dmdc.lab'), pki: { hosts: ['fd00::7', 'dmdc.lab'] } });
    expect(leafNames(c)).toEqual(['IP Address:FD00:0:0:0:0:0:0:7, DNS:dmdc.lab']);
  });

  it('writes the configured hosts into a new pki.dir, loads them back, and refuses a PKI there that lacks one', async () => {
    const hosts = ['dm.lab.example', '10.0.0.7'];
    const first = await accepted({ ...at('dm.lab.example'), pki: { dir: 'pki-lab', hosts } });
    expect(new X509Certificate(readFileSync(join(dir, 'pki-lab', 'client.crt'))).subjectAltName).toBe('DNS:dm.lab.example, IP Address:10.0.0.7');
    const again = await accepted({ ...at('10.0.0.7'), pki: { dir: 'pki-lab', hosts: ['10.0.0.7'] } });
    expect(again.pki.ca.fingerprint256).toBe(first.pki.ca.fingerprint256);
    expect(again.pki.hosts).toEqual(['10.0.0.7']);
    const errors = await refused({ ...at('10.0.0.7'), pki: { dir: 'pki-lab', hosts: [...hosts, '10.0.0.8'] } });
    expect(errors).toEqual([
      `pki.hosts: 10.0.0.8 is not named by the harness PKI in ${join(dir, 'pki-lab')} (dms1.crt, dms2.crt, bootstrap.crt, client.crt; dms1.crt names DNS:dm.lab.example, IP Address:10.0.0.7); empty that folder to make a fresh PKI for pki.hosts, then give the implementations under test its new ca.crt`,
    ]);
    // Without pki.hosts the default hosts are what the folder's certificates must name.
    expect((await refused({ pki: { dir: 'pki-lab' } }))[0]).toMatch(/^pki\.hosts: localhost, 127\.0\.0\.1 are not named by the harness PKI in /);
  });

  it('refuses mocks whose URLs name a host their certificates do not', async () => {
    expect(await refused({ pki: { hosts: ['dm.lab.example', '10.0.0.7'] } })).toEqual([
      "roles.dms1, roles.dms2, roles.bootstrap, roles.client: the mocks' URLs name 127.0.0.1, which the harness certificates they present do not (they name dm.lab.example, 10.0.0.7); add 127.0.0.1 to pki.hosts, or set each mock's host to a host the certificates name",
    ]);
    const one = { ...at('10.0.0.7'), pki: { hosts: ['10.0.0.7', 'FD00::7'] } };
    one.roles['dms2'] = { mode: 'mock', host: 'dm.lab.example' };
    expect(await refused(one)).toEqual([
      "roles.dms2.host: the mock's URLs name dm.lab.example, which the harness certificate it presents does not (it names 10.0.0.7, FD00::7); add dm.lab.example to pki.hosts, or set the mock's host to a host the certificate names",
    ]);
    // 0.0.0.0 listens everywhere and gives out 127.0.0.1 URLs; an IPv6 address matches in any notation.
    one.roles['dms2'] = { mode: 'mock', host: 'fd00:0:0::7' };
    one.roles['client'] = { mode: 'mock', host: '0.0.0.0' };
    expect((await refused(one))[0]).toMatch(/^roles\.client\.host: the mock's URLs name 127\.0\.0\.1, /);
    one.pki.hosts.push('127.0.0.1');
    await accepted(one);
  });

  it('refuses an entry that is neither a DNS name nor an IP address, naming the field', async () => {
    expect(await refused({ pki: { hosts: ['dm.lab.example', 'dm_lab!', '10.0.0.300', '-x.example', 'a..b'] } })).toEqual(
      [1, 2, 3, 4].map((i) => `pki.hosts[${i}]: must be a DNS name (such as dm.lab.example) or an IPv4 or IPv6 address (such as 10.0.0.7)`),
    );
    expect(await refused({ pki: { hosts: [] } })).toEqual(['pki.hosts: must list at least 1 item']);
    expect(await refused({ pki: { hosts: [7] } })).toEqual(['pki.hosts[0]: must be a string: a DNS name or an IP address']);
    expect(await refused({ pki: { hosts: ['10.0.0.7', '10.0.0.7'] } })).toEqual(['pki.hosts: must not repeat an item (items [0] and [1] are equal)']);
  });
});

describe('device.treeLayout', () => {
  it('defaults to the binding profile layout', async () => {
    expect((await accepted({})).device.treeLayout).toEqual({ dmAccRoot: './DMAcc', bootConfigRoot: './BootConfig', bootConfigUrlLeaf: 'URL' });
  });

  it('takes each field on its own; DMS-1\'s account moves with dmAccRoot', async () => {
    const c = await accepted({ device: { treeLayout: { bootConfigRoot: './Vendor/BootCfg', bootConfigUrlLeaf: 'ServerURL' } } });
    expect(c.device.treeLayout).toEqual({ dmAccRoot: './DMAcc', bootConfigRoot: './Vendor/BootCfg', bootConfigUrlLeaf: 'ServerURL' });
    expect(c.device.dms1AccountPath).toBe('./DMAcc/dms1');
    const d = await accepted({ device: { treeLayout: { dmAccRoot: './SyncML/DMAcc' } } });
    expect(d.device.dms1AccountPath).toBe('./SyncML/DMAcc/dms1');
  });

  it('refuses paths that are not rooted, end in /, or a leaf name with /', async () => {
    expect(await refused({ device: { treeLayout: { dmAccRoot: 'DMAcc', bootConfigRoot: './Vendor/BootCfg/', bootConfigUrlLeaf: 'Boot/URL' } } })).toEqual([
      'device.treeLayout.dmAccRoot: must be a DM tree path that starts with ./ and has no trailing / (such as ./Vendor/BootCfg)',
      'device.treeLayout.bootConfigRoot: must be a DM tree path that starts with ./ and has no trailing / (such as ./Vendor/BootCfg)',
      "device.treeLayout.bootConfigUrlLeaf: must be a single node name such as URL (no '/')",
    ]);
    expect(await refused({ device: { treeLayout: { bootConfigRoot: './Vendor/../BootCfg' } } })).toHaveLength(1);
    expect(await refused({ device: { treeLayout: { bootConfigUrlLeaf: '' } } })).toHaveLength(1);
    expect(await refused({ device: { treeLayout: { dmAccRot: './DMAcc' } } })).toEqual(['device.treeLayout.dmAccRot: unknown field (did you mean "dmAccRoot"?)']);
  });

  it('refuses overlapping roots and a DMS-1 account outside dmAccRoot', async () => {
    expect(await refused({ device: { treeLayout: { bootConfigRoot: './DMAcc/Boot' } } })).toEqual([
      'device.treeLayout.bootConfigRoot: the Bootstrap Config MO (./DMAcc/Boot) and the accounts (./DMAcc) need separate subtrees, neither at or under the other',
    ]);
    expect(await refused({ device: { dms1AccountPath: './DMAcc/dms1', treeLayout: { dmAccRoot: './SyncML/DMAcc' } } })).toEqual([
      'device.dms1AccountPath: ./DMAcc/dms1 is not an account node under device.treeLayout.dmAccRoot (./SyncML/DMAcc/<X>)',
    ]);
  });
});
