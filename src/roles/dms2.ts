import { MockDms2 } from '../../mocks/dms2/mock-dms2.js';
import type { ClientAdapter, Dms2Adapter } from './adapter.js';
import { realConfig, runPrepareDrivers, type RoleContext } from './role-context.js';

export interface Dms2Wiring {
  /** Approach B with a stand-alone Bootstrap Server. */
  separate: boolean;
  devId: string;
  /** The flow's client, for Package #0 delivery. */
  client: () => ClientAdapter;
}

export function dms2Adapter(ctx: RoleContext, w: Dms2Wiring): Dms2Adapter {
  const real = realConfig(ctx, 'dms2');
  if (real) {
    return {
      role: 'dms2',
      mode: 'real',
      fingerprint256: real.certificateFingerprint256,
      trust: ctx.trustOf('dms2'),
      dmUrl: real.dmUrl,
      delegationUrl: real.delegationUrl,
      bootstrapUrl: realConfig(ctx, 'bootstrap')?.bootstrapUrl,
      start: async () => {},
      prepare: () => runPrepareDrivers(ctx, 'dms2'),
      close: async () => {},
      knowPeer: () => {},
      useBootstrap: () => {},
    };
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
    ...v.server?.dms2,
  });
  return {
    role: 'dms2',
    mode: 'mock',
    fingerprint256: setup.identityOf('dms2').fingerprint256,
    trust: ctx.trustOf('dms2'),
    sessions: dms2,
    get dmUrl() {
      return dms2.dmUrl;
    },
    get delegationUrl() {
      return dms2.delegationUrl;
    },
    get bootstrapUrl() {
      return dms2.bootstrapUrl;
    },
    start: async () => void (await dms2.start()),
    prepare: async () => {},
    close: () => dms2.close(),
    knowPeer: (peer) => void dms2.peers.set(peer.serverId, peer),
    useBootstrap: (b) => {
      if (dms2.options.bootstrap.mode !== 'separate') return;
      Object.assign(dms2.options.bootstrap, { server: { role: 'bootstrap', serverId: 'bootstrap', delegationUrl: b.orderUrl, fingerprint256: b.fingerprint256 }, bootstrapUrl: b.bootstrapUrl });
    },
  };
}
