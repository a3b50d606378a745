import { defineConfig } from 'vitest/config';

// The forks pool (vitest's default) keeps the native addon out of worker threads' way:
// vitest warns that native libraries can crash under `threads`.
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
