/**
 * Typed view of a SyncML DM message (DM 1.2.1 RepPro). Every value stays a string, exactly as carried on
 * the wire, so that `1.2`, `0030` or `true` are never reinterpreted. Optional fields are absent, never
 * `undefined`, after parsing.
 */

/** MetInf fields the harness uses (`xmlns="syncml:metinf"` children of Meta). */
export interface Meta {
  format?: string;
  type?: string;
  nextNonce?: string;
  maxMsgSize?: string;
  maxObjSize?: string;
  mark?: string;
}

/** Credentials; only allowed in SyncHdr. meta.type 'syncml:auth-basic' | 'syncml:auth-md5', meta.format 'b64'. */
export interface Cred {
  meta: Meta;
  data: string;
}

export interface Item {
  target?: string;
  source?: string;
  /** Source/LocName. */
  sourceName?: string;
  meta?: Meta;
  data?: string;
}

export interface SyncHdr {
  verDTD: string;
  verProto: string;
  sessionId: string;
  msgId: string;
  /** Target/LocURI. */
  target: string;
  /** Source/LocURI. */
  source: string;
  /** Source/LocName (the user name for syncml:auth-md5). */
  sourceName?: string;
  respUri?: string;
  cred?: Cred;
  meta?: Meta;
}

export type ItemCommandKind = 'Add' | 'Replace' | 'Delete' | 'Get' | 'Exec' | 'Copy';

export interface ItemCommand {
  kind: ItemCommandKind;
  cmdId: string;
  meta?: Meta;
  items: Item[];
  /** Present (true) only when the message carries `<NoResp/>`. */
  noResp?: boolean;
}

export interface AlertCommand {
  kind: 'Alert';
  cmdId: string;
  /** The alert code, e.g. '1200'. */
  data: string;
  items: Item[];
}

export interface ContainerCommand {
  kind: 'Atomic' | 'Sequence';
  cmdId: string;
  commands: Command[];
}

export interface StatusCommand {
  kind: 'Status';
  cmdId: string;
  msgRef: string;
  /** '0' refers to the SyncHdr. */
  cmdRef: string;
  /** Name of the referenced command, or 'SyncHdr'. */
  cmd: string;
  targetRefs: string[];
  sourceRefs: string[];
  /** The status code, e.g. '200'. */
  data: string;
  /** Chal/Meta: the authentication challenge (Type, Format, NextNonce). */
  chal?: Meta;
  items: Item[];
}

export interface ResultsCommand {
  kind: 'Results';
  cmdId: string;
  msgRef: string;
  cmdRef: string;
  meta?: Meta;
  items: Item[];
}

export type Command = ItemCommand | AlertCommand | ContainerCommand | StatusCommand | ResultsCommand;

export interface SyncMLMessage {
  hdr: SyncHdr;
  /** Commands in document order. */
  body: Command[];
  /** `<Final/>`: last message of a package. */
  final: boolean;
}
