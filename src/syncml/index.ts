export type * from './model.js';
export { ALERT, STATUS, isValidAlertCode, type AlertCode, type StatusCode } from './codes.js';
export { SyncMLError, parseSyncML, buildSyncML, describeCommand, type SyncMLErrorCode } from './codec.js';
export {
  AUTH_BASIC, AUTH_MD5, basicCred, md5Digest, md5Cred, verifyCred, newNonce, type ExpectedCred, type CredCheck,
} from './auth.js';
export {
  NotificationError, NOTIFICATION_VERSION, encodeNotification, decodeNotification, verifyNotification,
  sessionIdHex, type Notification, type DecodedNotification, type NotificationSecret, type UiMode,
} from './notification.js';
export { credFields, devInfoReplace, package1, type DevInfo } from './package1.js';
