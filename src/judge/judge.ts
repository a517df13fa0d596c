import { applicable, rolesFor, type CatalogueEntry } from '../catalogue/catalogue.js';
import { CHECKS } from '../checks/registry.js';
import type { JudgeContext, Outcome } from '../checks/check.js';
import { ROLES, type Role } from '../model/roles.js';
import type { CheckResult, FlowStop, RequirementResult } from '../report/model.js';
import type { FlowResult } from '../runner/run-flow.js';
import { isTesterEvent } from '../trace/events.js';
import { DmTree } from '../tree/tree.js';
import { worst, type Verdict } from '../verdict/verdict.js';
import { observe } from '../runner/observability.js';
import { classify } from './classify.js';
import { dmSessions, wireMessages } from './wire.js';

const contexts = new WeakMap<FlowResult['events'], { length: number; ctx: JudgeContext }>();

/**
 * What the checks read of a flow, built once per recorded trace: the judge and the report's message labels
 * share it. A trace that changed since (events attributed to this flow from another) gets a new one.
 */
export function judgeContext(flow: FlowResult): JudgeContext {
  const made = contexts.get(flow.events);
  if (made?.length === flow.events.length && made.ctx.flow === flow) return made.ctx;
  const ctx = buildContext(flow);
  contexts.set(flow.events, { length: flow.events.length, ctx });
  return ctx;
}

function buildContext(flow: FlowResult): JudgeContext {
  const events = flow.events.filter((e) => !isTesterEvent(e));
  const messages = wireMessages(events);
  const anyReal = ROLES.some((r) => flow.roles[r] === 'real');
  return {
    flow,
    scenario: flow.scenario,
    events,
    probes: flow.events.filter(isTesterEvent),
    messages,
    sessions: dmSessions(messages),
    steps: classify(flow.scenario.approach, events, messages, flow.facts),
    initial: DmTree.fromJSON(flow.initialTree),
    final: DmTree.fromJSON(flow.finalTree),
    judges: (role) => !anyReal || flow.roles[role as Role] === 'real',
  };
}

/** A check's outcome before the flow-wide pass decides what missing evidence means. */
type Pending = CheckResult & { absent?: 'wire' | 'silence' | 'tree' | 'consequence'; dependsOn?: string };

/** The client's final tree was not read at all (as opposed to read with holes). */
const treeNotRead = (flow: FlowResult) => flow.finalTree.unread?.some((u) => u.path === '.') ?? false;

/**
 * One requirement in one flow, on its own: applicability, whether the role assignment lets it be seen and
 * judged, then each check. Missing evidence is left pending for `judgeFlow`, which sees the whole flow.
 */
function judgeAlone(ctx: JudgeContext, entry: CatalogueEntry): { base: RequirementResult; checks: Pending[] } {
  const base: RequirementResult = { requirementId: entry.id, flowId: ctx.flow.scenario.id, verdict: 'ERROR', checks: [] };
  const only = (verdict: Verdict, reason: string) => ({ base, checks: [{ checkId: '-', verdict, reason, evidence: [] }] });
  const app = applicable(entry, ctx.scenario, { features: ctx.flow.features });
  if (!app.ok) return only('NOT_APPLICABLE', app.reason);
  // With an implementation under test, a rule only the harness's own roles must keep is no verdict on it.
  const roles = ctx.flow.roles;
  const constrained = rolesFor(entry, ctx.scenario.approach);
  if (ROLES.some((r) => roles[r] === 'real') && constrained.every((r) => roles[r] === 'mock')) {
    return only('NOT_APPLICABLE', `constrains only harness roles (${constrained.join(', ')}: reference mocks in this run)`);
  }
  const seen = observe(ctx.flow.observability, entry.observe, entry.observeMode);
  if (!seen.ok) return only('NOT_OBSERVABLE', seen.reason);
  // The test bed failed (a driver, the set-up): nothing about the implementation can be concluded.
  if (ctx.flow.status === 'error') return only('ERROR', `the flow could not run: ${ctx.flow.error}`);
  const partial = seen.unobserved.length ? `judged on the observable part only; not observed: ${seen.unobserved.join(', ')}` : undefined;
  const isEndState = entry.observe.includes('final-tree');
  const gaps = isEndState ? ctx.flow.treeUnread : [];
  const checks = entry.checks.map((id): Pending => {
    const check = CHECKS.get(id);
    if (!check) return { checkId: id, verdict: 'ERROR', reason: `no check named ${id}`, evidence: [] };
    let out: Outcome;
    try {
      out = check.run(ctx, entry);
    } catch (err) {
      return { checkId: id, verdict: 'ERROR', reason: `check ${id} failed: ${(err as Error).message}`, evidence: [] };
    }
    const { absent, silence, consequence, dependsOn, ...rest } = out;
    const reasons = [out.reason, partial];
    const result = (verdict: Verdict, more?: string, pending?: Pending['absent']): Pending => {
      const reason = [...reasons, more].filter(Boolean).join('; ');
      return { checkId: id, ...rest, verdict, ...(reason ? { reason } : {}), ...(pending ? { absent: pending, ...(dependsOn ? { dependsOn } : {}) } : {}) };
    };
    // A tree nobody read shows nothing: no end-state verdict, whatever a check made of the empty tree.
    if (isEndState && treeNotRead(ctx.flow)) return result('INCONCLUSIVE', "the client's final tree could not be read", 'tree');
    if (absent) return result('INCONCLUSIVE', undefined, silence ? 'silence' : 'wire');
    // A SHOULD that is not met is a warning, not a failure (DESIGN.md §2).
    const verdict: Verdict = out.verdict === 'FAIL' && entry.severity === 'SHOULD' ? 'WARN' : out.verdict;
    if (consequence && verdict !== 'PASS') return result(verdict, undefined, 'consequence');
    if (!isEndState) return result(verdict);
    // The tree of a delegation that never ended (no DelegationComplete, whatever its result) is not its end
    // state: only an invariant can fail on it.
    if (!ctx.flow.delegationEnded && (verdict === 'PASS' || !check.invariant)) {
      return result('INCONCLUSIVE', `the delegation did not end (${ctx.flow.status}), so its end state cannot be judged`, 'tree');
    }
    // A tree read with holes cannot show that the end state is right; a problem seen in it stands.
    if (verdict === 'PASS' && gaps.length) {
      return result('INCONCLUSIVE', `part of the client's tree could not be read: ${gaps.slice(0, 6).map((g) => `${g.path} (${g.status})`).join(', ')}${gaps.length > 6 ? ', …' : ''}`);
    }
    return result(verdict);
  });
  return { base, checks };
}

const firstSeq = (r: RequirementResult) => Math.min(...r.checks.filter((c) => c.verdict === 'FAIL').flatMap((c) => c.evidence), Number.POSITIVE_INFINITY);

/**
 * Where a flow went wrong first: among its FAILs, the one whose evidence comes earliest on the wire (a
 * failure seen only in the final tree comes last). Catalogue order breaks ties.
 */
function rootOf(results: RequirementResult[], endState: ReadonlySet<string>): RequirementResult | undefined {
  // An end-state FAIL cites the messages that wrote the state, but is seen in the tree: it comes last.
  const at = (r: RequirementResult) => (endState.has(r.requirementId) ? Number.POSITIVE_INFINITY : firstSeq(r));
  let root: RequirementResult | undefined;
  for (const r of results) if (r.verdict === 'FAIL' && (!root || at(r) < at(root))) root = r;
  return root;
}

/**
 * Where the flow stopped, as the judge uses it. A root found among consequences blocks only what shows after
 * its first evidence: a reading of the same message (a SHOULD seen on the same DelegationComplete) stands.
 */
interface JudgeStop extends FlowStop {
  afterOnly?: boolean;
}

/** What missing evidence means once the whole flow is known (DESIGN.md §7). */
function resolve(c: Pending, flow: FlowResult, stop: JudgeStop | undefined, severity: CatalogueEntry['severity'], dependency?: RequirementResult, silentAt = Number.POSITIVE_INFINITY): CheckResult {
  const { absent, dependsOn: _d, ...out } = c;
  if (!absent) return out;
  const why = (verdict: Verdict, reason: string): CheckResult => ({ ...out, verdict, ...(reason || out.reason ? { reason: [out.reason, reason].filter(Boolean).join('; ') } : {}) });
  // The requirement this one is about failed (or was blocked) in this flow: judged there, not twice.
  if (dependency && (dependency.verdict === 'FAIL' || dependency.verdict === 'BLOCKED')) {
    const by = dependency.verdict === 'FAIL' ? dependency.requirementId : dependency.blockedBy!;
    const said = dependency.checks.find((x) => x.verdict === dependency.verdict);
    const detail = dependency.verdict === 'FAIL' ? said?.actual : said?.reason?.split('; ').find((r) => r.startsWith('not reached'));
    return { ...why('BLOCKED', `depends on ${dependency.requirementId}, which is ${dependency.verdict} in this flow${detail ? ` (${detail})` : ''}`), blockedBy: by };
  }
  const blocked = (): CheckResult => ({ ...why('BLOCKED', `not reached: flow ${stop!.flowId} stopped at ${stop!.requirementId}${stop!.seq ? ` (seq ${stop!.seq})` : ''}: ${stop!.actual}`), blockedBy: stop!.requirementId });
  // A consequence is blocked only by a fault seen on the wire before it showed (a refusal shows with its
  // answer, which may come after a nested exchange that failed); else it is a failure of its own.
  if (absent === 'consequence') {
    const last = Math.max(...out.evidence, -Infinity);
    const at = stop?.seq ?? Infinity;
    if (stop && (stop.afterOnly ? at < last : at <= last)) return blocked();
    // What follows from a peer's silence (e.g. DMS-2 reporting a session that never came) is no fault of its own.
    if (silentAt <= last) return why('INCONCLUSIVE', `follows from a request left unanswered at seq ${silentAt}`);
    return out;
  }
  if (stop) return blocked();
  if (absent === 'tree') return why('INCONCLUSIVE', '');
  if (absent === 'silence') return why('INCONCLUSIVE', 'no answer within its budget (silence, DESIGN.md §7)');
  if (flow.status === 'completed') return why(severity === 'SHOULD' ? 'WARN' : 'FAIL', 'the delegation completed without it');
  return why('INCONCLUSIVE', flow.status === 'timeout' ? `nothing within the budget: ${flow.error}` : `the flow ended early: ${flow.error ?? flow.status}`);
}

/**
 * Judges every requirement of one flow. A requirement whose evidence never reached the wire is BLOCKED
 * behind the flow's root FAIL, INCONCLUSIVE when the flow went silent, and FAIL only when the delegation
 * completed without it: one fault, one red id.
 */
export function judgeFlow(flow: FlowResult, entries: readonly CatalogueEntry[]): RequirementResult[] {
  const ctx = judgeContext(flow);
  const alone = entries.map((e) => ({ ...judgeAlone(ctx, e), entry: e }));
  const settled = (checks: CheckResult[]) => worst(checks.map((c) => c.verdict)) ?? 'ERROR';
  // The root is chosen among what failed on its own evidence: nothing missing, no consequence, can be a root.
  const firm = alone.map(({ base, checks }) => ({ ...base, checks: checks.filter((c) => !c.absent), verdict: settled(checks.filter((c) => !c.absent)) }));
  const endState = new Set(entries.filter((e) => e.observe.includes('final-tree')).map((e) => e.id));
  // The tester's cases are played apart from the delegation, before it: none of them is where the flow
  // went wrong, nor does anything of the flow wait on them.
  const tester = new Set(entries.filter((e) => e.category === 'negative').map((e) => e.id));
  // The earliest request a peer left unanswered, if any: what follows from it is not judged as a failure.
  const silentAt = Math.min(...alone.filter(({ entry }) => !tester.has(entry.id)).flatMap(({ checks }) => checks.filter((c) => c.absent === 'silence').flatMap((c) => c.evidence)), Number.POSITIVE_INFINITY);
  // With no failure on its own evidence, the earliest consequence that no silence explains is one of its own
  // (a refusal with nothing earlier to blame): what follows from it is blocked behind it.
  const consequences = alone
    .filter(({ entry }) => !tester.has(entry.id))
    .map(({ base, checks }) => ({ ...base, verdict: 'FAIL' as const, checks: checks.filter((c) => c.absent === 'consequence' && c.verdict === 'FAIL') }))
    .filter((r) => r.checks.length && Math.max(...r.checks.flatMap((c) => c.evidence)) < silentAt);
  const firmRoot = rootOf(firm.filter((r) => r.checks.length && !tester.has(r.requirementId)), endState);
  const root = firmRoot ?? rootOf(consequences, endState);
  const stop: JudgeStop | undefined = root ? { ...stopAt(flow, root, endState.has(root.requirementId)), ...(firmRoot ? {} : { afterOnly: true }) } : undefined;
  // Requirements another one depends on are settled first (a step before the ordering rules about it).
  const done = new Map<string, RequirementResult>();
  const settle = ({ base, checks, entry }: (typeof alone)[number]): RequirementResult => {
    const own = tester.has(entry.id) ? { stop: undefined, silentAt: Number.POSITIVE_INFINITY } : { stop, silentAt };
    // The root's own consequence is where the flow stopped, not behind it.
    const resolved = checks.map((c) => resolve(c, flow, c.absent === 'consequence' && own.stop?.requirementId === entry.id ? undefined : own.stop, entry.severity, c.dependsOn ? done.get(c.dependsOn) : undefined, own.silentAt));
    const verdict = settled(resolved);
    const blockedBy = verdict === 'BLOCKED' ? resolved.find((c) => c.blockedBy)?.blockedBy : undefined;
    const r = { ...base, verdict, checks: resolved, ...(blockedBy ? { blockedBy } : {}) };
    done.set(r.requirementId, r);
    return r;
  };
  const dependent = (a: (typeof alone)[number]) => a.checks.some((c) => c.dependsOn);
  for (const a of alone) if (!dependent(a)) settle(a);
  for (const a of alone) if (dependent(a)) settle(a);
  // Played once per run, a case is judged in the flow that played it, and in no other (one the ICS
  // excludes still says so everywhere).
  const played = new Set(ctx.probes.map((e) => e.probe?.split('/')[0]));
  const elsewhere = (e: CatalogueEntry) => flow.testerOncePerRun && tester.has(e.id) && !played.has(e.id) && done.get(e.id)!.verdict !== 'NOT_APPLICABLE';
  return entries.filter((e) => !elsewhere(e)).map((e) => done.get(e.id)!);
}

/** Where the flow stopped; a root seen in the end state has no place on the wire. */
function stopAt(flow: FlowResult, root: RequirementResult, inEndState = false): FlowStop {
  const c = root.checks.find((x) => x.verdict === 'FAIL');
  const seq = inEndState ? Number.POSITIVE_INFINITY : firstSeq(root);
  return {
    flowId: flow.scenario.id,
    requirementId: root.requirementId,
    ...(Number.isFinite(seq) ? { seq } : {}),
    actual: c?.actual ?? '',
    evidence: c?.evidence ?? [],
    status: flow.status,
    ...(flow.error ? { error: flow.error } : {}),
  };
}

/** The FAILs of a flow on their own evidence (roots first, earliest on the wire), and where it stopped. */
export function flowVerdicts(flow: FlowResult, results: readonly RequirementResult[]): { rootFailures: string[]; stop?: FlowStop } {
  const mine = results.filter((r) => r.flowId === flow.scenario.id);
  const failed = mine.filter((r) => r.verdict === 'FAIL').sort((a, b) => firstSeq(a) - firstSeq(b));
  // Where it stopped: the earliest FAIL anything waited on (the root, or a step ordering rules waited on).
  const blockers = new Set(mine.map((r) => r.blockedBy).filter(Boolean));
  const root = failed.find((r) => blockers.has(r.requirementId));
  return { rootFailures: failed.map((r) => r.requirementId), ...(root ? { stop: stopAt(flow, root) } : {}) };
}
