/** Alert codes valid in OMA DM (DM 1.2.1 RepPro §4.2). */
export const ALERT = {
  DISPLAY: '1100',
  CONFIRM_OR_REJECT: '1101',
  TEXT_INPUT: '1102',
  SINGLE_CHOICE: '1103',
  MULTIPLE_CHOICE: '1104',
  SERVER_INITIATED_MGMT: '1200',
  CLIENT_INITIATED_MGMT: '1201',
  NEXT_MESSAGE: '1222',
  SESSION_ABORT: '1223',
  CLIENT_EVENT: '1224',
  NO_END_OF_DATA: '1225',
  GENERIC_ALERT: '1226',
} as const;

export type AlertCode = (typeof ALERT)[keyof typeof ALERT];

/** Status codes used by DM commands (DM 1.2.1 RepPro; 400 as used by Windows clients). */
export const STATUS = {
  OK: '200',
  ACCEPTED: '202',
  AUTH_ACCEPTED: '212',
  CHUNKED_ITEM_ACCEPTED: '213',
  OPERATION_CANCELLED: '214',
  NOT_EXECUTED: '215',
  ATOMIC_ROLLBACK_OK: '216',
  BAD_REQUEST: '400',
  UNAUTHORIZED: '401',
  FORBIDDEN: '403',
  NOT_FOUND: '404',
  NOT_ALLOWED: '405',
  OPTIONAL_FEATURE_NOT_SUPPORTED: '406',
  MISSING_CREDENTIALS: '407',
  REQUEST_TIMEOUT: '408',
  INCOMPLETE_COMMAND: '412',
  REQUEST_ENTITY_TOO_LARGE: '413',
  URI_TOO_LONG: '414',
  UNSUPPORTED_MEDIA_TYPE: '415',
  REQUESTED_RANGE_NOT_SATISFIABLE: '416',
  ALREADY_EXISTS: '418',
  DEVICE_FULL: '420',
  SIZE_MISMATCH: '424',
  PERMISSION_DENIED: '425',
  COMMAND_FAILED: '500',
  ATOMIC_FAILED: '507',
  DATA_STORE_FAILURE: '510',
  ATOMIC_ROLLBACK_FAILED: '516',
  ATOMIC_RESPONSE_TOO_LARGE: '517',
} as const;

export type StatusCode = (typeof STATUS)[keyof typeof STATUS];

const ALERT_CODES: ReadonlySet<string> = new Set(Object.values(ALERT));

/** True only for the alert codes OMA DM defines; exact string match (no padding, no other SyncML DS codes). */
export function isValidAlertCode(code: string): code is AlertCode {
  return ALERT_CODES.has(code);
}
