import type { DeviceRecord } from '../../mocks/common/server-role.js';
import { MockDms1, type DelegationOrder } from '../../mocks/dms1/mock-dms1.js';
import { MockDmServerAdapter } from './mock-dm-server.js';
import type { Role } from '../model/roles.js';
import { answerTo, isTesterEvent, type TraceEvent } from '../trace/events.js';
import { withBudget } from '../trace/recorder.js';
import { TransportError } from '../transport/https-post.js';
import type { Dms1Adapter } from './adapter.js';
import { realBase, realConfig, type RoleContext } from './role-context.js';

// Late and duplicate messages of a real DMS-2 are recorded in their own flow. A mock DMS-2 needs no window:
// the flow waits until it has settled (a mutant's duplicate sent and answered) before anything closes.
const REAL_PEER_GRACE_MS = 300;
const MOCK_PEER_GRACE_MS = 0;

export function dms1Adapter(ctx: RoleContext): Dms1Adapter {
  const real = realConfig(ctx, 'dms1');
  return real ? realDms1(ctx, real) : mockDms1(ctx);
}

function mockDms1(ctx: RoleContext): Dms1Adapter {
  const { setup, budgets, variation: v } = ctx;
  const dms1 = new MockDms1({
    serverId: setup.ids.dms1,
    env: ctx.env('dms1'),
    sessionBudgetMs: budgets.sessionMs,
    notificationBudgetMs: budgets.notificationMs,
    managedSubtrees: setup.managedSubtrees,
    ownAccountPath: setup.dms1AccountPath,
    quirks: v.dms1,
    graceMs: ctx.modes.dms2 === 'real' ? REAL_PEER_GRACE_MS : MOCK_PEER_GRACE_MS,
    ...v.server?.dms1,
  });
  return Object.assign(new MockDmServerAdapter('dms1', dms1, setup.identityOf('dms1').fingerprint256, ctx.trustOf('dms1')), {
    knowDevice: (device: DeviceRecord) => void dms1.devices.set(device.devId, device),
    delegate: async (order: DelegationOrder) => {
      const done = await withBudget(dms1.delegate(order), ctx.left(), 'end of the flow');
      return { result: done.result, reason: done.reason };
    },
    attempt: async (order: DelegationOrder) => {
      await withBudget(dms1.delegate(order), Math.min(budgets.requestMs, ctx.left()), 'the attempt').catch(() => undefined);
    },
  });
}

function realDms1(ctx: RoleContext, real: NonNullable<ReturnType<typeof realConfig<'dms1'>>>): Dms1Adapter {
  const { trace } = ctx;
  return {
    ...realBase(ctx, 'dms1'),
    dmUrl: real.dmUrl,
    delegationUrl: real.delegationUrl,
    knowPeer: () => {},
    knowDevice: () => {},
    attempt: async (order) => void (await ctx.upper.run('dms1.startDelegation', real.drivers.startDelegation, { sessionId: order.sessionId })),
    delegate: async () => {
      await ctx.upper.run('dms1.startDelegation', real.drivers.startDelegation);
      // The end is judged from the wire, whatever the driver said: DelegationComplete and its answer.
      // A call of the harness's DMS-2 that DMS-1 refused or left unanswered ends the wait: nothing follows it.
      const complete = await trace.waitFor(
        (e) => (e.kind === 'request' && e.link === 'dms1-dms2' && !isTesterEvent(e) && (e.body?.parsed?.value as { type?: string } | undefined)?.type === 'DelegationComplete') || failedCallTo('dms1')(e),
        ctx.left(),
        'DelegationComplete on the DMS-1↔DMS-2 link',
      );
      if (complete.kind !== 'request') throw new TransportError(`dms2 → dms1: ${complete.reason}`, complete.reason?.split(':')[0] ?? 'REQUEST_ERROR');
      const answer = await trace.waitFor(answerTo(complete), Math.min(ctx.budgets.requestMs, ctx.left()), 'the answer to DelegationComplete');
      const sent = complete.body?.parsed?.value as { result?: string; reason?: string } | undefined;
      // Unanswered, DelegationComplete is silence, as any other unanswered notification is.
      return { result: sent?.result, reason: sent?.reason, unanswered: answer.kind === 'response' ? undefined : (answer.reason ?? 'no answer') };
    },
  };
}

/** A DMS↔DMS call of a harness mock to `role` that got no answer (refused at TLS, reset, timed out). */
const failedCallTo = (role: Role) => (e: TraceEvent) =>
  (e.kind === 'tls-error' || e.kind === 'error') && e.observer.side === 'client' && e.link === 'dms1-dms2' && e.to === role && !isTesterEvent(e);
