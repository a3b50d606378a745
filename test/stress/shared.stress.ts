// SPDX-License-Identifier: MIT
// Shared pools, long runs (`npm run test:stress`): 2, 4 and 8 workers churn one shared host pool
// for many rounds (test/helpers/shared-churn.ts: at every round's barrier, no overlap among the
// logged live ranges, stats and snapshot equal to the logs, validate(); at the end the figures
// are the sums of the workers' counts). The regular suite runs 12 rounds of 120 operations.

import { afterEach, describe, expect, it } from 'vitest';
import { createPool } from '../../src/index.js';
import { silenceLeakWarnings } from '../helpers/pool-backends.js';
import { type PoolWorker, startPoolWorker } from '../helpers/pool-threads.js';
import { churnSharedPool } from '../helpers/shared-churn.js';

silenceLeakWarnings();
const started: PoolWorker[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((worker) => worker.worker.terminate()));
});

describe('shared pool churn, long', () => {
  it.each([2, 4, 8])('%i workers, 150 rounds of 1,000 operations each: no overlap, figures the sums, valid at every barrier', async (count) => {
    const pool = createPool({ size: 4 * 2 ** 20, backend: 'host', shared: true });
    try {
      const workers = await Promise.all(Array.from({ length: count }, () => startPoolWorker({ descriptor: pool.share() })));
      started.push(...workers);
      const figures = await churnSharedPool(pool, workers, { rounds: 150, opsPerRound: 1_000, maxLen: 64 * 1024 });
      console.log(`shared churn, ${count} workers: ${figures.acquires} acquires, ${figures.posted} segments moved between threads, ${figures.checks} quiescent checks, at most ${figures.mostLive} live`);
      expect(figures.checks).toBe(152);
    } finally {
      pool.close();
    }
  });
});
