import { PATHS } from '../../src/profile.js';
import { HttpsEndpoint } from '../../src/transport/https-endpoint.js';
import { mockEndpoint, type MockEnv } from '../common/env.js';
import { acceptingAny } from '../common/accept-any.js';
import { DelegationRefusal, delegationHandler, delegationTooLarge } from '../common/delegation-api.js';
import { BootstrapService } from './bootstrap-service.js';
import { retyped, type BootstrapQuirks } from './bootstrap-quirks.js';

export type { BootstrapQuirks };

/**
 * The reference stand-alone Bootstrap Server: a TLS endpoint the client fetches its bootstrap from, and a
 * mutual-TLS endpoint where DMS-2 orders the bootstrap of a device (profile message BootstrapOrder).
 */
export class MockBootstrap {
  readonly service: BootstrapService;
  readonly endpoint: HttpsEndpoint;
  readonly orderEndpoint: HttpsEndpoint;
  /** Fingerprints of DMS-2 certificates allowed to order bootstraps (empty: any certificate of the CA). */
  readonly pinned: string[] = [];
  /** ServerIDs of the DM servers it bootstraps accounts for (empty: any). */
  readonly serverIds: string[] = [];

  constructor(
    env: MockEnv,
    readonly quirks: BootstrapQuirks = {},
  ) {
    this.service = new BootstrapService(() => this.bootstrapUrl, quirks.servedDefect, quirks.serves, env.treeLayout);
    this.endpoint = mockEndpoint(env, {
      role: 'bootstrap',
      mutual: false,
      fixedPeer: { peer: 'client', link: 'client-bootstrap' },
      classify: () => ({ peer: 'client', link: 'client-bootstrap' }),
      handlers: [this.service.handler()],
    });
    const orders = delegationHandler(
      async (m) => {
        if (quirks.silentOrders) return new Promise<never>(() => {});
        if (m.type !== 'BootstrapOrder') throw new DelegationRefusal('UNSUPPORTED', `the Bootstrap Server takes BootstrapOrder only, not ${m.type}`);
        // Binding profile §2.2: an order is for the ordering server's own account; the sender is checked first.
        if (!quirks.acceptAnyPeer && this.serverIds.length && !this.serverIds.includes(m.account.serverId)) {
          throw new DelegationRefusal('REJECTED', `${m.account.serverId} is not a DM server this Bootstrap Server serves`, m.sessionId);
        }
        // Binding profile §2.2: one order per delegation.
        if (this.service.ordered.has(m.sessionId)) {
          throw new DelegationRefusal('OUT_OF_ORDER', `BootstrapOrder again: already acknowledged for SessionId ${m.sessionId}`, m.sessionId);
        }
        if (!quirks.forgetOrders) this.service.order({ sessionId: m.sessionId, device: m.device, account: m.account });
        return { type: 'Ack', sessionId: m.sessionId, of: 'BootstrapOrder' };
      },
      () => (quirks.clientCertificateOptional || quirks.acceptAnyPeer ? undefined : this.pinned),
      PATHS.bootstrapOrder,
    );
    this.orderEndpoint = mockEndpoint(env, {
      role: 'bootstrap',
      mutual: !quirks.clientCertificateOptional,
      portOffset: 1,
      tooLarge: delegationTooLarge,
      // The TLS policy under test is the client-facing one; DMS-2's ordering link keeps the default.
      withTlsPolicy: false,
      fixedPeer: { peer: 'dms2', link: 'dms2-bootstrap' },
      classify: () => ({ peer: 'dms2', link: 'dms2-bootstrap' }),
      handlers: [quirks.orderAckContentType ? retyped(orders, PATHS.bootstrapOrder, quirks.orderAckContentType) : quirks.acceptAnyDelegationMessage ? acceptingAny(orders, PATHS.bootstrapOrder) : orders],
    });
  }

  get bootstrapUrl(): string {
    return `${this.endpoint.url}${PATHS.bootstrap}`;
  }

  get orderUrl(): string {
    return `${this.orderEndpoint.url}${PATHS.bootstrapOrder}`;
  }

  async start(): Promise<this> {
    await this.endpoint.start();
    await this.orderEndpoint.start();
    return this;
  }

  async close(): Promise<void> {
    await this.endpoint.close();
    await this.orderEndpoint.close();
  }
}

