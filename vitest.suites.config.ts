import { defineConfig } from 'vitest/config';

// The conformance suites, run by `dmdc run` (which sets the reporters and the flows to judge).
export default defineConfig({
  test: {
    include: ['suites/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['allure-vitest/setup'],
    testTimeout: 60_000,
    // The suites only judge recorded flows; one worker keeps memory and start-up small.
    fileParallelism: false,
  },
});
