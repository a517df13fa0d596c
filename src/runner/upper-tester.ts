import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DriverSpec } from '../config/config.js';
import { runDriver } from '../drivers/driver.js';
import type { TraceRecorder } from '../trace/recorder.js';
import { DEFAULT_DRIVER_MS } from '../config/budgets.js';

/** A driver reported failure: the test bed, not the implementation, is in question (verdict ERROR). */
export class DriverError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DriverError';
  }
}

/**
 * Runs the drivers of real implementations. What a driver says is only a trace note: a driver that claims
 * success while nothing reaches the wire leaves the flow to run out of budget (INCONCLUSIVE) or fail.
 */
export class UpperTester {
  constructor(
    private readonly trace: TraceRecorder,
    private readonly budgetMs: number,
    /** Commands run in the config file's folder, so relative paths in them mean what the user wrote. */
    private readonly cwd?: string,
    readonly vars: Record<string, string> = {},
  ) {}

  async run(name: string, spec: DriverSpec, extra: Record<string, string> = {}): Promise<string> {
    const out = await runDriver(spec, { ...this.vars, ...extra }, { name, budgetMs: this.budgetMs, trace: this.trace, cwd: this.cwd });
    if (!out.ok) throw new DriverError(`driver ${name} failed: ${out.detail}`);
    return out.output;
  }

  /** Hands a Package #0 to a real client through its trigger driver. */
  deliverer(spec: DriverSpec, serverId: string): (pkg0: Buffer) => Promise<void> {
    return async (pkg0) => {
      const dir = mkdtempSync(join(tmpdir(), 'dmdc-pkg0-'));
      const file = join(dir, 'pkg0.bin');
      writeFileSync(file, pkg0);
      try {
        await this.run('client.trigger', spec, { pkg0Hex: pkg0.toString('hex'), pkg0Base64: pkg0.toString('base64'), pkg0File: file, serverId });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
  }
}
