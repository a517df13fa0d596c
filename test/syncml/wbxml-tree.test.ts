import { describe, expect, test } from 'vitest';
import { runFlow } from '../../src/runner/run-flow.js';
import { defaultScenarios } from '../../src/runner/scenario.js';
import { buildSyncML, parseSyncML } from '../../src/syncml/codec.js';
import type { SyncMLMessage } from '../../src/syncml/model.js';
import { decodeWbxml, encodeWbxml } from '../../src/syncml/wbxml.js';
import { EveryCasePlayed } from '../../src/runner/every-case-played.js';

/**
 * A message of ours is written to WBXML from the tree it was built from, any other text by parsing it: the
 * two give the same bytes, for every SyncML message of a flow in both approaches.
 */
describe('WBXML from the built tree', () => {
  test('the same bytes as from the parsed text, and they decode back to the message', async () => {
    const messages: SyncMLMessage[] = [];
    for (const id of ['A-partial-permanent', 'B-full-temporary']) {
      const flow = await runFlow({ scenario: defaultScenarios(['A', 'B']).find((s) => s.id === id)!, testerPlayed: new EveryCasePlayed() });
      for (const e of flow.events) if (e.body?.parsed?.codec === 'syncml' && e.body.parsed.value) messages.push(e.body.parsed.value as SyncMLMessage);
    }
    expect(messages.length).toBeGreaterThan(20);
    for (const m of messages) {
      const xml = buildSyncML(m);
      const fromTree = encodeWbxml(xml);
      // Another text (a trailing newline) misses both the tree and the encodings kept: it is parsed.
      const fromText = encodeWbxml(`${xml}\n`);
      expect(fromTree.equals(fromText), `${m.hdr.sessionId}/${m.hdr.msgId}`).toBe(true);
      expect(parseSyncML(decodeWbxml(fromTree))).toEqual(parseSyncML(xml));
    }
  });
});
