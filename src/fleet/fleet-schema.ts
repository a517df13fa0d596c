/**
 * JSON Schema (draft 2020-12) of fleet.json (`FleetReport`) and its validator, in the style of report.json's:
 * written beside every fleet.json, so a reader can check one without the harness.
 */
import { Ajv2020, type SchemaObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { ROLES } from '../model/roles.js';
import { CATEGORIES, describeSchemaError, PROVENANCES, SEVERITIES } from '../report/report-schema.js';
import { VERDICTS } from '../verdict/verdict.js';
import type { FleetReport } from './fleet-report.js';
import { FLOW_STATUSES } from './fleet-tally.js';

const addFormats = addFormatsModule.default;

export const FLEET_SCHEMA_ID = 'https://dmdc.invalid/schemas/fleet-1.0.json';

const text = { type: 'string', minLength: 1 };
const count = { type: 'integer', minimum: 0 };
const ms = { type: 'number', minimum: 0 };
const devId = { type: 'string', pattern: '^IMEI:\\d{15}$' };
const devIds = { type: 'array', items: devId, uniqueItems: true };
const flowStatus = { enum: [...FLOW_STATUSES] };
const counts = (keys: readonly string[]) => ({ type: 'object', additionalProperties: false, required: [...keys], properties: Object.fromEntries(keys.map((k) => [k, count])) });
const byVerdict = counts(VERDICTS);
const byStatus = counts(FLOW_STATUSES);
const object = (required: string[], properties: Record<string, unknown>, description?: string) => ({ type: 'object', additionalProperties: false, ...(description ? { description } : {}), required, properties });

const requirement = object(['id', 'title', 'category', 'severity', 'provenance', 'byVerdict', 'first'], {
  id: text,
  title: text,
  category: { enum: [...CATEGORIES] },
  severity: { enum: [...SEVERITIES] },
  provenance: { enum: [...PROVENANCES] },
  byVerdict,
  first: { type: 'object', additionalProperties: false, description: 'The lowest-index DevIds with each non-passing verdict.', properties: Object.fromEntries(VERDICTS.map((v) => [v, devIds])) },
});

export const FLEET_SCHEMA: SchemaObject = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: FLEET_SCHEMA_ID,
  title: 'dmdc fleet report',
  description: 'A fleet run of the OMA DM Server Delegation harness: N reference DM clients delegated concurrently, verdicts counted per requirement.',
  ...object(
    ['schemaVersion', 'kind', 'tool', 'profileVersion', 'runId', 'startedAt', 'finishedAt', 'durationMs', 'roles', 'selection', 'fleet', 'performance', 'byStatus', 'timeouts', 'summary', 'requirements', 'detailedClients', 'traceFiles', 'errors'],
    {
      schemaVersion: { const: '1.0' },
      kind: { const: 'fleet' },
      tool: object(['name', 'version'], { name: { const: 'dmdc' }, version: text }),
      profileVersion: text,
      runId: text,
      startedAt: { type: 'string', format: 'date-time' },
      finishedAt: { type: 'string', format: 'date-time' },
      durationMs: ms,
      roles: object([...ROLES], Object.fromEntries(ROLES.map((r) => [r, { enum: ['mock', 'real'] }]))),
      mutant: text,
      config: object([], { file: text, name: text }),
      selection: object(['approaches'], { approaches: { type: 'array', items: { enum: ['A', 'B'] }, uniqueItems: true }, only: text }),
      fleet: object(
        ['size', 'clients', 'range', 'scenarios', 'concurrency', 'workers', 'flowsPerWorker', 'keep'],
        {
          size: { type: 'integer', minimum: 1 },
          clients: count,
          shard: object(['index', 'count'], { index: { type: 'integer', minimum: 1 }, count: { type: 'integer', minimum: 1 } }),
          mergedFrom: { type: 'array', items: text, description: 'A merged fleet: the run ids of its shards.' },
          range: object(['from', 'to', 'firstDevId', 'lastDevId'], { from: count, to: count, firstDevId: devId, lastDevId: devId }, 'Client indices [from, to) and the DevIds at either end.'),
          scenarios: { type: 'array', items: object(['id', 'byStatus'], { id: text, byStatus }) },
          concurrency: { type: 'integer', minimum: 1 },
          workers: { type: 'integer', minimum: 1 },
          flowsPerWorker: { type: 'integer', minimum: 1 },
          keep: { type: 'integer', minimum: 1 },
        },
      ),
      performance: object(['fleetMs', 'delegationsPerSecond', 'flowMs', 'budgetTimeouts', 'peakRssBytes'], {
        fleetMs: ms,
        delegationsPerSecond: { type: 'number', minimum: 0, description: 'Clients judged per second of the fleet; a merged fleet: the sum of its shards, each run on a machine of its own.' },
        flowMs: object(['mean', 'max'], { mean: ms, max: ms }),
        budgetTimeouts: count,
        peakRssBytes: count,
      }),
      byStatus,
      timeouts: devIds,
      summary: object(['judged', 'requirements', 'byVerdict', 'exitCode', 'failedRequirements', 'failingClients'], {
        judged: count,
        requirements: count,
        byVerdict,
        exitCode: { enum: [0, 1, 2, 3] },
        failedRequirements: { type: 'array', items: text, uniqueItems: true },
        failingClients: count,
      }),
      requirements: { type: 'array', items: requirement },
      detailedClients: {
        type: 'array',
        items: object(['devId', 'flowId', 'scenario', 'status', 'failed'], { devId, flowId: text, scenario: text, status: flowStatus, failed: { type: 'array', items: text } }),
      },
      traceFiles: { type: 'array', items: text },
      errors: { type: 'array', items: { type: 'string' } },
    },
  ),
};

let compiled: ValidateFunction<FleetReport> | undefined;
/** Compiled when a fleet report is first validated, not when a command that may write none loads this. */
function shapeValidator(): ValidateFunction<FleetReport> {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true });
    addFormats(ajv);
    compiled = ajv.compile<FleetReport>(FLEET_SCHEMA);
  }
  return compiled;
}

export function fleetSchemaJson(): string {
  return JSON.stringify(FLEET_SCHEMA, null, 2) + '\n';
}

/** Beyond the shape: every requirement once, and the counts add up to what was judged. */
function consistency(r: FleetReport): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  r.requirements.forEach((q, i) => {
    if (ids.has(q.id)) problems.push(`/requirements/${i}/id: duplicate requirement id '${q.id}'`);
    ids.add(q.id);
  });
  const sum = r.requirements.reduce((n, q) => n + VERDICTS.reduce((m, v) => m + q.byVerdict[v], 0), 0);
  if (sum !== r.summary.judged) problems.push(`/summary/judged: ${r.summary.judged}, but the requirements' counts add up to ${sum}`);
  if (r.fleet.range.to - r.fleet.range.from !== r.fleet.clients) problems.push(`/fleet/clients: ${r.fleet.clients}, but the range holds ${r.fleet.range.to - r.fleet.range.from}`);
  return problems;
}

export function validateFleetReport(r: unknown): { ok: true } | { ok: false; errors: string } {
  const validateShape = shapeValidator();
  if (!validateShape(r)) return { ok: false, errors: (validateShape.errors ?? []).map(describeSchemaError).join('\n') };
  const problems = consistency(r);
  return problems.length ? { ok: false, errors: problems.join('\n') } : { ok: true };
}
