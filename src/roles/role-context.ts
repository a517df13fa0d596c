import type { MockEnv, PeerTrust } from '../../mocks/common/env.js';
import type { Budgets } from '../config/budgets.js';
import { isReal, type RunConfig } from '../config/config.js';
import type { Role } from '../model/roles.js';
import { createCa, issueLeaf, type Identity } from '../pki/pki.js';
import type { FlowSetup, Modes } from '../runner/flow-setup.js';
import type { UpperTester } from '../runner/upper-tester.js';
import { parseBody } from '../trace/parse-body.js';
import type { TraceRecorder } from '../trace/recorder.js';
import type { Variation } from './variation.js';

/** What every role's adapter gets from the flow. */
export interface RoleContext {
  setup: FlowSetup;
  /** Mock or real per role (a co-located Bootstrap Server is as real as DMS-2). */
  modes: Modes;
  config?: RunConfig;
  variation: Variation;
  budgets: Budgets;
  trace: TraceRecorder;
  upper: UpperTester;
  /** What is left of the flow's budget. */
  left(): number;
  /** The environment a reference mock of `role` runs in. */
  env(role: Role): MockEnv;
  /** How the harness verifies `role`'s certificate. */
  trustOf(role: Role): PeerTrust;
}

type RealRole<R extends Role> = Extract<RunConfig['roles'][R], { mode: 'real' }>;

/** The config of a real role (undefined for a mock). */
export function realConfig<R extends Role>(ctx: Pick<RoleContext, 'config'>, role: R): RealRole<R> | undefined {
  const rc = ctx.config?.roles[role];
  return rc && isReal(rc) ? (rc as RealRole<R>) : undefined;
}

/** Runs a real role's reset and setup drivers, in that order. */
export async function runPrepareDrivers(ctx: RoleContext, role: Role): Promise<void> {
  const drivers = realConfig(ctx, role)?.drivers;
  if (drivers?.reset) await ctx.upper.run(`${role}.reset`, drivers.reset);
  if (drivers?.setup) await ctx.upper.run(`${role}.setup`, drivers.setup);
}

/** What every real implementation's adapter has: nothing to start or close, its drivers to prepare it. */
export function realBase<R extends Role>(ctx: RoleContext, role: R) {
  return {
    role,
    mode: 'real' as const,
    fingerprint256: realConfig(ctx, role)?.certificateFingerprint256,
    trust: ctx.trustOf(role),
    start: async () => {},
    prepare: () => runPrepareDrivers(ctx, role),
    close: async () => {},
  };
}

export async function createRoleContext(o: Omit<RoleContext, 'env' | 'trustOf'>): Promise<RoleContext> {
  const { setup, modes, config, variation: v, budgets, trace } = o;
  const foreign = new Map<Role, Identity>();
  for (const role of Object.keys(v.foreignCertificate ?? {}) as Role[]) {
    foreign.set(role, await issueLeaf(await createCa({ caName: 'foreign CA' }), `dmdc ${role}`));
  }
  // A real implementation's certificate is verified against its own trust anchor when one is configured,
  // and a certificate configured for it is pinned: the harness talks to nothing else.
  const trustOf = (role: Role): PeerTrust => {
    const real = realConfig({ config }, role);
    return modes[role] === 'real' ? { anchors: real?.trustAnchorPem, pin: real?.certificateFingerprint256 } : {};
  };
  const env = (role: Role): MockEnv => {
    const rc = config?.roles[role];
    return {
      identity: foreign.get(role) ?? setup.identityOf(role),
      trustAnchors: setup.trustAnchors,
      trace,
      parseBody,
      budgets: { requestMs: budgets.requestMs },
      limits: config?.limits,
      // Each message is recorded once: on its server side when that is a mock, else on the mock's client side.
      recordOutbound: (peer) => modes[peer] === 'real',
      host: rc?.mode === 'mock' ? rc.host : undefined,
      port: rc?.mode === 'mock' ? rc.port : undefined,
      tls: v.tls?.[role],
      omitClientCertificate: v.omitClientCertificate?.[role],
      acceptUnverifiedServer: v.trustAnyServer?.[role],
      peerTrust: trustOf,
      treeLayout: setup.treeLayout,
    };
  };
  return { ...o, env, trustOf };
}
