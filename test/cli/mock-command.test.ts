import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MEDIA } from '../../src/profile.js';
import { postHttps, TransportError } from '../../src/transport/https-post.js';
import { sendInput } from '../support/fuzz-run.js';
import { runMockToExit, spawnMock, type SpawnedMock } from '../support/spawn-mock.js';

describe('dmdc mock dms2 --port 0 (a separate OS process)', () => {
  let mock: SpawnedMock;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dmdc-mock-'));
    mock = await spawnMock(['dms2', '--port', '0', '--out', dir]);
  });
  afterAll(() => mock?.stop());

  const pem = (name: string) => readFileSync(join(dir, name), 'utf8');
  const post = (withCert: boolean) =>
    postHttps({
      url: mock.info.delegation,
      body: '<not-a-delegation/>',
      contentType: MEDIA.delegation,
      identity: withCert ? { cert: pem('dms1.crt'), key: pem('dms1.key') } : undefined,
      trustAnchors: [pem('ca.crt')],
      timeoutMs: 5000,
      from: 'dms1',
      to: 'dms2',
      link: 'dms1-dms2',
    });

  test('prints its URLs on ephemeral ports', () => {
    expect(mock.info.delegation).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/delegation$/);
    expect(mock.info.dm).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/dm$/);
  });

  test('a client presenting the written DMS-1 certificate reaches it and gets a protocol error naming the element', async () => {
    const r = await post(true);
    expect(r.status).toBe(400);
    expect(r.body.toString()).toMatch(/<Reason>root element must be Delegation/);
  });

  test('a client without a certificate is refused, and the reason is in the trace', async () => {
    await expect(post(false)).rejects.toBeInstanceOf(TransportError);
    // The mock appends the refusal to its trace synchronously before it drops the connection, so the line
    // is on disk by the time the client sees the reset.
    const lines = readFileSync(join(dir, 'trace.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; reason?: string });
    expect(lines.find((e) => e.kind === 'tls-error')?.reason).toMatch(/client certificate required/);
  });
});

describe('dmdc mock --mutant', () => {
  const out = () => mkdtempSync(join(tmpdir(), 'dmdc-mock-mut-'));

  test('an unknown mutant exits 2 and lists the mutants of the role', async () => {
    const r = await runMockToExit(['client', '--mutant', 'no-such-mutant', '--out', out()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown mutant "no-such-mutant"; mutants of the client mock: .*client-no-devinfo/);
    expect(r.stdout).toBe('');
  });

  test('a mutant of another role exits 2', async () => {
    const r = await runMockToExit(['client', '--mutant', 'skip-acl-update', '--out', out()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mutant skip-acl-update does not change the client mock \(it changes dms1\)/);
  });

  test('a mutant of the role runs and is named in the JSON line', async () => {
    const mock = await spawnMock(['dms1', '--mutant', 'bad-pkg0-digest', '--out', out()]);
    try {
      expect(mock.info.mutant).toBe('bad-pkg0-digest');
      expect(mock.info.control).toBeUndefined();
    } finally {
      await mock.stop();
    }
  });
});

describe('dmdc mock --config', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'dmdc-mock-cfg-'));
  const config = (d: string, limits: Record<string, unknown>) => {
    const file = join(d, 'limits.json');
    writeFileSync(file, JSON.stringify({ limits }));
    return file;
  };

  test('a configuration with a bad limit exits 2 naming the field', async () => {
    const d = dir();
    const r = await runMockToExit(['bootstrap', '--config', config(d, { connections: 0 }), '--out', d]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/limits\.connections: must be an integer ≥ 1/);
  });

  test('its limits apply: a peer stalling in its headers is answered 408 within headersMs, and traced', async () => {
    const d = dir();
    const mock = await spawnMock(['bootstrap', '--config', config(d, { headersMs: 200, requestMs: 400 }), '--out', d]);
    try {
      const t0 = Date.now();
      const o = await sendInput(
        { name: 'bootstrap', mock: 'bootstrap', kind: 'bootstrap', path: '/bootstrap', url: mock.info.bootstrap, trustAnchors: [readFileSync(join(d, 'ca.crt'), 'utf8')] },
        { mutation: 'stall', bytes: Buffer.from('POST /bootstrap HTTP/1.1\r\nhost: x\r\n'), stall: true },
        5000,
      );
      expect(o.status).toBe(408);
      expect(Date.now() - t0).toBeLessThan(1500);
      const lines = readFileSync(join(d, 'trace.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; reason?: string });
      expect(lines.find((e) => e.kind === 'error')?.reason).toMatch(/^REQUEST_TIMEOUT/);
    } finally {
      await mock.stop();
    }
  });
});
