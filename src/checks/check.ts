import type { Scenario } from '../runner/scenario.js';
import type { FlowResult } from '../runner/run-flow.js';
import type { CheckResult, RequirementRef } from '../report/model.js';
import type { TraceEvent } from '../trace/events.js';
import type { DmTree } from '../tree/tree.js';
import type { StepIndex } from '../judge/classify.js';
import type { DmSession, WireMessage } from '../judge/wire.js';

/** Everything a check may look at: the recorded wire and the observed trees, nothing a mock claims. */
export interface JudgeContext {
  flow: FlowResult;
  scenario: Scenario;
  events: readonly TraceEvent[];
  messages: WireMessage[];
  sessions: DmSession[];
  steps: StepIndex;
  initial: DmTree;
  final: DmTree;
}

export type Outcome = Omit<CheckResult, 'checkId'>;

/** A small reusable condition, tagged with the requirement ids it verifies. */
export interface Check {
  id: string;
  title: string;
  requirements: readonly string[];
  /**
   * An invariant holds at every moment (e.g. every stored ACL is valid): its violation is a FAIL even in a
   * delegation cut short by a budget. Other end-state checks need the delegation to have ended.
   */
  invariant?: boolean;
  run(ctx: JudgeContext, req: RequirementRef): Outcome;
}

const seqs = (evidence: Array<TraceEvent | WireMessage | number>) =>
  evidence.map((e) => (typeof e === 'number' ? e : e.seq)).filter((x, i, a) => a.indexOf(x) === i);

export function pass(expected: string, actual: string, evidence: Array<TraceEvent | WireMessage | number> = []): Outcome {
  return { verdict: 'PASS', expected, actual, evidence: seqs(evidence) };
}

export function fail(expected: string, actual: string, evidence: Array<TraceEvent | WireMessage | number> = []): Outcome {
  return { verdict: 'FAIL', expected, actual, evidence: seqs(evidence) };
}

/** Nothing to judge because the flow stopped early: a timeout is inconclusive, a failure is not. */
export function missing(ctx: JudgeContext, expected: string, actual: string, evidence: Array<TraceEvent | WireMessage | number> = []): Outcome {
  if (ctx.flow.status === 'timeout') {
    return { verdict: 'INCONCLUSIVE', expected, actual, reason: `the flow ran out of its budget: ${ctx.flow.error}`, evidence: seqs(evidence) };
  }
  return fail(expected, actual, evidence);
}

/** Combines sub-findings: the first failure wins, otherwise PASS with all evidence. */
export function allOf(expected: string, problems: string[], evidence: Array<TraceEvent | WireMessage | number>, okActual: string): Outcome {
  return problems.length ? fail(expected, problems.join('; '), evidence) : pass(expected, okActual, evidence);
}
