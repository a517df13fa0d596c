// Each command imports what it needs when it runs: `dmdc --help` or `dmdc list` never loads the harness.
import '../no-web-storage.js';

export const HELP = `dmdc: conformance harness for OMA DM Server Delegation

Usage:
  dmdc run [--config FILE] [--approach A|B] [--only ID-GLOB] [--out DIR]   run the conformance suites
  dmdc merge [--out DIR] SHARD...                                          join the reports of a sharded run
  dmdc mock <role> [--port N] [--out DIR] [--control] [--mutant ID]          serve one reference mock
  dmdc verify RUN_DIR [--catalogue FILE] [--json]                           check a run's manifest and judge its trace again
  dmdc list                                                                 print the requirement catalogue
  dmdc sheets [--out DIR] [--format md|html|both]                           write one ETS-style test sheet per requirement
  dmdc --version                                                            print dmdc's version
  dmdc <command> --help                                                     help on one command

Exit codes: 0 every applicable check passed; 1 a check failed; 2 harness or configuration error;
3 no failure but something inconclusive.`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        (await import('./run-ahead.js')).startRunAhead(rest);
        return await (await import('./run-command.js')).runCommand(rest);
      case 'merge':
        return await (await import('./merge-command.js')).mergeCommand(rest);
      case 'verify':
        return await (await import('./verify-command.js')).verifyCommand(rest);
      case 'mock':
        return await (await import('./mock-command.js')).mockCommand(rest);
      case 'sheets':
        return await (await import('./sheets-command.js')).sheetsCommand(rest);
      case 'list':
        if (rest.includes('--help')) return console.log('dmdc list: prints the requirement catalogue (id, severity, provenance, step, title).'), 0;
        return await listCommand();
      case '--version':
      case 'version':
        return console.log(`dmdc ${(await import('../package-root.js')).PACKAGE_VERSION}`), 0;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        console.log(HELP);
        return command === undefined ? 2 : 0;
      default:
        console.error(`dmdc: unknown command "${command}"\n\n${HELP}`);
        return 2;
    }
  } catch (err) {
    console.error(`dmdc: ${(err as Error).stack ?? err}`);
    return 2;
  }
}

async function listCommand(): Promise<number> {
  const [{ formatCatalogue }, { loadCatalogue }] = await Promise.all([import('../catalogue/format.js'), import('../catalogue/catalogue.js')]);
  console.log(formatCatalogue(loadCatalogue()));
  return 0;
}
