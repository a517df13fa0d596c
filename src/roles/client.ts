import { MockClient } from '../../mocks/client/mock-client.js';
import type { Role } from '../model/roles.js';
import { readByDriver, readOverProtocol } from '../runner/client-tree.js';
import { withBudget } from '../trace/recorder.js';
import { buildClientTree, type ClientFixture } from '../tree/client-fixture.js';
import type { SyncmlEncoding } from '../syncml/encoding.js';
import type { ClientAdapter } from './adapter.js';
import { realBase, realConfig, type RoleContext } from './role-context.js';

export interface ClientWiring {
  fixture: ClientFixture;
  /** DMS-1's DM URL, which the reference client's account points at (known once DMS-1 listens). */
  dms1DmUrl: () => string;
  roleOfServerId: (serverId: string) => Role | 'unknown';
  roleOfAddr: (addr: string) => Role | 'unknown';
  /** What a tree read covers: the device info, the managed subtrees, the accounts. */
  roots: string[];
  /** How the reference client encodes SyncML in this flow. */
  encoding?: SyncmlEncoding;
}

export function clientAdapter(ctx: RoleContext, w: ClientWiring): ClientAdapter {
  const real = realConfig(ctx, 'client');
  const devId = ctx.setup.devInfo.devId;
  if (real) {
    const source = ctx.setup.assignment.treeSource;
    return {
      ...realBase(ctx, 'client'),
      pushUrl: real.pushUrl,
      deliverer: (serverId) => (!real.pushUrl && real.drivers?.trigger ? ctx.upper.deliverer(real.drivers.trigger, serverId) : undefined),
      idle: async () => {},
      reacted: (until, budgetMs) => {
        const ms = Math.min(budgetMs, ctx.left());
        return ctx.trace.waitFor(until, ms, "the client's reaction").then((e) => `it reacted (seq ${e.seq})`, () => `nothing within ${ms} ms`);
      },
      readTree: async (readers, what, o) => {
        if (o?.afterError) return undefined;
        if (source === 'driver') return readByDriver(ctx.upper, real.drivers!.readTree!);
        if (source !== 'protocol' || !readers.length) return undefined;
        ctx.trace.note(`${what}: read over the protocol by the harness's ${readers.map((r) => r.o.role.toUpperCase().replace('DMS', 'DMS-')).join(' and ')}`);
        return withBudget(readOverProtocol(readers, devId, w.roots, (n) => ctx.trace.note(n)), Math.min(ctx.budgets.sessionMs * readers.length, ctx.left()), `the ${what} read`);
      },
    };
  }
  let client: MockClient | undefined;
  return {
    role: 'client',
    mode: 'mock',
    fingerprint256: ctx.setup.identityOf('client').fingerprint256,
    trust: ctx.trustOf('client'),
    get pushUrl() {
      return client?.pushUrl;
    },
    deliverer: () => undefined,
    start: async () => {
      const tree = buildClientTree(w.fixture, { 'dms1.dm': w.dms1DmUrl() });
      client = await new MockClient({ env: ctx.env('client'), tree, devInfo: w.fixture.devInfo, roleOfServerId: w.roleOfServerId, roleOfAddr: w.roleOfAddr, encoding: w.encoding, maxMsgSize: ctx.variation.clientMaxMsgSize, quirks: ctx.variation.client }).start();
    },
    prepare: async () => {},
    close: async () => void (await client?.close()),
    idle: () => withBudget(client!.idle(), Math.min(ctx.budgets.sessionMs, ctx.left()), 'the client to finish its sessions'),
    reacted: async (_until, budgetMs) => {
      const ms = Math.min(budgetMs, ctx.left());
      return withBudget(client!.idle(), ms, 'the client to finish').then(() => 'the reference client finished everything it had queued', () => `it was still busy after ${ms} ms`);
    },
    readTree: async () => ({ snapshot: client!.o.tree.toJSON(), unread: [] }),
  };
}
