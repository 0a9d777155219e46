import { defineConfig } from 'vitest/config';

// Conformance suites: read the third-party data in ../shared (spec, StackQL mapping, docs).
export default defineConfig({
  test: {
    include: ['src/**/*.conformance.test.ts', 'test/**/*.conformance.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
