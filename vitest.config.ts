import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // tmp first: the build and every test worker then see the run's own TMPDIR
    globalSetup: ['tests/support/tmp.ts', 'tests/support/build.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
