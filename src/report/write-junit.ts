/**
 * junit.xml for CI: one testsuite per flow, one testcase per requirement judged in it. The mapping keeps the
 * verdicts apart (DESIGN.md §2): FAIL is a failure, ERROR and INCONCLUSIVE are errors (not the IUT's fault, or
 * not decided), NOT_APPLICABLE, NOT_OBSERVABLE and BLOCKED are skipped, WARN passes with a note. Nothing that did not
 * run is shown as passed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLBuilder } from 'fast-xml-parser';
import type { Verdict } from '../verdict/verdict.js';
import { placeholderRef, type CheckResult, type FlowReport, type RequirementRef, type RequirementResult, type RunReport } from './model.js';

type XmlNode = Record<string, unknown>;

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: true,
  suppressEmptyNode: true,
  // Otherwise a value of "true" is written as a bare attribute, which is not XML.
  suppressBooleanAttributes: false,
  processEntities: true,
});

/** XML 1.0 forbids most control characters and lone surrogates; a raw body could carry them. */
function xmlSafe(s: string): string {
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** Parsers turn a newline inside an attribute into a space, so attributes are kept on one line on purpose. */
function attr(s: string, max = 500): string {
  const one = xmlSafe(s).replace(/\s+/g, ' ').trim();
  return one.length > max ? one.slice(0, max - 1) + '…' : one;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}


/** Says plainly when the expectation is not verbatim spec text (provenance, anchors §18 item 2). */
function provenanceNote(ref: RequirementRef): string {
  if (ref.provenance === 'reconstructed') return 'against a RECONSTRUCTED requirement (not verbatim spec text)';
  if (ref.provenance === 'profile') return "against a harness BINDING-PROFILE choice (not the spec's own text)";
  return 'against spec text';
}

function checkLines(c: CheckResult): string[] {
  const lines = [`check ${c.checkId}: ${c.verdict}`];
  if (c.expected !== undefined) lines.push(`  expected: ${c.expected}`);
  if (c.actual !== undefined) lines.push(`  actual:   ${c.actual}`);
  if (c.reason !== undefined) lines.push(`  reason:   ${c.reason}`);
  if (c.evidence.length > 0) lines.push(`  evidence: trace seq ${c.evidence.join(', ')}`);
  return lines;
}

function detail(ref: RequirementRef, res: RequirementResult): string {
  const lines = [
    `${ref.id} [${ref.severity}, ${ref.provenance}] ${ref.title}`,
    `${ref.section}: ${ref.text}`,
    `verdict ${res.verdict} ${provenanceNote(ref)}`,
    ...res.checks.filter((c) => c.verdict !== 'PASS').flatMap(checkLines),
  ];
  return xmlSafe(lines.join('\n'));
}

/** The short line a CI summary shows: the first non-passing check's own words. */
function headline(ref: RequirementRef, res: RequirementResult): string {
  const c = res.checks.find((x) => x.verdict === res.verdict) ?? res.checks.find((x) => x.verdict !== 'PASS');
  const tag = ref.provenance === 'spec' ? '' : ` [${ref.provenance}]`;
  if (!c) return `${res.verdict}${tag}: ${ref.title}`;
  const words =
    c.reason ??
    (c.expected !== undefined || c.actual !== undefined ? `expected ${c.expected ?? '?'}, actual ${c.actual ?? '?'}` : ref.title);
  return `${res.verdict}${tag}: ${words}`;
}

// BLOCKED is not a failure of its own: skipped, with the root it waited on in the message.
const SKIPPED: readonly Verdict[] = ['NOT_APPLICABLE', 'NOT_OBSERVABLE', 'BLOCKED'];
const ERRORED: readonly Verdict[] = ['ERROR', 'INCONCLUSIVE'];

function testcase(flowId: string, ref: RequirementRef, res: RequirementResult): XmlNode {
  const props: Array<[string, string]> = [
    ['verdict', res.verdict],
    ['provenance', ref.provenance],
    ['severity', ref.severity],
    ['category', ref.category],
    ['section', ref.section],
  ];
  if (ref.approach) props.push(['approach', ref.approach]);
  if (ref.step) props.push(['step', ref.step]);
  const node: XmlNode = {
    '@_classname': `dmdc.${flowId}`,
    '@_name': attr(`${ref.id} ${ref.title}`),
    // Verdicts are computed after the flow from the trace; a requirement has no duration of its own.
    '@_time': seconds(0),
    properties: { property: props.map(([name, value]) => ({ '@_name': name, '@_value': attr(value) })) },
  };
  if (res.baselined) {
    // A known FAIL (the run's baseline) does not fail the CI job; it stays visible as what it is.
    node.skipped = { '@_message': attr(`FAIL, known (baseline: ${res.baselined.reason}${res.baselined.expires ? `; until ${res.baselined.expires}` : ''}): ${headline(ref, res)}`) };
  } else if (res.verdict === 'FAIL') {
    node.failure = { '@_message': attr(headline(ref, res)), '@_type': 'FAIL', '#text': detail(ref, res) };
  } else if (ERRORED.includes(res.verdict)) {
    node.error = { '@_message': attr(headline(ref, res)), '@_type': res.verdict, '#text': detail(ref, res) };
  } else if (SKIPPED.includes(res.verdict)) {
    const why = res.checks.find((c) => c.verdict === res.verdict && c.reason)?.reason ?? res.checks.find((c) => c.reason)?.reason ?? 'no reason given';
    node.skipped = { '@_message': attr(`${res.verdict}: ${why}`) };
  } else if (res.verdict === 'WARN') {
    node['system-out'] = `WARN: ${detail(ref, res)}`;
  }
  return node;
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function countsOf(results: readonly RequirementResult[]): Counts {
  return {
    tests: results.length,
    failures: results.filter((r) => r.verdict === 'FAIL' && !r.baselined).length,
    errors: results.filter((r) => ERRORED.includes(r.verdict)).length,
    skipped: results.filter((r) => SKIPPED.includes(r.verdict) || r.baselined).length,
  };
}

function countAttrs(c: Counts): XmlNode {
  return { '@_tests': c.tests, '@_failures': c.failures, '@_errors': c.errors, '@_skipped': c.skipped };
}

function flowSuite(report: RunReport, flowId: string, flow: FlowReport | undefined, results: RequirementResult[], name = flowId): { node: XmlNode; counts: Counts } {
  const refs = new Map(report.requirements.map((r) => [r.id, r]));
  const counts = countsOf(results);
  const props: Array<[string, string]> = flow
    ? [
        ['approach', flow.approach],
        ['scope', flow.scope],
        ['duration', flow.duration],
        ['removeAccount', String(flow.removeAccount)],
        ['bootstrap', flow.bootstrap],
        ['status', flow.status],
        ['treeSource', flow.treeSource],
      ]
    : [];
  if (flow?.error) props.push(['error', flow.error]);
  const node: XmlNode = {
    '@_name': name,
    ...countAttrs(counts),
    '@_time': seconds(flow?.durationMs ?? 0),
    '@_timestamp': report.startedAt,
    properties: props.length ? { property: props.map(([name, value]) => ({ '@_name': name, '@_value': attr(value) })) } : undefined,
    testcase: results.map((r) => testcase(flowId, refs.get(r.requirementId) ?? placeholderRef(r.requirementId), r)),
  };
  return { node, counts };
}

/** Harness-level errors are not tied to a flow but must still turn CI red. */
function harnessSuite(report: RunReport): { node: XmlNode; counts: Counts } {
  const counts: Counts = { tests: report.errors.length, failures: 0, errors: report.errors.length, skipped: 0 };
  const node: XmlNode = {
    '@_name': 'harness',
    ...countAttrs(counts),
    '@_time': seconds(0),
    '@_timestamp': report.startedAt,
    testcase: report.errors.map((e, i) => ({
      '@_classname': 'dmdc.harness',
      '@_name': `harness error ${i + 1}`,
      '@_time': seconds(0),
      error: { '@_message': attr(e), '@_type': 'ERROR', '#text': xmlSafe(e) },
    })),
  };
  return { node, counts };
}

export function junitXml(report: RunReport): string {
  const byFlow = new Map<string, RequirementResult[]>(report.flows.map((f) => [f.id, []]));
  for (const r of report.results) {
    const list = byFlow.get(r.flowId) ?? [];
    list.push(r);
    byFlow.set(r.flowId, list);
  }
  const flows = new Map(report.flows.map((f) => [f.id, f]));
  // The tester's cases of a flow form a suite of their own, beside the delegation's requirements.
  const negative = new Set(report.requirements.filter((r) => r.category === 'negative').map((r) => r.id));
  const suites = [...byFlow].flatMap(([id, results]) => {
    const tester = results.filter((r) => negative.has(r.requirementId));
    const own = results.filter((r) => !negative.has(r.requirementId));
    return [flowSuite(report, id, flows.get(id), own), ...(tester.length ? [flowSuite(report, id, flows.get(id), tester, `${id} tester`)] : [])];
  });
  if (report.errors.length > 0) suites.push(harnessSuite(report));
  const total = suites.reduce<Counts>(
    (acc, s) => ({
      tests: acc.tests + s.counts.tests,
      failures: acc.failures + s.counts.failures,
      errors: acc.errors + s.counts.errors,
      skipped: acc.skipped + s.counts.skipped,
    }),
    { tests: 0, failures: 0, errors: 0, skipped: 0 },
  );
  const doc = {
    testsuites: {
      '@_name': `dmdc ${report.runId}`,
      ...countAttrs(total),
      '@_time': seconds(report.durationMs),
      '@_timestamp': report.startedAt,
      testsuite: suites.map((s) => s.node),
    },
  };
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + String(builder.build(doc));
}

/** Writes junit.xml; returns its path. */
export function writeJunit(dir: string, report: RunReport): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'junit.xml');
  writeFileSync(file, junitXml(report));
  return file;
}
