import { describe, test, expect } from 'vitest';
import { ALERT, STATUS, isValidAlertCode } from '../../src/syncml/codes.js';

describe('ALERT and isValidAlertCode', () => {
  test('the twelve DM alert codes are valid', () => {
    expect(Object.values(ALERT)).toEqual([
      '1100', '1101', '1102', '1103', '1104', '1200', '1201', '1222', '1223', '1224', '1225', '1226',
    ]);
    for (const code of Object.values(ALERT)) expect(isValidAlertCode(code)).toBe(true);
  });

  test.each(['1105', '1202', '1221', '1227', '200', '01200', ' 1200', '1200 ', ''])(
    '%j is not a DM alert code',
    (code) => {
      expect(isValidAlertCode(code)).toBe(false);
    },
  );
});

describe('STATUS', () => {
  test('codes are distinct three-digit strings', () => {
    const values = Object.values(STATUS);
    expect(values).toHaveLength(29);
    expect(new Set(values).size).toBe(values.length);
    for (const v of values) expect(v).toMatch(/^[245]\d\d$/);
  });

  test('names map to the RepPro codes', () => {
    expect(STATUS).toMatchObject({
      OK: '200', AUTH_ACCEPTED: '212', UNAUTHORIZED: '401', MISSING_CREDENTIALS: '407', ALREADY_EXISTS: '418',
      PERMISSION_DENIED: '425', COMMAND_FAILED: '500', ATOMIC_FAILED: '507', ATOMIC_RESPONSE_TOO_LARGE: '517',
    });
  });
});
