import { innerBudget } from '../../src/trace/recorder.js';
import { randomBytes } from 'node:crypto';
import { aclUri, get } from '../../src/dm/commands.js';
import type { SessionScript } from '../../src/dm/server-session.js';
import type { DelegationInitiationRequest, DelegationMessage } from '../../src/delegation/messages.js';
import type { DmAccount } from '../../src/model/account.js';
import type { AuthType } from '../../src/syncml/auth.js';
import { PATHS } from '../../src/profile.js';
import type { ConnectionInfo } from '../../src/transport/https-endpoint.js';
import { BootstrapService } from '../bootstrap/bootstrap-service.js';
import { DelegationRefusal } from '../common/delegation-api.js';
import { expectType, ServerRole, type PeerServer, type ServerRoleOptions } from '../common/server-role.js';

/** Where DMS-2's Bootstrap Server is: inside DMS-2, or a stand-alone one DMS-2 sends orders to. */
export type BootstrapPlacement = { mode: 'colocated' } | { mode: 'separate'; server: PeerServer; bootstrapUrl: string };

/** Deliberate deviations, for mutants only. */
export interface Dms2Quirks {
  /** Send DelegationComplete without waiting for ClientPrepared. */
  completeBeforePrepared?: boolean;
  /** Approach A: report the delegation complete without ever managing the client (A.7 skipped). */
  skipFirstSession?: boolean;
  /** Before each notification, send a stray copy under another session id. */
  straySessionId?: boolean;
  /** Hand out this Addr in the account instead of DMS-2's own DM URL. */
  accountAddr?: string;
  /** Hand out this ServerID in the account instead of DMS-2's own. */
  accountServerId?: string;
  /** A stand-alone Bootstrap Server gets its BootstrapOrder only after the URL was returned, or never. */
  bootstrapOrder?: 'after-url' | 'none';
  /** Send DelegationComplete a second time right after the first is acknowledged. */
  completeTwice?: boolean;
}

export interface Dms2Options extends Omit<ServerRoleOptions, 'role' | 'extraDmHandlers' | 'classifyExtra'> {
  bootstrap: BootstrapPlacement;
  /** How to reach a device's Package #0 endpoint (an out-of-band fact; IXIT). */
  pushUrlOf: (devId: string) => string | undefined;
  /** Or how to hand a device its Package #0 otherwise (a real client's trigger driver). */
  deliverOf?: (devId: string) => ((pkg0: Buffer) => Promise<void>) | undefined;
  quirks?: Dms2Quirks;
  /** AAuthType of the account given to a device, CLCRED and SRVCRED alike (DIGEST when not said). */
  authType?: AuthType;
}

/** The messages DMS-2 takes on its delegation API (binding profile §2.1). */
type Served = Extract<DelegationMessage, { type: 'DelegationInitiationRequest' | 'BootstrapServerUrlRequest' | 'AccountRequest' | 'ClientPrepared' }>;
const SERVED: ReadonlySet<string> = new Set<Served['type']>(['DelegationInitiationRequest', 'BootstrapServerUrlRequest', 'AccountRequest', 'ClientPrepared']);
const served = (m: DelegationMessage): m is Served => SERVED.has(m.type);

type State = 'initiated' | 'bootstrap-ordered' | 'bootstrapped' | 'account-given' | 'prepared' | 'complete' | 'failed';

interface Delegation {
  request: DelegationInitiationRequest;
  peer: PeerServer;
  account: DmAccount;
  state: State;
}

/**
 * The reference DMS-2: accepts a delegation, hands out its Bootstrap Server URL (B) or its account (A),
 * reports the bootstrap complete after the client's first session (B.7), and completes the delegation once
 * DMS-1 reports the client prepared (B.10; in A after its own first session with the client, A.7–A.8).
 */
export class MockDms2 extends ServerRole {
  readonly delegations = new Map<string, Delegation>();
  /** SessionIds of the delegations DMS-2 declined: ended, so any later message of theirs is out of order. */
  readonly declined = new Set<string>();
  readonly bootstrapService?: BootstrapService;

  constructor(readonly options: Dms2Options) {
    const colocated = options.bootstrap.mode === 'colocated' ? new BootstrapService(() => this.bootstrapUrl, undefined, 'once', options.env.treeLayout) : undefined;
    super({
      ...options,
      role: 'dms2',
      extraDmHandlers: colocated ? [colocated.handler()] : [],
      classifyExtra: (path) =>
        colocated && path === PATHS.bootstrap ? { peer: 'client', link: 'client-bootstrap', local: 'bootstrap' } : undefined,
    });
    this.bootstrapService = colocated;
  }

  /** Forgets delegations, the devices they brought and pending bootstrap orders; peers and placement stay. */
  reset(): void {
    this.dm.forgetNonces();
    this.delegations.clear();
    this.declined.clear();
    this.devices.clear();
    this.bootstrapService?.reset();
  }

  get bootstrapUrl(): string {
    const b = this.options.bootstrap;
    return b.mode === 'colocated' ? `${this.dmEndpoint.url}${PATHS.bootstrap}` : b.bootstrapUrl;
  }

  protected async onDelegation(m: DelegationMessage, conn: ConnectionInfo | undefined): Promise<DelegationMessage> {
    // Binding profile §2.2: a message DMS-2 never takes is refused as such, whatever its SessionId.
    if (!served(m)) throw new DelegationRefusal('UNSUPPORTED', `DMS-2 does not take ${m.type}`, 'sessionId' in m ? m.sessionId : undefined);
    if (m.type === 'DelegationInitiationRequest') return this.initiate(m, conn);
    if (!m.sessionId) throw new DelegationRefusal('INVALID', `${m.type} carries no SessionId`);
    const out = (why: string) => new DelegationRefusal('OUT_OF_ORDER', why, m.sessionId);
    if (this.declined.has(m.sessionId)) throw out(`${m.type} in a delegation DMS-2 declined`);
    const d = this.delegations.get(m.sessionId);
    if (!d) throw new DelegationRefusal('UNKNOWN_SESSION', `no delegation with SessionId ${m.sessionId}`, m.sessionId);
    switch (m.type) {
      case 'BootstrapServerUrlRequest':
        if (d.request.approach !== 'B') throw out('BootstrapServerUrlRequest in an approach A delegation');
        if (d.state !== 'initiated') throw out(`BootstrapServerUrlRequest while ${d.state}`);
        if (this.options.quirks?.bootstrapOrder === 'after-url') {
          // Only once this answer has gone out: DMS-1 holds the URL before the Bootstrap Server knows the device.
          this.later(() => this.orderBootstrap(d).catch((err: Error) => this.o.env.trace.note(`dms2: BootstrapOrder failed: ${err.message}`)));
        } else if (this.options.quirks?.bootstrapOrder !== 'none') await this.orderBootstrap(d);
        d.state = 'bootstrap-ordered';
        return { type: 'BootstrapServerUrlResponse', sessionId: m.sessionId, url: this.bootstrapUrl };
      case 'AccountRequest':
        if (d.request.approach !== 'A') throw out('AccountRequest in an approach B delegation');
        if (d.state !== 'initiated') throw out(`AccountRequest while ${d.state}`);
        d.state = 'account-given';
        return { type: 'AccountResponse', sessionId: m.sessionId, account: d.account };
      case 'ClientPrepared':
        if (d.state !== (d.request.approach === 'B' ? 'bootstrapped' : 'account-given')) throw out(`ClientPrepared while ${d.state}`);
        d.state = 'prepared';
        // Answer first; the rest of the delegation follows the Ack.
        this.later(() => this.finish(d));
        return { type: 'Ack', sessionId: m.sessionId, of: 'ClientPrepared' };
    }
  }

  private initiate(m: DelegationInitiationRequest, conn: ConnectionInfo | undefined): DelegationMessage {
    // A declined delegation has ended: its SessionId stays taken (binding profile §2.2).
    const reject = (reason: string): DelegationMessage => {
      this.declined.add(m.sessionId);
      return { type: 'DelegationInitiationResponse', sessionId: m.sessionId, accepted: false, reason };
    };
    // Binding profile §2.2: the sender first, so a stranger learns nothing and changes nothing.
    const peer = this.delegator(m, conn);
    if (this.delegations.has(m.sessionId) || this.declined.has(m.sessionId)) throw new DelegationRefusal('OUT_OF_ORDER', `SessionId ${m.sessionId} already in use`, m.sessionId);
    if (m.delegateeServerId !== this.o.serverId) return reject(`delegatee ${m.delegateeServerId} is not this server (${this.o.serverId})`);
    if (!peer) return reject(`no contract with delegator ${m.delegatorServerId}`);
    const pushUrl = this.options.pushUrlOf(m.device.devId);
    const deliver = this.options.deliverOf?.(m.device.devId);
    if (!pushUrl && !deliver) return reject(`no way to reach device ${m.device.devId}`);
    const account = this.newAccount(m.device.devId);
    this.devices.set(m.device.devId, {
      ...m.device,
      pushUrl,
      deliver,
      credentials: {
        devId: m.device.devId,
        client: { name: account.appAuth[0].name!, secret: account.appAuth[0].secret!, nonce: Buffer.from(account.appAuth[0].data!, 'base64'), type: this.authType },
        server: { name: account.appAuth[1].name!, secret: account.appAuth[1].secret!, nonce: Buffer.from(account.appAuth[1].data!, 'base64'), type: this.authType },
      },
    });
    this.delegations.set(m.sessionId, { request: m, peer, account, state: 'initiated' });
    return { type: 'DelegationInitiationResponse', sessionId: m.sessionId, accepted: true };
  }

  /**
   * The configured peer named as delegator, which must be the one whose certificate the connection
   * presented: anything else is a stranger, REJECTED. A mutant that accepts any peer checks neither.
   */
  private delegator(m: DelegationInitiationRequest, conn: ConnectionInfo | undefined): PeerServer | undefined {
    const peer = [...this.peers.values()].find((p) => p.serverId === m.delegatorServerId);
    if (this.o.acceptAnyPeer) return peer;
    if (!peer) throw new DelegationRefusal('REJECTED', `${m.delegatorServerId} is not a configured peer`, m.sessionId);
    if (peer.fingerprint256 && !this.o.clientCertificateOptional && conn?.tls.peerFingerprint256 !== peer.fingerprint256) {
      throw new DelegationRefusal('REJECTED', `the TLS peer is not the certificate pinned for ${m.delegatorServerId}`, m.sessionId);
    }
    return peer;
  }

  private get authType(): AuthType {
    return this.options.authType ?? 'DIGEST';
  }

  /** Fresh credentials for the device: CLCRED (client → us) and SRVCRED (us → client), of the flow's type. */
  private newAccount(devId: string): DmAccount {
    const secret = () => randomBytes(12).toString('hex');
    const nonce = () => randomBytes(16).toString('base64');
    const q = this.options.quirks ?? {};
    return {
      serverId: q.accountServerId ?? this.o.serverId,
      name: 'DMS-2',
      addr: q.accountAddr ?? this.dmUrl,
      addrType: 'URI',
      aauthPref: this.authType,
      appAuth: [
        { level: 'CLCRED', type: this.authType, name: `dev-${devId.replace(/[^A-Za-z0-9]/g, '')}`, secret: secret(), data: nonce() },
        { level: 'SRVCRED', type: this.authType, name: this.o.serverId, secret: secret(), data: nonce() },
      ],
    };
  }

  private async orderBootstrap(d: Delegation): Promise<void> {
    const order = { sessionId: d.request.sessionId, device: d.request.device, account: d.account };
    const b = this.options.bootstrap;
    if (b.mode === 'colocated') this.bootstrapService!.order(order);
    // Ordered while DMS-1 waits for the URL: a silent Bootstrap Server must run out first, so it is the one named.
    else expectType(await this.call(b.server, { type: 'BootstrapOrder', ...order }, 'dms2-bootstrap', innerBudget(this.o.env.budgets.requestMs)), 'Ack');
  }

  /** B.6: the client's first session after its bootstrap; once it ends, B.7 tells DMS-1. */
  protected async *onClientInitiated(start: Parameters<SessionScript>[0]): ReturnType<SessionScript> {
    const d = [...this.delegations.values()].find((x) => x.request.device.devId === start.devId && x.state === 'bootstrap-ordered');
    yield [get('./DevInfo/DevId')];
    if (!d) return;
    d.state = 'bootstrapped';
    if (this.options.quirks?.completeBeforePrepared) this.later(() => this.finish(d));
    this.later(() => this.notify(d, { type: 'BootstrapComplete', sessionId: d.request.sessionId }));
  }

  /** After ClientPrepared: in approach A, DMS-2 first manages the client itself (A.7); then DelegationComplete. */
  private async finish(d: Delegation): Promise<void> {
    if (d.state === 'complete') return;
    let result: 'success' | 'failure' = 'success';
    let reason: string | undefined;
    if (d.request.approach === 'A' && !this.options.quirks?.skipFirstSession) {
      try {
        await this.trigger(d.request.device.devId, verifyScript(d.request.subtrees));
      } catch (err) {
        result = 'failure';
        reason = (err as Error).message;
      }
    }
    d.state = 'complete';
    const complete: DelegationMessage = { type: 'DelegationComplete', sessionId: d.request.sessionId, result, ...(reason ? { reason } : {}) };
    await this.notify(d, complete);
    if (this.options.quirks?.completeTwice) await this.notify(d, complete);
  }

  private async notify(d: Delegation, m: DelegationMessage): Promise<void> {
    if (this.options.quirks?.straySessionId && 'sessionId' in m) await this.call(d.peer, { ...m, sessionId: `${m.sessionId}-x` } as DelegationMessage).catch(() => undefined);
    try {
      expectType(await this.call(d.peer, m), 'Ack');
    } catch (err) {
      this.o.env.trace.note(`dms2: ${m.type} not acknowledged: ${(err as Error).message}`);
    }
  }
}

/** A.7: DMS-2's first session: read the ACL of each delegated subtree it now manages. */
function verifyScript(subtrees: string[]): SessionScript {
  return async function* () {
    if (subtrees.length) yield subtrees.map((s) => get(aclUri(s)));
    else yield [get('./DevInfo/DevId')];
  };
}
