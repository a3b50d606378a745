import { defineConfig } from 'vitest/config';

// Long seeded runs kept out of the default suite (`npm run test:stress`): files named
// test/stress/**/*.stress.ts, forks pool like the main config, no per-test time limit.
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/stress/**/*.stress.ts'],
    testTimeout: 0,
  },
});
