import { defineConfig } from 'vitest/config';

/**
 * `npm test` runs every project. Unit tests touch no network; integration and end-to-end tests
 * share one DynamoDB Local per project (started by the globalSetup, stopped after); every server
 * a test needs is started by the test on a free loopback port and stopped again.
 */
const dynamodb = ['test/support/dynamodb-global-setup.ts'];

export default defineConfig({
  test: {
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'integration', include: ['test/integration/**/*.test.ts'], globalSetup: dynamodb, testTimeout: 60_000, hookTimeout: 60_000 },
      },
      {
        // One module graph per worker (isolate: false): aws-cdk-lib is imported, and each stage's app
        // synthesised (support/build-app.ts), once per worker rather than once per file (~15 s of CPU
        // each). The files only read templates; the two that set process.env restore it.
        extends: true,
        test: { name: 'infra', include: ['test/infra/**/*.test.ts'], isolate: false, testTimeout: 300_000, hookTimeout: 300_000 },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], globalSetup: dynamodb, testTimeout: 120_000, hookTimeout: 120_000 },
      },
      {
        // Trust gates (issue 6): authorisation matrix, hostile input, concurrency, audit under faults, limits.
        // Each file's stack starts a DynamoDB Local of its own (test/trust/support/stack.ts says why).
        extends: true,
        test: { name: 'trust', include: ['test/trust/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 180_000 },
      },
    ],
  },
});
