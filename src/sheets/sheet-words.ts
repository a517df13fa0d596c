/**
 * The wording of the test sheets (`dmdc sheets`): headings, provenance statements, applicability and
 * precondition phrases. Data only; sheet-model.ts puts them together per catalogue entry.
 */
import type { Applicability } from '../catalogue/catalogue.js';
import type { Approach } from '../delegation/messages.js';
import type { Category, Provenance, Severity } from '../report/model.js';
import type { Channel } from '../runner/observability.js';

/** The fields of one sheet, in the order of an OMA Enabler Test Specification's test case table. */
export const ETS_HEADINGS = {
  id: 'Test Case Id',
  object: 'Test Object',
  description: 'Test Case Description',
  reference: 'Specification Reference',
  scr: 'SCR Reference (Applicability)',
  tool: 'Tool',
  code: 'Test Code',
  preconditions: 'Preconditions',
  procedure: 'Test Procedure',
  pass: 'Pass Criteria',
  notes: 'Notes',
} as const;
export type SheetField = keyof typeof ETS_HEADINGS;

/** Groups of sheets, in the order `dmdc list` shows the categories. */
export const CATEGORY_TITLES: Record<Category, string> = {
  architecture: 'Architecture',
  step: 'Delegation steps',
  ordering: 'Message ordering',
  tls: 'TLS',
  session: 'DM session',
  'final-state': 'Final state of the DM tree',
  profile: 'Binding profile',
  negative: 'Negative cases (played by the tester)',
};

export const PROVENANCE_WORDS: Record<Provenance, { label: string; statement: string; statementLabel: string; failReads?: string }> = {
  spec: {
    label: 'spec',
    statement:
      'spec: the requirement comes from the OMA text cited (the OMA change requests, or published OMA DM 1.2.1 rules), quoted or in a short paraphrase.',
    statementLabel: 'Requirement (from the specification)',
  },
  reconstructed: {
    label: 'reconstructed',
    statement:
      "reconstructed: inferred, not verbatim spec text. The statement is the harness's reading of what the cited sources imply where they do not say it (for approach A beyond steps 1, 2 and 5, whose section text was not available); the notes say from what.",
    statementLabel: 'Reconstructed statement (inferred; not spec text)',
    failReads: 'a FAIL is against the reconstruction, not the published specification',
  },
  profile: {
    label: 'profile',
    statement:
      "profile: the harness's choice. A rule of dmdc's binding profile (docs/binding-profile.md) where the OMA text is silent or was not available; not spec text.",
    statementLabel: "Binding-profile statement (the harness's choice; not spec text)",
    failReads: 'a FAIL is against the binding profile, not the OMA specification',
  },
};

export const SEVERITY_WORDS: Record<Severity, string> = {
  MUST: 'Requirement level MUST: a departure is a FAIL.',
  SHOULD: 'Requirement level SHOULD: a departure is a WARN, not a FAIL.',
  MAY: 'Optional (MAY): judged only in the flows its applicability names; there, a departure is a FAIL.',
};

/** What the other verdicts mean for every sheet. */
export const OTHER_VERDICTS =
  'NOT_APPLICABLE in a flow outside its applicability (the reason named); NOT_OBSERVABLE where what it needs cannot be seen with the run\'s role assignment; BLOCKED when an earlier FAIL kept it from happening; INCONCLUSIVE when no answer came within its budget.';

export const APPROACH_WORDS: Record<Approach, string> = {
  A: 'approach A flows (DMS-1 installs DMS-2\'s account on the client)',
  B: 'approach B flows (DMS-1 hands the client DMS-2\'s Bootstrap Server URL)',
};
export const BOTH_APPROACHES = 'approach A and approach B flows';

/** One phrase per applicability field, joined with "; " in the field order of the schema. */
export const APPLICABILITY_WORDS = {
  duration: (d: NonNullable<Applicability['duration']>) => `${d} delegations only`,
  scope: (s: NonNullable<Applicability['scope']>) => `${s}-scope delegations only`,
  removeAccount: (r: boolean) =>
    r ? 'only when DMS-1 removes its own account (optional step A.5 / B.8b)' : 'only when DMS-1 keeps its own account',
  bootstrap: (b: NonNullable<Applicability['bootstrap']>) =>
    b === 'colocated' ? 'only with a Bootstrap Server inside DMS-2' : 'only with a stand-alone Bootstrap Server',
  authType: (t: NonNullable<Applicability['authType']>) =>
    `only in flows whose DMS-2 account has AAuthType ${t} (where the run chooses it: a mock DMS-2)`,
  feature: (f: string) => `needs ICS feature ${f}`,
  everyType: 'every delegation type',
  noFeature: 'no ICS feature needed',
} as const;

/** The ICS features catalogue entries name, as config.ts's icsFeatures derives them from the ICS. */
export const FEATURE_WORDS: Record<string, string> = {
  'step-8b':
    "DMS-1's optional removal of its own account in a permanent delegation (A.5 / B.8b); declared unless the configuration sets ics.removeAccount to false",
  'server-auth-application':
    'the DM client authenticates its DM server by the server\'s SyncML credentials (SRVCRED); declared unless the configuration sets ics.serverAuthentication to "transport"',
  'auth-digest': 'session authentication syncml:auth-md5 (AAuthType DIGEST); declared when ics.authTypes lists DIGEST (its default lists DIGEST, HMAC and BASIC)',
  'auth-hmac': 'session authentication syncml:auth-MAC (AAuthType HMAC); declared when ics.authTypes lists HMAC (its default lists DIGEST, HMAC and BASIC)',
  'auth-basic': 'session authentication syncml:auth-basic (AAuthType BASIC); declared when ics.authTypes lists BASIC (its default lists DIGEST, HMAC and BASIC)',
};

export const DEFAULT_RUN_WORDS = {
  judgedIn: 'In the default run (all four roles mocked, no configuration) it is judged in',
  none: 'In the default run (all four roles mocked, no configuration) no flow meets it; it is judged only where a configuration runs such a flow.',
  tester:
    'The tester plays it once per run against each endpoint it concerns and judges it in the first flow that has that endpoint; the other flows show "–" for it. Flows of the default run (all four roles mocked) it applies to:',
} as const;

/** What each observation channel is, for the procedure. */
export const CHANNEL_WORDS: Record<Channel, string> = {
  'dms1-dms2': 'the DMS-1↔DMS-2 link (delegation messages and their TLS connections)',
  'dms1-client': "the DM sessions between DMS-1 and the DM Client",
  'dms2-client': "the DM sessions between DMS-2 and the DM Client",
  'client-bootstrap': "the client's bootstrap request to the Bootstrap Server and its answer",
  'dms2-bootstrap': "DMS-2's orders to a stand-alone Bootstrap Server",
  push: 'the Package #0 on the wire (pushed to the client, or handed to its trigger driver)',
  probe: "the harness's DMS-2 probe session after the delegation",
  'final-tree': "the client's final DM tree",
  tester: "the tester's own connections to the endpoint (always observable)",
};

/** Short link names for the step list of a procedure. */
export const CHANNEL_SHORT: Record<Channel, string> = {
  'dms1-dms2': 'DMS-1↔DMS-2',
  'dms1-client': 'DMS-1↔client',
  'dms2-client': 'DMS-2↔client',
  'client-bootstrap': 'client↔Bootstrap Server',
  'dms2-bootstrap': 'DMS-2↔Bootstrap Server',
  push: 'Package #0',
  probe: 'probe session',
  'final-tree': 'final tree',
  tester: 'tester',
};

export const OBSERVE_MODE_WORDS = {
  all: 'each of these is needed; where one cannot be seen the verdict is NOT_OBSERVABLE',
  any: 'judged on whichever of these the run can see',
} as const;

export const TOOL_WORDS =
  'dmdc: the reference mocks play every role the configuration does not make real; every message on every link and the client\'s trees are recorded and judged, the driver\'s word never counts.';
export const TESTER_TOOL_WORDS = "dmdc's tester, posing as a peer of the role under test; the reference mocks play the other roles.";

export const PROCEDURE_WORDS = {
  runFlows: 'Run the flows it applies to (see SCR Reference); in each, the delegation goes from DMS-1\'s start to DelegationComplete.',
  stepsOrdered: 'Steps whose order is judged',
  stepUnderTest: 'the step under test',
  optionalStep: 'performed only where it applies',
  observe: 'Observe',
  check: 'Apply the checks',
  verdictCites: 'a PASS cites',
  testerGeneric:
    'The tester plays the case once per run against each endpoint of the role under test it concerns, before the first flow that has that endpoint, and judges it in that flow.',
} as const;

/** Preconditions every sheet of a flow-based category shares; `{…}` is filled from the client fixture. */
export const PRECONDITION_WORDS = {
  roles:
    'Roles: DMS-1 (the delegator, ServerID {dms1}), DMS-2 (the delegatee, ServerID {dms2}) and the DM Client (the device){bootstrap}; each is played by a reference mock or is the implementation under test, as the run\'s configuration says.',
  rolesBootstrap: ', and in approach B the Bootstrap Server (inside DMS-2 or stand-alone)',
  tls: "TLS: every link runs over TLS 1.2 or later with the run's PKI. DMS-1↔DMS-2 and DMS-2↔stand-alone Bootstrap Server are mutually authenticated, each side trusting the run's CA (or the configured trust anchor) for the other; the client's links (its DM sessions, its bootstrap request, the Package #0 push to it) authenticate the server only.",
  tree: 'Initial tree: the client starts every flow with the reference initial tree (fixtures/trees/client-initial.json; a real client as provisioned, read at the start of the flow): an account for DMS-1 at {dms1Account} (ServerID {dms1}){others}; DMS-1 holds the rights on the managed subtrees {managed} (a partial delegation hands over {partial}); the client holds no account for DMS-2.',
  treeOthers: ' and one for {other}, a third server whose rights must survive the delegation',
  approach: {
    A: 'Approach A: DMS-1 may Add under {dmAccRoot}, where it writes DMS-2\'s account (A.4).',
    B: 'Approach B: DMS-1 may Add under {bootConfigRoot}, where it writes the Bootstrap Server URL (B.4); in the default run the Bootstrap Server sits inside DMS-2 in full-scope flows and stands alone in partial-scope ones.',
  } satisfies Record<Approach, string>,
} as const;

/** What each flow-based category adds to the preconditions. */
export const CATEGORY_PRECONDITIONS: Record<Exclude<Category, 'negative'>, string> = {
  step: "The delegation is started by DMS-1 (the harness's DMS-1, or a real one's startDelegation driver), and the steps before {step} (see Test Procedure) have completed: when one of them fails, this test purpose is BLOCKED behind it.",
  ordering: 'A flow of the approach runs to its end; both steps whose order is judged are observed on the channels named in the procedure.',
  tls: 'The harness records every TLS connection on every link it can see, with the facts read from the sockets (protocol version, certificates presented and their verification).',
  session: "The flow's DM sessions between the client and the DM servers are recorded, each from its Package #0 (where there is one) to its last package.",
  'final-state': "After the delegation the harness reads the client's final DM tree: the reference client's own tree, or a real client's over the protocol or through its readTree driver.",
  profile: 'The delegation messages between the servers (DMS-1↔DMS-2, DMS-2↔stand-alone Bootstrap Server) are recorded, requests and answers.',
  architecture: "The flow is recorded from DMS-1's DelegationInitiationRequest to DMS-2's DelegationComplete, on every link the run can see.",
};

export const NEGATIVE_PRECONDITIONS = {
  reachable:
    'The role under test is reachable at its configured endpoints (each real role; every reference mock in the all-mock self-test) and trusts the run\'s PKI as in its flows.',
  tls: PRECONDITION_WORDS.tls,
} as const;

/**
 * How the tester poses as a peer in a negative case, by id pattern (comma-separated globs, as --only takes
 * them); the first match wins, the last entry is the default.
 */
export const TESTER_STANCES: ReadonlyArray<{ ids: string; stance: string }> = [
  {
    ids: 'NEG-TLS-SERVER-CERT,NEG-DM-SERVER-AUTH,NEG-PKG0-DIGEST',
    stance:
      "The tester poses as a server the implementation already knows: the harness's DMS-1 DM endpoint for a client (reached after a Package #0 from DMS-1), the harness's DMS-2 delegation API for a DMS-1 (reached through its startDelegation driver). While the case runs, that endpoint plays the case and serves nothing else.",
  },
  {
    ids: 'NEG-BS-*',
    stance:
      'After the first approach-B flow in which the client fetched its bootstrap, the tester poses as a DM client at the Bootstrap Server URL the client used.',
  },
  {
    ids: 'NEG-CLIENT-*',
    stance:
      "After the first flow whose delegation completed with the harness's DMS-2, DMS-2 holds an account on the client with the rights the delegation gave it; the tester poses as that DMS-2, in DM sessions of its own, each opened by a valid Package #0.",
  },
  {
    ids: '*',
    stance:
      'The tester poses as a TLS client peer of the role under test, against each of its TLS server endpoints the case concerns (DM endpoint, delegation API, bootstrap and order endpoints, Package #0 push), with fresh SessionIds and a DevId of no device where it sends a message, so nothing of the run\'s delegation is touched.',
  },
];

/** A note that says how the tester plays a case is procedure, not a remark. */
export const PLAYED_NOTE = /^Played by the tester\b/;

/** Documents the project does not ship: a citation of one is removed from every text a sheet shows. */
export const UNSHIPPED_REFERENCES: ReadonlyArray<{ pattern: RegExp; replacement: string }> = [
  // "(spec-digest §1.3)" as a whole parenthesis
  { pattern: /\s*\(spec-digest §[^()]*\)/g, replacement: '' },
  // "; spec-digest §1.6)" as the last part of a parenthesis
  { pattern: /[;,]\s*spec-digest §[^();]*(?=\))/g, replacement: '' },
  // "spec-digest §1.6 and binding profile…"
  { pattern: /spec-digest §[0-9.]+(?: (?:item|Q)\s?[0-9]+)?\s+and\s+/g, replacement: '' },
  { pattern: /\s*\(DESIGN\.md[^()]*\)/g, replacement: '' },
];
/** What must not be left after the removals: a sheet showing it fails its test. */
export const UNSHIPPED_NAMES: readonly string[] = ['spec-digest', 'DESIGN.md'];

/** Shipped documents a sheet's reference may point to, by a phrase of the section. */
export const SHIPPED_DOCUMENTS: ReadonlyArray<{ phrase: string; file: string; words: string }> = [
  { phrase: 'dmdc binding profile', file: 'docs/binding-profile.md', words: "dmdc's binding profile ships as docs/binding-profile.md" },
];

export const NO_NOTES = 'None.';

export const INDEX_WORDS = {
  title: 'dmdc test sheets',
  intro:
    'One sheet per test purpose of the dmdc requirement catalogue, in the layout of an OMA Enabler Test Specification. Provenance: spec (from the OMA text), reconstructed (inferred, not verbatim spec text), profile (the harness\'s choice, from its binding profile).',
  catalogue: 'Catalogue version',
  count: 'test purposes',
  columns: ['Test Case Id', 'Provenance', 'Severity', 'Title'] as const,
  contents: 'Contents',
} as const;
