/**
 * JSON Schema (draft 2020-12) of report.json (`RunReport` in model.ts) and its validator. The schema is written
 * beside every report so a lab's customer can check a report without the harness.
 */
import type { ErrorObject, SchemaObject, ValidateFunction } from 'ajv/dist/2020.js';
import { ROLES } from '../model/roles.js';
import { VERDICTS } from '../verdict/verdict.js';
import type { RunReport } from './model.js';
import { validatorFor, type ValidatorSpec } from '../validators/precompiled.js';

export const REPORT_SCHEMA_ID = 'https://dmdc.invalid/schemas/report-1.0.json';

export const PROVENANCES = ['spec', 'reconstructed', 'profile'] as const;
export const SEVERITIES = ['MUST', 'SHOULD', 'MAY'] as const;
export const CATEGORIES = ['step', 'ordering', 'tls', 'session', 'final-state', 'profile', 'negative', 'architecture'] as const;

const text = { type: 'string', minLength: 1 };
const count = { type: 'integer', minimum: 0 };
const byVerdict = { type: 'object', additionalProperties: false, required: [...VERDICTS], properties: Object.fromEntries(VERDICTS.map((v) => [v, count])) };
const ms = { type: 'number', minimum: 0 };
const verdict = { enum: [...VERDICTS] };
const approach = { enum: ['A', 'B'] };

const requirementRef = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'title', 'category', 'section', 'text', 'provenance', 'severity', 'roles', 'proof'],
  properties: {
    id: text,
    title: text,
    category: { enum: [...CATEGORIES] },
    approach,
    onlyApproach: approach,
    step: text,
    section: text,
    text,
    provenance: { enum: [...PROVENANCES] },
    provenanceByApproach: {
      type: 'object',
      additionalProperties: false,
      properties: { A: { enum: [...PROVENANCES] }, B: { enum: [...PROVENANCES] } },
    },
    severity: { enum: [...SEVERITIES] },
    roles: { type: 'array', items: { enum: [...ROLES] }, uniqueItems: true },
    proof: text,
    notes: { type: 'array', items: { type: 'string' } },
  },
};

const checkResult = {
  type: 'object',
  additionalProperties: false,
  required: ['checkId', 'verdict', 'evidence'],
  properties: {
    checkId: text,
    verdict,
    expected: { type: 'string' },
    actual: { type: 'string' },
    reason: { type: 'string' },
    evidence: { type: 'array', items: { type: 'integer', minimum: 1 } },
    blockedBy: text,
  },
};

const requirementResult = {
  type: 'object',
  additionalProperties: false,
  required: ['requirementId', 'flowId', 'verdict', 'checks'],
  properties: {
    requirementId: text,
    flowId: text,
    verdict,
    checks: { type: 'array', items: checkResult },
    blockedBy: text,
    baselined: {
      type: 'object',
      additionalProperties: false,
      required: ['reason'],
      properties: { reason: text, expires: { type: 'string', format: 'date' } },
    },
  },
};

const baselineEntry = {
  type: 'object',
  additionalProperties: false,
  required: ['requirement', 'flow', 'reason'],
  properties: { requirement: text, flow: text, reason: text, expires: { type: 'string', format: 'date' } },
};

const flowStatus = { enum: ['completed', 'failed', 'timeout', 'error'] };

const flowStop = {
  type: 'object',
  additionalProperties: false,
  description: "Where the flow stopped: its root FAIL. The flow's BLOCKED results name it.",
  required: ['flowId', 'requirementId', 'actual', 'evidence', 'status'],
  properties: {
    flowId: text,
    requirementId: text,
    seq: { type: 'integer', minimum: 1 },
    actual: { type: 'string' },
    evidence: { type: 'array', items: { type: 'integer', minimum: 1 } },
    status: flowStatus,
    error: { type: 'string' },
  },
};

const sequenceEntry = {
  type: 'object',
  additionalProperties: false,
  required: ['seq', 't', 'kind', 'link', 'from', 'to', 'summary'],
  properties: {
    seq: { type: 'integer', minimum: 1 },
    t: ms,
    kind: text,
    link: text,
    from: text,
    to: text,
    step: text,
    httpStatus: { type: 'integer', minimum: 100, maximum: 599 },
    summary: { type: 'string' },
    label: { type: 'string' },
    harness: { const: true },
    body: { type: 'string' },
    tlsProtocol: text,
    reason: { type: 'string' },
  },
};

const treeNode = {
  type: 'object',
  additionalProperties: false,
  required: ['path', 'format', 'acl', 'effectiveAcl'],
  properties: {
    path: text,
    format: text,
    value: { type: 'string' },
    acl: { type: 'string' },
    effectiveAcl: { type: 'string' },
  },
};

const flowReport = {
  type: 'object',
  additionalProperties: false,
  required: [
    'id', 'approach', 'scope', 'duration', 'removeAccount', 'bootstrap', 'status',
    'durationMs', 'sequence', 'initialTree', 'finalTree', 'treeSource', 'rootFailures',
  ],
  properties: {
    id: text,
    approach,
    scope: { enum: ['full', 'partial'] },
    duration: { enum: ['temporary', 'permanent'] },
    removeAccount: { type: 'boolean' },
    bootstrap: { enum: ['colocated', 'separate'] },
    startedAt: { type: 'string', format: 'date-time' },
    status: flowStatus,
    error: { type: 'string' },
    durationMs: ms,
    sequence: { type: 'array', items: sequenceEntry },
    initialTree: { type: 'array', items: treeNode },
    finalTree: { type: 'array', items: treeNode },
    treeSource: { enum: ['mock', 'protocol', 'driver', 'none'] },
    treeUnread: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['path', 'status'], properties: { path: text, status: text } },
    },
    stop: flowStop,
    rootFailures: { type: 'array', items: text, uniqueItems: true },
  },
};

const roleKind = { enum: ['mock', 'real'] };

export const REPORT_SCHEMA: SchemaObject = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: REPORT_SCHEMA_ID,
  title: 'dmdc run report',
  description: 'One conformance run of the OMA DM Server Delegation harness: verdict per requirement and flow, with evidence.',
  type: 'object',
  additionalProperties: false,
  required: [
    'schemaVersion', 'tool', 'profileVersion', 'runId', 'startedAt', 'finishedAt', 'durationMs', 'roles',
    'selection', 'summary', 'requirements', 'flows', 'results', 'errors',
  ],
  properties: {
    schemaVersion: { const: '1.0' },
    tool: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'version'],
      properties: { name: { const: 'dmdc' }, version: text },
    },
    profileVersion: text,
    runId: text,
    startedAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: 'string', format: 'date-time' },
    durationMs: ms,
    roles: {
      type: 'object',
      additionalProperties: false,
      required: [...ROLES],
      properties: Object.fromEntries(ROLES.map((r) => [r, roleKind])),
    },
    mutant: text,
    setup: {
      description: 'The configuration the run used: the implementation under test, its ICS, and what the role assignment lets the harness observe.',
      type: 'object',
      additionalProperties: false,
      required: ['ics', 'observability'],
      properties: {
        file: text,
        name: text,
        ics: { type: 'object' },
        observability: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            required: ['observed', 'how'],
            properties: { observed: { type: 'boolean' }, how: text },
          },
        },
      },
    },
    selection: {
      type: 'object',
      additionalProperties: false,
      required: ['approaches'],
      properties: {
        approaches: { type: 'array', items: approach, uniqueItems: true },
        only: text,
        flow: text,
        rerunOf: text,
        shard: {
          type: 'object',
          additionalProperties: false,
          required: ['index', 'count'],
          properties: { index: { type: 'integer', minimum: 1 }, count: { type: 'integer', minimum: 1 } },
        },
        plan: { type: 'array', items: text, uniqueItems: true },
        mergedFrom: { type: 'array', items: text },
      },
    },
    summary: {
      type: 'object',
      additionalProperties: false,
      required: ['total', 'byVerdict', 'exitCode', 'failedRequirements', 'tester'],
      properties: {
        total: count,
        byVerdict,
        exitCode: { enum: [0, 1, 2, 3] },
        failedRequirements: { type: 'array', items: text },
        tester: {
          type: 'object',
          additionalProperties: false,
          required: ['total', 'byVerdict', 'failedCases'],
          properties: { total: count, byVerdict, failedCases: { type: 'array', items: text } },
        },
        baseline: {
          type: 'object',
          additionalProperties: false,
          required: ['entries', 'known', 'newFailures', 'stale', 'expired'],
          properties: {
            file: text,
            entries: { type: 'array', items: baselineEntry },
            known: count,
            newFailures: { type: 'array', items: text },
            stale: { type: 'array', items: baselineEntry },
            expired: { type: 'array', items: baselineEntry },
          },
        },
      },
    },
    requirements: { type: 'array', items: requirementRef },
    flows: { type: 'array', items: flowReport },
    results: { type: 'array', items: requirementResult },
    errors: { type: 'array', items: { type: 'string' } },
    presentation: { type: 'array', items: { type: 'string' } },
    secretsShown: { const: true, description: 'Written with --show-secrets: secrets are in it; not for a customer.' },
  },
};

export const REPORT_VALIDATOR_SPEC: ValidatorSpec = { name: 'report', schema: REPORT_SCHEMA, options: { allErrors: true } };

let compiled: ValidateFunction<RunReport> | undefined;
/** The report's validator, loaded when a report is first validated, not when the module loads. */
function shapeValidator(): ValidateFunction<RunReport> {
  return (compiled ??= validatorFor<RunReport>(REPORT_VALIDATOR_SPEC));
}

/** The schema as the file written beside report.json. */
export function reportSchemaJson(): string {
  return JSON.stringify(REPORT_SCHEMA, null, 2) + '\n';
}

/** One line per problem, each starting with the JSON pointer of the field, so the message names it. */
export function describeSchemaError(e: ErrorObject): string {
  const at = e.instancePath || '/';
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'required') return `${at}: missing required property '${String(p.missingProperty)}'`;
  if (e.keyword === 'additionalProperties') return `${at}: unknown property '${String(p.additionalProperty)}'`;
  if (e.keyword === 'enum') return `${at}: must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  if (e.keyword === 'const') return `${at}: must be ${JSON.stringify(p.allowedValue)}`;
  return `${at}: ${e.message ?? e.keyword}`;
}

/**
 * Cross-references a schema cannot express: each result must name a catalogued requirement and a reported
 * flow, otherwise the matrix and JUnit would show a verdict nobody can trace back.
 */
function crossReferences(r: RunReport): string[] {
  const problems: string[] = [];
  const reqIds = new Set<string>();
  r.requirements.forEach((q, i) => {
    if (reqIds.has(q.id)) problems.push(`/requirements/${i}/id: duplicate requirement id '${q.id}'`);
    reqIds.add(q.id);
  });
  const flowIds = new Set<string>();
  r.flows.forEach((f, i) => {
    if (flowIds.has(f.id)) problems.push(`/flows/${i}/id: duplicate flow id '${f.id}'`);
    flowIds.add(f.id);
  });
  const pairs = new Set<string>();
  r.results.forEach((res, i) => {
    if (!reqIds.has(res.requirementId)) {
      problems.push(`/results/${i}/requirementId: '${res.requirementId}' is not in /requirements`);
    }
    if (!flowIds.has(res.flowId)) problems.push(`/results/${i}/flowId: '${res.flowId}' is not in /flows`);
    const key = JSON.stringify([res.requirementId, res.flowId]);
    if (pairs.has(key)) problems.push(`/results/${i}: a second result for '${res.requirementId}' in flow '${res.flowId}'`);
    pairs.add(key);
  });
  return problems;
}

export function validateReport(r: unknown): { ok: true } | { ok: false; errors: string } {
  const validateShape = shapeValidator();
  if (!validateShape(r)) {
    return { ok: false, errors: (validateShape.errors ?? []).map(describeSchemaError).join('\n') };
  }
  const problems = crossReferences(r);
  return problems.length === 0 ? { ok: true } : { ok: false, errors: problems.join('\n') };
}
