import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    // two tests load onnxruntime in their own process (test/checks/model.test.ts, test/onnx/warm-up.test.ts):
    // without this, onnxruntime 1.29+ writes its telemetry store into the developer's home
    // (src/onnx/session.ts); the CLI's own setting is tested with it cleared (test/e2e.test.ts)
    env: { ORT_DISABLE_TELEMETRY: '1' },
    // onnxruntime sessions and spawned CLIs: keep the two cores for them rather than for workers.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
