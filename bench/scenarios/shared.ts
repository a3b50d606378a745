// SPDX-License-Identifier: MIT
// Scenario 8, shared pools (issue 15). Uncontended: each seed's media trace through a plain pool
// and through a pool created with `shared: true` (the same poolInstance, no thread attached),
// interleaved rep by rep (src/trace/timing.ts), and the 1080p pair on a plain and a shared pool
// that each hold the live set of the first half of the first seed's trace, in alternating
// Benchmark.js rounds: shared ÷ plain from the same run (target `shared-uncontended`).
// Contended (shared-contention.ts): one shared pool, the first seed's trace split by channel
// between the main thread alone, then 2 and 4 attached workers; p50/p99 of one acquire and total
// throughput per thread count (informative: no target).

import { availableParallelism } from 'node:os';
import { PoolContender } from '../../src/cli/pool-contender.js';
import { createPool } from '../../src/index.js';
import type { Contender } from '../../src/trace/replay.js';
import { type ReplayTimingResult, timeReplays } from '../../src/trace/timing.js';
import { sharedPoolContender } from '../contenders/shared-pool.js';
import type { RoundsResult } from '../harness.js';
import { type BenchConfig, type Measured, type ReplayFigures, type SeededTrace, replayFigures, round } from './context.js';
import { PAIRS_PER_CALL, type PairFigures, pairFigures, pairsOnPools, shortPairRounds } from './hot-pair.js';
import { CHANNEL_COUNT, type ContentionFigures, runContention } from './shared-contention.js';

export interface SharedSeed {
  readonly seed: number;
  readonly plain: ReplayFigures;
  readonly shared: ReplayFigures;
  readonly sharedOverPlain: number;
}

export interface SharedPairFigures {
  readonly rounds: number;
  readonly plain: PairFigures;
  readonly shared: PairFigures;
  readonly sharedOverPlain: number;
}

export interface SharedFigures {
  readonly seeds: readonly SharedSeed[];
  readonly pair: SharedPairFigures;
  readonly contention: ContentionFigures;
}

export type SharedResult = Measured<'shared', SharedFigures>;

/** The pair on a plain and a shared pool holding the live set of the first half of `seeded`, in alternating rounds. */
function sharedPair(config: BenchConfig, seeded: SeededTrace): SharedPairFigures {
  const pools = [false, true].map((shared) => ({
    name: `pool acquire+release 1080p, ${shared ? 'shared' : 'plain'}`,
    pool: createPool({ size: config.capacityBytes, shared, backend: config.backend }),
  }));
  try {
    const [plain, shared] = pairsOnPools(config, seeded, pools) as [RoundsResult, RoundsResult];
    return {
      rounds: shortPairRounds(config).rounds,
      plain: pairFigures(plain),
      shared: pairFigures(shared),
      sharedOverPlain: round(shared.medianNs / plain.medianNs, 3),
    };
  } finally {
    for (const { pool } of pools) pool.close();
  }
}

export async function runShared(config: BenchConfig, traces: readonly SeededTrace[]): Promise<SharedResult> {
  const contenders = [new PoolContender(config.backend), sharedPoolContender(config.backend)] as Contender<unknown>[];
  const seeds: SharedSeed[] = [];
  for (const { seed, trace } of traces) {
    const [plain, shared] = (await timeReplays(trace, contenders, config.capacityBytes, config)) as [ReplayTimingResult, ReplayTimingResult];
    seeds.push({
      seed,
      plain: replayFigures(plain),
      shared: replayFigures(shared),
      sharedOverPlain: round(shared.timing.medianNs / plain.timing.medianNs, 3),
    });
  }
  const first = traces[0] as SeededTrace;
  const pair = sharedPair(config, first);
  const cores = availableParallelism();
  const contention = await runContention(config, first.seed, first.trace, cores);
  const { rounds, maxTimeS } = shortPairRounds(config);
  return {
    id: 'shared',
    title: '8. Shared pools: uncontended beside the plain pool, and under contention',
    status: 'ok',
    figures: { seeds, pair, contention },
    notes: [
      `Uncontended traces: the plain pool (PoolContender) and a pool created with shared: true (the same poolInstance, no thread attached), interleaved rep by rep, ${config.reps} timed reps after ${config.warmups} warm-ups, ${config.opsPerBatch}-op batches, a fresh pool per rep.`,
      `Uncontended pair: a plain and a shared pool, each holding the live set of the first ${Math.floor(first.trace.nOps / 2)} ops of seed ${first.seed}, alternating over ${rounds} rounds of ${round(maxTimeS, 3)} s each (Benchmark.js, ${PAIRS_PER_CALL} pairs a call).`,
      `Contention: one shared pool; seed ${first.seed}'s ${first.trace.nOps} ops split by channel (${CHANNEL_COUNT} channels, channel c to thread c mod N; each thread replays its channels' ops in trace order, so it releases only its own segments). sharedOneThread is the main thread alone (the baseline), sharedTwoWorkers and sharedFourWorkers are worker threads attached with attachPool while the main thread waits (four workers started and attached once; in the two-worker level two of them sleep); plainOneThread is the same timed loop on a plain pool. ${contention.warmups} warm-up and ${contention.reps} timed reps per level, all threads started together each rep.`,
      `Every tryAcquire is timed on its own with performance.now() (not batched: the timer's resolution is far below one call; two back-to-back calls cost ${contention.timerNs} ns here, included in every p50/p99). totalMopsPerS: the whole trace's ops (acquires and releases of every thread) ÷ the wall time from the first thread's start to the last one's end, median of the reps.`,
      `This machine has ${cores} cores: ${contention.sharedFourWorkers.oversubscribed ? 'the 4 workers oversubscribe it (two threads per core at best), so their p99 and throughput include preemption, possibly of a lock holder' : 'the 4 workers each have a core'}${contention.sharedTwoWorkers.oversubscribed ? ', and so do the 2' : ''}. What the figures show: what one acquire costs and how many ops all threads complete together when the lock is contended; no target.`,
    ],
  };
}
