/** How long the harness waits for each kind of thing; a run config may override each. */
export interface Budgets {
  /** One HTTP exchange. */
  requestMs: number;
  /** One DM session after a Package #0. */
  sessionMs: number;
  /** Waiting for the peer's next delegation message. */
  notificationMs: number;
  /** The whole flow. */
  flowMs: number;
  /** Watching for a reaction that must not come (the tester's cases where silence is the pass). */
  silenceMs: number;
}

export const DEFAULT_BUDGETS: Budgets = { requestMs: 5_000, sessionMs: 10_000, notificationMs: 10_000, flowMs: 30_000, silenceMs: 2_000 };

/** A driver's budget when the config gives none. */
export const DEFAULT_DRIVER_MS = 10_000;
