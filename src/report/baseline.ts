/**
 * A baseline: the FAILs a project knows of and is fixing (requirement × flow, each with a reason and an optional
 * expiry). A run whose only FAILs are baselined passes the gate; a baseline entry whose requirement now passes
 * is stale and fails it, so a fix is noticed and the entry removed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { matchesGlob } from '../catalogue/catalogue.js';
import { packageFile } from '../package-root.js';
import { describeSchemaError } from './report-schema.js';
import type { Baseline, BaselineEntry, BaselineOutcome, RequirementResult } from './model.js';

const addFormats = addFormatsModule.default;

export const BASELINE_SCHEMA_FILE = packageFile('fixtures', 'baseline.schema.json');

let validator: ValidateFunction<Baseline> | undefined;

/** Reads and validates a baseline file; every problem is named. */
export function loadBaseline(file: string): { ok: true; baseline: Baseline } | { ok: false; errors: string[] } {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return { ok: false, errors: [`cannot be read as JSON: ${(err as Error).message}`] };
  }
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true });
    addFormats(ajv);
    validator = ajv.compile<Baseline>(JSON.parse(readFileSync(BASELINE_SCHEMA_FILE, 'utf8')) as object);
  }
  if (!validator(data)) return { ok: false, errors: (validator.errors ?? []).map(describeSchemaError) };
  return { ok: true, baseline: { entries: data.entries } };
}

const matches = (e: BaselineEntry, r: RequirementResult) => matchesGlob(r.requirementId, e.requirement) && matchesGlob(r.flowId, e.flow);
const expiredOn = (e: BaselineEntry, now: Date) => !!e.expires && e.expires < now.toISOString().slice(0, 10);

/**
 * Marks the FAILs a live entry excuses (`baselined`) and says what the baseline made of the run. An entry is
 * stale when the results it matches include a PASS and nothing that fails or was not judged through.
 */
export function applyBaseline(results: readonly RequirementResult[], baseline: Baseline & { file?: string }, now = new Date()): { results: RequirementResult[]; outcome: BaselineOutcome } {
  const matched = new Map<BaselineEntry, RequirementResult[]>(baseline.entries.map((e) => [e, []]));
  const newFailures: string[] = [];
  let known = 0;
  const marked = results.map((r) => {
    const { baselined: _old, ...plain } = r;
    const mine = baseline.entries.filter((e) => matches(e, plain));
    for (const e of mine) matched.get(e)!.push(plain);
    if (plain.verdict !== 'FAIL') return plain;
    const live = mine.find((e) => !expiredOn(e, now));
    if (!live) return newFailures.push(`${plain.flowId} ${plain.requirementId}`), plain;
    known++;
    return { ...plain, baselined: { reason: live.reason, ...(live.expires ? { expires: live.expires } : {}) } };
  });
  const passing = new Set(['PASS', 'WARN', 'NOT_APPLICABLE']);
  const stale = baseline.entries.filter((e) => {
    const rs = matched.get(e)!;
    return rs.some((r) => r.verdict === 'PASS') && rs.every((r) => passing.has(r.verdict));
  });
  const expired = baseline.entries.filter((e) => expiredOn(e, now) && matched.get(e)!.some((r) => r.verdict === 'FAIL'));
  return { results: marked, outcome: { ...(baseline.file ? { file: baseline.file } : {}), entries: baseline.entries, known, newFailures, stale, expired } };
}

/**
 * The results the exit code is computed from: without the baselined FAILs and what they blocked in their flow
 * (a known fault's consequences are known too).
 */
export function unexcused(results: readonly RequirementResult[]): RequirementResult[] {
  const excused = new Set(results.filter((r) => r.baselined).map((r) => `${r.flowId} ${r.requirementId}`));
  return results.filter((r) => !r.baselined && !(r.verdict === 'BLOCKED' && r.blockedBy && excused.has(`${r.flowId} ${r.blockedBy}`)));
}

/**
 * `--update-baseline`: the baseline the run calls for. Stale entries go; entries still matching a FAIL keep
 * their reason and expiry, expired ones too; every other FAIL no entry excused gets an entry of its own, to be
 * given a reason.
 */
export function updatedBaseline(outcome: BaselineOutcome, runId: string): Baseline {
  const stale = new Set(outcome.stale);
  // An expired entry stays as it is: whether to extend it is a person's decision, not the run's.
  const kept = outcome.entries.filter((e) => !stale.has(e));
  const underExpired = (key: string) => {
    const [flow, requirement] = key.split(' ');
    return outcome.expired.some((e) => matchesGlob(requirement, e.requirement) && matchesGlob(flow, e.flow));
  };
  const added = outcome.newFailures.filter((key) => !underExpired(key)).map((key) => {
    const [flow, requirement] = key.split(' ');
    return { requirement, flow, reason: `FAIL in run ${runId}, added by --update-baseline: give the reason` };
  });
  return { entries: [...kept, ...added] };
}

export function writeBaseline(file: string, baseline: Baseline): void {
  writeFileSync(file, `${JSON.stringify({ entries: baseline.entries }, null, 2)}\n`);
}
