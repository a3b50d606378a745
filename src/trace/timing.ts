// SPDX-License-Identifier: MIT
// The batch timer for trace replays, shared by `dvpp-pool replay` and bench/: each rep replays
// the whole trace into a fresh instance in fixed-size batches timed with process.hrtime.bigint(),
// contenders interleaved rep by rep; setup and teardown are not timed. Reports the median and p99
// of ns/op over all batches of all reps (the median shrugs off batches where the shared machine
// preempted us) and the median of the per-rep totals.
//
// Each contender replays through its own copy of the replay loop: replay.ts loaded again as a
// separate module instance (a distinct URL), with its own handle table. One shared loop would see
// every contender's alloc/free at the same call sites, go megamorphic and call through a stub,
// which no user code that calls one allocator pays; the C++ anchor's loop is a template
// instantiated per allocator for the same reason. Copies are loaded on first use, so a process
// that times nothing loads none.

import type { Trace } from './format.js';
import { type Contender, type HandleTable, type ReplayCounts, replayCounts } from './replay.js';

type ReplayModule = typeof import('./replay.js');

/** Copies of the replay loop: more than the contenders of any one process. */
const LOOP_COPIES = 16;

const loopOf = new Map<string, Promise<ReplayModule>>();

/** The replay loop copy that belongs to the contender called `name` (loaded on first use). */
function replayLoopFor(name: string): Promise<ReplayModule> {
  let loop = loopOf.get(name);
  if (loop === undefined) {
    if (loopOf.size === LOOP_COPIES) throw new Error(`more than ${LOOP_COPIES} contenders timed in one process; raise LOOP_COPIES in src/trace/timing.ts`);
    const url = new URL('./replay.js', import.meta.url);
    url.searchParams.set('copy', `${loopOf.size}`);
    loop = import(url.href) as Promise<ReplayModule>;
    loopOf.set(name, loop);
  }
  return loop;
}

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

/**
 * Times full replays of `trace` through fresh instances of each contender. Reps are interleaved
 * (rep 1 of every contender, then rep 2, …) so that a noisy stretch of the shared machine hits
 * every contender alike and their ratios stay meaningful. `afterRep`, when given, runs after
 * each timed rep: a contender timed outside this loop (the C++ anchor) interleaves there.
 * Results are in `contenders` order.
 */
export async function timeReplays(
  trace: Trace,
  contenders: readonly Contender<unknown>[],
  capacityBytes: number,
  options: ReplayTimingOptions,
  afterRep?: () => void,
): Promise<ReplayTimingResult[]> {
  const { reps, warmups, opsPerBatch } = options;
  const batchesPerRep = Math.ceil(trace.nOps / opsPerBatch);
  const samples = contenders.map(() => new Float64Array(batchesPerRep * reps));
  const totals = contenders.map(() => new Float64Array(reps));
  const counts = contenders.map(() => replayCounts());
  const loops = await Promise.all(contenders.map((contender) => replayLoopFor(contender.name)));
  const tables: HandleTable<unknown>[] = loops.map((loop) => loop.handleTable(trace));
  for (let rep = -warmups; rep < reps; rep++) {
    contenders.forEach((contender, c) => {
      const { replayRange, drainTable } = loops[c] as ReplayModule;
      const table = tables[c] as HandleTable<unknown>;
      const inst = contender.create(capacityBytes);
      try {
        const repCounts = replayCounts();
        let total = 0n;
        for (let b = 0; b < batchesPerRep; b++) {
          const from = b * opsPerBatch;
          const to = Math.min(trace.nOps, from + opsPerBatch);
          const t0 = process.hrtime.bigint();
          replayRange(trace, inst, table, from, to, repCounts);
          const dt = process.hrtime.bigint() - t0;
          total += dt;
          if (rep >= 0) (samples[c] as Float64Array)[rep * batchesPerRep + b] = Number(dt) / (to - from);
        }
        if (rep >= 0) (totals[c] as Float64Array)[rep] = Number(total) / trace.nOps;
        counts[c] = repCounts;
        drainTable(inst, table);
      } finally {
        inst.close?.();
      }
    });
    if (rep >= 0) afterRep?.();
  }
  return contenders.map((_, c) => {
    const sample = samples[c] as Float64Array;
    return {
      timing: {
        medianNs: quantile(sample, 0.5),
        p99Ns: quantile(sample, 0.99),
        repMedianNs: quantile(totals[c] as Float64Array, 0.5),
        minNs: quantile(sample, 0),
        maxNs: quantile(sample, 1),
        batches: sample.length,
        opsPerBatch,
        reps,
      },
      counts: counts[c] as ReplayCounts,
    };
  });
}
