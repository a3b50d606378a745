// SPDX-License-Identifier: MIT
// The batch timer for trace replays: each rep replays the whole trace into a fresh instance in
// fixed-size batches, timing each batch with process.hrtime.bigint(); setup and teardown are not
// timed. Reports the median and p99 of ns/op over all batches of all reps, and the median of the
// per-rep totals. Benchmark.js is not used here (see harness.ts for the micro-benchmarks).

import type { Trace } from './trace/format.js';
import {
  type Contender,
  type ReplayCounts,
  drainTable,
  handleTable,
  replayCounts,
  replayRange,
} from './trace/replay.js';

/** Distribution of ns/op. */
export interface Timing {
  /** Median ns/op over batches. */
  readonly medianNs: number;
  /** 99th percentile ns/op over batches. */
  readonly p99Ns: number;
  /** Median over reps of a whole replay's ns/op. */
  readonly repMedianNs: number;
  readonly minNs: number;
  readonly maxNs: number;
  readonly batches: number;
  readonly opsPerBatch: number;
  readonly reps: number;
}

/** The `q`-quantile (0..1) of `values` by nearest rank; sorts a copy. */
export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

export interface ReplayTimingOptions {
  readonly reps: number;
  /** Untimed reps first, to let the JIT settle. */
  readonly warmups: number;
  readonly opsPerBatch: number;
}

export interface ReplayTimingResult {
  readonly timing: Timing;
  /** Counts of the last rep (failures should be 0 at a generous capacity). */
  readonly counts: ReplayCounts;
}

/** Times full replays of `trace` through fresh instances of `contender`. */
export function timeReplay<H>(
  trace: Trace,
  contender: Contender<H>,
  capacityBytes: number,
  options: ReplayTimingOptions,
): ReplayTimingResult {
  const { reps, warmups, opsPerBatch } = options;
  const batchesPerRep = Math.ceil(trace.nOps / opsPerBatch);
  const samples = new Float64Array(batchesPerRep * reps);
  const totals = new Float64Array(reps);
  const table = handleTable<H>(trace);
  let counts = replayCounts();
  for (let rep = -warmups; rep < reps; rep++) {
    const inst = contender.create(capacityBytes);
    counts = replayCounts();
    let total = 0n;
    for (let b = 0; b < batchesPerRep; b++) {
      const from = b * opsPerBatch;
      const to = Math.min(trace.nOps, from + opsPerBatch);
      const t0 = process.hrtime.bigint();
      replayRange(trace, inst, table, from, to, counts);
      const dt = process.hrtime.bigint() - t0;
      total += dt;
      if (rep >= 0) samples[rep * batchesPerRep + b] = Number(dt) / (to - from);
    }
    if (rep >= 0) totals[rep] = Number(total) / trace.nOps;
    drainTable(inst, table);
    inst.close?.();
  }
  return {
    timing: {
      medianNs: quantile(samples, 0.5),
      p99Ns: quantile(samples, 0.99),
      repMedianNs: quantile(totals, 0.5),
      minNs: quantile(samples, 0),
      maxNs: quantile(samples, 1),
      batches: samples.length,
      opsPerBatch,
      reps,
    },
    counts,
  };
}
