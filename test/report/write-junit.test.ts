import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { MUTANTS } from '../../mocks/mutants.js';
import { loadCatalogue } from '../../src/catalogue/catalogue.js';
import { judgeFlow } from '../../src/judge/judge.js';
import { createPki } from '../../src/pki/pki.js';
import { buildReport } from '../../src/report/build-report.js';
import { junitXml, writeJunit } from '../../src/report/index.js';
import type { RunReport } from '../../src/report/model.js';
import { validateReport } from '../../src/report/report-schema.js';
import { EveryCasePlayed } from '../../src/runner/every-case-played.js';
import { runFlow, type FlowResult } from '../../src/runner/run-flow.js';
import { defaultScenarios } from '../../src/runner/scenario.js';
import { FLOW_A, FLOW_B, SCRIPT, sampleReport } from './sample-report.js';

/** The Jenkins xunit plugin's junit-10.xsd (where it comes from: the comment at its top). */
const XSD = join(import.meta.dirname, '..', 'fixtures-junit', 'junit-10.xsd');

interface Outcome {
  '@_message'?: string;
  '@_type'?: string;
  '#text'?: string;
}
interface Case {
  '@_classname': string;
  '@_name': string;
  '@_time': string;
  properties?: unknown;
  failure?: Outcome;
  error?: Outcome;
  skipped?: Outcome;
  'system-out'?: string;
}
interface Suite {
  '@_name': string;
  '@_tests': string;
  '@_failures': string;
  '@_errors': string;
  '@_skipped'?: string;
  '@_time': string;
  '@_timestamp': string;
  '@_id': string;
  properties?: { property: Array<{ '@_name': string; '@_value': string }> };
  testcase: Case[];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseAttributeValue: false,
  isArray: (name) => name === 'testsuite' || name === 'testcase' || name === 'property',
});

function parse(xml: string): { root: Omit<Suite, 'testcase'>; suites: Suite[] } {
  const doc = parser.parse(xml) as { testsuites: Omit<Suite, 'testcase'> & { testsuite: Suite[] } };
  return { root: doc.testsuites, suites: doc.testsuites.testsuite };
}

function counts(s: Omit<Suite, 'testcase'>) {
  return { tests: s['@_tests'], failures: s['@_failures'], errors: s['@_errors'], ...(s['@_skipped'] !== undefined ? { skipped: s['@_skipped'] } : {}) };
}

/** A case's `name: value` lines in its system-out. */
function factsOf(c: Case): Record<string, string> {
  return Object.fromEntries((c['system-out'] ?? '').split('\n').map((l) => /^([a-z ]+): (.*)$/.exec(l)).filter((m) => m !== null).map((m) => [m[1]!, m[2]!]));
}

function caseOf(suite: Suite, requirementId: string): Case {
  const c = suite.testcase.find((t) => t['@_name'].startsWith(`${requirementId} `));
  if (!c) throw new Error(`no testcase for ${requirementId}`);
  return c;
}

describe('junit.xml', () => {
  const xml = junitXml(sampleReport());
  const { root, suites } = parse(xml);
  const [a, b] = suites as [Suite, Suite];

  it('is well-formed XML with one testsuite per flow', () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    // No IUT named in the sample (no setup): the suites are the harness's own.
    expect(suites.map((s) => s['@_name'])).toEqual([`dmdc.${FLOW_A}`, `dmdc.${FLOW_B}`]);
  });

  it('counts tests, failures, errors and skipped per suite and in total', () => {
    expect(counts(a)).toEqual({ tests: '5', failures: '0', errors: '1', skipped: '1' });
    expect(counts(b)).toEqual({ tests: '4', failures: '1', errors: '1', skipped: '1' });
    // <testsuites> may not carry skipped (junit-10.xsd): its suites do.
    expect(counts(root)).toEqual({ tests: '9', failures: '1', errors: '2' });
    expect(a.testcase).toHaveLength(5);
    expect(b.testcase).toHaveLength(4);
  });

  it('names testcases after the requirement and classes after the flow, with its facts in system-out', () => {
    const c = caseOf(b, 'SDP-B.7-acl');
    expect(c['@_name']).toBe('SDP-B.7-acl Client ACL changed before DMS-2 connects');
    expect(c['@_classname']).toBe(`dmdc.${FLOW_B}`);
    expect(c.properties).toBeUndefined();
    expect(factsOf(c)).toMatchObject({ verdict: 'FAIL', provenance: 'reconstructed', severity: 'MUST', category: 'step', approach: 'B', step: 'B.7', evidence: 'trace seq 6, 7' });
    expect(factsOf(c).section).toBe('OMA-TS-DM_Server_Delegation_Protocol §5.2.2 (printed 5.2.1.6)');
  });

  it('keeps properties at suite level: the run and the flow', () => {
    const props = Object.fromEntries(b.properties!.property.map((p) => [p['@_name'], p['@_value']]));
    expect(props).toMatchObject({ run: '20250101T000000Z-abc123', mutant: 'acl-after-notify', flow: FLOW_B, approach: 'B', scope: 'partial', status: 'failed' });
    expect(props.iut).toBeUndefined();
  });

  it("times each suite from its flow and each case from its evidence", () => {
    // Flows run one after another: B starts when A's 1.8 s are over. Timestamps are UTC without a zone.
    expect([a['@_timestamp'], b['@_timestamp']]).toEqual(['2025-01-01T00:00:00.000', '2025-01-01T00:00:01.800']);
    expect([a['@_time'], b['@_time']]).toEqual(['1.800', '2.300']);
    // From the flow's first message (A: t 2, B: t 1000) to the case's last evidence.
    expect(caseOf(a, 'SDP-A.2-request')['@_time']).toBe('0.010');
    expect(caseOf(a, 'SESS-auth')['@_time']).toBe('0.898');
    expect(caseOf(b, 'SDP-B.7-acl')['@_time']).toBe('0.040');
    expect(caseOf(b, 'ORD-B-acl-before-dms2')['@_time']).toBe('0.300');
    // No evidence, no time.
    expect(caseOf(a, 'FS-acl-final')['@_time']).toBe('0.000');
    expect(caseOf(a, 'NEG-8b-optional')['@_time']).toBe('0.000');
    expect(root['@_time']).toBe('4.250');
  });

  it('times evidence the sequence leaves out at the message before it, and the first message at 1 ms', () => {
    const r = sampleReport();
    r.results.find((x) => x.requirementId === 'SDP-A.2-request')!.checks[0]!.evidence = [1];
    // seq 11 is not in B's sequence (a TLS event, say): it counts at seq 10, t 1300.
    r.results.find((x) => x.requirementId === 'SDP-B.7-acl')!.checks[0]!.evidence = [11];
    const [ra, rb] = parse(junitXml(r)).suites as [Suite, Suite];
    expect(caseOf(ra, 'SDP-A.2-request')['@_time']).toBe('0.001');
    expect(caseOf(rb, 'SDP-B.7-acl')['@_time']).toBe('0.300');
  });

  it("prefixes suites and classes with the IUT's name, so two IUTs' suites stay apart", () => {
    const r = sampleReport();
    r.setup = { name: 'acme-dm 2.1', ics: {}, observability: {} };
    const parsed = parse(junitXml(r));
    expect(parsed.suites.map((s) => s['@_name'])).toEqual([`acme-dm 2.1.${FLOW_A}`, `acme-dm 2.1.${FLOW_B}`]);
    expect(caseOf(parsed.suites[1]!, 'SDP-B.7-acl')['@_classname']).toBe(`acme-dm 2.1.${FLOW_B}`);
    expect(parsed.suites.map((s) => s['@_id'])).toEqual([`20250101T000000Z-abc123/${FLOW_A}`, `20250101T000000Z-abc123/${FLOW_B}`]);
    expect(parsed.root['@_name']).toBe('dmdc 20250101T000000Z-abc123 acme-dm 2.1');
    expect(Object.fromEntries(parsed.suites[0]!.properties!.property.map((p) => [p['@_name'], p['@_value']])).iut).toBe('acme-dm 2.1');
    const names = new Set(suites.map((s) => s['@_name']));
    expect(parsed.suites.filter((s) => names.has(s['@_name']))).toEqual([]);
  });

  it('maps FAIL to <failure> with the requirement text, provenance, expected/actual and evidence', () => {
    const f = caseOf(b, 'SDP-B.7-acl').failure!;
    expect(f['@_type']).toBe('FAIL');
    expect(f['@_message']).toContain('[reconstructed]');
    expect(f['#text']).toContain('The client ACL grants DMS-2 Replace on the delegated subtree & keeps DMS-1 <Get>.');
    expect(f['#text']).toContain('RECONSTRUCTED');
    expect(f['#text']).toContain('expected: Replace=dms2 on ./Vendor & Get=dms1 kept');
    expect(f['#text']).toContain(`actual:   Replace=dms2 only ${SCRIPT}`);
    expect(f['#text']).toContain('evidence: trace seq 6, 7');
    expect(xml).not.toContain(SCRIPT);
  });

  it('maps ERROR and INCONCLUSIVE to <error> with their verdict as type', () => {
    expect(caseOf(a, 'SESS-auth').error).toMatchObject({ '@_type': 'ERROR', '@_message': 'ERROR: mock client crashed: ECONNRESET' });
    expect(caseOf(b, 'ORD-B-acl-before-dms2').error?.['@_type']).toBe('INCONCLUSIVE');
    expect(caseOf(b, 'ORD-B-acl-before-dms2').error?.['@_message']).toContain('[profile]');
  });

  it('maps NOT_APPLICABLE and NOT_OBSERVABLE to <skipped> with the reason', () => {
    expect(caseOf(a, 'NEG-8b-optional').skipped?.['@_message']).toBe('NOT_APPLICABLE: ICS: step 8b not supported');
    expect(caseOf(b, 'FS-acl-final').skipped?.['@_message']).toBe('NOT_OBSERVABLE: DMS-2 is real and no proxy sees its session');
  });

  it('lets PASS and WARN pass, WARN with a system-out note', () => {
    const warn = caseOf(b, 'TLS-min-version');
    expect(warn.failure ?? warn.error ?? warn.skipped).toBeUndefined();
    expect(warn['system-out']).toMatch(/^WARN: /);
    expect(warn['system-out']).toContain('actual:   TLSv1.2');
    expect(factsOf(warn).verdict).toBe('WARN');
    const pass = caseOf(a, 'SDP-A.2-request');
    expect(pass.failure ?? pass.error ?? pass.skipped).toBeUndefined();
    expect(pass['system-out']).toMatch(/^verdict: PASS\n/);
  });

  it('adds a harness suite with one error per harness-level problem', () => {
    const r = sampleReport();
    r.errors = ['port 8443 in use', 'certificate <bad> & expired'];
    const parsed = parse(junitXml(r));
    const harness = parsed.suites.find((s) => s['@_name'] === 'dmdc.harness')!;
    expect(counts(harness)).toEqual({ tests: '2', failures: '0', errors: '2', skipped: '0' });
    expect(harness.testcase[1]!.error?.['@_message']).toBe('certificate <bad> & expired');
    expect(harness['@_timestamp']).toBe('2025-01-01T00:00:00.000');
    expect(counts(parsed.root)).toEqual({ tests: '11', failures: '1', errors: '4' });
  });

  it('keeps a flow with no results as an empty suite and drops characters XML cannot carry', () => {
    const r = sampleReport();
    r.results = r.results.filter((x) => x.flowId === FLOW_B);
    r.results[0]!.checks[1]!.actual = 'bad\u0001byte';
    const out = junitXml(r);
    expect(XMLValidator.validate(out)).toBe(true);
    const parsed = parse(out);
    expect(counts(parsed.suites[0]!)).toEqual({ tests: '0', failures: '0', errors: '0', skipped: '0' });
    expect(out).toContain('bad\uFFFDbyte');
  });

  it("gives the tester's cases of a flow a suite of their own", () => {
    const r = sampleReport();
    r.requirements.find((x) => x.id === 'NEG-8b-optional')!.category = 'negative';
    const parsed = parse(junitXml(r));
    expect(parsed.suites.map((s) => s['@_name'])).toEqual([`dmdc.${FLOW_A}`, `dmdc.${FLOW_A} tester`, `dmdc.${FLOW_B}`]);
    // The tester's suite starts with its flow and lasts until its last evidence (none here).
    expect(parsed.suites[1]!['@_timestamp']).toBe(parsed.suites[0]!['@_timestamp']);
    expect(parsed.suites[1]!['@_id']).toBe(`20250101T000000Z-abc123/${FLOW_A}/tester`);
    caseOf(parsed.suites[1]!, 'NEG-8b-optional');
    expect(() => caseOf(parsed.suites[0]!, 'NEG-8b-optional')).toThrow();
    expect(counts(parsed.root)).toEqual(counts(root));
  });

  it('writes junit.xml', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dmdc-junit-'));
    const file = writeJunit(dir, sampleReport());
    expect(file).toBe(join(dir, 'junit.xml'));
    expect(readFileSync(file, 'utf8')).toBe(xml);
  });
});

/**
 * junit.xml of real runs against junit-10.xsd, with xmllint (Debian's libxml2-utils, which .ci/run installs):
 * an all-mock run of two flows, the tester playing in the first, and a mutant run of the same flows with
 * FAILs, what they BLOCKED, a FAIL the baseline knows, and the cases the tester did not play skipped.
 */
const xmllint = spawnSync('xmllint', ['--version'], { encoding: 'utf8' });
const HAS_XMLLINT = !xmllint.error && xmllint.status === 0;
if (!HAS_XMLLINT) console.warn('write-junit.test.ts: xmllint not installed (apt-get install libxml2-utils): the junit-10.xsd validation is skipped');

describe('junit.xml of real runs', () => {
  const BUDGETS = { requestMs: 2000, sessionMs: 2000, notificationMs: 2000, flowMs: 6000 };
  const FLOWS = ['A-full-temporary', 'B-full-permanent'];
  const catalogue = loadCatalogue();
  const mutant = MUTANTS.find((m) => m.id === 'no-client-certificate')!;
  let plain: RunReport;
  let mutated: RunReport;

  beforeAll(async () => {
    const pki = await createPki();
    const run = async (o: { mutant?: typeof mutant; iut?: string; runId: string; startedAt: string }) => {
      const played = new Set<string>();
      const flows: FlowResult[] = [];
      for (const [i, id] of FLOWS.entries()) {
        const scenario = defaultScenarios().find((s) => s.id === id)!;
        // The tester plays its cases once per run, in the first flow.
        flows.push(await runFlow({ scenario, pki, budgets: BUDGETS, variation: o.mutant?.variation, testerPlayed: i === 0 ? played : new EveryCasePlayed() }));
      }
      const results = flows.flatMap((f) => judgeFlow(f, catalogue.entries));
      const failed = results.find((r) => r.verdict === 'FAIL');
      const report = buildReport({
        runId: o.runId,
        startedAt: new Date(o.startedAt),
        flows,
        results,
        entries: catalogue.entries,
        roles: flows[0]!.roles,
        selection: { approaches: ['A', 'B'] },
        mutant: o.mutant?.id,
        ...(o.iut ? { setup: { name: o.iut, ics: {}, observability: {} } } : {}),
        errors: [],
        ...(o.mutant && failed ? { baseline: { entries: [{ requirement: failed.requirementId, flow: failed.flowId, reason: 'known in this test' }] } } : {}),
      });
      expect(validateReport(report)).toEqual({ ok: true });
      return report;
    };
    plain = await run({ runId: 'run-plain', startedAt: '2025-03-01T10:00:00.000Z' });
    mutated = await run({ mutant, iut: 'acme-dm', runId: 'run-mutant', startedAt: '2025-03-01T11:00:00.000Z' });
  }, 60_000);

  const validate = (report: RunReport) => {
    const file = writeJunit(mkdtempSync(join(tmpdir(), 'dmdc-junit-xsd-')), report);
    const r = spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
    return { status: r.status, errors: r.stderr.split('\n').filter((l) => /error/i.test(l)), stderr: r.stderr };
  };

  it('the mutant run has FAILs, BLOCKED, a baselined FAIL and skips, as the schema must take them', () => {
    const by = mutated.summary.byVerdict;
    expect(by.FAIL).toBeGreaterThan(1);
    expect(by.BLOCKED).toBeGreaterThan(0);
    expect(by.NOT_APPLICABLE).toBeGreaterThan(0);
    expect(mutated.results.some((r) => r.baselined)).toBe(true);
    const xml = junitXml(mutated);
    for (const element of ['<failure ', '<skipped message="BLOCKED', '<skipped message="FAIL, known', '<skipped message="NOT_APPLICABLE']) expect(xml).toContain(element);
  });

  it.skipIf(!HAS_XMLLINT)(`validates against junit-10.xsd with 0 errors${HAS_XMLLINT ? '' : ' (SKIPPED: xmllint not installed; apt-get install libxml2-utils)'}`, () => {
    for (const report of [plain, mutated]) {
      const v = validate(report);
      expect(v.errors, v.stderr).toEqual([]);
      expect(v.status, v.stderr).toBe(0);
      expect(v.stderr).toMatch(/ validates$/m);
    }
  });

  it('has real times: suites start at their flows, cases take time up to their evidence', () => {
    for (const report of [plain, mutated]) {
      const { root, suites } = parse(junitXml(report));
      expect(Number(root['@_time'])).toBeGreaterThan(0);
      const flowSuites = suites.filter((s) => !s['@_name'].endsWith(' tester'));
      expect(flowSuites).toHaveLength(FLOWS.length);
      expect(new Set(flowSuites.map((s) => s['@_timestamp'])).size).toBe(FLOWS.length);
      for (const s of flowSuites) {
        expect(s['@_timestamp']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/);
        expect(Number(s['@_time'])).toBeGreaterThan(0);
      }
      // Each suite starts when its flow's first event was recorded; the second after the first has run.
      for (const [i, f] of report.flows.entries()) expect(`${flowSuites[i]!['@_timestamp']}Z`).toBe(f.startedAt);
      expect(Date.parse(`${flowSuites[1]!['@_timestamp']}Z`)).toBeGreaterThan(Date.parse(`${flowSuites[0]!['@_timestamp']}Z`));
      const cases = suites.flatMap((s) => s.testcase ?? []);
      const timed = cases.filter((c) => Number(c['@_time']) > 0);
      // Most of what a mutant run judges is BLOCKED or not applicable, without evidence; the plain run proves most.
      expect(timed.length).toBeGreaterThan(report === plain ? cases.length / 3 : 0);
      // 0 only for a case without evidence.
      const evidence = new Map(report.results.map((r) => [`${r.flowId} ${r.requirementId}`, r.checks.some((c) => c.evidence.length > 0)]));
      for (const c of cases) {
        const flowId = c['@_classname'].slice(c['@_classname'].lastIndexOf('.') + 1);
        expect([c['@_name'], Number(c['@_time']) > 0]).toEqual([c['@_name'], evidence.get(`${flowId} ${c['@_name'].split(' ')[0]}`)]);
      }
    }
  });

  it("keeps two runs' suites apart when their IUTs differ, the same flows in both", () => {
    const names = (r: RunReport) => parse(junitXml(r)).suites.map((s) => s['@_name']);
    expect(names(plain)).toContain('dmdc.A-full-temporary');
    expect(names(mutated)).toContain('acme-dm.A-full-temporary');
    expect(names(plain).filter((n) => names(mutated).includes(n))).toEqual([]);
  });
});
