// SPDX-License-Identifier: MIT
// Engine stress: 20 seeds x 500,000 steps = 10,000,000 operations against the interval model,
// model agreement after every step and validate() every 4 steps (the first 20,000 steps of the
// first seed validate after every step). Run with `npm run test:stress`.

import { describe, expect, it } from 'vitest';
import { drive } from '../helpers/engine-driver.js';

const SEEDS = Array.from({ length: 20 }, (_, i) => 0x5eed_0000 + i * 7919);
const CAPACITIES = [1, 7, 64, 1000, 4096, 24_301 * 6, 2 ** 20, 2 ** 31 - 1];

describe('TlsfEngine stress against the interval model', () => {
  it('validates after every step for the first 20,000 steps', () => {
    expect(drive({ seed: 1, capacity: 3000, steps: 20_000, validateEvery: 1 })).toBe(20_000);
  });

  it.each(SEEDS.map((seed, i) => ({ seed, capacity: CAPACITIES[i % CAPACITIES.length] ?? 1000 })))(
    'seed $seed, capacity $capacity: 500,000 steps',
    ({ seed, capacity }) => {
      expect(drive({ seed, capacity, steps: 500_000, validateEvery: 4 })).toBe(500_000);
    },
  );
});
