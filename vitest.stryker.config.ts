import { defineConfig } from 'vitest/config';

// The unit tests that exercise the code deciding statuses, thresholds and the exit code in-process
// (the end-to-end tests run the built CLI, which mutation testing does not rebuild).
export default defineConfig({
  test: {
    include: ['test/report/formats.test.ts', 'test/run/runner.test.ts', 'test/properties.test.ts', 'test/checks/evaluation.test.ts', 'test/checks/model.test.ts', 'test/checklist/checklist.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
