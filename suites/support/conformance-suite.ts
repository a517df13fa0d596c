import { readFileSync } from 'node:fs';
import * as allure from 'allure-js-commons';
import { describe, expect, test } from 'vitest';
import { loadCatalogue, matchesGlob, provenanceFor, type CatalogueEntry } from '../../src/catalogue/catalogue.js';
import { judgeContext, judgeFlow } from '../../src/judge/judge.js';
import type { FlowResult } from '../../src/runner/run-flow.js';

/** Where `dmdc run` left the recorded flows for the suites to judge. */
function loadFlows(): FlowResult[] {
  const file = process.env.DMDC_FLOWS;
  if (!file) throw new Error('the conformance suites judge recorded flows: run them with `dmdc run` (npm run conformance)');
  return JSON.parse(readFileSync(file, 'utf8')) as FlowResult[];
}

const SEVERITY = { MUST: 'critical', SHOULD: 'normal', MAY: 'minor' } as const;

/**
 * One suite per concern: for every recorded flow, one test per catalogue entry of the concern. The verdict
 * comes from the same judge the report uses; vitest and Allure only present it.
 */
export function conformanceSuite(name: string, select: (e: CatalogueEntry) => boolean): void {
  const flows = loadFlows();
  const only = process.env.DMDC_ONLY;
  const entries = loadCatalogue().entries.filter((e) => select(e) && (!only || matchesGlob(e.id, only)));
  describe.each(flows.map((f) => [f.scenario.id, f] as const))(`${name} · %s`, (_id, flow) => {
    const ctx = judgeContext(flow);
    // The whole flow is judged at once: a requirement's verdict can depend on where the flow stopped.
    const judged = new Map(judgeFlow(flow, loadCatalogue().entries).map((r) => [r.requirementId, r]));
    test.for(entries.map((e) => [e.id, e] as const))('%s', async ([, entry], { skip, annotate }) => {
      const r = judged.get(entry.id);
      // A tester case played once per run is judged in the flow that played it only.
      if (!r) return skip('not judged in this flow: the tester played this case in another flow of the run');
      const provenance = provenanceFor(entry, flow.scenario.approach);
      await allure.epic(`Approach ${flow.scenario.approach}`);
      await allure.feature(entry.category);
      await allure.story(entry.step ?? entry.id);
      await allure.label('requirement', entry.id);
      await allure.label('provenance', provenance);
      await allure.label('flow', flow.scenario.id);
      await allure.tags(provenance, entry.severity, flow.scenario.id);
      await allure.severity(SEVERITY[entry.severity]);
      await allure.parameter('flow', flow.scenario.id);
      await allure.link(`https://www.openmobilealliance.org/release/DM/V1_3-20160524-A/#${encodeURIComponent(entry.id)}`, entry.section);
      await allure.description(`${entry.title}\n\n"${entry.text}"\n\n${entry.section} · ${provenance} · ${entry.severity}`);
      // The flow's stages as steps, in the order they were observed.
      for (const occ of [...ctx.steps.values()].sort((a, b) => a.first - b.first)) {
        await allure.logStep(`${occ.step}: seq ${occ.events[0].seq}–${occ.events.at(-1)!.seq} (${occ.events.length} events)`);
      }
      const evidence = new Set(r.checks.flatMap((c) => c.evidence));
      for (const e of flow.events) {
        if (!evidence.has(e.seq) || !e.body?.raw || e.body.encoding !== 'utf8') continue;
        await allure.attachment(`seq ${e.seq} ${e.from}→${e.to} ${e.link}`, e.body.raw, { contentType: 'text/xml', fileExtension: 'xml' });
      }
      const detail = r.checks
        .map((c) => [`[${c.checkId}] ${c.verdict}`, c.expected && `Expected: ${c.expected}`, c.actual && `Actual:   ${c.actual}`, c.reason && `Reason:   ${c.reason}`, c.evidence.length ? `Messages: seq ${c.evidence.join(', ')}` : ''].filter(Boolean).join('\n'))
        .join('\n');
      const header = `${entry.id} (${provenance}, ${entry.severity}) ${entry.section}\n"${entry.text}"\n${detail}`;
      switch (r.verdict) {
        case 'PASS':
          return;
        case 'WARN':
          await annotate(`WARN: ${detail}`, 'warning');
          return;
        case 'NOT_APPLICABLE':
        case 'NOT_OBSERVABLE':
        case 'BLOCKED':
          skip(`${r.verdict}: ${r.checks.map((c) => c.reason).filter(Boolean).join('; ')}`);
          return;
        case 'FAIL':
          expect.fail(header);
          return;
        default:
          // ERROR and INCONCLUSIVE are not the implementation failing a check: Allure shows them as broken.
          throw new Error(`${r.verdict}: ${header}`);
      }
    });
  });
}
