import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { npmEnv, packWorkingTree, run, VERSION, type Packed } from '../support/package.js';

// The package as a vendor gets it: packed, installed into a project of its own (npm hoists its dependencies
// there), started through node_modules/.bin. About 25 s on two cores with npm's cache warm (pack 3 s, install 12 s).
describe('the npm package, installed into another project', () => {
  let dir: string;
  let packed: Packed;
  let project: string;
  const dmdc = (args: string[]) => run(process.execPath, [join(project, 'node_modules', '.bin', 'dmdc'), ...args], { cwd: project, timeoutMs: 180_000 });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dmdc-package-'));
    packed = packWorkingTree(dir);
    project = join(dir, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'dmdc-consumer', version: '1.0.0', private: true }, null, 2)}\n`);
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', packed.tarball], { cwd: project, timeoutMs: 180_000 });
  }, 240_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the tarball ships what dmdc run needs and none of the harness\'s own tests, reports or dev scripts', () => {
    for (const f of ['bin/dmdc.js', 'dist/src/cli/main.js', 'dist/src/validators/generated/report.cjs', 'src/cli/main.ts', 'mocks/mutants.ts', 'suites/support/conformance-suite.ts', 'fixtures/catalogue/catalogue.json', 'vitest.suites.config.ts', 'docs/vendor-guide.md', 'docs/ci/README.md', 'README.md', 'LICENSE', 'package.json'])
      expect(packed.files).toContain(f);
    expect(packed.files.filter((f) => /^(test|reports|scripts|bench|\.ci)\//.test(f) || f === 'vitest.config.ts')).toEqual([]);
  });

  test('dmdc --version prints the package\'s version', () => {
    expect(dmdc(['--version']).stdout.trim()).toBe(`dmdc ${VERSION}`);
    expect(dmdc(['version']).stdout.trim()).toBe(`dmdc ${VERSION}`);
  });

  test('it starts from dist/: tsx, a dev dependency, is not installed', () => {
    expect(existsSync(join(project, 'node_modules', 'tsx'))).toBe(false);
    expect(existsSync(join(project, 'node_modules', 'dmdc', 'dist', 'src', 'cli', 'main.js'))).toBe(true);
  });

  test('dmdc run --allure-report exits 0 and writes every report, the Allure one by the hoisted Allure CLI', () => {
    const r = dmdc(['run', '--allure-report']);
    expect(r.stdout).toMatch(/Exit code 0/);
    const latest = join(project, 'reports', 'latest');
    for (const f of ['report.json', 'report.html', 'junit.xml', 'trace.jsonl', 'allure-results', join('allure-report', 'index.html')]) expect(existsSync(join(latest, f)), f).toBe(true);
    expect(existsSync(join(project, 'node_modules', 'dmdc', 'node_modules', 'allure'))).toBe(false);
  }, 180_000);

  test('its programmatic entry is the catalogue loader', () => {
    const script = "const { loadCatalogue } = await import('dmdc'); const { version } = (await import('dmdc/package.json', { with: { type: 'json' } })).default; console.log(version, loadCatalogue().entries.length);";
    const [version, entries] = run(process.execPath, ['--input-type=module', '-e', script], { cwd: project, env: npmEnv() }).stdout.trim().split(' ');
    expect(version).toBe(VERSION);
    const catalogue = JSON.parse(readFileSync(join(project, 'node_modules', 'dmdc', 'fixtures', 'catalogue', 'catalogue.json'), 'utf8')) as { entries: unknown[] };
    expect(Number(entries)).toBe(catalogue.entries.length);
  });
});
