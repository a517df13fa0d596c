import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from '../package-root.js';
import type { RunReport } from '../report/model.js';
import { childEnv } from './child-env.js';
import { phaseDone } from './phase-clock.js';
import type { SuitesMessage, SuitesStart } from './suites-child.js';

const ROOT = PACKAGE_ROOT;

/** How long the suites may take once they are told to run. */
const SUITES_BUDGET_MS = 180_000;

/**
 * The conformance suites of one run folder, in their own process (suites-child.ts), started before the flows
 * so that loading vitest, starting its worker and importing the suites take another core while the flows
 * run. `run` lets them go once report.json is written; `cancel` ends them unrun.
 */
export class SuitesProcess {
  private readonly child: ChildProcess;
  private readonly outcome: Promise<string[]>;
  private held: Array<[NodeJS.WriteStream, Buffer]> | undefined = [];

  constructor(private readonly runDir: string) {
    const resultsDir = join(runDir, 'allure-results');
    const start: SuitesStart = { root: ROOT, config: join(ROOT, 'vitest.suites.config.ts'), reportFile: join(runDir, 'report.json'), resultsDir };
    // As TypeScript (tests, or bin/dmdc.js without a build) the child needs tsx's loader; compiled, plain node.
    const typescript = import.meta.url.endsWith('.ts');
    const entry = fileURLToPath(new URL(typescript ? './suites-child.ts' : './suites-child.js', import.meta.url));
    // Colour codes only for a terminal: a CI log or a pipe gets plain text.
    const color = !!(process.stdout.isTTY || process.env.FORCE_COLOR);
    this.child = fork(entry, [JSON.stringify(start)], {
      cwd: ROOT,
      execArgv: typescript ? ['--import', 'tsx'] : [],
      env: childEnv(color ? { FORCE_COLOR: '1' } : { NO_COLOR: '1' }),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    // What vitest prints goes out as this process's own output (a test capturing it sees it too), held back
    // until the suites go: vitest starts while the flows still print their progress.
    const out = (to: NodeJS.WriteStream) => (d: Buffer) => (this.held ? this.held.push([to, d]) : to.write(d));
    this.child.stdout!.on('data', out(process.stdout));
    this.child.stderr!.on('data', out(process.stderr));
    this.outcome = new Promise<string[]>((resolve) => {
      let said: SuitesMessage | undefined;
      this.child.on('message', (m: SuitesMessage) => (said = m));
      this.child.on('error', (err) => resolve([`conformance suites: ${err.message}`]));
      this.child.on('exit', (code, signal) => {
        // Failing conformance tests are verdicts, not a harness problem: only a crash of the runner is.
        if (said?.type === 'done') resolve([]);
        else if (said?.type === 'failed') resolve([`conformance suites: ${said.error}`]);
        else resolve([`conformance suites: the vitest process ended (${signal ?? `exit ${code}`}) before it was done`]);
      });
    });
  }

  /** Ends the suites unrun (nothing judged to present). */
  cancel(): void {
    if (this.child.connected) this.child.send({ go: false });
    else this.child.kill();
  }

  /**
   * Runs the suites over the judged run (report.json, written by now), with allure-vitest writing Allure
   * results, then writes the run's environment, executor and categories beside them and, on request,
   * generates the single-file Allure report with the history of the reports folder. Returns problems
   * instead of throwing: the dmdc report is already written and stays the reference. Runs before `latest`
   * names this run.
   */
  async run(o: { report: RunReport; allureReport: boolean }): Promise<string[]> {
    const resultsDir = join(this.runDir, 'allure-results');
    for (const [to, d] of this.held ?? []) to.write(d);
    this.held = undefined;
    // Sent before anything is awaited: the caller writes its other reports while the suites run.
    if (this.child.connected) this.child.send({ go: true });
    // Loaded on use: the commands that import this module and run no suites do not load Allure's SDK.
    const [metadata, history] = await Promise.all([import('../report/allure-metadata.js'), import('../report/allure-history.js')]);
    const timer = setTimeout(() => this.child.kill(), SUITES_BUDGET_MS);
    const problems = [...(await this.outcome)];
    clearTimeout(timer);
    phaseDone('suites in their process');
    // Beside results only: without them there is nothing for the environment to describe.
    if (existsSync(resultsDir)) {
      try {
        metadata.writeAllureMetadata(resultsDir, o.report, metadata.runFacts(this.runDir));
        history.carryAllure2History(this.runDir, resultsDir);
      } catch (err) {
        problems.push(`Allure environment, executor, categories or history: ${(err as Error).message}`);
      }
    }
    if (o.allureReport) {
      problems.push(
        ...allureReport(resultsDir, join(this.runDir, 'allure-report'), {
          historyFile: history.allureHistoryFile(this.runDir),
          config: { historyLimit: history.ALLURE_HISTORY_LIMIT, categories: { rules: metadata.awesomeCategories() } },
          name: metadata.ALLURE_REPORT_NAME,
        }),
      );
    }
    return problems;
  }
}

/**
 * The Allure CLI script, found where Node would resolve the allure package from here: installed into another
 * project, npm hoists it out of dmdc's own node_modules. Its package.json is not exported, so the package is
 * looked up along the resolver's own search paths; its "bin" names the script.
 */
export function allureCli(from: string = import.meta.url): string | undefined {
  const require = createRequire(from);
  for (const dir of require.resolve.paths('allure') ?? []) {
    const manifest = join(dir, 'allure', 'package.json');
    if (!existsSync(manifest)) continue;
    const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin?: string | Record<string, string> };
    const script = typeof bin === 'string' ? bin : bin?.allure;
    const path = script && join(dirname(manifest), script);
    return path && existsSync(path) ? path : undefined;
  }
  return undefined;
}

function allureReport(resultsDir: string, outDir: string, o: { historyFile: string; config: object; name: string }): string[] {
  if (!existsSync(resultsDir)) return ['no Allure results were written'];
  const cli = allureCli();
  if (!cli) return ['the Allure CLI (npm package allure) is not installed where dmdc can resolve it'];
  // Allure 3 takes categories and the history's length from a config file only; it stays out of the run folder.
  const configDir = mkdtempSync(join(tmpdir(), 'dmdc-allure-'));
  const config = join(configDir, 'allurerc.json');
  writeFileSync(config, JSON.stringify(o.config));
  const r = spawnSync(process.execPath, [cli, 'awesome', '--single-file', '--config', config, '--report-name', o.name, '--history-path', o.historyFile, '-o', outDir, resultsDir], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  rmSync(configDir, { recursive: true, force: true });
  if (r.status !== 0) return [`allure report generation failed: ${(r.stderr || r.stdout || String(r.error)).trim().split('\n').slice(-3).join(' ')}`];
  // The generator always adds an analytics tag; a report for a lab must not call out.
  const index = join(outDir, 'index.html');
  if (existsSync(index)) {
    const html = readFileSync(index, 'utf8').replace(/<script[^>]*googletagmanager\.com[\s\S]*?<\/script>\s*(<script>[\s\S]*?gtag\([\s\S]*?<\/script>)?/g, '');
    writeFileSync(index, html);
    // Said, not hidden, should the generator's snippet change shape and the strip miss it.
    if (/googletagmanager|gtag\(/.test(html)) return ['the Allure report still holds an analytics tag: do not hand it out as is'];
  }
  return [];
}
