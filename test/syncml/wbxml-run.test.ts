import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPki } from '../../src/pki/pki.js';
import { runFlow } from '../../src/runner/run-flow.js';
import { defaultScenarios } from '../../src/runner/scenario.js';
import { parseSyncML } from '../../src/syncml/codec.js';
import { decodeWbxml, encodeWbxml } from '../../src/syncml/wbxml.js';
import type { TraceEvent } from '../../src/trace/events.js';
import { libwbxml } from '../support/libwbxml.js';

/**
 * The codec against libwbxml2 on every SyncML message of a run, both directions: one flow in each encoding
 * (the reference client speaks XML in approach A, WBXML in approach B), the tester's sessions included, and
 * an HMAC flow whose client declares MaxMsgSize 2048 (packages split over messages without Final, Alert 1222).
 */
const tools = libwbxml();
const bodies: Array<{ seq: string; raw: Buffer; wbxml: boolean }> = [];

beforeAll(async () => {
  const pki = await createPki();
  const runs = [{ id: 'A-partial-temporary' }, { id: 'B-partial-temporary' }, { id: 'A-full-permanent', variation: { clientEncoding: 'wbxml' as const, clientMaxMsgSize: 2048 } }];
  for (const { id, variation } of runs) {
    const flow = await runFlow({ scenario: defaultScenarios().find((s) => s.id === id)!, pki, variation });
    const syncml = (e: TraceEvent) => e.body?.parsed?.codec === 'syncml' && !!e.body.parsed.value && (e.kind === 'request' || e.kind === 'response');
    for (const e of flow.events.filter(syncml)) bodies.push({ seq: `${id} seq ${e.seq}`, raw: Buffer.from(e.body!.raw, e.body!.encoding === 'base64' ? 'base64' : 'utf8'), wbxml: e.body!.parsed!.encoding === 'wbxml' });
  }
}, 60_000);
afterAll(() => tools.cleanup());

describe('every SyncML message of a run', () => {
  test('the run has both encodings, bootstrap and DM sessions alike, and messages without Final', () => {
    expect(bodies.filter((b) => b.wbxml).length).toBeGreaterThan(10);
    expect(bodies.filter((b) => !b.wbxml).length).toBeGreaterThan(10);
    expect(bodies.filter((b) => b.wbxml && !parseSyncML(decodeWbxml(b.raw)).final).length).toBeGreaterThan(0);
  });

  test('WBXML on the wire: wbxml2xml reads it as decodeWbxml does, and xml2wbxml of that decodes back', () => {
    for (const b of bodies.filter((x) => x.wbxml)) {
      const ours = parseSyncML(decodeWbxml(b.raw));
      expect(parseSyncML(tools.wbxml2xml(b.raw)), b.seq).toStrictEqual(ours);
      expect(parseSyncML(decodeWbxml(tools.xml2wbxml(decodeWbxml(b.raw)))), b.seq).toStrictEqual(ours);
    }
  });

  test('XML on the wire: xml2wbxml output decodes to it, and encodeWbxml of it reads back through wbxml2xml', () => {
    for (const b of bodies.filter((x) => !x.wbxml)) {
      const xml = b.raw.toString('utf8');
      const want = parseSyncML(xml);
      expect(parseSyncML(decodeWbxml(tools.xml2wbxml(xml))), b.seq).toStrictEqual(want);
      expect(parseSyncML(tools.wbxml2xml(encodeWbxml(xml))), b.seq).toStrictEqual(want);
    }
  });
});
