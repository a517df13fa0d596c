import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// The harness's own tests (npm test). The conformance suites have their own config (vitest.suites.config.ts).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // The tests load msw too: without Node 26's localStorage warning (see the module).
    setupFiles: ['./src/no-web-storage.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Most test files wait on implementation processes and budgets more than they compute: more files at once
    // than cores (vitest's default is one fewer than the cores, a single worker here).
    maxWorkers: availableParallelism() + 1,
    // Tests marked concurrent (each its own implementation process) go at most three at a time per file.
    maxConcurrency: 3,
    // One module graph per worker for the files it runs: the tests share no state through modules (the
    // whole run passes either way), and re-importing the harness for every file cost about a tenth of the run.
    isolate: false,
  },
});
