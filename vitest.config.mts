import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ first (and before each rerun in watch mode): the integration suites test the bundle.
    globalSetup: ['test/global-setup.ts'],
    // Integration suites start loopback servers and load fresh copies of the bundle; forks keep
    // each file's process.env and module cache to itself.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test-access-key',
      AWS_SECRET_ACCESS_KEY: 'test-secret-key',
      // The SDK warns once per process that its 2027 releases need Node 22: known, and noise in
      // every test run on Node 20 (the deployed runtime is Node 22, which never sees it).
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
