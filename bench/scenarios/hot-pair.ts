// SPDX-License-Identifier: MIT
// Scenario 1, repeated-size hot path: acquire + release of one 1080p NV12 segment, over and over,
// in a pool already carrying the live set of the first half of a media trace (a realistic, not
// an empty, free-list state). Measured with Benchmark.js through the public API and, as the
// floor, the engine at handle level; then the same pair in the compiled C++ anchor after the same
// half trace (timed inside the anchor, in batches). Figures are ns per pair.

import { buildAnchor } from '../anchor/build.js';
import { runAnchor, traceFileFor } from '../anchor/run.js';
import { TlsfEngine } from '../../src/engine/index.js';
import { createPool } from '../../src/index.js';
import { engineInstance } from '../contenders/engine.js';
import { capacityGranules, granulesFor } from '../contenders/granules.js';
import { poolInstance } from '../contenders/pool.js';
import { microBench } from '../harness.js';
import { type HandleTable, type Instance, drainTable, handleTable, replayCounts, replayRange } from '../../src/trace/replay.js';
import { type BenchConfig, type ScenarioResult, type SeededTrace, round } from './context.js';

/** Bytes of one 1080p NV12 frame. */
export const FRAME_1080P_NV12 = (1920 * 1080 * 3) / 2;
const PAIRS_PER_CALL = 1000;
/** Pairs the C++ anchor times (it reports the median of 100 000-pair batches). */
const ANCHOR_PAIRS = 2_000_000;

/** The anchor's hot pair after the first half of `seeded`, as figures (or why not measured). */
function anchorPair(config: BenchConfig, seeded: SeededTrace, poolNs: number, engineNs: number): Record<string, number | string> {
  const anchor = buildAnchor();
  if (!anchor.ok) return { 'anchor.status': `not measured: ${anchor.reason}` };
  const flags = ['--hot-pairs', `${ANCHOR_PAIRS}`, '--batch', '10000', '--block-bytes', `${config.capacityBytes}`];
  const pair = runAnchor(anchor.binary, traceFileFor(seeded), flags).hotPair;
  if (pair === undefined) throw new Error('the anchor left out its hot pair');
  return {
    'anchor.status': 'measured',
    'anchor.medianNsPerPair': round(pair.medianNsPerPair),
    'anchor.p99NsPerPair': round(pair.p99NsPerPair),
    'anchor.pairs': ANCHOR_PAIRS,
    'anchor.failures': pair.failures,
    engineOverAnchor: round(engineNs / pair.medianNsPerPair, 3),
    poolOverAnchor: round(poolNs / pair.medianNsPerPair, 3),
  };
}

/** Replays the first half of `seeded` into `inst` (untimed); returns the live handles. */
export function preload<H>(seeded: SeededTrace, inst: Instance<H>): HandleTable<H> {
  const { trace } = seeded;
  const table = handleTable<H>(trace);
  replayRange(trace, inst, table, 0, Math.floor(trace.nOps / 2), replayCounts());
  return table;
}

export function runHotPair(config: BenchConfig, traces: readonly SeededTrace[]): ScenarioResult {
  const seeded = traces[0] as SeededTrace;
  const pool = createPool({ size: config.capacityBytes, backend: config.backend });
  const engine = new TlsfEngine(capacityGranules(config.capacityBytes));
  const poolSide = poolInstance(pool);
  try {
    const live = preload(seeded, poolSide);
    preload(seeded, engineInstance(engine));
    const viaPool = microBench(
      'pool acquire+release 1080p',
      () => {
        for (let k = 0; k < PAIRS_PER_CALL; k++) pool.acquire(FRAME_1080P_NV12).release();
      },
      { opsPerCall: PAIRS_PER_CALL, maxTimeS: config.microMaxTimeS },
    );
    const granules = granulesFor(FRAME_1080P_NV12);
    const viaEngine = microBench(
      'engine allocate+free 1080p',
      () => {
        for (let k = 0; k < PAIRS_PER_CALL; k++) {
          const node = engine.allocate(granules);
          engine.free(node, engine.generationOf(node));
        }
      },
      { opsPerCall: PAIRS_PER_CALL, maxTimeS: config.microMaxTimeS },
    );
    const liveSegments = pool.stats().liveSegments;
    drainTable(poolSide, live);
    return {
      id: 'hot-pair',
      title: '1. Repeated-size hot path (1080p NV12 acquire + release)',
      status: 'ok',
      figures: {
        segmentBytes: FRAME_1080P_NV12,
        'pool.medianNsPerPair': round(viaPool.medianNs),
        'pool.p99NsPerPair': round(viaPool.p99Ns),
        'pool.rmePercent': round(viaPool.rmePercent),
        'engine.medianNsPerPair': round(viaEngine.medianNs),
        'engine.p99NsPerPair': round(viaEngine.p99Ns),
        'engine.rmePercent': round(viaEngine.rmePercent),
        liveSegmentsDuringTest: liveSegments,
        ...anchorPair(config, seeded, viaPool.medianNs, viaEngine.medianNs),
      },
      notes: [
        `Benchmark.js samples of ${PAIRS_PER_CALL} pairs each; the pool holds the live set of the first ${Math.floor(seeded.trace.nOps / 2)} ops of seed ${seeded.seed}.`,
        `anchor: ${ANCHOR_PAIRS} × {allocate ${granulesFor(FRAME_1080P_NV12)} units; free} in the C++ anchor after the same half trace, median of 100000-pair batches.`,
      ],
    };
  } finally {
    pool.close();
  }
}
