import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { npmEnv, packWorkingTree, REPO } from '../support/package.js';

// The examples in docs/ci/, read from the files and run here as they stand: the jobs' commands in a temp
// folder per machine, with this checkout's CLI for `npx dmdc` (the vendor's `npm ci` is the set-up already
// done here), artefacts handed on as the CI system does. Only what runs on a CI service itself (checkout,
// setup-node, the JUnit check, the container runtime) is checked by its configuration instead.

const CI = join(REPO, 'docs', 'ci');
const BIN = join(REPO, 'bin', 'dmdc.js');
const DMDC = `"${process.execPath}" "${BIN}"`;
// The Node line the examples use is the newest the package declares (engines: "^20.19.0 || ^26.10.0").
const LTS = Math.max(...[...(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node.matchAll(/\^(\d+)\./g)].map((m) => Number(m[1])));
const RUN_FILES = ['report.json', 'report.html', 'junit.xml', 'summary.md', 'trace.jsonl'];

interface Ran {
  job: string;
  cmd: string;
  status: number | null;
  output: string;
}

/** One CI command as the runner's shell runs it (bash, -e, pipefail). */
function sh(job: string, cmd: string, cwd: string, env: NodeJS.ProcessEnv, ran: Ran[]): boolean {
  const local = cmd.replace(/\bnpx dmdc\b/g, DMDC);
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', local], { cwd, env: npmEnv(env), encoding: 'utf8', timeout: 240_000 });
  ran.push({ job, cmd, status: r.status, output: `${r.stdout}${r.stderr}${r.error ?? ''}` });
  return r.status === 0;
}

const failures = (ran: Ran[]) => ran.filter((r) => r.status !== 0).map((r) => `${r.job}: ${r.cmd} → ${r.status}\n${r.output.split('\n').slice(-15).join('\n')}`);
const isNpmCi = (cmd: string) => /^npm ci\b/.test(cmd.trim());
const globRe = (glob: string) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
const junitCases = (file: string) => {
  const j = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(file, 'utf8')) as { testsuites: Record<string, unknown> };
  return Number(j.testsuites['@_tests']);
};

interface GhStep {
  if?: string;
  run?: string;
  uses?: string;
  with?: Record<string, string | number>;
}
interface GhJob {
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string>;
  strategy?: { 'fail-fast'?: boolean; matrix: Record<string, Array<string | number>> };
  steps: GhStep[];
}

describe('docs/ci/github-actions.yml', () => {
  const wf = parse(readFileSync(join(CI, 'github-actions.yml'), 'utf8')) as { jobs: Record<string, GhJob> };
  const entries = Object.entries(wf.jobs);
  const [shardName, shardJob] = entries.find(([, j]) => j.strategy?.matrix.shard)!;
  const [mergeName, mergeJob] = entries.find(([, j]) => j.steps.some((s) => /\bdmdc merge\b/.test(s.run ?? '')))!;
  const shards = shardJob.strategy!.matrix.shard.map(String);
  const ran: Ran[] = [];
  const junitReports: string[] = [];
  let dir: string;
  let summaryFile: string;

  test('a matrix job over the shards, each uploading its run folder; a merge job after it that needs it', () => {
    expect(shards).toEqual(['1', '2']);
    expect(shardJob.strategy!['fail-fast']).toBe(false);
    const run = shardJob.steps.find((s) => /\bdmdc run\b/.test(s.run ?? ''))!;
    expect(run.run).toMatch(new RegExp(`--shard \\$\\{\\{ matrix\\.shard \\}\\}/${shards.length}\\b`));
    const upload = shardJob.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(upload.with!.name).toBe('shard-${{ matrix.shard }}');
    expect([mergeJob.needs].flat()).toContain(shardName);
    expect(mergeJob.if).toMatch(/!cancelled\(\)/);
    expect(mergeJob.steps.find((s) => /\bdmdc merge\b/.test(s.run ?? ''))!.run).toContain(shards.map((i) => `shard-${i}`).join(' '));
    expect(mergeJob.steps.some((s) => s.uses?.startsWith('actions/download-artifact@') && globRe(String(s.with!.pattern)).test('shard-1'))).toBe(true);
    expect(mergeJob.steps.some((s) => /\$GITHUB_STEP_SUMMARY/.test(s.run ?? ''))).toBe(true);
    expect(mergeJob.steps.some((s) => /\bdmdc verify\b/.test(s.run ?? ''))).toBe(true);
    const junit = mergeJob.steps.find((s) => s.uses?.startsWith('mikepenz/action-junit-report@'))!;
    expect(String(junit.with!.report_paths)).toMatch(/junit\.xml$/);
    expect(mergeJob.permissions?.checks).toBe('write');
    for (const [, job] of entries) expect(job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'))!.with!['node-version']).toBe(LTS);
  });

  // Steps after a failed one run only when their `if` says so, as on GitHub.
  function runJob(name: string, job: GhJob, ws: string, matrix: Record<string, string>, artefacts: Map<string, string>): void {
    const sub = (s: string | number) => String(s).replace(/\$\{\{\s*matrix\.(\w+)\s*\}\}/g, (_, k: string) => matrix[k]);
    let ok = true;
    for (const step of job.steps) {
      if (!ok && !/!cancelled\(\)|always\(\)/.test(step.if ?? '')) continue;
      if (step.run !== undefined) {
        if (!isNpmCi(step.run)) ok = sh(name, sub(step.run), ws, { GITHUB_STEP_SUMMARY: summaryFile }, ran) && ok;
      } else if (step.uses!.startsWith('actions/upload-artifact@')) {
        artefacts.set(sub(step.with!.name), join(ws, sub(step.with!.path)));
      } else if (step.uses!.startsWith('actions/download-artifact@')) {
        // Several artefacts by pattern: each in a folder of its name under `path`.
        for (const [n, from] of artefacts) if (globRe(String(step.with!.pattern)).test(n)) cpSync(from, join(ws, String(step.with!.path ?? '.'), n), { recursive: true });
      } else if (step.uses!.startsWith('mikepenz/action-junit-report@')) junitReports.push(join(ws, String(step.with!.report_paths)));
    }
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dmdc-gha-'));
    summaryFile = join(dir, 'step-summary.md');
    const artefacts = new Map<string, string>();
    for (const shard of shards) {
      const ws = join(dir, `${shardName}-${shard}`);
      mkdirSync(ws);
      runJob(shardName, shardJob, ws, { shard }, artefacts);
    }
    const ws = join(dir, mergeName);
    mkdirSync(ws);
    runJob(mergeName, mergeJob, ws, {}, artefacts);
  }, 300_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('its commands run here: the shards, the copies, the merge, the job summary and the verify all exit 0', () => {
    expect(ran.map((r) => r.cmd)).toEqual(expect.arrayContaining([expect.stringMatching(/dmdc run --shard/), expect.stringMatching(/dmdc merge/), expect.stringMatching(/dmdc verify/)]));
    expect(failures(ran)).toEqual([]);
  });

  test('each shard uploads a run folder, and the merge one with every report, the job summary and JUnit', () => {
    for (const shard of shards) for (const f of ['report.json', 'junit.xml', 'trace.jsonl']) expect(existsSync(join(dir, `${shardName}-${shard}`, `shard-${shard}`, f)), `shard ${shard} ${f}`).toBe(true);
    for (const f of RUN_FILES) expect(existsSync(join(dir, mergeName, 'merged', f)), f).toBe(true);
    expect(readFileSync(summaryFile, 'utf8')).toBe(readFileSync(join(dir, mergeName, 'merged', 'summary.md'), 'utf8'));
    expect(junitReports).toHaveLength(1);
    expect(junitCases(junitReports[0])).toBeGreaterThan(300);
  });
});

interface GlJob {
  stage?: string;
  parallel?: number;
  needs?: string[];
  when?: string;
  script: string[];
  after_script?: string[];
  artifacts?: { when?: string; paths?: string[]; reports?: { junit?: string } };
}

describe('docs/ci/gitlab-ci.yml', () => {
  const ci = parse(readFileSync(join(CI, 'gitlab-ci.yml'), 'utf8')) as { stages: string[]; default: { image: string; before_script?: string[] } } & Record<string, GlJob>;
  const jobs = Object.entries(ci).filter(([k, v]) => !['stages', 'default', 'variables', 'workflow'].includes(k) && typeof v === 'object' && 'script' in v) as Array<[string, GlJob]>;
  const [shardName, shardJob] = jobs.find(([, j]) => j.parallel)!;
  const [mergeName, mergeJob] = jobs.find(([, j]) => j.script.some((l) => /\bdmdc merge\b/.test(l)))!;
  const [verifyName, verifyJob] = jobs.find(([, j]) => j.script.some((l) => /\bdmdc verify\b/.test(l)))!;
  const ran: Ran[] = [];
  const logs = new Map<string, string>();
  let dir: string;

  test('parallel shards keeping their run folders after a FAIL, a merge stage with the JUnit report, a verify stage', () => {
    expect(ci.default.image).toMatch(new RegExp(`^node:${LTS}-`));
    expect(shardJob.parallel).toBe(2);
    expect(shardJob.script.join('\n')).toMatch(/--shard \$CI_NODE_INDEX\/\$CI_NODE_TOTAL\b/);
    expect(shardJob.artifacts?.when).toBe('always');
    expect(mergeJob.needs).toContain(shardName);
    expect(mergeJob.when).toBe('always');
    expect(mergeJob.artifacts?.reports?.junit).toMatch(/junit\.xml$/);
    expect(verifyJob.needs).toContain(mergeName);
    expect(ci.stages.indexOf(shardJob.stage!)).toBeLessThan(ci.stages.indexOf(mergeJob.stage!));
    expect(ci.stages.indexOf(mergeJob.stage!)).toBeLessThan(ci.stages.indexOf(verifyJob.stage!));
  });

  /** A job's before_script, script (to its first failure) and after_script (always); then its artefacts. */
  function runJob(name: string, job: GlJob, ws: string, env: NodeJS.ProcessEnv, artefacts: Map<string, string>): void {
    let ok = true;
    for (const line of [...(ci.default.before_script ?? []), ...job.script]) if (ok && !isNpmCi(line)) ok = sh(name, line, ws, env, ran);
    const before = ran.length;
    for (const line of job.after_script ?? []) sh(name, line, ws, env, ran);
    logs.set(name, ran.slice(before).map((r) => r.output).join(''));
    for (const glob of job.artifacts?.paths ?? []) {
      const [top, ...rest] = glob.replace(/\/$/, '').split('/');
      for (const entry of readdirSync(ws).filter((e) => globRe(top).test(e))) artefacts.set(join(entry, ...rest), join(ws, entry, ...rest));
    }
  }
  // GitLab restores the artefacts of the jobs a job needs at their paths.
  const restore = (artefacts: Map<string, string>, ws: string) => {
    for (const [path, from] of artefacts) {
      mkdirSync(dirname(join(ws, path)), { recursive: true });
      cpSync(from, join(ws, path), { recursive: true });
    }
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dmdc-gitlab-'));
    const fromShards = new Map<string, string>();
    for (let i = 1; i <= shardJob.parallel!; i++) {
      const ws = join(dir, `${shardName}-${i}`);
      mkdirSync(ws);
      runJob(shardName, shardJob, ws, { CI_NODE_INDEX: String(i), CI_NODE_TOTAL: String(shardJob.parallel) }, fromShards);
    }
    const fromMerge = new Map<string, string>();
    const mergeWs = join(dir, mergeName);
    mkdirSync(mergeWs);
    restore(fromShards, mergeWs);
    runJob(mergeName, mergeJob, mergeWs, {}, fromMerge);
    const verifyWs = join(dir, verifyName);
    mkdirSync(verifyWs);
    restore(fromMerge, verifyWs);
    runJob(verifyName, verifyJob, verifyWs, {}, new Map());
  }, 300_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('its commands run here: the shards, the copies, the merge and the verify all exit 0', () => {
    expect(ran.map((r) => r.cmd)).toEqual(expect.arrayContaining([expect.stringMatching(/dmdc run --shard/), expect.stringMatching(/dmdc merge/), expect.stringMatching(/dmdc verify/)]));
    expect(failures(ran)).toEqual([]);
  });

  test('each shard keeps its run folder, the merge every report and the JUnit report it names; its log shows summary.md', () => {
    for (let i = 1; i <= shardJob.parallel!; i++) expect(existsSync(join(dir, `${shardName}-${i}`, `shard-${i}`, 'report.json')), `shard ${i}`).toBe(true);
    for (const f of RUN_FILES) expect(existsSync(join(dir, mergeName, 'merged', f)), f).toBe(true);
    expect(junitCases(join(dir, mergeName, mergeJob.artifacts!.reports!.junit!))).toBeGreaterThan(300);
    expect(logs.get(mergeName)).toContain(readFileSync(join(dir, mergeName, 'merged', 'summary.md'), 'utf8').trim());
  });
});

describe('docs/ci/Dockerfile', () => {
  // Instructions with their continuation lines joined, comments dropped.
  const instructions = readFileSync(join(CI, 'Dockerfile'), 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [, op, arg] = /^(\w+)\s+(.*)$/.exec(l)!;
      return { op: op.toUpperCase(), arg };
    });
  const one = (op: string) => instructions.filter((i) => i.op === op).at(-1)!.arg;
  let dir: string;
  let root: string;
  let workdir: string;
  let cmd: { status: number | null; output: string };

  test('the LTS Node image, dmdc installed in it, dmdc as the entry point and run as the command', () => {
    expect(instructions[0].op).toBe('FROM');
    expect(one('FROM')).toMatch(new RegExp(`^node:${LTS}-\\w+-slim$`));
    expect(instructions.some((i) => i.op === 'RUN' && /npm install --global .*dmdc/.test(i.arg))).toBe(true);
    expect(JSON.parse(one('ENTRYPOINT'))).toEqual(['dmdc']);
    expect(JSON.parse(one('CMD'))).toEqual(['run']);
  });

  // Without a container runtime here, the build's COPY and RUN run on this machine instead: the image's paths
  // under a temp folder, npm's global prefix (/usr/local in the image) there too. FROM and USER are not.
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dmdc-docker-'));
    const context = join(dir, 'context');
    mkdirSync(context);
    packWorkingTree(context);
    root = join(dir, 'image');
    const prefix = join(root, 'usr', 'local');
    // npm's cache on this machine holds the dependencies: the install takes them without asking the registry
    // again, as pack-install.test.ts does (--prefer-offline); about 3 s less.
    const env = { npm_config_prefix: prefix, npm_config_prefer_offline: 'true', PATH: `${join(prefix, 'bin')}:${process.env.PATH}` };
    workdir = root;
    for (const { op, arg } of instructions) {
      if (op === 'WORKDIR') mkdirSync((workdir = join(root, arg)), { recursive: true });
      else if (op === 'COPY') {
        const [src, dest] = arg.split(/\s+/);
        for (const f of readdirSync(context).filter((e) => globRe(src).test(e))) cpSync(join(context, f), join(workdir, dest, f));
      } else if (op === 'RUN') {
        const ran: Ran[] = [];
        if (!sh('docker build', arg, workdir, env, ran)) throw new Error(failures(ran).join('\n'));
      }
    }
    const [entry, ...args] = [...JSON.parse(one('ENTRYPOINT')), ...JSON.parse(one('CMD'))] as string[];
    const r = spawnSync(entry, args, { cwd: workdir, env: npmEnv(env), encoding: 'utf8', timeout: 180_000 });
    cmd = { status: r.status, output: `${r.stdout}${r.stderr}${r.error ?? ''}` };
  }, 300_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('its RUN installs dmdc, and ENTRYPOINT + CMD (dmdc run) exits 0 with the reports in the working directory', () => {
    expect(existsSync(join(root, 'usr', 'local', 'lib', 'node_modules', 'dmdc', 'dist', 'src', 'cli', 'main.js'))).toBe(true);
    expect(readdirSync(join(root, 'opt', 'dmdc')).filter((f) => f.endsWith('.tgz'))).toEqual([]);
    expect(cmd.status, cmd.output).toBe(0);
    expect(existsSync(join(workdir, 'reports', 'latest', 'report.json'))).toBe(true);
  });
});
