import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { junitXml, writeJunit } from '../../src/report/index.js';
import { FLOW_A, FLOW_B, SCRIPT, sampleReport } from './sample-report.js';

interface Outcome {
  '@_message'?: string;
  '@_type'?: string;
  '#text'?: string;
}
interface Case {
  '@_classname': string;
  '@_name': string;
  '@_time': string;
  properties: { property: Array<{ '@_name': string; '@_value': string }> };
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
  '@_skipped': string;
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
  return { tests: s['@_tests'], failures: s['@_failures'], errors: s['@_errors'], skipped: s['@_skipped'] };
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
    expect(suites.map((s) => s['@_name'])).toEqual([FLOW_A, FLOW_B]);
  });

  it('counts tests, failures, errors and skipped per suite and in total', () => {
    expect(counts(a)).toEqual({ tests: '5', failures: '0', errors: '1', skipped: '1' });
    expect(counts(b)).toEqual({ tests: '4', failures: '1', errors: '1', skipped: '1' });
    expect(counts(root)).toEqual({ tests: '9', failures: '1', errors: '2', skipped: '2' });
    expect(a.testcase).toHaveLength(5);
    expect(b.testcase).toHaveLength(4);
  });

  it('names testcases after the requirement and classes after the flow', () => {
    const c = caseOf(b, 'SDP-B.7-acl');
    expect(c['@_name']).toBe('SDP-B.7-acl Client ACL changed before DMS-2 connects');
    expect(c['@_classname']).toBe(`dmdc.${FLOW_B}`);
    expect(Number.isFinite(Number(c['@_time']))).toBe(true);
    const props = Object.fromEntries(c.properties.property.map((p) => [p['@_name'], p['@_value']]));
    expect(props).toMatchObject({ provenance: 'reconstructed', severity: 'MUST', approach: 'B', step: 'B.7' });
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
    const pass = caseOf(a, 'SDP-A.2-request');
    expect(pass.failure ?? pass.error ?? pass.skipped ?? pass['system-out']).toBeUndefined();
  });

  it('adds a harness suite with one error per harness-level problem', () => {
    const r = sampleReport();
    r.errors = ['port 8443 in use', 'certificate <bad> & expired'];
    const parsed = parse(junitXml(r));
    const harness = parsed.suites.find((s) => s['@_name'] === 'harness')!;
    expect(counts(harness)).toEqual({ tests: '2', failures: '0', errors: '2', skipped: '0' });
    expect(harness.testcase[1]!.error?.['@_message']).toBe('certificate <bad> & expired');
    expect(counts(parsed.root)).toEqual({ tests: '11', failures: '1', errors: '4', skipped: '2' });
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
    expect(parsed.suites.map((s) => s['@_name'])).toEqual([FLOW_A, `${FLOW_A} tester`, FLOW_B]);
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
