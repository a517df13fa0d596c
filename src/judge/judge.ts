import { applicable, type CatalogueEntry } from '../catalogue/catalogue.js';
import { CHECKS } from '../checks/registry.js';
import type { JudgeContext } from '../checks/check.js';
import type { CheckResult, RequirementResult } from '../report/model.js';
import type { FlowResult } from '../runner/run-flow.js';
import { DmTree } from '../tree/tree.js';
import { worst } from '../verdict/verdict.js';
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

/** One requirement in one flow: applicability first, then each of its checks; the worst outcome wins. */
export function judgeRequirement(ctx: JudgeContext, entry: CatalogueEntry): RequirementResult {
  const base = { requirementId: entry.id, flowId: ctx.flow.scenario.id };
  const app = applicable(entry, ctx.scenario);
  if (!app.ok) return { ...base, verdict: 'NOT_APPLICABLE', checks: [{ checkId: '-', verdict: 'NOT_APPLICABLE', reason: app.reason, evidence: [] }] };
  const checks: CheckResult[] = entry.checks.map((id) => {
    const check = CHECKS.get(id);
    if (!check) return { checkId: id, verdict: 'ERROR', reason: `no check named ${id}`, evidence: [] };
    try {
      const out = check.run(ctx, entry);
      // A SHOULD that is not met is a warning, not a failure (DESIGN.md §2).
      const verdict = out.verdict === 'FAIL' && entry.severity === 'SHOULD' ? 'WARN' : out.verdict;
      return { checkId: id, ...out, verdict };
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
