import { defineConfig } from 'vitest/config';

// The conformance suites, run by `dmdc run` (which sets the reporters and the flows to judge).
export default defineConfig({
  test: {
    include: ['suites/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['allure-vitest/setup'],
    testTimeout: 60_000,
    // The suites only present a judged run (report.json): one worker, one module graph shared by the
    // files, no isolation to pay for.
    pool: 'threads',
    fileParallelism: false,
    isolate: false,
  },
});
