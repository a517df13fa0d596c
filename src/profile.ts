/**
 * Binding profile v1: the harness's choices where the spec text is unavailable (provenance `profile`).
 * Every value here is documented in docs/binding-profile.md; a real implementation may override them
 * through the run configuration.
 */
/** The binding profile's revision: what dmdc judges against (docs/binding-profile.md). */
export const PROFILE_VERSION = '1.1';
/** The DMS↔DMS vocabulary's version, in every document's `version` and namespace; a profile revision that changes nothing on the wire keeps it. */
export const WIRE_VERSION = '1.0';

export const MEDIA = {
  syncml: 'application/vnd.syncml.dm+xml',
  /** SyncML DM in WBXML, as most devices in the field speak it (DM 1.2.1 Representation Protocol). */
  syncmlWbxml: 'application/vnd.syncml.dm+wbxml',
  delegation: 'application/vnd.dm.delegation+xml',
  notification: 'application/vnd.syncml.notification',
} as const;

/** HTTP paths each role serves. */
export const PATHS = {
  /** SyncML DM endpoint of a DM server (DMS-1, DMS-2). */
  dm: '/dm',
  /** Delegation API of a DM server (DMS↔DMS, mutual TLS). */
  delegation: '/delegation',
  /** Bootstrap request endpoint of the Bootstrap Server. */
  bootstrap: '/bootstrap',
  /** Bootstrap order endpoint of a stand-alone Bootstrap Server (DMS-2 → BS, mutual TLS). */
  bootstrapOrder: '/bootstrap-order',
  /** Package #0 push endpoint of the DM Client. */
  push: '/push',
} as const;

/**
 * Where a client keeps its accounts and its Bootstrap Config MO: facts of the device's DDF, which a run
 * configuration may state (`device.treeLayout`); TREE is the binding profile's default (provenance `profile`).
 */
export interface TreeLayout {
  /** Interior node whose children are the DMAcc accounts `<X>`. */
  readonly dmAccRoot: string;
  /** Interior node whose children are the Bootstrap Config MO entries. */
  readonly bootConfigRoot: string;
  /** Leaf under `<bootConfigRoot>/<X>/` holding the Bootstrap Server URL. */
  readonly bootConfigUrlLeaf: string;
}

/** Where accounts and the Bootstrap Config MO live in the client's tree (unknown DDF: profile defaults). */
export const TREE = {
  dmAccRoot: './DMAcc',
  devInfoRoot: './DevInfo',
  bootConfigRoot: './BootConfig',
  /** Leaf under `<bootConfigRoot>/<X>/` holding the Bootstrap Server URL. */
  bootConfigUrlLeaf: 'URL',
} as const satisfies TreeLayout & { devInfoRoot: string };

/** Largest request body any mock accepts (413 above it). */
export const MAX_BODY_BYTES = 256 * 1024;

/** SyncML header defaults (DM 1.2 DTD, as the 1.3 release ships). */
export const SYNCML = { verDTD: '1.2', verProto: 'DM/1.2' } as const;
