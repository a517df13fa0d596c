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
  /** The flow's traffic, the tester's own connections left out. */
  events: readonly TraceEvent[];
  /** The tester's connections (phase `tls-probe`, case id in `probe`): only the TLS rules read them. */
  probes: readonly TraceEvent[];
  messages: WireMessage[];
  sessions: DmSession[];
  steps: StepIndex;
  initial: DmTree;
  final: DmTree;
  /**
   * Whether what `role` sends is under judgement: a real implementation's messages are; the reference
   * mocks' only when every role is a mock (the reference run judges them all).
   */
  judges: (role: string) => boolean;
}

export type Outcome = Omit<CheckResult, 'checkId'> & {
  /**
   * The evidence the check needs is not on the wire. The judge decides what that means for the flow
   * (DESIGN.md §7): BLOCKED behind a root FAIL, INCONCLUSIVE when the flow ran out of its budget, FAIL when
   * the delegation completed without it.
   */
  absent?: boolean;
  /** The evidence is missing because a peer went silent (a request with no answer): INCONCLUSIVE, never FAIL. */
  silence?: boolean;
  /**
   * A failure that an earlier fault explains (a later step without this one, a delegation reported as
   * failed): BLOCKED behind an earlier root FAIL, a FAIL of its own when nothing earlier failed.
   */
  consequence?: boolean;
  /**
   * The requirement whose subject this evidence is (e.g. the step an ordering rule is about): when that
   * one FAILs or is BLOCKED in the flow, missing evidence here is BLOCKED behind it, not judged twice.
   */
  dependsOn?: string;
};

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

/** Nothing to judge: what the check looks for never reached the wire. The judge resolves the verdict. */
export function missing(expected: string, actual: string, evidence: Array<TraceEvent | WireMessage | number> = []): Outcome {
  return { verdict: 'INCONCLUSIVE', absent: true, expected, actual, evidence: seqs(evidence) };
}

/** A request that got no answer within its budget: silence, which no completed flow turns into a FAIL. */
export function silence(expected: string, actual: string, evidence: Array<TraceEvent | WireMessage | number> = []): Outcome {
  return { ...missing(expected, actual, evidence), silence: true };
}

/** A FAIL that may only be the consequence of an earlier fault; the judge decides which. */
export function failAfter(expected: string, actual: string, evidence: Array<TraceEvent | WireMessage | number> = []): Outcome {
  return { ...fail(expected, actual, evidence), consequence: true };
}

/** The first message of each sender (on each link): a PASS citing them cites every role that took part. */
export function firstOfEachSender<T extends TraceEvent | WireMessage>(items: readonly T[]): T[] {
  const ev = (x: T): TraceEvent => ('event' in x ? x.event : (x as TraceEvent));
  return items.filter((x, i) => items.findIndex((y) => ev(y).from === ev(x).from && ev(y).link === ev(x).link) === i);
}

/** Combines sub-findings: the first failure wins, otherwise PASS with all evidence. */
export function allOf(expected: string, problems: string[], evidence: Array<TraceEvent | WireMessage | number>, okActual: string): Outcome {
  return problems.length ? fail(expected, problems.join('; '), evidence) : pass(expected, okActual, evidence);
}

/**
 * Whether the ACL at `path` is known in the `which` tree: neither the node nor an ancestor went unread (an
 * ACL never read is no "inherit"). A check leaves what is unknown out; the judge makes an end state read
 * with holes INCONCLUSIVE.
 */
export function aclRead(ctx: JudgeContext, which: 'initial' | 'final', path: string): boolean {
  const unread = (which === 'initial' ? ctx.flow.initialTree : ctx.flow.finalTree).unread ?? [];
  return !unread.some((u) => u.path === '.' || path === u.path || path.startsWith(`${u.path}/`));
}
