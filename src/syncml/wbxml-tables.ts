/**
 * WBXML tokens for SyncML DM 1.2 messages: the global tokens of WBXML 1.3 §7.1 and the two code pages a DM
 * message uses, SyncML 1.2 (page 0) and MetInf 1.2 (page 1). Tag values are copied from libwbxml 0.11.8,
 * src/wbxml_tables.c (`sv_syncml_syncml12_tag_table`, `sv_syncml_metinf12_tag_table`, and the public id in
 * src/wbxml_tables.h), github.com/libwbxml/libwbxml tag libwbxml-0.11.8. DevInf is left out: DM carries
 * device information as tree nodes (./DevInfo), not as an inline DevInf document.
 */

/** Global tokens, valid on every code page. */
export const TOKEN = {
  SWITCH_PAGE: 0x00, END: 0x01, ENTITY: 0x02, STR_I: 0x03, LITERAL: 0x04,
  EXT_I_0: 0x40, EXT_I_1: 0x41, EXT_I_2: 0x42, PI: 0x43, LITERAL_C: 0x44,
  EXT_T_0: 0x80, EXT_T_1: 0x81, EXT_T_2: 0x82, STR_T: 0x83, LITERAL_A: 0x84,
  EXT_0: 0xc0, EXT_1: 0xc1, EXT_2: 0xc2, OPAQUE: 0xc3, LITERAL_AC: 0xc4,
} as const;

/** Tag byte flags (WBXML 1.3 §5.8.2). */
export const TAG_HAS_CONTENT = 0x40;
export const TAG_HAS_ATTRIBUTES = 0x80;
export const TAG_ID_MASK = 0x3f;

export const WBXML_VERSION_1_2 = 0x02;
/** IANA MIBenum of UTF-8. */
export const CHARSET_UTF8 = 106;
export const SYNCML12_PUBLIC_ID = 0x1201;
/** The formal public identifier, for documents that carry it in the string table instead. */
export const SYNCML12_FPI = '-//SYNCML//DTD SyncML 1.2//EN';

export interface CodePage {
  page: number;
  namespace: string;
  tags: Readonly<Record<string, number>>;
}

export const SYNCML12_PAGE: CodePage = {
  page: 0,
  namespace: 'SYNCML:SYNCML1.2',
  tags: {
    Add: 0x05, Alert: 0x06, Archive: 0x07, Atomic: 0x08, Chal: 0x09, Cmd: 0x0a, CmdID: 0x0b, CmdRef: 0x0c,
    Copy: 0x0d, Cred: 0x0e, Data: 0x0f, Delete: 0x10, Exec: 0x11, Final: 0x12, Get: 0x13, Item: 0x14,
    Lang: 0x15, LocName: 0x16, LocURI: 0x17, Map: 0x18, MapItem: 0x19, Meta: 0x1a, MsgID: 0x1b, MsgRef: 0x1c,
    NoResp: 0x1d, NoResults: 0x1e, Put: 0x1f, Replace: 0x20, RespURI: 0x21, Results: 0x22, Search: 0x23,
    Sequence: 0x24, SessionID: 0x25, SftDel: 0x26, Source: 0x27, SourceRef: 0x28, Status: 0x29, Sync: 0x2a,
    SyncBody: 0x2b, SyncHdr: 0x2c, SyncML: 0x2d, Target: 0x2e, TargetRef: 0x2f,
    // 0x30 is reserved.
    VerDTD: 0x31, VerProto: 0x32, NumberOfChanges: 0x33, MoreData: 0x34, Field: 0x35, Filter: 0x36,
    Record: 0x37, FilterType: 0x38, SourceParent: 0x39, TargetParent: 0x3a, Move: 0x3b, Correlator: 0x3c,
  },
};

export const METINF12_PAGE: CodePage = {
  page: 1,
  namespace: 'syncml:metinf',
  tags: {
    Anchor: 0x05, EMI: 0x06, Format: 0x07, FreeID: 0x08, FreeMem: 0x09, Last: 0x0a, Mark: 0x0b,
    MaxMsgSize: 0x0c, Mem: 0x0d, MetInf: 0x0e, Next: 0x0f, NextNonce: 0x10, SharedMem: 0x11, Size: 0x12,
    Type: 0x13, Version: 0x14, MaxObjSize: 0x15, FieldLevel: 0x16,
  },
};

export const SYNCML12_PAGES: readonly CodePage[] = [SYNCML12_PAGE, METINF12_PAGE];
