import { readFileSync } from 'node:fs';
import * as allure from 'allure-js-commons';
import { describe, expect, test } from 'vitest';
import type { FlowReport, RequirementRef, RequirementResult, RunReport } from '../../src/report/model.js';
import { reportWritten } from './report-gate.js';

/**
 * What `dmdc run` judged, read once per run: the suites present report.json's verdicts and never judge
 * again, so they import no harness code and cost only vitest's own start.
 */
let loaded: { report: RunReport; byFlow: Map<string, Map<string, RequirementResult>> } | undefined;
function judged() {
  if (loaded) return loaded;
  const file = process.env.DMDC_REPORT;
  if (!file) throw new Error('the conformance suites present a judged run: run them with `dmdc run` (npm run conformance)');
  const report = JSON.parse(readFileSync(file, 'utf8')) as RunReport;
  const byFlow = new Map<string, Map<string, RequirementResult>>();
  for (const r of report.results) {
    if (!byFlow.has(r.flowId)) byFlow.set(r.flowId, new Map());
    byFlow.get(r.flowId)!.set(r.requirementId, r);
  }
  return (loaded = { report, byFlow });
}

const SEVERITY = { MUST: 'critical', SHOULD: 'normal', MAY: 'minor' } as const;

/** The flow's stages in the order they were observed: consecutive messages of one step. */
function stages(flow: FlowReport): string[] {
  const out: Array<{ step: string; from: number; to: number; n: number }> = [];
  const open = new Map<string, (typeof out)[number]>();
  for (const m of flow.sequence) {
    if (!m.step) continue;
    const at = open.get(m.step);
    if (at) (at.to = m.seq), at.n++;
    else {
      const made = { step: m.step, from: m.seq, to: m.seq, n: 1 };
      open.set(m.step, made);
      out.push(made);
    }
  }
  return out.map((s) => `${s.step}: seq ${s.from}–${s.to} (${s.n} events)`);
}

/** Why a result has its verdict: the reasons of the checks that gave it, once each. */
function reasons(r: RequirementResult): string {
  const of = (cs: RequirementResult['checks']) => [...new Set(cs.map((c) => c.reason).filter((x): x is string => !!x))];
  const own = of(r.checks.filter((c) => c.verdict === r.verdict));
  return (own.length ? own : of(r.checks)).join('; ') || 'no reason given';
}

/**
 * One suite per concern: for every flow of the run, one test per requirement of the concern, with the
 * verdict the run's judge gave; vitest and Allure only present it.
 */
export async function conformanceSuite(name: string, select: (e: RequirementRef) => boolean): Promise<void> {
  await reportWritten();
  const { report, byFlow } = judged();
  const refs = report.requirements.filter(select);
  // A flow with nothing of this concern judged in it (a tester case is judged only where it was played) has no suite.
  const flows = report.flows.filter((f) => refs.some((e) => byFlow.get(f.id)?.has(e.id)));
  // vitest fails a file without tests; a run that selected nothing of this concern says so instead.
  if (!flows.length) test.skip(`${name}: nothing of this concern was judged in this run`, () => {});
  describe.each(flows.map((f) => [f.id, f] as const))(`${name} · %s`, (_id, flow) => {
    const judgedHere = byFlow.get(flow.id) ?? new Map<string, RequirementResult>();
    const steps = stages(flow);
    const bodies = new Map(flow.sequence.filter((m) => m.body?.startsWith('<')).map((m) => [m.seq, m]));
    // A tester case played once per run is judged (and shown) in the flow that played it only. The name holds
    // nothing of the run (no id, no timing): Allure keys a test's history on it, and on the test case id.
    const named = refs.filter((e) => judgedHere.has(e.id)).map((e) => [`${e.id} ${e.title} · ${flow.id}`, e] as const);
    test.for(named)('%s', async ([, entry], { skip, annotate }) => {
      const r = judgedHere.get(entry.id)!;
      // A test is per flow: the provenance of the flow's approach, as the report states it.
      const provenance = entry.provenanceByApproach?.[flow.approach] ?? entry.provenance;
      // One test case per requirement × flow, whatever its title or verdict: history and retries match on it.
      await allure.testCaseId(`${flow.id}/${entry.id}`);
      await allure.historyId(`${flow.id}/${entry.id}`);
      // One message for every label (613 tests × a dozen labels): Allure 3's categories match on `verdict`
      // and `blocked-by` (allure-metadata.ts).
      await allure.labels(
        { name: 'epic', value: `Approach ${flow.approach}` },
        { name: 'feature', value: entry.category },
        { name: 'story', value: entry.step ?? entry.id },
        { name: 'requirement', value: entry.id },
        { name: 'provenance', value: provenance },
        { name: 'flow', value: flow.id },
        { name: 'verdict', value: r.verdict },
        ...(r.blockedBy ? [{ name: 'blocked-by', value: r.blockedBy }] : []),
        ...[provenance, entry.severity, flow.id].map((value) => ({ name: 'tag', value })),
        { name: 'severity', value: SEVERITY[entry.severity] },
      );
      await allure.parameter('flow', flow.id);
      await allure.link(`https://www.openmobilealliance.org/release/DM/V1_3-20160524-A/#${encodeURIComponent(entry.id)}`, entry.section);
      await allure.description(`${entry.title}\n\n"${entry.text}"\n\n${entry.section} · ${provenance} · ${entry.severity}`);
      for (const s of steps) await allure.logStep(s);
      // The messages behind a verdict that needs reading, attached; a PASS names its evidence (report.html
      // shows every message), as each attachment is a file written and flushed on its own.
      const cited = [...new Set(r.checks.flatMap((c) => c.evidence))];
      // Excluded from the history id: the evidence's seq numbers differ from run to run.
      if (r.verdict === 'PASS') await allure.parameter('evidence', cited.length ? `seq ${cited.join(', ')}` : 'none', { excluded: true });
      else {
        for (const seq of cited) {
          const m = bodies.get(seq);
          if (m) await allure.attachment(`seq ${m.seq} ${m.from}→${m.to} ${m.link}`, m.body!, { contentType: 'text/xml', fileExtension: 'xml' });
        }
      }
      const detail = r.checks
        .map((c) => [`[${c.checkId}] ${c.verdict}`, c.expected && `Expected: ${c.expected}`, c.actual && `Actual:   ${c.actual}`, c.reason && `Reason:   ${c.reason}`, c.evidence.length ? `Messages: seq ${c.evidence.join(', ')}` : ''].filter(Boolean).join('\n'))
        .join('\n');
      const about = `${entry.section}\n"${entry.text}"\n${detail}`;
      // Each message begins with the verdict (a FAIL's also with its provenance), then why: Allure's
      // categories match on that beginning.
      const why = reasons(r);
      switch (r.verdict) {
        case 'PASS':
          return;
        case 'WARN':
          await annotate(`WARN: ${detail}`, 'warning');
          return;
        case 'NOT_APPLICABLE':
        case 'NOT_OBSERVABLE':
        case 'BLOCKED':
          // The reason becomes the result's statusDetails.message (allure-reporter.ts).
          skip(`${r.verdict}${r.blockedBy ? ` by ${r.blockedBy}` : ''}: ${why}`);
          return;
        case 'FAIL':
          // A FAIL the run's baseline knows of is still a FAIL; Allure shows it with the baseline's reason.
          if (r.baselined) await allure.label('baseline', `known: ${r.baselined.reason}`);
          expect.fail(`FAIL [${provenance}, ${entry.severity}] ${r.baselined ? `(known to the baseline: ${r.baselined.reason}${r.baselined.expires ? `, until ${r.baselined.expires}` : ''}) ` : ''}${entry.id} ${about}`);
          return;
        default:
          // ERROR and INCONCLUSIVE are not the implementation failing a check: Allure shows them as broken.
          throw new Error(`${r.verdict}: ${why}\n${entry.id} [${provenance}, ${entry.severity}] ${about}`);
      }
    });
  });
}
