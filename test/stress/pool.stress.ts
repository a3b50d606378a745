// SPDX-License-Identifier: MIT
// Pool stress: 20 seeds x 500,000 steps = 10,000,000 pool operations (js and host backends in
// turn) against the model of test/helpers/pool-driver.ts: acquire, tryAcquire, scopes, release,
// reset, acquireAsync with timeouts (fake clock) and aborts, close, and every misuse case, which
// must be caught every time. With the engine stress (10M) that makes 20M operations over 40
// seeds. The totals are printed for docs/reliability.md.

import { afterAll, afterEach, beforeEach, expect, it, vi } from 'vitest';
import { selectBackend } from '../../src/backends/select.js';
import { drivePool } from '../helpers/pool-driver.js';
import { silenceLeakWarnings } from '../helpers/pool-backends.js';

silenceLeakWarnings();

const STEPS = 500_000;
const hostLoads = (() => {
  try {
    selectBackend('host', {});
    return true;
  } catch {
    return false;
  }
})();
const SEEDS = Array.from({ length: 20 }, (_, i) => ({ seed: 0xd00d_0000 + i * 104_729, backend: i % 2 === 1 && hostLoads ? ('host' as const) : ('js' as const) }));
const totals = { steps: 0, seeds: 0, episodes: 0, validations: 0, nodeReuses: 0, misuse: {} as Record<string, number>, operations: {} as Record<string, number> };

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});

afterEach(() => {
  vi.useRealTimers();
});

it.each(SEEDS)('seed $seed on $backend: 500,000 steps agree with the model', async ({ seed, backend }) => {
  const report = await drivePool({ seed, steps: STEPS, backend, validateEvery: 8, advance: (ms) => vi.advanceTimersByTime(ms) });
  expect(report.steps).toBe(STEPS);
  expect(report.nodeReuses).toBeGreaterThan(0);
  totals.steps += report.steps;
  totals.seeds++;
  totals.episodes += report.episodes;
  totals.validations += report.validations;
  totals.nodeReuses += report.nodeReuses;
  for (const [key, count] of Object.entries(report.misuse)) totals.misuse[key] = (totals.misuse[key] ?? 0) + count;
  for (const [key, count] of Object.entries(report.operations)) totals.operations[key] = (totals.operations[key] ?? 0) + count;
});

afterAll(() => {
  const misuseCases = Object.values(totals.misuse).reduce((sum, n) => sum + n, 0);
  console.log(`pool stress totals (every misuse case detected): ${JSON.stringify({ ...totals, misuseCases })}`);
});
