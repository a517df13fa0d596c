import type { PeerTrust } from '../../mocks/common/env.js';
import { MockDms2 } from '../../mocks/dms2/mock-dms2.js';
import type { AuthType } from '../syncml/auth.js';
import { MockDmServerAdapter } from './mock-dm-server.js';
import type { ClientAdapter, Dms2Adapter } from './adapter.js';
import { realBase, realConfig, type RoleContext } from './role-context.js';

export interface Dms2Wiring {
  /** Approach B with a stand-alone Bootstrap Server. */
  separate: boolean;
  devId: string;
  /** The flow's client, for Package #0 delivery. */
  client: () => ClientAdapter;
  /** AAuthType of the account the mock gives the client. */
  authType?: AuthType;
}

export function dms2Adapter(ctx: RoleContext, w: Dms2Wiring): Dms2Adapter {
  const real = realConfig(ctx, 'dms2');
  if (real) {
    return { ...realBase(ctx, 'dms2'), dmUrl: real.dmUrl, delegationUrl: real.delegationUrl, bootstrapUrl: realConfig(ctx, 'bootstrap')?.bootstrapUrl, knowPeer: () => {}, useBootstrap: () => {} };
  }
  const { setup, variation: v } = ctx;
  const dms2 = new MockDms2({
    serverId: setup.ids.dms2,
    env: ctx.env('dms2'),
    sessionBudgetMs: ctx.budgets.sessionMs,
    // A stand-alone Bootstrap Server's URLs are known once it listens (useBootstrap).
    bootstrap: w.separate ? { mode: 'separate', server: { role: 'bootstrap', serverId: 'bootstrap', delegationUrl: '' }, bootstrapUrl: '' } : { mode: 'colocated' },
    pushUrlOf: (id) => (id === w.devId ? w.client().pushUrl : undefined),
    deliverOf: (id) => (id === w.devId ? w.client().deliverer(setup.ids.dms2) : undefined),
    quirks: v.dms2,
    authType: w.authType,
    ...v.server?.dms2,
  });
  return new MockDms2Adapter(dms2, setup.identityOf('dms2').fingerprint256, ctx.trustOf('dms2'));
}

class MockDms2Adapter extends MockDmServerAdapter<'dms2'> implements Dms2Adapter {
  constructor(
    private readonly dms2: MockDms2,
    fingerprint256: string,
    trust: PeerTrust,
  ) {
    super('dms2', dms2, fingerprint256, trust);
  }

  get bootstrapUrl(): string {
    return this.dms2.bootstrapUrl;
  }

  useBootstrap(b: { orderUrl: string; bootstrapUrl: string; fingerprint256?: string }): void {
    if (this.dms2.options.bootstrap.mode !== 'separate') return;
    Object.assign(this.dms2.options.bootstrap, { server: { role: 'bootstrap', serverId: 'bootstrap', delegationUrl: b.orderUrl, fingerprint256: b.fingerprint256 }, bootstrapUrl: b.bootstrapUrl });
  }
}
