/**
 * junit.xml for CI: one testsuite per flow, one testcase per requirement judged in it. The mapping keeps the
 * verdicts apart (DESIGN.md §2): FAIL is a failure, ERROR and INCONCLUSIVE are errors (not the IUT's fault, or
 * not decided), NOT_APPLICABLE, NOT_OBSERVABLE and BLOCKED are skipped, WARN passes with a note. Nothing that did not
 * run is shown as passed.
 *
 * Valid against the Jenkins xunit plugin's junit-10.xsd (test/fixtures-junit/junit-10.xsd), the schema that
 * plugin checks a junit.xml against: properties only on a suite, a test case's facts in its system-out, and
 * on <testsuites> only name, time, tests, failures and errors. Suites are named `<IUT>.<flow>`, so the junit.xml
 * of two implementations published together keep their suites apart.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Verdict } from '../verdict/verdict.js';
import { attr, junitBuilder as builder, timestamp, xmlSafe } from './junit-xml.js';
import { placeholderRef, refIn, type CheckResult, type FlowReport, type RequirementRef, type RequirementResult, type RunReport } from './model.js';

type XmlNode = Record<string, unknown>;


function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
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

/** The implementation the run judged, as suites and classes are prefixed with it. */
function iutOf(report: RunReport): string {
  return attr(report.setup?.name ?? '', 100) || 'dmdc';
}

/**
 * When a flow started, in ms since the run started. A flow's trace clock (SequenceEntry.t) starts with the
 * flow's own recorder, so the report holds no flow start of its own; flows run one after another in report
 * order, so a flow starts when the ones before it have taken their durations (the judging between flows, a
 * few ms each, is not counted).
 */
function flowOffsets(report: RunReport): Map<string, number> {
  const offsets = new Map<string, number>();
  const runStart = Date.parse(report.startedAt);
  let at = 0;
  for (const f of report.flows) {
    // The flow's own start where the report has it (a merged run's shards ran side by side); else the flows
    // are laid end to end from the run's start.
    offsets.set(f.id, f.startedAt ? Math.max(0, Date.parse(f.startedAt) - runStart) : at);
    at += Math.max(0, f.durationMs);
  }
  return offsets;
}

/**
 * A test case's time: from the flow's first recorded message to the last message of its evidence, i.e. how far
 * into the flow its verdict was proven (both on the flow's clock, so its origin does not matter). A trace seq
 * the sequence does not hold counts at the message recorded just before it. No evidence,
 * no time: 0. Evidence on the flow's first message still counts 1 ms, so only a case without evidence reads 0.
 */
/** Per flow, its messages' seqs in order with their times, and its first time: built once, searched per case. */
const clocks = new WeakMap<FlowReport, { seqs: number[]; ts: number[]; first: number }>();
function clockOf(flow: FlowReport): { seqs: number[]; ts: number[]; first: number } {
  let c = clocks.get(flow);
  if (!c) {
    const ordered = [...flow.sequence].sort((a, b) => a.seq - b.seq);
    c = { seqs: ordered.map((e) => e.seq), ts: ordered.map((e) => e.t), first: ordered.reduce((m, e) => Math.min(m, e.t), Infinity) };
    clocks.set(flow, c);
  }
  return c;
}

function caseMs(flow: FlowReport | undefined, res: RequirementResult): number {
  const seqs = res.checks.flatMap((c) => c.evidence);
  if (!flow || seqs.length === 0 || flow.sequence.length === 0) return 0;
  const c = clockOf(flow);
  // The time of the last message at or before `seq` (binary search), else the flow's first.
  const tOf = (seq: number) => {
    let lo = 0;
    let hi = c.seqs.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (c.seqs[mid]! <= seq) (at = mid), (lo = mid + 1);
      else hi = mid - 1;
    }
    return at < 0 ? c.ts[0]! : c.ts[at]!;
  };
  return Math.max(1, seqs.reduce((m, s) => Math.max(m, tOf(s)), -Infinity) - c.first);
}

/** A case's facts, one `name: value` a line: the schema allows no properties on a test case. */
function facts(ref: RequirementRef, res: RequirementResult): string[] {
  const lines: Array<[string, string | undefined]> = [
    ['verdict', res.baselined ? `${res.verdict} (known, baseline)` : res.verdict],
    ['provenance', ref.provenance],
    ['severity', ref.severity],
    ['category', ref.category],
    ['section', ref.section],
    ['approach', ref.approach],
    ['step', ref.step],
    ['blocked by', res.blockedBy],
  ];
  const evidence = [...new Set(res.checks.flatMap((c) => c.evidence))].sort((a, b) => a - b);
  if (evidence.length) lines.push(['evidence', `trace seq ${evidence.join(', ')}`]);
  return lines.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k}: ${v}`);
}

function testcase(classname: string, flow: FlowReport | undefined, ref: RequirementRef, res: RequirementResult): XmlNode {
  const node: XmlNode = {
    '@_name': attr(`${ref.id} ${ref.title}`),
    '@_classname': classname,
    '@_time': seconds(caseMs(flow, res)),
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
  }
  // Jenkins and GitLab show a case's system-out beside it: the facts, and for a WARN what it warns of.
  const out = res.verdict === 'WARN' && !res.baselined ? [`WARN: ${detail(ref, res)}`, '', ...facts(ref, res)] : facts(ref, res);
  node['system-out'] = xmlSafe(out.join('\n'));
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

function countAttrs(c: Counts, o: { skipped: boolean }): XmlNode {
  // <testsuites> has no skipped attribute in the schema; each <testsuite> has.
  return { '@_tests': c.tests, '@_failures': c.failures, '@_errors': c.errors, ...(o.skipped ? { '@_skipped': c.skipped } : {}) };
}

function propertiesOf(props: Array<[string, string | undefined]>): XmlNode | undefined {
  const set = props.filter((p): p is [string, string] => p[1] !== undefined);
  return set.length ? { property: set.map(([name, value]) => ({ '@_name': name, '@_value': attr(value) })) } : undefined;
}

interface SuiteInput {
  /** `<IUT>.<flow>`, `<IUT>.<flow> tester` or `<IUT>.harness`. */
  name: string;
  /** The run and the suite: Jenkins merges suites of one name only when their ids agree. */
  id: string;
  /** ms since the run started. */
  startMs: number;
  durationMs: number;
  props: Array<[string, string | undefined]>;
  cases: XmlNode[];
  counts: Counts;
}

function suiteNode(report: RunReport, s: SuiteInput): XmlNode {
  return {
    '@_name': s.name,
    ...countAttrs(s.counts, { skipped: true }),
    '@_time': seconds(s.durationMs),
    '@_timestamp': timestamp(Date.parse(report.startedAt) + s.startMs),
    '@_id': s.id,
    properties: propertiesOf(s.props),
    testcase: s.cases,
  };
}

function runProps(report: RunReport): Array<[string, string | undefined]> {
  return [
    ['iut', report.setup?.name],
    ['run', report.runId],
    ['mutant', report.mutant],
  ];
}

function flowSuites(report: RunReport, flowId: string, flow: FlowReport | undefined, results: RequirementResult[], startMs: number): { node: XmlNode; counts: Counts }[] {
  const refs = new Map(report.requirements.map((r) => [r.id, r]));
  const iut = iutOf(report);
  // Jenkins splits a classname at its last dot: package = the IUT, class = the flow.
  const classname = `${iut}.${flowId}`;
  const flowProps: Array<[string, string | undefined]> = [
    ...runProps(report),
    ['flow', flowId],
    ...(flow
      ? ([
          ['approach', flow.approach],
          ['scope', flow.scope],
          ['duration', flow.duration],
          ['removeAccount', String(flow.removeAccount)],
          ['bootstrap', flow.bootstrap],
          ['status', flow.status],
          ['treeSource', flow.treeSource],
          ['error', flow.error],
        ] as Array<[string, string | undefined]>)
      : []),
  ];
  // The tester's cases of a flow form a suite of their own, beside the delegation's requirements.
  const negative = new Set(report.requirements.filter((r) => r.category === 'negative').map((r) => r.id));
  const tester = results.filter((r) => negative.has(r.requirementId));
  const own = results.filter((r) => !negative.has(r.requirementId));
  const casesOf = (list: RequirementResult[]) => list.map((r) => testcase(classname, flow, refIn(refs.get(r.requirementId) ?? placeholderRef(r.requirementId), flow?.approach), r));
  const suite = (name: string, id: string, list: RequirementResult[], durationMs: number) => {
    const counts = countsOf(list);
    return { node: suiteNode(report, { name, id, startMs, durationMs, props: flowProps, cases: casesOf(list), counts }), counts };
  };
  const out = [suite(classname, `${report.runId}/${flowId}`, own, flow?.durationMs ?? 0)];
  // The tester plays its cases within the flow: its suite starts with the flow and lasts until its last evidence.
  if (tester.length) out.push(suite(`${classname} tester`, `${report.runId}/${flowId}/tester`, tester, Math.max(0, ...tester.map((r) => caseMs(flow, r)))));
  return out;
}

/** Harness-level errors are not tied to a flow but must still turn CI red. */
function harnessSuite(report: RunReport): { node: XmlNode; counts: Counts } {
  const counts: Counts = { tests: report.errors.length, failures: 0, errors: report.errors.length, skipped: 0 };
  const iut = iutOf(report);
  const cases = report.errors.map((e, i) => ({
    '@_name': `harness error ${i + 1}`,
    '@_classname': `${iut}.harness`,
    '@_time': seconds(0),
    error: { '@_message': attr(e), '@_type': 'ERROR', '#text': xmlSafe(e) },
  }));
  return { node: suiteNode(report, { name: `${iut}.harness`, id: `${report.runId}/harness`, startMs: 0, durationMs: 0, props: runProps(report), cases, counts }), counts };
}

export function junitXml(report: RunReport): string {
  const byFlow = new Map<string, RequirementResult[]>(report.flows.map((f) => [f.id, []]));
  for (const r of report.results) {
    const list = byFlow.get(r.flowId) ?? [];
    list.push(r);
    byFlow.set(r.flowId, list);
  }
  const flows = new Map(report.flows.map((f) => [f.id, f]));
  const offsets = flowOffsets(report);
  const suites = [...byFlow].flatMap(([id, results]) => flowSuites(report, id, flows.get(id), results, offsets.get(id) ?? 0));
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
      '@_name': `dmdc ${report.runId}${report.setup?.name ? ` ${attr(report.setup.name, 100)}` : ''}`,
      '@_time': seconds(report.durationMs),
      ...countAttrs(total, { skipped: false }),
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
