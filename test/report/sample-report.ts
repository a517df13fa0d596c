/**
 * A synthetic run: two flows, nine requirement results covering every verdict, message bodies with markup and
 * a script string, so the writers' escaping and counting are exercised. Each call returns a fresh copy.
 */
import type { RunReport } from '../../src/report/model.js';

export const FLOW_A = 'A-full-temporary';
export const FLOW_B = 'B-partial-permanent';
export const SCRIPT = '<script>alert(1)</script>';

const NOTIFY_XML =
  '<?xml version="1.0" encoding="UTF-8"?><DelegationNotification xmlns="urn:dmdc:delegation:1.0">' +
  '<sessionId>s-1</sessionId><note>a &amp; b &lt; c</note></DelegationNotification>';

const SYNCML_XML =
  '<SyncML xmlns="SYNCML:SYNCML1.2"><SyncBody><Replace><CmdID>3</CmdID><Item><Target><LocURI>./DMAcc/x</LocURI></Target>' +
  '<Data>Get=dms1&amp;Replace=dms2</Data></Item></Replace><Final/></SyncBody></SyncML>';

export function sampleReport(): RunReport {
  return {
    schemaVersion: '1.0',
    tool: { name: 'dmdc', version: '0.1.0' },
    profileVersion: '1.0',
    runId: '20250101T000000Z-abc123',
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:00:04.250Z',
    durationMs: 4250,
    roles: { dms1: 'mock', dms2: 'real', bootstrap: 'mock', client: 'mock' },
    mutant: 'acl-after-notify',
    selection: { approaches: ['A', 'B'] },
    summary: {
      total: 9,
      byVerdict: { PASS: 3, FAIL: 1, WARN: 1, INCONCLUSIVE: 1, ERROR: 1, NOT_APPLICABLE: 1, NOT_OBSERVABLE: 1, BLOCKED: 0 },
      exitCode: 1,
      failedRequirements: ['SDP-B.7-acl'],
      tester: { total: 0, byVerdict: { PASS: 0, FAIL: 0, WARN: 0, INCONCLUSIVE: 0, ERROR: 0, NOT_APPLICABLE: 0, NOT_OBSERVABLE: 0, BLOCKED: 0 }, failedCases: [] },
    },
    requirements: [
      {
        id: 'SDP-A.2-request',
        title: 'DMS-1 sends the delegation request to DMS-2',
        category: 'step',
        approach: 'A',
        step: 'A.2',
        section: 'OMA-TS-DM_Server_Delegation_Protocol §5.1.2',
        text: 'DMS-1 SHALL send a Delegation Request to DMS-2.',
        provenance: 'spec',
        severity: 'MUST',
        roles: ['dms1', 'dms2'],
        proof: 'the messages of the step',
      },
      {
        id: 'SDP-B.7-acl',
        title: 'Client ACL changed before DMS-2 connects',
        category: 'step',
        approach: 'B',
        onlyApproach: 'B',
        step: 'B.7',
        section: 'OMA-TS-DM_Server_Delegation_Protocol §5.2.2 (printed 5.2.1.6)',
        text: 'The client ACL grants DMS-2 Replace on the delegated subtree & keeps DMS-1 <Get>.',
        provenance: 'reconstructed',
        severity: 'MUST',
        roles: ['dms1', 'client'],
        proof: 'the messages of the step',
        notes: ['Reconstructed from the flow figure.'],
      },
      {
        id: 'ORD-B-acl-before-dms2',
        title: 'ACL change happens before the first DMS-2 session',
        category: 'ordering',
        approach: 'B',
        section: 'binding profile 1.0 §3',
        text: 'The ACL Replace on the client precedes the first package 1 from the client to DMS-2.',
        provenance: 'profile',
        severity: 'MUST',
        roles: ['client', 'dms2'],
        proof: 'the messages of the step',
      },
      {
        id: 'TLS-min-version',
        title: 'Links use TLS 1.2 or later',
        category: 'tls',
        section: 'binding profile 1.0 §2',
        text: 'Every link SHOULD negotiate TLS 1.3.',
        provenance: 'profile',
        severity: 'SHOULD',
        roles: ['dms1', 'dms2'],
        proof: 'the messages of the step',
      },
      {
        id: 'FS-acl-final',
        title: 'Final ACL grants the delegated rights',
        category: 'final-state',
        section: 'OMA-TS-DM_Server_Delegation_Protocol §5.3',
        text: 'After delegation the subtree ACL names DMS-2.',
        provenance: 'spec',
        severity: 'MUST',
        roles: ['client'],
        proof: 'the messages of the step',
      },
      {
        id: 'SESS-auth',
        title: 'DMS-2 authenticates in the DM session',
        category: 'session',
        section: 'OMA-TS-DM_Protocol §8',
        text: 'The server MUST authenticate to the client.',
        provenance: 'spec',
        severity: 'MUST',
        roles: ['dms2', 'client'],
        proof: 'the messages of the step',
      },
      {
        id: 'NEG-8b-optional',
        title: 'Optional step 8b',
        category: 'step',
        section: 'OMA-TS-DM_Server_Delegation_Protocol §5.2.3',
        text: 'DMS-2 MAY confirm the delegation to DMS-1.',
        provenance: 'spec',
        severity: 'MAY',
        roles: ['dms2', 'dms1'],
        proof: 'the messages of the step',
      },
    ],
    flows: [
      {
        id: FLOW_A,
        approach: 'A',
        scope: 'full',
        duration: 'temporary',
        removeAccount: false,
        bootstrap: 'colocated',
        status: 'completed',
        durationMs: 1800,
        sequence: [
          { seq: 1, t: 2, kind: 'note', link: 'unknown', from: 'harness', to: 'harness', summary: 'flow A-full-temporary started' },
          { seq: 2, t: 10, kind: 'tls', link: 'dms1-dms2', from: 'dms1', to: 'dms2', summary: 'TLS established', tlsProtocol: 'TLSv1.3' },
          { seq: 3, t: 12, kind: 'request', link: 'dms1-dms2', from: 'dms1', to: 'dms2', step: 'A.2', summary: 'DelegationRequest s-1', body: NOTIFY_XML, tlsProtocol: 'TLSv1.3' },
          { seq: 4, t: 30, kind: 'response', link: 'dms1-dms2', from: 'dms2', to: 'dms1', step: 'A.2', httpStatus: 200, summary: 'DelegationResponse accepted', tlsProtocol: 'TLSv1.3' },
          { seq: 5, t: 900, kind: 'error', link: 'dms2-client', from: 'dms2', to: 'client', summary: 'connection reset', reason: 'ECONNRESET' },
        ],
        initialTree: [
          { path: './DMAcc', format: 'node', acl: 'Get=*', effectiveAcl: 'Get=*' },
          { path: './DMAcc/dms1', format: 'node', acl: '', effectiveAcl: 'Get=*' },
        ],
        finalTree: [
          { path: './DMAcc', format: 'node', acl: 'Get=*', effectiveAcl: 'Get=*' },
          { path: './DMAcc/dms1', format: 'node', acl: '', effectiveAcl: 'Get=*' },
        ],
        treeSource: 'mock',
        rootFailures: [],
      },
      {
        id: FLOW_B,
        approach: 'B',
        scope: 'partial',
        duration: 'permanent',
        removeAccount: true,
        bootstrap: 'separate',
        status: 'failed',
        error: `client refused package 2 ${SCRIPT}`,
        durationMs: 2300,
        sequence: [
          { seq: 6, t: 1000, kind: 'request', link: 'dms1-client', from: 'dms1', to: 'client', step: 'B.6', summary: 'Replace ACL on ./Vendor', body: SYNCML_XML },
          { seq: 7, t: 1040, kind: 'response', link: 'dms1-client', from: 'client', to: 'dms1', step: 'B.6', httpStatus: 200, summary: 'Status 200' },
          { seq: 8, t: 1100, kind: 'request', link: 'client-bootstrap', from: 'client', to: 'bootstrap', step: 'B.8', summary: `bootstrap request ${SCRIPT}`, body: `<Data>${SCRIPT}</Data>` },
          { seq: 9, t: 1150, kind: 'response', link: 'client-bootstrap', from: 'bootstrap', to: 'client', step: 'B.8', httpStatus: 403, summary: 'refused', reason: 'client certificate unknown' },
          { seq: 10, t: 1300, kind: 'tls-error', link: 'dms2-client', from: 'client', to: 'dms2', summary: 'handshake failed', reason: 'unknown CA' },
        ],
        initialTree: [
          { path: './Vendor', format: 'node', acl: 'Get=dms1&Replace=dms1', effectiveAcl: 'Get=dms1&Replace=dms1' },
          { path: './Vendor/App', format: 'node', acl: '', effectiveAcl: 'Get=dms1&Replace=dms1' },
          { path: './Vendor/Old', format: 'chr', value: 'x', acl: '', effectiveAcl: 'Get=dms1&Replace=dms1' },
        ],
        finalTree: [
          { path: './Vendor', format: 'node', acl: 'Get=dms1&Replace=dms2', effectiveAcl: 'Get=dms1&Replace=dms2' },
          { path: './Vendor/App', format: 'node', acl: '', effectiveAcl: 'Get=dms1&Replace=dms2' },
          { path: './Vendor/New', format: 'chr', value: '<v>', acl: 'Get=dms2', effectiveAcl: 'Get=dms2' },
        ],
        treeSource: 'protocol',
        rootFailures: [],
      },
    ],
    results: [
      { requirementId: 'SDP-A.2-request', flowId: FLOW_A, verdict: 'PASS', checks: [{ checkId: 'a2.sent', verdict: 'PASS', evidence: [3] }] },
      {
        requirementId: 'SESS-auth',
        flowId: FLOW_A,
        verdict: 'ERROR',
        checks: [{ checkId: 'sess.auth', verdict: 'ERROR', reason: 'mock client crashed: ECONNRESET', evidence: [5] }],
      },
      {
        requirementId: 'NEG-8b-optional',
        flowId: FLOW_A,
        verdict: 'NOT_APPLICABLE',
        checks: [{ checkId: 'neg.8b', verdict: 'NOT_APPLICABLE', reason: 'ICS: step 8b not supported', evidence: [] }],
      },
      { requirementId: 'FS-acl-final', flowId: FLOW_A, verdict: 'PASS', checks: [{ checkId: 'fs.acl', verdict: 'PASS', evidence: [] }] },
      { requirementId: 'TLS-min-version', flowId: FLOW_A, verdict: 'PASS', checks: [{ checkId: 'tls.v13', verdict: 'PASS', evidence: [2] }] },
      {
        requirementId: 'SDP-B.7-acl',
        flowId: FLOW_B,
        verdict: 'FAIL',
        checks: [
          { checkId: 'b7.sent', verdict: 'PASS', evidence: [6] },
          {
            checkId: 'b7.acl-value',
            verdict: 'FAIL',
            expected: 'Replace=dms2 on ./Vendor & Get=dms1 kept',
            actual: `Replace=dms2 only ${SCRIPT}`,
            evidence: [6, 7],
          },
        ],
      },
      {
        requirementId: 'ORD-B-acl-before-dms2',
        flowId: FLOW_B,
        verdict: 'INCONCLUSIVE',
        checks: [{ checkId: 'ord.acl', verdict: 'INCONCLUSIVE', reason: 'no DMS-2 session within the 30 s budget', evidence: [10] }],
      },
      {
        requirementId: 'TLS-min-version',
        flowId: FLOW_B,
        verdict: 'WARN',
        checks: [{ checkId: 'tls.v13', verdict: 'WARN', expected: 'TLSv1.3', actual: 'TLSv1.2', evidence: [8] }],
      },
      {
        requirementId: 'FS-acl-final',
        flowId: FLOW_B,
        verdict: 'NOT_OBSERVABLE',
        checks: [{ checkId: 'fs.acl', verdict: 'NOT_OBSERVABLE', reason: 'DMS-2 is real and no proxy sees its session', evidence: [] }],
      },
    ],
    errors: [],
  };
}
