/**
 * DMS↔DMS message vocabulary of binding profile v1 (provenance `profile`): the spec's XML schema could not be
 * read, so the names are ours; the data items are those of the IANA registration of
 * application/vnd.dm.delegation+xml. docs/binding-profile.md documents the XML form of each message.
 */
import type { DmAccount } from '../model/account.js';

/** Delegation session id, 1–64 characters of `[A-Za-z0-9._-]`; correlates the DMS↔DMS messages of one delegation. */
export type SessionId = string;

/** Device identity as DevInfo reports it (IANA: Device Identifier, Manufacturer, Model). */
export interface DeviceIdentity {
  devId: string;
  man: string;
  mod: string;
}

export type DelegationScope = 'full' | 'partial';
export type DelegationDuration = 'temporary' | 'permanent';

/** The two orthogonal axes of the delegation type (patent claims 4–6). */
export interface DelegationType {
  scope: DelegationScope;
  duration: DelegationDuration;
}

/** A: DMS-1 provisions DMS-2's account itself (spec §5.2.1); B: Bootstrap Server URL (spec §5.2.2). */
export type Approach = 'A' | 'B';

export interface DelegationInitiationRequest {
  type: 'DelegationInitiationRequest';
  sessionId: SessionId;
  delegatorServerId: string;
  delegateeServerId: string;
  device: DeviceIdentity;
  delegationType: DelegationType;
  /** DM URIs of the delegated subtrees (e.g. `./Vendor/Apps`); at least one when the scope is partial. */
  subtrees: string[];
  approach: Approach;
}

export interface DelegationInitiationResponse {
  type: 'DelegationInitiationResponse';
  sessionId: SessionId;
  accepted: boolean;
  reason?: string;
}

/** Approach B step 3, request half. */
export interface BootstrapServerUrlRequest {
  type: 'BootstrapServerUrlRequest';
  sessionId: SessionId;
}

/** Approach B step 3, response half. */
export interface BootstrapServerUrlResponse {
  type: 'BootstrapServerUrlResponse';
  sessionId: SessionId;
  /** Absolute https URI the client requests its bootstrap from. */
  url: string;
}

/** Approach A step 3 (reconstructed), request half. */
export interface AccountRequest {
  type: 'AccountRequest';
  sessionId: SessionId;
}

/** Approach A step 3 (reconstructed), response half: the account DMS-1 adds to the client. */
export interface AccountResponse {
  type: 'AccountResponse';
  sessionId: SessionId;
  account: DmAccount;
}

/** DMS-2 → stand-alone Bootstrap Server: which device to bootstrap with which account (profile-only message). */
export interface BootstrapOrder {
  type: 'BootstrapOrder';
  sessionId: SessionId;
  device: DeviceIdentity;
  account: DmAccount;
}

/** DMS-2 → DMS-1, approach B step 7. */
export interface BootstrapComplete {
  type: 'BootstrapComplete';
  sessionId: SessionId;
}

/** DMS-1 → DMS-2: the client is prepared (approach B step 9, approach A step 6). */
export interface ClientPrepared {
  type: 'ClientPrepared';
  sessionId: SessionId;
}

/** DMS-2 → DMS-1: the delegation is over (approach B step 10, approach A step 8). */
export interface DelegationComplete {
  type: 'DelegationComplete';
  sessionId: SessionId;
  result: 'success' | 'failure';
  reason?: string;
}

/** Messages sent as their own POST and answered by an Ack. */
export type NotificationType = 'BootstrapComplete' | 'ClientPrepared' | 'DelegationComplete' | 'BootstrapOrder';

/** Synchronous HTTP 200 reply to a notification. */
export interface Ack {
  type: 'Ack';
  sessionId: SessionId;
  of: NotificationType;
}

export type ErrorCode =
  | 'MALFORMED'
  | 'INVALID'
  | 'UNKNOWN_SESSION'
  | 'OUT_OF_ORDER'
  | 'UNSUPPORTED'
  | 'REJECTED'
  | 'INTERNAL';

/** Error reply; sessionId is absent when the request could not be read far enough to know it. */
export interface DelegationError {
  type: 'Error';
  sessionId?: SessionId;
  code: ErrorCode;
  reason: string;
}

export type DelegationMessage =
  | DelegationInitiationRequest
  | DelegationInitiationResponse
  | BootstrapServerUrlRequest
  | BootstrapServerUrlResponse
  | AccountRequest
  | AccountResponse
  | BootstrapOrder
  | BootstrapComplete
  | ClientPrepared
  | DelegationComplete
  | Ack
  | DelegationError;

export type DelegationMessageType = DelegationMessage['type'];

/** Every message type, in the order docs/binding-profile.md lists them. */
export const MESSAGE_TYPES = [
  'DelegationInitiationRequest',
  'DelegationInitiationResponse',
  'BootstrapServerUrlRequest',
  'BootstrapServerUrlResponse',
  'AccountRequest',
  'AccountResponse',
  'BootstrapOrder',
  'BootstrapComplete',
  'ClientPrepared',
  'DelegationComplete',
  'Ack',
  'Error',
] as const satisfies readonly DelegationMessageType[];

export const NOTIFICATION_TYPES = [
  'BootstrapComplete',
  'ClientPrepared',
  'DelegationComplete',
  'BootstrapOrder',
] as const satisfies readonly NotificationType[];

export const ERROR_CODES = [
  'MALFORMED',
  'INVALID',
  'UNKNOWN_SESSION',
  'OUT_OF_ORDER',
  'UNSUPPORTED',
  'REJECTED',
  'INTERNAL',
] as const satisfies readonly ErrorCode[];

/** Narrows a message to one type. */
export type MessageOf<T extends DelegationMessageType> = Extract<DelegationMessage, { type: T }>;
