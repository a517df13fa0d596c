import { add, aclUri, replace, statusOf } from '../../src/dm/commands.js';
import type { SessionScript } from '../../src/dm/server-session.js';
import type { Approach, DelegationMessage, DelegationType } from '../../src/delegation/messages.js';
import type { DmAccount } from '../../src/model/account.js';
import { TREE, type TreeLayout } from '../../src/profile.js';
import { accountNodeName, accountNodes } from '../../src/tree/dmacc.js';
import { bootConfigEntryNodes } from '../../src/tree/bootconfig.js';
import { DelegationRefusal } from '../common/delegation-api.js';
import { withBudget } from '../../src/trace/recorder.js';
import { expectType, ServerRole, type PeerServer, type ServerRoleOptions } from '../common/server-role.js';
import { aclUpdateScript, grantAll, handOver, type AclUpdatePlan } from './acl-update.js';

export interface DelegationOrder {
  sessionId: string;
  devId: string;
  /** ServerID of the DMS-2 to delegate to (a known peer). */
  delegatee: string;
  approach: Approach;
  delegationType: DelegationType;
  /** Delegated subtrees for a partial delegation; a full one delegates every managed subtree. */
  subtrees?: string[];
  /** Optional step B.8b / A.5: delete DMS-1's own account (permanent delegations only). */
  removeAccount: boolean;
}

/** Deliberate deviations, for mutants only. */
export interface Dms1Quirks {
  /** Never answer this delegation message (DMS-1 goes silent). */
  silentOn?: 'BootstrapComplete' | 'DelegationComplete';
  skipAclUpdate?: boolean;
  /** Send ClientPrepared before updating the ACLs (B.9 before B.8). */
  preparedBeforeAcl?: boolean;
  /** Update the ACLs before DMS-2 reported the bootstrap complete (B.8 before B.7). */
  aclBeforeBootstrapComplete?: boolean;
  /** Remove the account even in a temporary delegation. */
  alwaysRemoveAccount?: boolean;
  rewriteAcl?: AclUpdatePlan['rewrite'];
  /** Put this ServerID in the ACLs instead of DMS-2's. */
  wrongDelegatee?: string;
  /** Keep the account even in a permanent delegation that should remove it. */
  neverRemoveAccount?: boolean;
  /** Approach A: do not add DMS-2's account to the client. */
  skipAccountAdd?: boolean;
  /** Send a schema-invalid initiation request first, then the right one. */
  sendMalformedFirst?: boolean;
  /** A full delegation sent with no Subtree (profile §3.4 allows it: all of DMS-1's authority). */
  emptySubtreeList?: boolean;
  /** Answer BootstrapComplete with an Ack naming another message. */
  ackWrongType?: boolean;
  /** Delete the own account before the ACL updates instead of last. */
  removeAccountFirst?: boolean;
  /** Rewrite the ACL text after it was built (e.g. make it invalid). */
  aclText?: (acl: string) => string;
  /** Grant DMS-2 every ACL command on the delegated subtrees, whatever DMS-1 held there. */
  grantAllCommands?: boolean;
  /** Keep its own rights on the delegated subtrees in a permanent delegation. */
  keepRightsInPermanent?: boolean;
  /** Approach A: leave DMS-2's new account with the ACL it inherits. */
  skipAccountAcl?: boolean;
  /** Also rewrite the ACLs of these subtrees, which are not delegated. */
  aclAlsoOn?: string[];
}

export interface Dms1Options extends Omit<ServerRoleOptions, 'role'> {
  /** Subtrees DMS-1 manages on its devices (what a full delegation hands over). */
  managedSubtrees: string[];
  /** Where DMS-1's own account sits on the client. */
  ownAccountPath: string;
  /** Budget to wait for DMS-2's notifications. */
  notificationBudgetMs: number;
  /**
   * How long the delegation endpoint stays open after the DelegationComplete DMS-1 acknowledged, so a late
   * or repeated message of that delegation is still answered and recorded (binding profile §2.2).
   */
  graceMs?: number;
  quirks?: Dms1Quirks;
}

export const DEFAULT_GRACE_MS = 150;

interface Pending {
  order: DelegationOrder;
  state: 'initiated' | 'awaiting-bootstrap-complete' | 'updating' | 'prepared' | 'complete';
  bootstrapComplete: Deferred<void>;
  delegationComplete: Deferred<Extract<DelegationMessage, { type: 'DelegationComplete' }>>;
  /** Notifications acknowledged so far: each is taken once per delegation. */
  acknowledged: Set<string>;
}

/** The reference DMS-1: starts a delegation and prepares the client, for approach A or B. */
export class MockDms1 extends ServerRole {
  private readonly pending = new Map<string, Pending>();
  /** When DMS-1 last acknowledged a DelegationComplete (performance.now()); the grace window runs from it. */
  private completedAt?: number;

  constructor(readonly options: Dms1Options) {
    super({ ...options, role: 'dms1' });
  }

  /** Whether a delegation with this SessionId is under way. */
  isPending(sessionId: string): boolean {
    return this.pending.has(sessionId);
  }

  /** Forgets every delegation under way (one still running ends on its own budget). */
  reset(): void {
    this.dm.forgetNonces();
    this.pending.clear();
  }

  /** Closes once the grace window after the last acknowledged DelegationComplete has passed. */
  async close(): Promise<void> {
    const left = this.completedAt === undefined ? 0 : this.completedAt + (this.options.graceMs ?? DEFAULT_GRACE_MS) - performance.now();
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
    await super.close();
  }

  /** Runs one delegation to its end: resolves with DMS-2's DelegationComplete. */
  async delegate(order: DelegationOrder): Promise<Extract<DelegationMessage, { type: 'DelegationComplete' }>> {
    const q = this.options.quirks ?? {};
    const peer = [...this.peers.values()].find((p) => p.serverId === order.delegatee);
    if (!peer) throw new Error(`dms1: no contract with ${order.delegatee}`);
    const device = this.devices.get(order.devId);
    if (!device) throw new Error(`dms1: unknown device ${order.devId}`);
    const subtrees = order.delegationType.scope === 'full' ? this.options.managedSubtrees : (order.subtrees ?? []);
    const p: Pending = { order, state: 'initiated', bootstrapComplete: deferred(), delegationComplete: deferred(), acknowledged: new Set() };
    this.pending.set(order.sessionId, p);

    if (q.sendMalformedFirst) {
      await this.callRaw(peer, `<?xml version="1.0"?><Delegation xmlns="urn:dmdc:delegation:1.0" version="1.0"><DelegationInitiationRequest><SessionId>${order.sessionId}</SessionId></DelegationInitiationRequest></Delegation>`).catch(() => undefined);
    }
    // Step 2: Delegation Initiation Request.
    const answer = expectType(
      await this.call(peer, {
        type: 'DelegationInitiationRequest',
        sessionId: order.sessionId,
        delegatorServerId: this.o.serverId,
        delegateeServerId: peer.serverId,
        device: { devId: device.devId, man: device.man, mod: device.mod },
        delegationType: order.delegationType,
        subtrees: q.emptySubtreeList && order.delegationType.scope === 'full' ? [] : subtrees,
        approach: order.approach,
      }),
      'DelegationInitiationResponse',
    );
    if (!answer.accepted) throw new Error(`dms2 rejected the delegation: ${answer.reason ?? 'no reason'}`);

    const removeAccount = ((order.removeAccount && order.delegationType.duration === 'permanent') || !!q.alwaysRemoveAccount) && !q.neverRemoveAccount;
    const plan: AclUpdatePlan = {
      subtrees: [...subtrees, ...(q.aclAlsoOn ?? [])],
      delegator: this.o.serverId,
      delegatee: q.wrongDelegatee ?? peer.serverId,
      removeAccountPath: removeAccount ? this.options.ownAccountPath : undefined,
      rewrite: q.rewriteAcl ?? (q.grantAllCommands ? grantAll : order.delegationType.duration === 'permanent' && !q.keepRightsInPermanent ? handOver : undefined),
      text: q.aclText,
      removeFirst: q.removeAccountFirst,
    };

    if (order.approach === 'B') await this.approachB(p, peer, plan);
    else await this.approachA(p, peer, plan);

    const done = await withBudget(p.delegationComplete.promise, this.options.notificationBudgetMs, 'DelegationComplete from DMS-2');
    p.state = 'complete';
    return done;
  }

  private async approachB(p: Pending, peer: PeerServer, plan: AclUpdatePlan): Promise<void> {
    const q = this.options.quirks ?? {};
    const sid = p.order.sessionId;
    // Step 3: ask DMS-2 for its Bootstrap Server URL.
    const { url } = expectType(await this.call(peer, { type: 'BootstrapServerUrlRequest', sessionId: sid }), 'BootstrapServerUrlResponse');
    // Step 4: give the URL to the client as a new Bootstrap Config MO entry.
    p.state = 'awaiting-bootstrap-complete';
    await this.trigger(p.order.devId, bootConfigScript(`Deleg-${sid}`, url, this.options.env.treeLayout));
    if (q.aclBeforeBootstrapComplete) await this.updateAcls(p, plan);
    // Step 7 comes from DMS-2 once the client is bootstrapped and has had its session (steps 5, 6).
    await withBudget(p.bootstrapComplete.promise, this.options.notificationBudgetMs, 'BootstrapComplete from DMS-2');
    if (q.preparedBeforeAcl) await this.prepared(p, peer);
    // Steps 8 and 8b.
    if (!q.aclBeforeBootstrapComplete) await this.updateAcls(p, plan);
    // Step 9.
    if (!q.preparedBeforeAcl) await this.prepared(p, peer);
  }

  private async approachA(p: Pending, peer: PeerServer, plan: AclUpdatePlan): Promise<void> {
    const q = this.options.quirks ?? {};
    const sid = p.order.sessionId;
    // Step 3 (reconstructed): DMS-2's account data.
    const { account } = expectType(await this.call(peer, { type: 'AccountRequest', sessionId: sid }), 'AccountResponse');
    p.state = 'updating';
    if (q.preparedBeforeAcl) await this.prepared(p, peer);
    // Steps 4 and 5: add DMS-2's account, update the ACLs, optionally remove our own account, in one session.
    await this.trigger(p.order.devId, accountScript(account, plan, !!q.skipAclUpdate, !!q.skipAccountAdd, !!q.skipAccountAcl, this.options.env.treeLayout?.dmAccRoot));
    // Step 6.
    if (!q.preparedBeforeAcl) await this.prepared(p, peer);
  }

  private async updateAcls(p: Pending, plan: AclUpdatePlan): Promise<void> {
    p.state = 'updating';
    if (this.options.quirks?.skipAclUpdate && !plan.removeAccountPath) return;
    await this.trigger(p.order.devId, aclUpdateScript(this.options.quirks?.skipAclUpdate ? { ...plan, subtrees: [] } : plan));
  }

  private async prepared(p: Pending, peer: PeerServer): Promise<void> {
    p.state = 'prepared';
    expectType(await this.call(peer, { type: 'ClientPrepared', sessionId: p.order.sessionId }), 'Ack');
  }

  protected async onDelegation(m: DelegationMessage): Promise<DelegationMessage> {
    // Binding profile §2.2: a message DMS-1 never takes is refused as such, whatever its SessionId.
    if (m.type !== 'BootstrapComplete' && m.type !== 'DelegationComplete') throw new DelegationRefusal('UNSUPPORTED', `DMS-1 does not take ${m.type}`, 'sessionId' in m ? m.sessionId : undefined);
    if (!m.sessionId) throw new DelegationRefusal('INVALID', `${m.type} carries no SessionId`);
    const p = this.pending.get(m.sessionId);
    if (!p) throw new DelegationRefusal('UNKNOWN_SESSION', `no delegation with SessionId ${m.sessionId}`, m.sessionId);
    // Binding profile §2.2: a copy of a request already accepted in this delegation is a duplicate.
    if (p.acknowledged.has(m.type)) throw new DelegationRefusal('OUT_OF_ORDER', `${m.type} again: already acknowledged in this delegation`, m.sessionId);
    const answer = this.answerDelegation(m, p);
    // Silent only once the message took effect: what the peer then does is judged, not a refusal.
    return this.options.quirks?.silentOn === m.type ? new Promise<never>(() => {}) : answer;
  }

  private answerDelegation(m: Extract<DelegationMessage, { type: 'BootstrapComplete' | 'DelegationComplete' }>, p: Pending): DelegationMessage {
    switch (m.type) {
      case 'BootstrapComplete':
        if (p.order.approach !== 'B') throw new DelegationRefusal('OUT_OF_ORDER', 'BootstrapComplete in an approach A delegation', m.sessionId);
        // Accepted until DMS-1 reports the client prepared; what came when is judged from the trace.
        if (p.state === 'initiated' || p.state === 'prepared' || p.state === 'complete') {
          throw new DelegationRefusal('OUT_OF_ORDER', `BootstrapComplete while ${p.state}`, m.sessionId);
        }
        p.acknowledged.add(m.type);
        p.bootstrapComplete.resolve();
        return { type: 'Ack', sessionId: m.sessionId, of: this.options.quirks?.ackWrongType ? 'ClientPrepared' : 'BootstrapComplete' };
      case 'DelegationComplete':
        if (p.state !== 'prepared') throw new DelegationRefusal('OUT_OF_ORDER', `DelegationComplete while ${p.state}, before ClientPrepared`, m.sessionId);
        // The delegation ends with this Ack; the grace window before close() runs from it.
        p.acknowledged.add(m.type);
        p.state = 'complete';
        this.completedAt = performance.now();
        p.delegationComplete.resolve(m);
        return { type: 'Ack', sessionId: m.sessionId, of: 'DelegationComplete' };
    }
  }
}

/** B.4: one new Bootstrap Config MO entry holding the Bootstrap Server URL, where the device's layout keeps the MO. */
function bootConfigScript(entry: string, url: string, layout: TreeLayout = TREE): SessionScript {
  return async function* () {
    const cmds = bootConfigEntryNodes(entry, url, layout).map((n) => add(n.path, n.format, n.value));
    const reply = yield cmds;
    cmds.forEach((c, i) => {
      if (statusOf(reply, i) !== '200') throw new Error(`Add ${c.items[0].target} answered ${statusOf(reply, i)}`);
    });
  };
}

/** A.4 and A.5: DMS-2's account (w7-like ACL on it), the ACL update, then the optional removal. */
function accountScript(account: DmAccount, plan: AclUpdatePlan, skipAcl: boolean, skipAdd: boolean, skipAccountAcl = false, dmAccRoot: string = TREE.dmAccRoot): SessionScript {
  const base = `${dmAccRoot}/${accountNodeName(account.serverId)}`;
  const update = aclUpdateScript(skipAcl ? { ...plan, subtrees: [] } : plan);
  return async function* (start) {
    if (skipAdd) return yield* update(start);
    const adds = accountNodes(base, account).map((n) => add(n.path, n.format, n.value));
    const added = yield adds;
    adds.forEach((c, i) => {
      if (statusOf(added, i) !== '200') throw new Error(`Add ${c.items[0].target} answered ${statusOf(added, i)}`);
    });
    if (!skipAccountAcl) {
      const owned = `Get=${account.serverId}&Replace=${account.serverId}&Delete=${account.serverId}`;
      const aclSet = yield [replace(aclUri(base), owned)];
      if (statusOf(aclSet, 0) !== '200') throw new Error(`Replace ${aclUri(base)} answered ${statusOf(aclSet, 0)}`);
    }
    yield* update(start);
  };
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
