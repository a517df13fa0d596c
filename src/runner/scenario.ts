import type { RunConfig } from '../config/config.js';
import type { Approach, DelegationType } from '../delegation/messages.js';
import { AUTH_TYPES, type AuthType } from '../syncml/auth.js';

/** One delegation flow to run: approach × delegation type, and where the Bootstrap Server sits. */
export interface Scenario {
  id: string;
  approach: Approach;
  delegationType: DelegationType;
  /** Optional step B.8b / A.5: DMS-1 deletes its own account (only in a permanent delegation). */
  removeAccount: boolean;
  /** Approach B: the Bootstrap Server inside DMS-2, or stand-alone. */
  bootstrap: 'colocated' | 'separate';
  /** AAuthType of the account the harness's DMS-2 gives the client (DIGEST when not said). */
  authType?: AuthType;
}

export const SCOPES = ['full', 'partial'] as const;
export const DURATIONS = ['temporary', 'permanent'] as const;

export function scenarioId(approach: Approach, t: DelegationType): string {
  return `${approach}-${t.scope}-${t.duration}`;
}

/**
 * The default matrix: both approaches × full|partial × temporary|permanent. Permanent delegations remove
 * DMS-1's account (the optional step); approach B puts the Bootstrap Server inside DMS-2 for full
 * delegations and stand-alone for partial ones, so both placements run. The flows take the session
 * authentication types in turn, so every declared type runs without a flow more.
 */
export function defaultScenarios(approaches: readonly Approach[] = ['A', 'B'], authTypes: readonly AuthType[] = AUTH_TYPES): Scenario[] {
  const out: Scenario[] = [];
  for (const approach of approaches)
    for (const scope of SCOPES)
      for (const duration of DURATIONS) {
        const delegationType = { scope, duration };
        out.push({
          id: scenarioId(approach, delegationType),
          approach,
          delegationType,
          removeAccount: duration === 'permanent',
          bootstrap: scope === 'full' ? 'colocated' : 'separate',
          authType: authTypes[out.length % authTypes.length],
        });
      }
  return out;
}

/** What the implementations declare (ICS); the default matrix is cut down to it. */
export interface ScenarioIcs {
  approaches: readonly Approach[];
  scopes: ReadonlyArray<DelegationType['scope']>;
  durations: ReadonlyArray<DelegationType['duration']>;
  removeAccount: boolean;
  bootstrapPlacements: ReadonlyArray<'colocated' | 'separate'>;
  authTypes?: readonly AuthType[];
}

/**
 * The flows to run for an ICS: only declared approaches and delegation types; the optional account removal
 * only when declared; the Bootstrap Server where it is declared to sit (stand-alone when it is under test).
 */
export function scenariosFor(ics: ScenarioIcs, approaches: readonly Approach[], bootstrapUnderTest = false, dms2UnderTest = false): Scenario[] {
  const authTypes = ics.authTypes?.length ? ics.authTypes : AUTH_TYPES;
  return defaultScenarios(approaches.filter((a) => ics.approaches.includes(a)))
    .filter((s) => ics.scopes.includes(s.delegationType.scope) && ics.durations.includes(s.delegationType.duration))
    .map((s, i) => {
      const placements = bootstrapUnderTest ? ['separate' as const] : ics.bootstrapPlacements;
      return {
        ...s,
        removeAccount: s.removeAccount && ics.removeAccount,
        bootstrap: placements.includes(s.bootstrap) ? s.bootstrap : placements[0],
        // The flows left take the declared types in turn. A real DMS-2 gives accounts of its own choosing.
        authType: dms2UnderTest ? undefined : authTypes[i % authTypes.length],
      };
    });
}

/**
 * The flows a run runs: the default matrix or, with a config, what its ICS declares; `removeAccount` (a
 * mutant's) sets whether the permanent flows take the optional account removal.
 */
export function plannedScenarios(config: RunConfig | undefined, approaches: readonly Approach[], removeAccount?: boolean): Scenario[] {
  const planned = config ? scenariosFor(config.ics, approaches, config.roles.bootstrap.mode === 'real', config.roles.dms2.mode === 'real') : defaultScenarios([...approaches]);
  if (removeAccount === undefined) return planned;
  return planned.map((s) => (s.delegationType.duration === 'permanent' ? { ...s, removeAccount } : s));
}
