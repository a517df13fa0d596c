import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { allureCli } from '../../src/cli/suites-runner.js';
import { REPO } from '../support/package.js';

describe('the Allure CLI is found where Node resolves the allure package', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dmdc-allure-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const from = (project: string) => pathToFileURL(join(project, 'node_modules', 'dmdc', 'dist', 'src', 'cli', 'suites-runner.js')).href;
  const allurePackage = (at: string, bin: unknown) => {
    mkdirSync(join(at, 'allure'), { recursive: true });
    writeFileSync(join(at, 'allure', 'package.json'), JSON.stringify({ name: 'allure', bin }));
    writeFileSync(join(at, 'allure', 'cli.js'), '');
  };

  test('in a checkout: its own node_modules', () => {
    expect(allureCli()).toBe(join(REPO, 'node_modules', 'allure', 'cli.js'));
  });

  test('installed into a project: hoisted beside dmdc, the script its package.json "bin" names (a string or a map)', () => {
    allurePackage(join(dir, 'hoisted', 'node_modules'), './cli.js');
    expect(allureCli(from(join(dir, 'hoisted')))).toBe(join(dir, 'hoisted', 'node_modules', 'allure', 'cli.js'));
    allurePackage(join(dir, 'map', 'node_modules'), { allure: 'cli.js' });
    expect(allureCli(from(join(dir, 'map')))).toBe(join(dir, 'map', 'node_modules', 'allure', 'cli.js'));
  });

  test('a copy nested in dmdc (another version hoisted) comes first, as Node resolves it', () => {
    allurePackage(join(dir, 'nested', 'node_modules'), './cli.js');
    allurePackage(join(dir, 'nested', 'node_modules', 'dmdc', 'node_modules'), './cli.js');
    expect(allureCli(from(join(dir, 'nested')))).toBe(join(dir, 'nested', 'node_modules', 'dmdc', 'node_modules', 'allure', 'cli.js'));
  });

  test('not installed, or no script: none, which the run reports as a problem', () => {
    expect(allureCli(from(join(dir, 'none')))).toBeUndefined();
    allurePackage(join(dir, 'nobin', 'node_modules'), undefined);
    expect(allureCli(from(join(dir, 'nobin')))).toBeUndefined();
  });
});
