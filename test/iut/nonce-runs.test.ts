import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SyncMLMessage } from '../../src/syncml/model.js';
import type { TraceEvent } from '../../src/trace/events.js';
import { spawnMock, type SpawnedMock } from '../support/spawn-mock.js';
import { dmdcRun, exampleConfigFor, IUT_CASES, type DmdcRun } from './iut-run.js';

/**
 * A device keeps the nonces it rotated: one `dmdc mock client` process (WBXML, MaxMsgSize 2048, nonces
 * kept across the reset driver) under two `dmdc run`s back to back. A flow's harness servers start from the
 * configured nonces, which the device may no longer hold: they resynchronise (a challenge with a new nonce,
 * the special-nonce Package #0) and both runs complete with no FAIL.
 */
const runs: DmdcRun[] = [];
let mock: SpawnedMock;

const events = (run: DmdcRun) => readFileSync(run.trace!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TraceEvent);
const syncml = (e: TraceEvent) => (e.body?.parsed?.codec === 'syncml' ? (e.body.parsed.value as SyncMLMessage) : undefined);
const hdrStatus = (e: TraceEvent) => syncml(e)?.body.find((c) => c.kind === 'Status' && c.cmd === 'SyncHdr');

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dmdc-nonce-runs-'));
  mock = await spawnMock(['client', '--port', '0', '--out', join(dir, 'iut'), '--control', '--keep-nonces', '--encoding', 'wbxml', '--max-msg-size', '2048']);
  const config = exampleConfigFor(IUT_CASES.client.example, mock, IUT_CASES.client.ports, dir);
  for (const n of [1, 2]) runs.push(await dmdcRun(['--config', config, '--approach', 'A'], join(dir, `reports-${n}`)));
}, 240_000);

afterAll(() => mock?.stop());

describe('two runs against one client that keeps its rotated nonces', () => {
  test('both runs exit 0 with no FAIL', () => {
    for (const run of runs) {
      expect(run.report?.summary.failedRequirements, run.stderr).toEqual([]);
      expect(run.status).toBe(0);
    }
  });

  test('a flow that starts from nonces rotated in an earlier one resynchronises, and no verdict suffers', () => {
    // A temporary delegation leaves DMS-1's account on the device with the nonces its sessions moved; the
    // next flow's DMS-1 starts from the configured ones. (A permanent one removes the account: the next
    // flow's reset brings it back as the fixture has it.)
    const resynchronised = runs.flatMap((run) => {
      const all = events(run).filter((e) => e.link === 'dms1-client' && e.phase !== 'tls-probe');
      return run.report!.flows.filter((f) => {
        const own = all.filter((e) => e.flow === f.id);
        const challenged = own.some((e) => e.kind === 'response' && (hdrStatus(e) as { data?: string } | undefined)?.data === '401');
        const pushes = own.filter((e) => e.kind === 'response' && e.from === 'client' && !syncml(e)).map((e) => e.http?.status);
        // A refused Package #0, and the next one (the special nonce) taken.
        return challenged && pushes.includes(401) && pushes[pushes.indexOf(401) + 1] === 200;
      });
    });
    expect(resynchronised.length).toBeGreaterThan(0);
  });

  test('every DM message of the client is WBXML and within the MaxMsgSize it declared', () => {
    for (const run of runs) {
      for (const e of events(run).filter((x) => (x.link === 'dms1-client' || x.link === 'dms2-client') && x.phase !== 'tls-probe' && syncml(x))) {
        expect(e.body!.contentType).toMatch(/\+wbxml/);
        if (e.kind === 'response') expect(e.body!.bytes).toBeLessThanOrEqual(2048);
      }
    }
  });
});
