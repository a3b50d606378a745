// SPDX-License-Identifier: MIT
// Model-based random tests of the engine against the sorted-interval model: fast-check draws
// the seed and shape of each run, a seeded PRNG drives a long run, and validate() plus model
// agreement are checked after every step. A failure prints the fast-check seed and the run's seed.
// The CI slice below totals 1,000,000+ engine operations.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_GRANULES } from '../../src/engine/index.js';
import { drive } from '../helpers/engine-driver.js';

const FC_SEED = 20_261_122;

describe('TlsfEngine against the interval model', () => {
  it('agrees on 40 long runs of 20,000 steps over mid-size capacities (800k ops)', () => {
    let total = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 16, max: 5000 }), (seed, capacity) => {
        total += drive({ seed, capacity, steps: 20_000, validateEvery: 1 });
      }),
      { seed: FC_SEED, numRuns: 40, endOnFailure: true },
    );
    expect(total).toBe(800_000);
  });

  it('agrees on tiny capacities (1..15 granules) where every step hits a boundary (100k ops)', () => {
    let total = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 15 }), (seed, capacity) => {
        total += drive({ seed, capacity, steps: 5_000, validateEvery: 1 });
      }),
      { seed: FC_SEED + 1, numRuns: 20, endOnFailure: true },
    );
    expect(total).toBe(100_000);
  });

  it('agrees on huge capacities up to the 2^31 - 1 granule limit with node-table growth from 1 slot (100k ops)', () => {
    let total = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 2 ** 30, max: MAX_GRANULES }), (seed, capacity) => {
        total += drive({ seed, capacity, steps: 10_000, validateEvery: 1, initialNodeCapacity: 1 });
      }),
      { seed: FC_SEED + 2, numRuns: 10, endOnFailure: true },
    );
    expect(total).toBe(100_000);
  });
});
