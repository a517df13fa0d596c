import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunReport } from '../../src/report/model.js';
import { withBudget } from '../../src/trace/recorder.js';
import { spawnMock, type SpawnedMock } from '../support/spawn-mock.js';

const EXAMPLES = fileURLToPath(new URL('../../fixtures/config/', import.meta.url));

export interface DmdcRun {
  status: number | null;
  stdout: string;
  stderr: string;
  report?: RunReport;
  /** The run's trace.jsonl. */
  trace?: string;
}

/**
 * `dmdc run …` in this test worker, through the CLI's own run command, with what it prints captured: the
 * implementation under test is the separate process, and the run costs no process start of its own.
 * Resolves once the run is over, or with status null once `budgetMs` has passed.
 */
export async function dmdcRun(args: string[], out: string, budgetMs = 120_000): Promise<DmdcRun> {
  const { runCommand } = await import('../../src/cli/run-command.js');
  const printed = { stdout: '', stderr: '' };
  capturePrinting();
  let status: number | null = null;
  try {
    status = await printing.run(printed, () => withBudget(runCommand(['--no-suites', '--out', out, ...args]), budgetMs, 'dmdc run'));
  } catch (err) {
    printed.stderr += `${(err as Error).stack ?? err}\n`;
  }
  let report: RunReport | undefined;
  try {
    report = JSON.parse(readFileSync(join(out, 'latest', 'report.json'), 'utf8')) as RunReport;
  } catch {
    report = undefined;
  }
  return { status, ...printed, report, trace: join(out, 'latest', 'trace.jsonl') };
}

/** Where what a run prints goes: each run its own, so runs side by side in one worker keep theirs apart. */
const printing = new AsyncLocalStorage<{ stdout: string; stderr: string }>();
let captured = false;

/** Routes process.stdout and console.log/error of a run (inside `printing`) to its record; the rest as before. */
function capturePrinting(): void {
  if (captured) return;
  captured = true;
  const write = process.stdout.write.bind(process.stdout);
  const { error, log } = console;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const into = printing.getStore();
    if (!into) return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    into.stdout += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  console.log = (...a: unknown[]) => {
    const into = printing.getStore();
    if (into) into.stdout += `${a.join(' ')}\n`;
    else log(...a);
  };
  console.error = (...a: unknown[]) => {
    const into = printing.getStore();
    if (into) into.stderr += `${a.join(' ')}\n`;
    else error(...a);
  };
}

/**
 * The example config of a role, pointed at a mock process that plays the implementation under test: the
 * example's fixed ports become the ports the process printed, its folders the process's certificates.
 */
export function exampleConfigFor(example: string, mock: SpawnedMock, ports: Record<number, string>, dir: string): string {
  let text = readFileSync(join(EXAMPLES, example), 'utf8');
  for (const [port, key] of Object.entries(ports)) text = text.replaceAll(`127.0.0.1:${port}`, new URL(mock.info[key]).host);
  text = text.replace(/"\.\.\/\.\.\/\.dmdc-mock\/[a-z0-9]+/g, `"${mock.info.certificates}`);
  text = text.replace('"./dmdc-config.schema.json"', `"${join(EXAMPLES, 'dmdc-config.schema.json')}"`);
  const file = join(dir, example);
  writeFileSync(file, text);
  return file;
}

export interface IutCase {
  role: string;
  example: string;
  /** Example port → key of the URL the mock process prints. */
  ports: Record<number, string>;
  mockArgs: string[];
}

/** Each role's reference mock as a separate process, reached through the role's example config. */
export const IUT_CASES = {
  dms1: { role: 'dms1', example: 'real-dms1.json', ports: { 9101: 'dm', 9102: 'delegation', 9100: 'control' }, mockArgs: ['--control'] },
  dms2: { role: 'dms2', example: 'real-dms2.json', ports: { 9201: 'dm', 9202: 'delegation', 9200: 'control' }, mockArgs: ['--control'] },
  bootstrap: { role: 'bootstrap', example: 'real-bootstrap.json', ports: { 9301: 'bootstrap', 9302: 'order' }, mockArgs: [] },
  client: { role: 'client', example: 'real-client.json', ports: { 9401: 'push', 9400: 'control' }, mockArgs: ['--control'] },
} satisfies Record<string, IutCase>;

/** Starts the role's mock as a separate process (optionally a mutant) and runs dmdc against it via its example config. */
export async function runAgainstMockProcess(
  c: IutCase,
  o: { mutant?: string; runArgs?: string[]; edit?: (config: Record<string, any>, o: { certificates: string; dir: string }) => void | Promise<void> } = {},
): Promise<DmdcRun> {
  const dir = mkdtempSync(join(tmpdir(), `dmdc-iut-${c.role}-`));
  const mock = await spawnMock([c.role, '--port', '0', '--out', join(dir, 'iut'), ...c.mockArgs, ...(o.mutant ? ['--mutant', o.mutant] : [])]);
  try {
    const config = exampleConfigFor(c.example, mock, c.ports, dir);
    if (o.edit) {
      const json = JSON.parse(readFileSync(config, 'utf8')) as Record<string, any>;
      await o.edit(json, { certificates: mock.info.certificates, dir });
      writeFileSync(config, JSON.stringify(json, null, 2));
    }
    return await dmdcRun(['--config', config, ...(o.runArgs ?? [])], join(dir, 'reports'));
  } finally {
    await mock.stop();
  }
}

/**
 * The PASSes of requirements on `role` that cite none of its own messages (DESIGN.md §7: a PASS proves what
 * it says from what the judged implementation sent, or a refusal it made, never from harness traffic only).
 * Evidence is looked up in the run's trace; a handshake counts for the role that took part in it.
 */
export function passesWithoutOwnEvidence(report: RunReport, traceFile: string, role: string, rolesOf: (id: string, approach: 'A' | 'B') => readonly string[]): string[] {
  const events = readFileSync(traceFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { flow?: string; seq: number; kind: string; from: string; to: string });
  const own = (from: string) => from === role || (role === 'dms2' && from === 'bootstrap');
  const out: string[] = [];
  for (const flow of report.flows) {
    const bySeq = new Map(events.filter((e) => e.flow === flow.id).map((e) => [e.seq, e]));
    for (const r of report.results.filter((x) => x.flowId === flow.id && x.verdict === 'PASS' && rolesOf(x.requirementId, flow.approach).some(own))) {
      const cited = r.checks.flatMap((c) => c.evidence).map((s) => bySeq.get(s)).filter((e) => !!e);
      const mine = cited.some((e) => own(e.from) || ((e.kind === 'tls' || e.kind === 'tls-error') && own(e.to)));
      if (!mine) out.push(`${r.requirementId} in ${flow.id}: cites ${cited.length ? cited.map((e) => `seq ${e.seq} ${e.kind} ${e.from}→${e.to}`).join(', ') : 'nothing'}`);
    }
  }
  return out;
}
