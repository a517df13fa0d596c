/**
 * Verifies a run folder: its manifest still holds, and judging its bundled flows again with the current
 * catalogue (restricted as the run was, by its --only) gives report.json's verdicts. Judging reads nothing
 * but the recorded flows and the catalogue: no network, no PKI, nothing started.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CatalogueError, DEFAULT_CATALOGUE_FILE, loadCatalogue, matchesGlob, type CatalogueEntry } from '../catalogue/catalogue.js';
import { flowVerdicts, judgeFlow } from '../judge/judge.js';
import type { BaselineEntry } from '../report/model.js';
import type { RequirementResult, RunReport } from '../report/model.js';
import { summarize } from '../report/summary.js';
import type { FlowResult } from '../runner/run-flow.js';
import type { Verdict } from '../verdict/verdict.js';
import { BUNDLE_DIR, FLOWS_FILE, META_FILE, PRIVATE_DIR, REPORT_FILE, type BundleMeta } from './bundle-layout.js';
import { catalogueFingerprint } from './catalogue-fingerprint.js';
import { checkManifest, MANIFEST_FILE, ManifestError, manifestHolds, type ManifestCheck } from './manifest.js';

export interface VerifyOptions {
  /** Re-judge with this catalogue instead of the bundled one. */
  catalogueFile?: string;
}

/** One (flow, requirement) whose verdict is not the same. */
export interface VerdictDifference {
  flowId: string;
  requirementId: string;
  /** As report.json has it; absent: the re-judge gives a result the report does not have. */
  recorded?: string;
  /** As judged now; absent: the catalogue (with the run's --only) no longer judges it in this flow. */
  rejudged?: Verdict;
}

export interface VerifyResult {
  /** The run folder verified (a reports root's latest, followed). */
  runDir: string;
  /** The private part of the bundle was withheld (a customer's copy): the manifest was checked, no verdict judged again. */
  withheld?: string[];
  /** Absent when manifest.sha256 could not be read (it is then in `unreadable`). */
  manifest?: ManifestCheck & { holds: boolean };
  /** What could not be read or is not what it should be, by file: the run cannot be verified (exit 2). */
  unreadable: Array<{ file: string; problem: string }>;
  /** The bundle disagrees with itself (meta.json and report.json of different runs). */
  problems: string[];
  runId?: string;
  only?: string;
  catalogue?: {
    recorded: { version: string; sha256: string };
    current: { file: string; version: string; sha256: string };
    /** The same bytes as the run judged with. */
    same: boolean;
  };
  /** Flows re-judged, results compared (the union of both sides), and how many had the same verdict. */
  flows: number;
  compared: number;
  same: number;
  differences: VerdictDifference[];
  /** The summary's exit code as recorded, and as the re-judged verdicts give it. */
  exitCode?: { recorded: number; rejudged: number };
}

/** 2: something could not be read; 1: the manifest does not hold or something differs; 0: verified. */
export function verifyExitCode(r: VerifyResult): 0 | 1 | 2 {
  if (r.unreadable.length) return 2;
  const differs = r.differences.length > 0 || r.problems.length > 0 || (r.exitCode && r.exitCode.recorded !== r.exitCode.rejudged);
  return !r.manifest?.holds || differs ? 1 : 0;
}

class Unreadable extends Error {
  constructor(readonly file: string, readonly problem: string) {
    super(`${file}: ${problem}`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A run folder (it has a manifest, a report or a bundle), or a reports root's `latest`. */
function runFolder(dir: string): string {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new Unreadable(dir, 'no such directory');
  if ([MANIFEST_FILE, REPORT_FILE, BUNDLE_DIR].some((f) => existsSync(join(abs, f)))) return abs;
  const latest = join(abs, 'latest');
  if (existsSync(latest)) return realpathSync(latest);
  throw new Unreadable(dir, `not a run folder (no ${MANIFEST_FILE}, ${REPORT_FILE} or ${BUNDLE_DIR}/) nor a reports root (no latest/)`);
}

function readJson(runDir: string, file: string): unknown {
  let text: string;
  try {
    text = readFileSync(join(runDir, file), 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const hint = file.startsWith(`${BUNDLE_DIR}/`) ? ' (removed, or a run folder written by a dmdc that wrote no bundle)' : '';
    throw new Unreadable(file, err.code === 'ENOENT' ? `missing${hint}` : `cannot be read (${err.message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new Unreadable(file, `not valid JSON (${(e as Error).message})`);
  }
}

function asMeta(v: unknown): BundleMeta {
  const c = isObject(v) ? v.catalogue : undefined;
  const byFlow = isObject(v) ? v.requirementsByFlow : undefined;
  const idLists = byFlow === undefined || (isObject(byFlow) && Object.values(byFlow).every((ids) => Array.isArray(ids) && ids.every((id) => typeof id === 'string')));
  if (!isObject(v) || typeof v.runId !== 'string' || !isObject(c) || typeof c.version !== 'string' || typeof c.sha256 !== 'string' || (v.only !== undefined && typeof v.only !== 'string') || !idLists) {
    throw new Unreadable(META_FILE, 'not a bundle meta (runId, catalogue.version, catalogue.sha256, only, requirementsByFlow)');
  }
  return v as unknown as BundleMeta;
}

/** What the judge reads of a flow, present with its type: a flow that lacks it cannot be judged. */
function asFlows(v: unknown): FlowResult[] {
  if (!Array.isArray(v)) throw new Unreadable(FLOWS_FILE, 'not an array of flows');
  v.forEach((f: unknown, i) => {
    const s = isObject(f) ? f.scenario : undefined;
    const where = `flow [${i}]${isObject(s) && typeof s.id === 'string' ? ` (${s.id})` : ''}`;
    if (!isObject(f) || !isObject(s) || typeof s.id !== 'string' || typeof s.approach !== 'string') throw new Unreadable(FLOWS_FILE, `${where} has no scenario`);
    const lacking = [
      !Array.isArray(f.events) && 'events',
      !(isObject(f.initialTree) && Array.isArray(f.initialTree.nodes)) && 'initialTree',
      !(isObject(f.finalTree) && Array.isArray(f.finalTree.nodes)) && 'finalTree',
      !isObject(f.facts) && 'facts',
      typeof f.status !== 'string' && 'status',
      !isObject(f.roles) && 'roles',
      !isObject(f.observability) && 'observability',
      !Array.isArray(f.treeUnread) && 'treeUnread',
      !Array.isArray(f.features) && 'features',
    ].filter(Boolean);
    if (lacking.length) throw new Unreadable(FLOWS_FILE, `${where} lacks ${lacking.join(', ')}`);
  });
  return v as FlowResult[];
}

/** What the comparison reads of report.json. */
interface RecordedReport {
  runId: string;
  finishedAt?: string;
  results: RequirementResult[];
  errors: string[];
  exitCode: number;
  baseline?: { file?: string; entries: BaselineEntry[] };
}

function asReport(v: unknown): RecordedReport {
  const summary = isObject(v) ? v.summary : undefined;
  const results = isObject(v) ? v.results : undefined;
  if (!isObject(v) || !Array.isArray(results) || !isObject(summary) || typeof summary.exitCode !== 'number') throw new Unreadable(REPORT_FILE, 'not a run report (results, summary.exitCode)');
  const bad = results.findIndex((r: unknown) => !isObject(r) || typeof r.flowId !== 'string' || typeof r.requirementId !== 'string' || typeof r.verdict !== 'string');
  if (bad >= 0) throw new Unreadable(REPORT_FILE, `results[${bad}] has no flowId, requirementId and verdict`);
  const baseline = summary.baseline;
  if (baseline !== undefined && !(isObject(baseline) && Array.isArray(baseline.entries))) throw new Unreadable(REPORT_FILE, 'summary.baseline has no entries');
  return {
    runId: String(v.runId),
    ...(typeof v.finishedAt === 'string' ? { finishedAt: v.finishedAt } : {}),
    results: results as RequirementResult[],
    errors: Array.isArray(v.errors) ? (v.errors as string[]) : [],
    exitCode: summary.exitCode,
    ...(isObject(baseline) ? { baseline: { ...(typeof baseline.file === 'string' ? { file: baseline.file } : {}), entries: baseline.entries as BaselineEntry[] } } : {}),
  };
}

/** Reads one part of the bundle; what cannot be read is noted and the verification goes on without it. */
function attempt<T>(unreadable: VerifyResult['unreadable'], read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if (e instanceof Unreadable) unreadable.push({ file: e.file, problem: e.problem });
    else if (e instanceof ManifestError) unreadable.push({ file: e.file, problem: e.problem });
    else throw e;
    return undefined;
  }
}

const keyOf = (r: Pick<RequirementResult, 'flowId' | 'requirementId'>) => `${r.flowId}\n${r.requirementId}`;

export function verifyRun(dir: string, o: VerifyOptions = {}): VerifyResult {
  const unreadable: VerifyResult['unreadable'] = [];
  const none = { unreadable, problems: [], flows: 0, compared: 0, same: 0, differences: [] };
  const runDir = attempt(unreadable, () => runFolder(dir));
  if (!runDir) return { runDir: resolve(dir), ...none };
  // A customer's copy: the lab kept the private part (the flows with their secrets) and handed over the rest.
  const withheld = existsSync(join(runDir, META_FILE)) && !existsSync(join(runDir, PRIVATE_DIR));
  const checked = attempt(unreadable, () => checkManifest(runDir));
  const check = checked && withheld ? { ...checked, missing: checked.missing.filter((f) => !f.startsWith(`${PRIVATE_DIR}/`)) } : checked;
  const manifest = check && { ...check, holds: manifestHolds(check) };
  if (withheld) return { runDir, ...(manifest ? { manifest } : {}), ...none, withheld: [PRIVATE_DIR] };
  const meta = attempt(unreadable, () => asMeta(readJson(runDir, META_FILE)));
  const flows = attempt(unreadable, () => asFlows(readJson(runDir, FLOWS_FILE)));
  const report = attempt(unreadable, () => asReport(readJson(runDir, REPORT_FILE)));
  const catalogueFile = resolve(o.catalogueFile ?? DEFAULT_CATALOGUE_FILE);
  const current = attempt(unreadable, () => {
    try {
      return { entries: loadCatalogue(catalogueFile).entries, ...catalogueFingerprint(catalogueFile) };
    } catch (e) {
      if (e instanceof CatalogueError) throw new Unreadable(catalogueFile, e.problems.join('; '));
      throw e;
    }
  });
  const base = { runDir, ...(manifest ? { manifest } : {}), ...none };
  if (!meta || !flows || !report || !current) return base;

  const problems = meta.runId === report.runId ? [] : [`${META_FILE} is of run ${meta.runId}, ${REPORT_FILE} of run ${report.runId}`];
  const entries: CatalogueEntry[] = current.entries.filter((e) => !meta.only || matchesGlob(e.id, meta.only));
  // A re-run judged each flow against what had not passed there: the same ids again, as the catalogue has them now.
  const entriesOf = (flowId: string) => {
    const ids = meta.requirementsByFlow?.[flowId];
    if (!ids) return entries;
    const wanted = new Set(ids);
    return entries.filter((e) => wanted.has(e.id));
  };
  const rejudged = new Map<string, RequirementResult>();
  const byFlow = new Map<FlowResult, RequirementResult[]>();
  for (const flow of flows) {
    const judged = attempt(unreadable, () => {
      try {
        return judgeFlow(flow, entriesOf(flow.scenario.id));
      } catch (e) {
        throw new Unreadable(FLOWS_FILE, `flow ${flow.scenario.id} cannot be judged: ${(e as Error).message}`);
      }
    });
    byFlow.set(flow, judged ?? []);
    for (const r of judged ?? []) rejudged.set(keyOf(r), r);
  }
  // The summary as the run would have made it of these verdicts: its harness errors and baseline as recorded,
  // a baseline's expiry dates read on the day the run ended.
  const { summary } = summarize({
    results: [...rejudged.values()],
    flows: flows.map((f) => flowVerdicts(f, byFlow.get(f) ?? [])),
    negative: new Set(current.entries.filter((e) => e.category === 'negative').map((e) => e.id)),
    errors: report.errors,
    ...(report.baseline ? { baseline: report.baseline } : {}),
    ...(report.finishedAt ? { now: new Date(report.finishedAt) } : {}),
  });
  const differences: VerdictDifference[] = [];
  const recorded = new Set<string>();
  let same = 0;
  for (const r of report.results) {
    recorded.add(keyOf(r));
    const now = rejudged.get(keyOf(r));
    if (now?.verdict === r.verdict) same++;
    else differences.push({ flowId: r.flowId, requirementId: r.requirementId, recorded: r.verdict, ...(now ? { rejudged: now.verdict } : {}) });
  }
  for (const [k, r] of rejudged) if (!recorded.has(k)) differences.push({ flowId: r.flowId, requirementId: r.requirementId, rejudged: r.verdict });
  return {
    ...base,
    problems,
    runId: meta.runId,
    ...(meta.only ? { only: meta.only } : {}),
    catalogue: {
      recorded: { version: meta.catalogue.version, sha256: meta.catalogue.sha256 },
      current: { file: current.file, version: current.version, sha256: current.sha256 },
      same: current.sha256 === meta.catalogue.sha256,
    },
    flows: flows.length,
    compared: recorded.size + [...rejudged.keys()].filter((k) => !recorded.has(k)).length,
    same,
    differences,
    exitCode: { recorded: report.exitCode, rejudged: summary.exitCode },
  };
}
