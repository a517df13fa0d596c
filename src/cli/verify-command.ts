import { parseArgs } from 'node:util';
import type { VerifyResult } from '../bundle/verify-bundle.js';

export const VERIFY_HELP = `dmdc verify RUN_DIR [options]

Checks that a run folder is as dmdc run wrote it, and that its trace is still judged the same way:
  1. every file manifest.sha256 lists is there with the same SHA-256 (files it does not list are named,
     but not covered: a file added later, such as an Allure report generated afterwards, cannot alter
     what the manifest vouches for; one it lists that was regenerated does not hold);
  2. the flows of bundle/flows.json (the recorded trace with its bodies, the facts, the trees) are judged
     again with the current requirement catalogue, restricted by the run's --only, and each verdict is
     compared with report.json's, per flow and requirement, and so is the summary's exit code.
Nothing is sent and nothing is started: the verdicts come from the recorded data only.
RUN_DIR is a run folder (reports/<run-id>) or a reports root, whose latest/ is verified.
The same manifest checks with: (cd RUN_DIR && sha256sum -c manifest.sha256)

Options:
  --catalogue FILE   judge with this catalogue instead of the one dmdc ships (e.g. a newer one)
  --json             print the result as JSON
  --help             this text

Exit codes: 0 the manifest holds and every verdict is the same; 1 a file changed or is missing, or a
verdict differs; 2 the run cannot be verified (no manifest, a bundle file missing or malformed, or the
catalogue invalid).`;

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

const list = (xs: string[], max = 10) => `${xs.slice(0, max).join(', ')}${xs.length > max ? `, … (${xs.length - max} more)` : ''}`;

function print(r: VerifyResult, code: 0 | 1 | 2): void {
  say(`dmdc verify ${r.runDir}${r.runId ? ` (run ${r.runId})` : ''}`);
  const m = r.manifest;
  if (m) {
    const problems = [m.changed.length && `changed: ${list(m.changed)}`, m.missing.length && `missing: ${list(m.missing)}`].filter(Boolean);
    say(`  manifest: ${m.listed} files, ${m.holds ? 'all hold' : `DOES NOT HOLD (${problems.join('; ')})`}`);
    if (m.added.length) say(`  not in the manifest (not covered): ${list(m.added)}`);
    if (m.notRegular.length) say(`  not regular files (not covered): ${list(m.notRegular)}`);
  }
  for (const u of r.unreadable) console.error(`  cannot be read: ${u.file}: ${u.problem}`);
  for (const p of r.problems) say(`  ${p}`);
  if (r.catalogue) {
    const { recorded, current, same } = r.catalogue;
    say(`  catalogue: recorded ${recorded.version} (sha256 ${recorded.sha256.slice(0, 12)}), now ${current.version} (${same ? 'the same file' : `sha256 ${current.sha256.slice(0, 12)}, ${current.file}`})`);
    say(`  re-judged ${r.flows} flows, ${r.compared} results${r.only ? ` (--only ${r.only})` : ''}: ${r.same} the same, ${r.differences.length} ${r.differences.length === 1 ? 'differs' : 'differ'}`);
    for (const d of r.differences) say(`  DIFFERS ${d.flowId} ${d.requirementId}: ${d.recorded ?? '(not in report.json)'} → ${d.rejudged ?? '(not judged now)'}`);
  }
  if (r.exitCode && r.exitCode.recorded !== r.exitCode.rejudged) say(`  exit code: recorded ${r.exitCode.recorded}, re-judged ${r.exitCode.rejudged}`);
  if (r.withheld) say(`  ${r.withheld.join(', ')} withheld: it holds the run's secrets, which the digest, MAC and nonce checks need; the verdicts were not judged again`);
  say(
    code === 0 && r.withheld
      ? `Verified: the manifest holds (${m?.listed ?? 0} files; the lab holds ${r.withheld.join(', ')}).`
      : code === 0
      ? `Verified: the manifest holds and all ${r.same} verdicts are the same.`
      : code === 2
        ? `NOT verified: cannot read ${[...new Set(r.unreadable.map((u) => u.file))].join(', ')}.`
        : `NOT verified: ${[!m?.holds && 'the manifest does not hold', r.differences.length && `${r.differences.length} verdict${r.differences.length > 1 ? 's' : ''} differ${r.differences.length > 1 ? '' : 's'}`, r.problems.length && 'the bundle disagrees with itself', r.exitCode && r.exitCode.recorded !== r.exitCode.rejudged && 'the exit code differs'].filter(Boolean).join(', ')}.`,
  );
}

export async function verifyCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { catalogue: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
    });
  } catch (err) {
    console.error(`dmdc verify: ${(err as Error).message}\n\n${VERIFY_HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) return say(VERIFY_HELP), 0;
  if (positionals.length !== 1) {
    console.error(`dmdc verify: give one RUN_DIR${positionals.length ? `, not ${positionals.length}` : ''}\n\n${VERIFY_HELP}`);
    return 2;
  }
  const { verifyRun, verifyExitCode } = await import('../bundle/verify-bundle.js');
  const result = verifyRun(positionals[0]!, { ...(values.catalogue ? { catalogueFile: values.catalogue } : {}) });
  const code = verifyExitCode(result);
  if (values.json) say(JSON.stringify({ ...result, verified: code === 0, verifyExitCode: code }, null, 2));
  else print(result, code);
  return code;
}
