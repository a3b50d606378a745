// SPDX-License-Identifier: MIT
// Scenario 1, repeated-size hot path: acquire + release of one 1080p NV12 segment, over and over,
// in a pool already carrying the live set of the first half of a media trace (a realistic, not
// an empty, free-list state). The public API and, as the floor, the engine at handle level (over
// the same half trace) are measured with Benchmark.js in alternating rounds, so `poolOverEngine`
// compares figures of the same run; then the same pair in the compiled C++ anchor after the same
// half trace (timed inside the anchor, in batches). Figures are ns per pair.

import { buildAnchor } from '../anchor/build.js';
import { runAnchor, traceFileFor } from '../anchor/run.js';
import { TlsfEngine } from '../../src/engine/index.js';
import { type Pool, createPool } from '../../src/index.js';
import { poolInstance } from '../../src/cli/pool-contender.js';
import { engineInstance } from '../contenders/engine.js';
import { capacityGranules, granulesFor } from '../contenders/granules.js';
import { type RoundsResult, microBenchRounds } from '../harness.js';
import { type HandleTable, type Instance, drainTable, handleTable, replayCounts, replayRange } from '../../src/trace/replay.js';
import { type BenchConfig, type MaybeMeasured, type Measured, type SeededTrace, notMeasured, round } from './context.js';

/** Bytes of one 1080p NV12 frame. */
export const FRAME_1080P_NV12 = (1920 * 1080 * 3) / 2;
/** Pairs per Benchmark.js call of the 1080p pair. */
export const PAIRS_PER_CALL = 1000;
/** Pairs the C++ anchor times (it reports the median of 100 000-pair batches). */
const ANCHOR_PAIRS = 2_000_000;

/** One contender's pair, medians over the rounds. */
export interface PairFigures {
  readonly medianNsPerPair: number;
  readonly p99NsPerPair: number;
  readonly rmePercent: number;
}

export interface AnchorPairFigures {
  readonly medianNsPerPair: number;
  readonly p99NsPerPair: number;
  readonly pairs: number;
  readonly failures: number;
  readonly engineOverAnchor: number;
  readonly poolOverAnchor: number;
}

export interface HotPairFigures {
  readonly segmentBytes: number;
  readonly liveSegmentsDuringTest: number;
  /** Benchmark.js rounds per contender, alternating pool and engine. */
  readonly rounds: number;
  readonly pool: PairFigures;
  readonly engine: PairFigures;
  /** Public API over the engine at handle level, both from the same rounds. */
  readonly poolOverEngine: number;
  readonly anchor: MaybeMeasured<AnchorPairFigures>;
}

export type HotPairResult = Measured<'hot-pair', HotPairFigures>;

export const pairFigures = (result: RoundsResult): PairFigures => ({
  medianNsPerPair: round(result.medianNs),
  p99NsPerPair: round(result.p99Ns),
  rmePercent: round(result.rmePercent),
});

/** The anchor's hot pair after the first half of `seeded` (or why not measured). */
function anchorPair(config: BenchConfig, seeded: SeededTrace, poolNs: number, engineNs: number): MaybeMeasured<AnchorPairFigures> {
  const anchor = buildAnchor();
  if (!anchor.ok) return notMeasured(anchor.reason);
  const flags = ['--hot-pairs', `${ANCHOR_PAIRS}`, '--batch', '10000', '--block-bytes', `${config.capacityBytes}`];
  const pair = runAnchor(anchor.binary, traceFileFor(seeded), flags).hotPair;
  if (pair === undefined) throw new Error('the anchor left out its hot pair');
  return {
    status: 'measured',
    medianNsPerPair: round(pair.medianNsPerPair),
    p99NsPerPair: round(pair.p99NsPerPair),
    pairs: ANCHOR_PAIRS,
    failures: pair.failures,
    engineOverAnchor: round(engineNs / pair.medianNsPerPair, 3),
    poolOverAnchor: round(poolNs / pair.medianNsPerPair, 3),
  };
}

/** One Benchmark.js call of the public pair on `pool`: {@link PAIRS_PER_CALL} × acquire(1080p).release(). */
export const publicPairs =
  (pool: Pool): (() => void) =>
  () => {
    for (let k = 0; k < PAIRS_PER_CALL; k++) pool.acquire(FRAME_1080P_NV12).release();
  };

/**
 * Rounds of the pair and seconds a round for a scenario that sets variants of the pool beside each
 * other (7, 8): half the hot pair's rounds, each half as long (Benchmark.js spends ~0.5 s a round
 * whatever its budget, so four contenders take half the hot pair's time).
 */
export function shortPairRounds(config: BenchConfig): { readonly rounds: number; readonly maxTimeS: number } {
  return { rounds: Math.ceil(config.pairRounds / 2), maxTimeS: config.microMaxTimeS / 2 / config.pairRounds };
}

/** A pool in a scenario that sets variants of the pool beside each other, with its contender's name. */
export interface NamedPool {
  readonly name: string;
  readonly pool: Pool;
}

/**
 * The public pair on each of `pools`, in alternating short rounds ({@link shortPairRounds}),
 * each pool holding the live set of the first half of `seeded` (then `prepare`d) and drained
 * after; results in `pools` order. The caller closes the pools.
 */
export function pairsOnPools(config: BenchConfig, seeded: SeededTrace, pools: readonly NamedPool[], prepare?: (pool: Pool, i: number) => void): RoundsResult[] {
  const live = pools.map(({ pool }, i) => {
    const table = preload(seeded, poolInstance(pool));
    prepare?.(pool, i);
    return table;
  });
  const { rounds, maxTimeS } = shortPairRounds(config);
  const results = microBenchRounds(
    pools.map(({ name, pool }) => ({ name, fn: publicPairs(pool) })),
    rounds,
    { opsPerCall: PAIRS_PER_CALL, maxTimeS },
  );
  pools.forEach(({ pool }, i) => {
    drainTable(poolInstance(pool), live[i] as (typeof live)[number]);
  });
  return results;
}

/** Replays the first half of `seeded` into `inst` (untimed); returns the live handles. */
export function preload<H>(seeded: SeededTrace, inst: Instance<H>): HandleTable<H> {
  const { trace } = seeded;
  const table = handleTable<H>(trace);
  replayRange(trace, inst, table, 0, Math.floor(trace.nOps / 2), replayCounts());
  return table;
}

export function runHotPair(config: BenchConfig, traces: readonly SeededTrace[]): HotPairResult {
  const seeded = traces[0] as SeededTrace;
  const pool = createPool({ size: config.capacityBytes, backend: config.backend });
  const engine = new TlsfEngine(capacityGranules(config.capacityBytes));
  const poolSide = poolInstance(pool);
  try {
    const live = preload(seeded, poolSide);
    preload(seeded, engineInstance(engine));
    const granules = granulesFor(FRAME_1080P_NV12);
    const [viaPool, viaEngine] = microBenchRounds(
      [
        { name: 'pool acquire+release 1080p', fn: publicPairs(pool) },
        {
          name: 'engine allocate+free 1080p',
          fn: () => {
            for (let k = 0; k < PAIRS_PER_CALL; k++) {
              const node = engine.allocate(granules);
              engine.free(node, engine.generationOf(node));
            }
          },
        },
      ],
      config.pairRounds,
      { opsPerCall: PAIRS_PER_CALL, maxTimeS: config.microMaxTimeS / config.pairRounds },
    ) as [RoundsResult, RoundsResult];
    const liveSegments = pool.stats().liveSegments;
    drainTable(poolSide, live);
    return {
      id: 'hot-pair',
      title: '1. Repeated-size hot path (1080p NV12 acquire + release)',
      status: 'ok',
      figures: {
        segmentBytes: FRAME_1080P_NV12,
        liveSegmentsDuringTest: liveSegments,
        rounds: config.pairRounds,
        pool: pairFigures(viaPool),
        engine: pairFigures(viaEngine),
        poolOverEngine: round(viaPool.medianNs / viaEngine.medianNs, 3),
        anchor: anchorPair(config, seeded, viaPool.medianNs, viaEngine.medianNs),
      },
      notes: [
        `Benchmark.js samples of ${PAIRS_PER_CALL} pairs each; the pool and the engine each hold the live set of the first ${Math.floor(seeded.trace.nOps / 2)} ops of seed ${seeded.seed}.`,
        `Pool and engine alternate over ${config.pairRounds} rounds of ${round(config.microMaxTimeS / config.pairRounds, 3)} s each (reversed order every other round); each figure is the median of the contender's round figures.`,
        `anchor: ${ANCHOR_PAIRS} × {allocate ${granules} units; free} in the C++ anchor after the same half trace, median of 100000-pair batches.`,
      ],
    };
  } finally {
    pool.close();
  }
}
