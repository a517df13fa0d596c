import type { Role } from '../model/roles.js';
import type { Verdict } from '../verdict/verdict.js';

export type Provenance = 'spec' | 'reconstructed' | 'profile';
export type Severity = 'MUST' | 'SHOULD' | 'MAY';
export type Category = 'step' | 'ordering' | 'tls' | 'session' | 'final-state' | 'profile' | 'negative' | 'architecture';

/** A requirement as the report shows it (a catalogue entry, without the check wiring). */
export interface RequirementRef {
  id: string;
  title: string;
  category: Category;
  approach?: 'A' | 'B';
  /** The one approach whose flows it applies to (the catalogue's applicability), when it is one. */
  onlyApproach?: 'A' | 'B';
  step?: string;
  /** Where the sentence comes from, e.g. "OMA-TS-DM_Server_Delegation_Protocol §5.2.2 (printed 5.2.1.6)". */
  section: string;
  /** The short spec sentence (or the profile / reconstruction statement). */
  text: string;
  provenance: Provenance;
  /** Where the provenance differs in one approach's flows (a run of both approaches): that approach's. */
  provenanceByApproach?: Partial<Record<'A' | 'B', Provenance>>;
  severity: Severity;
  roles: Role[];
  /** Pass criteria: what a PASS cites (which messages, sent by which role, with which content). */
  proof: string;
  notes?: string[];
}

/** The requirement as it stands in a flow of `approach`: with that approach's provenance. */
export function refIn(ref: RequirementRef, approach: 'A' | 'B' | undefined): RequirementRef {
  const p = approach && ref.provenanceByApproach?.[approach];
  return p && p !== ref.provenance ? { ...ref, provenance: p } : ref;
}

/** Stands in for a result's requirement the report's catalogue does not hold. */
export function placeholderRef(id: string): RequirementRef {
  return { id, title: '(not in the catalogue)', category: 'step', section: '?', text: '', provenance: 'spec', severity: 'MUST', roles: [], proof: '' };
}

/** The outcome of one check for one requirement in one flow. */
export interface CheckResult {
  checkId: string;
  verdict: Verdict;
  /** What the requirement expects, in words. */
  expected?: string;
  /** What the wire or the tree showed. */
  actual?: string;
  /** Why NOT_APPLICABLE / NOT_OBSERVABLE / INCONCLUSIVE / ERROR. */
  reason?: string;
  /** Trace event sequence numbers that are the evidence. */
  evidence: number[];
  /** BLOCKED: the root requirement whose FAIL stopped the flow before this check's evidence. */
  blockedBy?: string;
}

export interface RequirementResult {
  requirementId: string;
  /** The flow (scenario id) it was judged in. */
  flowId: string;
  verdict: Verdict;
  checks: CheckResult[];
  /** BLOCKED: the root requirement (in the same flow) whose FAIL stopped the flow. */
  blockedBy?: string;
  /** A FAIL the run's baseline knows of: it stays a FAIL, but does not fail the gate. */
  baselined?: { reason: string; expires?: string };
}

/** Where a flow stopped and why: its root FAIL, which the BLOCKED results of the flow name. */
export interface FlowStop {
  flowId: string;
  requirementId: string;
  /** Trace seq of the root's first evidence; absent when the root was seen only in the final tree. */
  seq?: number;
  actual: string;
  evidence: number[];
  status: 'completed' | 'failed' | 'timeout' | 'error';
  error?: string;
}

/** One message of a flow as the report shows it. */
export interface SequenceEntry {
  seq: number;
  /** ms on the flow's own clock (each flow's trace starts near 0) */
  t: number;
  kind: string;
  link: string;
  from: string;
  to: string;
  /** Step id the classifier assigned, e.g. "B.7". */
  step?: string;
  httpStatus?: number;
  summary: string;
  /** The diagram's short text: the command(s) that matter, e.g. `Replace ./Vendor?prop=ACL · +2 Status 200`. */
  label?: string;
  /** Traffic of the harness's own sessions or the tester's cases, not of the delegation. */
  harness?: true;
  /** Raw XML (or base64 for binary) of the body, for the exchanged-message view. */
  body?: string;
  tlsProtocol?: string;
  reason?: string;
}

export interface TreeNodeView {
  path: string;
  format: string;
  value?: string;
  /** Own ACL ('' = inherited). */
  acl: string;
  /** Effective ACL after inheritance. */
  effectiveAcl: string;
}

export interface FlowReport {
  id: string;
  approach: 'A' | 'B';
  scope: 'full' | 'partial';
  duration: 'temporary' | 'permanent';
  removeAccount: boolean;
  bootstrap: 'colocated' | 'separate';
  /** When its first event was recorded (ISO 8601). */
  startedAt?: string;
  /** How the flow ended as the harness saw it. */
  status: 'completed' | 'failed' | 'timeout' | 'error';
  error?: string;
  durationMs: number;
  sequence: SequenceEntry[];
  initialTree: TreeNodeView[];
  finalTree: TreeNodeView[];
  /** How the final tree was obtained. */
  treeSource: 'mock' | 'protocol' | 'driver' | 'none';
  /** Paths of a real client's tree the harness could not read, with the status it got. */
  treeUnread?: Array<{ path: string; status: string }>;
  /** The flow's root FAIL, listed before its consequences; set when requirements were BLOCKED behind it. */
  stop?: FlowStop;
  /** Requirements that FAILed in this flow on their own evidence, earliest on the wire first. */
  rootFailures: string[];
}

export interface RunReport {
  schemaVersion: '1.0';
  tool: { name: 'dmdc'; version: string };
  profileVersion: string;
  runId: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** Which roles were reference mocks and which real implementations. */
  roles: Record<Role, 'mock' | 'real'>;
  /** A mutant selected for this run, if any (self-test of the harness). */
  mutant?: string;
  /** The configuration used: the IUT's name, its ICS, what this role assignment lets the harness see. */
  setup?: {
    file?: string;
    name?: string;
    ics: Record<string, unknown>;
    observability: Record<string, { observed: boolean; how: string }>;
  };
  /** Filters the run was started with. */
  selection: RunSelection;
  summary: {
    total: number;
    byVerdict: Record<Verdict, number>;
    exitCode: 0 | 1 | 2 | 3;
    failedRequirements: string[];
    /** The tester's cases (category negative) on their own: what the implementations must refuse. */
    tester: { total: number; byVerdict: Record<Verdict, number>; failedCases: string[] };
    /** What the run's baseline (--baseline) excused, and its entries that are stale or expired. */
    baseline?: BaselineOutcome;
  };
  requirements: RequirementRef[];
  flows: FlowReport[];
  results: RequirementResult[];
  /** Harness-level problems (ERROR verdicts not tied to a flow). */
  errors: string[];
  /** Written with --show-secrets: account secrets, passwords and nonces are in it (a lab's own copy). */
  secretsShown?: true;
  /** What went wrong presenting the verdicts (the conformance suites, the Allure report): no harness error. */
  presentation?: string[];
}

/** What a run was asked to run. */
export interface RunSelection {
  approaches: Array<'A' | 'B'>;
  /** --only: requirement id globs. */
  only?: string;
  /** --flow: flow id globs. */
  flow?: string;
  /** --rerun-failed: the run whose non-passing results this one runs again. */
  rerunOf?: string;
  /** --shard i/n: this run is one part of `plan`. */
  shard?: { index: number; count: number };
  /** The flows of the whole selection, in order (a shard runs part of them; merged shards show all). */
  plan?: string[];
  /** A merged run: the run ids of its shards. */
  mergedFrom?: string[];
}

/** A baseline (dmdc run --baseline FILE): known FAILs, see baseline.ts. */
export interface BaselineEntry {
  /** Requirement id, or comma-separated globs of ids. */
  requirement: string;
  /** Flow id, or comma-separated globs of flow ids. */
  flow: string;
  /** Why the FAIL is known and accepted for now. */
  reason: string;
  /** Last day (YYYY-MM-DD) the entry excuses the FAIL; after it the FAIL counts again. */
  expires?: string;
}

export interface Baseline {
  entries: BaselineEntry[];
}

/** What a baseline made of a run: which FAILs it excused, which it did not, which entries are stale or expired. */
export interface BaselineOutcome {
  file?: string;
  entries: BaselineEntry[];
  /** FAILs excused by a live entry. */
  known: number;
  /** FAILs no live entry excuses, as `flow requirement`. */
  newFailures: string[];
  /** Entries that matched judged results, all passing now. */
  stale: BaselineEntry[];
  /** Entries past their expiry that matched a FAIL, which therefore counts. */
  expired: BaselineEntry[];
}
