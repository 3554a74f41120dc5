import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // tmp first: the others, the build and every test worker then see the run's own TMPDIR;
    // teardowns run in reverse, so the shared PostgreSQL cluster is stopped before that folder goes
    globalSetup: ['tests/support/tmp.ts', 'tests/support/pg-shared.ts', 'tests/support/build.ts'],
    // vitest's default on 2 cores is one worker; the CLI tests run in-process and mostly wait on I/O or on
    // PostgreSQL, so two keep both cores busy (the suite's wall time on 2 cores is the goal: under 5 minutes)
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
