// SPDX-License-Identifier: MIT
// The full bad-input fuzz: 10 seeds x 40,000 calls to every public function and 6 seeds x 30,000
// calls to every native export (580,000 calls), each seed in its own child process. Same oracle
// as the fast slice (test/fuzz/fuzz.test.ts); the totals are printed for docs/reliability.md.

import { afterAll, expect, it } from 'vitest';
import { runFuzzChild } from '../helpers/fuzz-runner.js';

const RUNS = [
  ...Array.from({ length: 10 }, (_, i) => ({ part: 'api' as const, seed: 0xa000 + i, calls: 40_000 })),
  ...Array.from({ length: 6 }, (_, i) => ({ part: 'native' as const, seed: 0xb000 + i, calls: 30_000 })),
];
const totals = { calls: 0, seeds: 0, validated: 0, aclBlocks: 0, outcomes: {} as Record<string, number> };

it.each(RUNS)('$part: $calls hostile calls from seed $seed', ({ part, seed, calls }) => {
  const { report, acl } = runFuzzChild(part, seed, calls);
  expect(report.skipped).toBeUndefined();
  expect(report.failures).toEqual([]);
  expect(report.calls).toBe(calls);
  expect(acl.problems).toEqual([]);
  totals.calls += report.calls;
  totals.seeds++;
  totals.validated += report.validated;
  totals.aclBlocks += acl.mallocs;
  for (const [key, count] of Object.entries(report.outcomes)) totals.outcomes[key] = (totals.outcomes[key] ?? 0) + count;
});

afterAll(() => {
  console.log(`fuzz totals: ${JSON.stringify(totals)}`);
});
