import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { FLOWS_FILE, PRIVATE_DIR } from '../../src/bundle/bundle-layout.js';
import type { FlowResult } from '../../src/runner/run-flow.js';
import { redactJson, redactTraceFile } from '../../src/report/run-secrets.js';
import { runCli } from '../support/run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'dmdc-secrets-'));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []));
}

/**
 * The run's secrets, found apart from the harness's own collector: the credentials in the flows' facts, and
 * in the recorded messages every account secret, nonce and NextNonce written, as the parsed SyncML has them.
 */
function secretsOf(runDir: string): string[] {
  const text = readFileSync(join(runDir, FLOWS_FILE), 'utf8');
  const flows = JSON.parse(text) as FlowResult[];
  const found = new Set<string>();
  for (const f of flows) {
    for (const c of Object.values(f.facts.serverCredentials ?? {})) found.add(c.secret).add(c.nonce);
    for (const c of Object.values(f.facts.clientCredentials ?? {})) found.add(c.secret);
  }
  for (const m of text.matchAll(/AAuth(?:Secret|Data)\\"?,\\?"data\\?":\\?"([^"\\]+)/g)) found.add(m[1]!);
  for (const m of text.matchAll(/AAuth(?:Secret|Data)"\s*,\s*"data"\s*:\s*"([^"]+)"/g)) found.add(m[1]!);
  // Every NextNonce as the SyncML codec parsed it (its XML may carry a namespace; WBXML carries opaque bytes).
  for (const m of text.matchAll(/"nextNonce":"([^"]+)"/g)) found.add(m[1]!);
  return [...found].filter((s) => s.length >= 6);
}

const leaks = (runDir: string, secrets: readonly string[], skip: (path: string) => boolean) =>
  filesUnder(runDir)
    .filter((f) => !skip(relative(runDir, f)))
    .flatMap((f) => {
      const content = readFileSync(f, 'latin1');
      return secrets.filter((s) => content.includes(s)).map((s) => `${relative(runDir, f)}: ${s}`);
    });

describe('secrets in the reports of the default run', () => {
  let runDir: string;
  beforeAll(async () => {
    const run = await runCli(['--allure-report', '--out', join(scratch, 'default')]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    runDir = join(scratch, 'default', 'latest');
  }, 180_000);

  test('the run has secrets to hide: account secrets, DMS-2 accounts written to the client, nonces', () => {
    const secrets = secretsOf(runDir);
    expect(secrets).toEqual(expect.arrayContaining(['server-secret-of-dms1', 'client-secret-for-dms1']));
    expect(secrets.length).toBeGreaterThan(10);
  });

  test('no output but the bundle\'s private part shows any of them: report.json, report.html, junit.xml, summary.md, the trace, Allure', () => {
    const outputs = filesUnder(runDir).map((f) => relative(runDir, f));
    expect(outputs).toEqual(expect.arrayContaining(['report.json', 'report.html', 'junit.xml', 'summary.md', 'trace.jsonl', 'allure-report/index.html', 'bundle/config.json']));
    expect(outputs.some((f) => f.startsWith('allure-results/'))).toBe(true);
    expect(leaks(runDir, secretsOf(runDir), (f) => f.startsWith(`${PRIVATE_DIR}/`))).toEqual([]);
    expect(statSync(join(runDir, FLOWS_FILE)).size).toBeGreaterThan(0);
  });

  test('the reports cite no document the project does not ship', () => {
    for (const f of ['report.json', 'report.html', 'junit.xml']) expect(readFileSync(join(runDir, f), 'utf8'), f).not.toMatch(/spec-digest/);
  });

  test('the reports say where a secret was', () => {
    expect(readFileSync(join(runDir, 'report.json'), 'utf8')).toContain('[redacted]');
    expect(readFileSync(join(runDir, 'trace.jsonl'), 'utf8')).toContain('[redacted]');
  });
});

test('--show-secrets keeps them (a lab\'s own debugging), and says so in the report', async () => {
  const run = await runCli(['--show-secrets', '--flow', 'A-full-temporary', '--no-suites', '--out', join(scratch, 'shown')]);
  expect(run.code, run.stdout).toBe(0);
  const runDir = join(scratch, 'shown', 'latest');
  expect(leaks(runDir, secretsOf(runDir), (f) => f.startsWith(`${PRIVATE_DIR}/`)).some((l) => l.startsWith('report.json: '))).toBe(true);
  expect(JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')).secretsShown).toBe(true);
  expect(readFileSync(join(runDir, 'summary.md'), 'utf8')).toContain('--show-secrets');
}, 120_000);

test('redaction touches only string values: a secret that reads like a number or a key name leaves the JSON whole', () => {
  const value = { durationMs: 91234567, verdict: 'PASS', note: 'secret 123456 and verdict' };
  expect(redactJson(value, new Set(['123456', 'verdict']))).toEqual({ durationMs: 91234567, verdict: 'PASS', note: 'secret [redacted] and [redacted]' });
});

test('a nonce carried as opaque bytes in a WBXML body is masked in those bytes', async () => {
  const nonce = Buffer.from('0123456789abcdef');
  const file = join(scratch, 'wbxml-trace.jsonl');
  const raw = Buffer.concat([Buffer.from([0x02, 0x00, 0xc3, nonce.length]), nonce, Buffer.from([0x01])]);
  writeFileSync(file, `${JSON.stringify({ seq: 1, flow: 'f', kind: 'request', body: { encoding: 'base64', bytes: raw.length, raw: raw.toString('base64') } })}\n`);
  await redactTraceFile(file, () => new Set([nonce.toString('base64')]));
  const out = Buffer.from((JSON.parse(readFileSync(file, 'utf8')) as { body: { raw: string } }).body.raw, 'base64');
  expect(out.length).toBe(raw.length);
  expect(out.includes(nonce)).toBe(false);
  expect(existsSync(`${file}.redacting`)).toBe(false);
});
