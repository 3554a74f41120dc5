import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // tmp first: the others, the build and every test worker then see the run's own TMPDIR;
    // teardowns run in reverse, so the shared PostgreSQL cluster is stopped before that folder goes
    globalSetup: ['tests/support/tmp.ts', 'tests/support/pg-shared.ts', 'tests/support/build.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
