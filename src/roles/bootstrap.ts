import { MockBootstrap } from '../../mocks/bootstrap/mock-bootstrap.js';
import type { BootstrapAdapter } from './adapter.js';
import { realBase, realConfig, type RoleContext } from './role-context.js';

/** The stand-alone Bootstrap Server of approach B (a co-located one is part of DMS-2). */
export function bootstrapAdapter(ctx: RoleContext): BootstrapAdapter {
  const real = realConfig(ctx, 'bootstrap');
  if (real) {
    return { ...realBase(ctx, 'bootstrap'), bootstrapUrl: real.bootstrapUrl, orderUrl: real.orderUrl, knowPeer: () => {} };
  }
  const bs = new MockBootstrap(ctx.env('bootstrap'), ctx.variation.bootstrap);
  return {
    role: 'bootstrap',
    mode: 'mock',
    fingerprint256: ctx.setup.identityOf('bootstrap').fingerprint256,
    trust: ctx.trustOf('bootstrap'),
    get bootstrapUrl() {
      return bs.bootstrapUrl;
    },
    get orderUrl() {
      return bs.orderUrl;
    },
    start: async () => void (await bs.start()),
    prepare: async () => {},
    close: () => bs.close(),
    knowPeer: (peer) => {
      if (peer.fingerprint256) bs.pinned.push(peer.fingerprint256);
      bs.serverIds.push(peer.serverId);
    },
  };
}
