import { describe, expect, test } from 'vitest';
import { headerReason, MAX_HEADER_REASON, REASON_HEADER, reasonHeader, refusal, takeReason } from '../../src/transport/reason-header.js';

describe('a refusal reason in a header', () => {
  test.for([
    { name: 'plain ASCII', reason: 'content type must be x', header: 'content type must be x' },
    { name: 'an arrow and a snowman', reason: 'dms2 → bootstrap ☃', header: 'dms2 -> bootstrap ?' },
    { name: 'control characters', reason: 'bad\u0000\u0007\r\nname', header: 'bad????name' },
  ])('$name: printable ASCII', ({ reason, header }) => {
    expect(headerReason(reason)).toBe(header);
  });

  test('a 100 KB reason is cut, and says so', () => {
    const h = headerReason(`unknown element ${'N'.repeat(100_000)}`);
    expect(h).toHaveLength(MAX_HEADER_REASON);
    expect(h.endsWith('...')).toBe(true);
  });

  test('the whole reason, lone surrogates and all, reaches the endpoint; the wire keeps the bounded one', () => {
    const reason = `element ${'é'.repeat(500)} \uD800 → ${'x'.repeat(100_000)}`;
    const res = refusal(400, reason);
    const headers = Object.fromEntries(res.headers.entries());
    expect(takeReason(headers)).toBe(reason.replace('\uD800', '\uFFFD'));
    expect(Object.keys(headers).filter((k) => k.startsWith('x-dmdc-'))).toEqual([REASON_HEADER]);
    expect(headers[REASON_HEADER]).toHaveLength(MAX_HEADER_REASON);
  });

  test('a reason header set some other way is bounded on its way out', () => {
    const headers = { [REASON_HEADER]: 'r'.repeat(1000) };
    expect(takeReason(headers)).toHaveLength(1000);
    expect(headers[REASON_HEADER]).toHaveLength(MAX_HEADER_REASON);
  });

  test('no reason, no header', () => {
    expect(reasonHeader(undefined)).toEqual({});
  });
});
