import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidReportError, REPORT_SCHEMA_ID, reportSchemaJson, validateReport, writeJsonReport } from '../../src/report/index.js';
import { sampleReport } from './sample-report.js';

function errorsOf(r: unknown): string {
  const out = validateReport(r);
  if (out.ok) throw new Error('expected the report to be rejected');
  return out.errors;
}

describe('report schema', () => {
  it('accepts the sample report', () => {
    expect(validateReport(sampleReport())).toEqual({ ok: true });
  });

  it('rejects an unknown verdict and names the field and the allowed values', () => {
    const r = sampleReport() as unknown as { results: Array<{ verdict: string }> };
    r.results[1]!.verdict = 'PASSED';
    const errors = errorsOf(r);
    expect(errors).toContain('/results/1/verdict');
    expect(errors).toContain('"NOT_OBSERVABLE"');
  });

  it('rejects a missing top-level field by name', () => {
    const r = sampleReport() as Partial<ReturnType<typeof sampleReport>>;
    delete r.runId;
    expect(errorsOf(r)).toMatch(/^\/: missing required property 'runId'$/m);
  });

  it('rejects a missing nested field with its JSON pointer', () => {
    const r = sampleReport();
    delete (r.flows[1]!.sequence[0] as { summary?: string }).summary;
    expect(errorsOf(r)).toContain("/flows/1/sequence/0: missing required property 'summary'");
  });

  it('rejects unknown properties, bad provenance and a non-date timestamp', () => {
    const r = sampleReport() as unknown as Record<string, unknown> & { requirements: Array<Record<string, unknown>> };
    r.extra = 1;
    r.requirements[0]!.provenance = 'guess';
    r.startedAt = 'yesterday';
    const errors = errorsOf(r);
    expect(errors).toContain("/: unknown property 'extra'");
    expect(errors).toContain('/requirements/0/provenance: must be one of "spec", "reconstructed", "profile"');
    expect(errors).toContain('/startedAt');
  });

  it('rejects a result that names an unknown requirement or flow', () => {
    const r = sampleReport();
    r.results[0]!.requirementId = 'NOPE-1';
    r.results[2]!.flowId = 'Z-missing';
    const errors = errorsOf(r);
    expect(errors).toContain("/results/0/requirementId: 'NOPE-1' is not in /requirements");
    expect(errors).toContain("/results/2/flowId: 'Z-missing' is not in /flows");
  });

  it('serialises the schema as draft 2020-12 JSON with its $id', () => {
    const schema = JSON.parse(reportSchemaJson()) as Record<string, unknown>;
    expect(schema.$id).toBe(REPORT_SCHEMA_ID);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.additionalProperties).toBe(false);
  });
});

describe('writeJsonReport', () => {
  it('writes report.json and report.schema.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dmdc-json-'));
    const file = writeJsonReport(dir, sampleReport());
    expect(file).toBe(join(dir, 'report.json'));
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('\n  "schemaVersion": "1.0"');
    expect(JSON.parse(text)).toEqual(sampleReport());
    expect(JSON.parse(readFileSync(join(dir, 'report.schema.json'), 'utf8'))).toEqual(JSON.parse(reportSchemaJson()));
  });

  it('throws with the schema errors and writes nothing for an invalid report', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'dmdc-json-')), 'out');
    const r = sampleReport() as unknown as { summary: { exitCode: number } };
    r.summary.exitCode = 7;
    expect(() => writeJsonReport(dir, r as unknown as ReturnType<typeof sampleReport>)).toThrow(InvalidReportError);
    expect(() => writeJsonReport(dir, r as unknown as ReturnType<typeof sampleReport>)).toThrow('/summary/exitCode');
    expect(existsSync(join(dir, 'report.json'))).toBe(false);
  });
});
