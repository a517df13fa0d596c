import type { DelegationOrder } from '../../mocks/dms1/mock-dms1.js';
import type { PeerTrust } from '../../mocks/common/env.js';
import type { DeviceRecord, PeerServer, ServerRole } from '../../mocks/common/server-role.js';
import type { Role } from '../model/roles.js';
import type { ReadTree } from '../runner/client-tree.js';
import type { TraceEvent } from '../trace/events.js';

/**
 * One role of a flow, a reference mock or a real implementation alike: what it exposes, how the harness
 * trusts it, how it is started, prepared and closed. Only the adapter knows which of the two it is.
 */
export interface RoleAdapter {
  readonly role: Role;
  readonly mode: 'mock' | 'real';
  /** Its certificate's SHA-256 fingerprint, when the harness knows it (pinned by its peers). */
  readonly fingerprint256?: string;
  /** How the harness verifies its server certificate. */
  readonly trust: PeerTrust;
  /** Listens (a mock); a real implementation is already there. */
  start(): Promise<void>;
  /** Brings it to the flow's initial state: a real one's reset and setup drivers. */
  prepare(): Promise<void>;
  /**
   * Resolves once it sends nothing more unasked (a mock's notifications after an answer): the flow then ends
   * without a window of waiting. Absent: nothing the harness can wait on (a real peer's late messages are
   * caught by the grace window of the mock that receives them).
   */
  settled?(): Promise<void>;
  close(): Promise<void>;
}

export interface DmServerAdapter extends RoleAdapter {
  readonly role: 'dms1' | 'dms2';
  readonly dmUrl: string;
  readonly delegationUrl: string;
  /** Tells it its peer's delegation API; a real server knows its peers from its own configuration. */
  knowPeer(peer: PeerServer): void;
  /** The harness's own DM sessions with the client (tree reads, the probe) run on a mock server only. */
  readonly sessions?: ServerRole;
}

/** How a delegation ended, as DMS-2's DelegationComplete and DMS-1's answer to it show. */
export interface DelegationEnd {
  result?: string;
  reason?: string;
  /** DMS-1 left DelegationComplete unanswered: why. */
  unanswered?: string;
}

export interface Dms1Adapter extends DmServerAdapter {
  readonly role: 'dms1';
  /** Tells it the device and its account; a real DMS-1 has them provisioned. */
  knowDevice(device: DeviceRecord): void;
  /** Starts the delegation and resolves once it ended on the wire. */
  delegate(order: DelegationOrder): Promise<DelegationEnd>;
  /** Makes it start a delegation for the tester and returns at once; what it does is judged from the wire. */
  attempt(order: DelegationOrder): Promise<void>;
}

export interface Dms2Adapter extends DmServerAdapter {
  readonly role: 'dms2';
  /** The Bootstrap Server URL it hands out, where the harness knows it. */
  readonly bootstrapUrl?: string;
  /** Points it at a stand-alone Bootstrap Server. */
  useBootstrap(server: { orderUrl: string; bootstrapUrl: string; fingerprint256?: string }): void;
}

export interface BootstrapAdapter extends RoleAdapter {
  readonly role: 'bootstrap';
  readonly bootstrapUrl: string;
  readonly orderUrl: string;
  /** Tells it the DMS-2 that orders bootstraps: its ServerID and, when known, its pinned certificate. */
  knowPeer(peer: { serverId: string; fingerprint256?: string }): void;
}

export interface ClientAdapter extends RoleAdapter {
  readonly role: 'client';
  /** Its Package #0 endpoint, when it has one. */
  readonly pushUrl?: string;
  /** How a server hands it a Package #0 other than over HTTPS (a trigger driver). */
  deliverer(serverId: string): ((pkg0: Buffer) => Promise<void>) | undefined;
  /** Resolves once it has finished every session it was asked to open. */
  idle(): Promise<void>;
  /**
   * Resolves once it has reacted to what the tester sent: a mock when it is idle; a real one at the first
   * event `until` matches, or when `budgetMs` of silence are over. Says which.
   */
  reacted(until: (e: TraceEvent) => boolean, budgetMs: number): Promise<string>;
  /**
   * Its DM tree now: its own (a mock), or read over the protocol by `readers`, or by its driver; undefined
   * when the harness has no way to read it, or when the test bed failed (`afterError`) and a read would ask
   * more of the implementation.
   */
  readTree(readers: ServerRole[], what: string, o?: { afterError?: boolean }): Promise<ReadTree | undefined>;
}
