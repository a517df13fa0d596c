import { describe, expect, test } from 'vitest';
import { MEDIA } from '../../src/profile.js';
import { LEGACY_SYNCML, parseMediaType, sameMediaType } from '../../src/transport/media-type.js';

describe('parseMediaType', () => {
  test('type and subtype, lower-cased', () => {
    const p = parseMediaType('Application/VND.DM.Delegation+XML');
    expect(p).toEqual({ ok: true, media: { type: 'application', subtype: 'vnd.dm.delegation+xml', essence: 'application/vnd.dm.delegation+xml', parameters: {} } });
  });

  test('parameters: token and quoted values, whitespace, names case-insensitive, first wins', () => {
    const p = parseMediaType(' application/vnd.syncml.dm+xml ;\tCharSet=UTF-8;  x="a \\"b\\"; c" ; x=later ;; ');
    expect(p.ok && p.media.parameters).toEqual({ charset: 'UTF-8', x: 'a "b"; c' });
  });

  test.for([
    ['', 'no media type'],
    ['   ', 'no media type'],
    ['application', "expected '/'"],
    ['application/', 'expected a subtype'],
    ['/xml', 'expected a type'],
    ['application /xml', "expected '/'"],
    ['application/xml charset=utf-8', "expected ';'"],
    ['application/xml; charset', "expected '='"],
    ['application/xml; charset=', 'expected a parameter value'],
    ['application/xml; charset = utf-8', "expected '='"],
    ['application/xml; q="open', 'unterminated quoted string'],
    ['application/xml, text/plain', "expected ';'"],
    ['text/plain; =x', 'expected a parameter name'],
    ['applicätion/xml', "expected '/'"],
  ] as const)('%j is refused (%s)', ([header, why]) => {
    const p = parseMediaType(header);
    expect(p.ok).toBe(false);
    expect(!p.ok && p.reason).toContain(why);
  });

  test('absent header', () => {
    expect(parseMediaType(undefined).ok).toBe(false);
    expect(parseMediaType(null).ok).toBe(false);
  });
});

describe('sameMediaType', () => {
  test.for([
    [MEDIA.delegation, MEDIA.delegation],
    ['APPLICATION/VND.DM.DELEGATION+XML', MEDIA.delegation],
    [`${MEDIA.delegation}; charset=utf-8`, MEDIA.delegation],
    [`${MEDIA.delegation};charset="UTF-8"`, MEDIA.delegation],
    [`  ${MEDIA.syncml}  `, MEDIA.syncml],
    [MEDIA.notification, MEDIA.notification],
  ] as const)('%j is %s', ([header, expected]) => {
    expect(sameMediaType(header, expected)).toBe(true);
  });

  test.for([
    [`${MEDIA.delegation}x`, MEDIA.delegation],
    ['application/vnd.dm.delegation+xmlx', MEDIA.delegation],
    ['application/vnd.dm.delegation', MEDIA.delegation],
    ['application/xml', MEDIA.delegation],
    [LEGACY_SYNCML, MEDIA.syncml],
    ['application/vnd.syncml.dm+wbxml', MEDIA.syncml],
    [`${MEDIA.syncml}, ${MEDIA.syncml}`, MEDIA.syncml],
    [`${MEDIA.syncml}; charset`, MEDIA.syncml],
    ['', MEDIA.syncml],
    ['garbage', MEDIA.syncml],
    ['application/vnd.syncml.notificationx', MEDIA.notification],
  ] as const)('%j is not %s', ([header, expected]) => {
    expect(sameMediaType(header, expected)).toBe(false);
  });

  test('absent header matches nothing', () => {
    expect(sameMediaType(undefined, MEDIA.syncml)).toBe(false);
  });
});
