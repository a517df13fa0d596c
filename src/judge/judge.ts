import { applicable, type CatalogueEntry } from '../catalogue/catalogue.js';
import { CHECKS } from '../checks/registry.js';
import type { JudgeContext } from '../checks/check.js';
import type { CheckResult, RequirementResult } from '../report/model.js';
import type { FlowResult } from '../runner/run-flow.js';
import { DmTree } from '../tree/tree.js';
import { worst, type Verdict } from '../verdict/verdict.js';
import { observe } from '../runner/observability.js';
import { classify } from './classify.js';
import { dmSessions, wireMessages } from './wire.js';

export function judgeContext(flow: FlowResult): JudgeContext {
  const messages = wireMessages(flow.events);
  return {
    flow,
    scenario: flow.scenario,
    events: flow.events,
    messages,
    sessions: dmSessions(messages),
    steps: classify(flow.scenario.approach, flow.events, messages, flow.facts),
    initial: DmTree.fromJSON(flow.initialTree),
    final: DmTree.fromJSON(flow.finalTree),
  };
}

/**
 * One requirement in one flow: applicability first, then whether this role assignment can observe it, then
 * each of its checks; the worst outcome wins.
 */
export function judgeRequirement(ctx: JudgeContext, entry: CatalogueEntry): RequirementResult {
  const base = { requirementId: entry.id, flowId: ctx.flow.scenario.id };
  const only = (verdict: Verdict, reason: string): RequirementResult => ({ ...base, verdict, checks: [{ checkId: '-', verdict, reason, evidence: [] }] });
  const app = applicable(entry, ctx.scenario);
  if (!app.ok) return only('NOT_APPLICABLE', app.reason);
  const seen = observe(ctx.flow.observability, entry.observe, entry.observeMode);
  if (!seen.ok) return only('NOT_OBSERVABLE', seen.reason);
  // The test bed failed (a driver, the set-up): nothing about the implementation can be concluded.
  if (ctx.flow.status === 'error') return only('ERROR', `the flow could not run: ${ctx.flow.error}`);
  const partial = seen.unobserved.length ? `judged on the observable part only; not observed: ${seen.unobserved.join(', ')}` : undefined;
  const isEndState = entry.observe.includes('final-tree');
  const gaps = isEndState ? ctx.flow.treeUnread : [];
  const checks: CheckResult[] = entry.checks.map((id) => {
    const check = CHECKS.get(id);
    if (!check) return { checkId: id, verdict: 'ERROR', reason: `no check named ${id}`, evidence: [] };
    try {
      const out = check.run(ctx, entry);
      // A SHOULD that is not met is a warning, not a failure (DESIGN.md §2).
      let verdict: Verdict = out.verdict === 'FAIL' && entry.severity === 'SHOULD' ? 'WARN' : out.verdict;
      let reason = [out.reason, partial].filter(Boolean).join('; ') || undefined;
      // A tree read with holes, or the tree of a delegation that never ended, cannot show that the end state
      // is right; a problem seen in it stands.
      const unsure = !isEndState ? undefined : ctx.flow.status !== 'completed' ? `the delegation did not complete (${ctx.flow.status}), so its end state cannot pass` : gaps.length ? `part of the client's tree could not be read: ${gaps.slice(0, 6).map((g) => `${g.path} (${g.status})`).join(', ')}${gaps.length > 6 ? ', …' : ''}` : undefined;
      // A delegation cut short by a budget has no end state yet: neither a pass nor a failure can be read from it.
      if (isEndState && !check.invariant && ctx.flow.status === 'timeout' && (verdict === 'FAIL' || verdict === 'WARN')) {
        verdict = 'INCONCLUSIVE';
        reason = [reason, `the flow ran out of its budget (${ctx.flow.error}); the tree shows an unfinished delegation`].filter(Boolean).join('; ');
      }
      if (verdict === 'PASS' && unsure) {
        verdict = 'INCONCLUSIVE';
        reason = [reason, unsure].filter(Boolean).join('; ');
      }
      return { checkId: id, ...out, verdict, ...(reason ? { reason } : {}) };
    } catch (err) {
      return { checkId: id, verdict: 'ERROR', reason: `check ${id} failed: ${(err as Error).message}`, evidence: [] };
    }
  });
  return { ...base, verdict: worst(checks.map((c) => c.verdict)) ?? 'ERROR', checks };
}

export function judgeFlow(flow: FlowResult, entries: readonly CatalogueEntry[]): RequirementResult[] {
  const ctx = judgeContext(flow);
  return entries.map((e) => judgeRequirement(ctx, e));
}
