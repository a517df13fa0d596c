import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';
import type { RunReport } from '../report/model.js';

const ROOT = PACKAGE_ROOT;

/**
 * Runs the vitest conformance suites over the judged run (report.json), with allure-vitest writing Allure
 * results (and the run's environment, executor and categories beside them), then, on request, generates the
 * single-file Allure report with the history of the reports folder. Returns problems instead of throwing:
 * the dmdc report is already written and stays the reference. Runs before `latest` names this run.
 */
export async function runSuites(o: { reportFile: string; report: RunReport; runDir: string; allureReport: boolean }): Promise<string[]> {
  const problems: string[] = [];
  const resultsDir = join(o.runDir, 'allure-results');
  // Loaded on use: the commands that import this module and run no suites do not load Allure's SDK.
  const [{ allureReporterWithSkipReasons }, metadata, history] = await Promise.all([
    import('../report/allure-reporter.js'),
    import('../report/allure-metadata.js'),
    import('../report/allure-history.js'),
  ]);
  // Colour codes only for a terminal: a CI log or a pipe gets plain text (read when vitest loads).
  const env: Record<string, string> = { DMDC_REPORT: o.reportFile, ...(process.stdout.isTTY || process.env.FORCE_COLOR ? {} : { NO_COLOR: '1' }) };
  // The caller's own values come back afterwards.
  const before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    const { startVitest } = await import('vitest/node');
    const vitest = await startVitest('test', [], {
      root: ROOT,
      config: join(ROOT, 'vitest.suites.config.ts'),
      watch: false,
      reporters: [['default', { summary: false }], allureReporterWithSkipReasons({ resultsDir, reportMatchers: false })],
    });
    await vitest?.close();
    // Failing conformance tests are verdicts, not a harness problem: only a crash of the runner is.
    if (!vitest) problems.push('vitest did not start');
  } catch (err) {
    problems.push(`conformance suites: ${(err as Error).message}`);
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  // Beside results only: without them there is nothing for the environment to describe.
  if (existsSync(resultsDir)) {
    try {
      metadata.writeAllureMetadata(resultsDir, o.report, metadata.runFacts(o.runDir));
      history.carryAllure2History(o.runDir, resultsDir);
    } catch (err) {
      problems.push(`Allure environment, executor, categories or history: ${(err as Error).message}`);
    }
  }
  if (o.allureReport) {
    problems.push(
      ...allureReport(resultsDir, join(o.runDir, 'allure-report'), {
        historyFile: history.allureHistoryFile(o.runDir),
        config: { historyLimit: history.ALLURE_HISTORY_LIMIT, categories: { rules: metadata.awesomeCategories() } },
        name: metadata.ALLURE_REPORT_NAME,
      }),
    );
  }
  return problems;
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
