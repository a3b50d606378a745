// SPDX-License-Identifier: MIT
// Scenario 5, what the pyACL drop-in costs over the Segment API: the same 1080p hot pair through
// dvpp_malloc/dvpp_free and through acquire/release (Benchmark.js, back to back), and the first
// seed's trace through both (batch timer, interleaved reps). Ratios are compat over Segment.

import { createAclCompat } from '../../src/compat/pyacl.js';
import { createPool } from '../../src/index.js';
import { PoolContender } from '../../src/cli/pool-contender.js';
import { compatContender } from '../contenders/compat.js';
import { microBench } from '../harness.js';
import type { Contender } from '../../src/trace/replay.js';
import { type ReplayTimingResult, timeReplays } from '../../src/trace/timing.js';
import { type BenchConfig, type Measured, type ReplayFigures, type SeededTrace, replayFigures, round } from './context.js';
import { FRAME_1080P_NV12, PAIRS_PER_CALL, publicPairs } from './hot-pair.js';

export interface CompatFigures {
  readonly pair: {
    readonly segment: { readonly medianNsPerPair: number };
    readonly compat: { readonly medianNsPerPair: number };
    readonly compatOverSegment: number;
  };
  /** The first seed's trace through both. */
  readonly trace: {
    readonly seed: number;
    readonly segment: ReplayFigures;
    readonly compat: ReplayFigures;
    readonly compatOverSegment: number;
  };
}

export type CompatResult = Measured<'compat', CompatFigures>;

export async function runCompat(config: BenchConfig, traces: readonly SeededTrace[]): Promise<CompatResult> {
  const pool = createPool({ size: config.capacityBytes, backend: config.backend });
  let segmentPair;
  let compatPair;
  try {
    const { media } = createAclCompat(pool);
    const micro = { opsPerCall: PAIRS_PER_CALL, maxTimeS: config.microMaxTimeS };
    segmentPair = microBench('segment acquire+release 1080p', publicPairs(pool), micro);
    compatPair = microBench(
      'dvpp_malloc+dvpp_free 1080p',
      () => {
        for (let k = 0; k < PAIRS_PER_CALL; k++) media.dvpp_free(media.dvpp_malloc(FRAME_1080P_NV12)[0]);
      },
      micro,
    );
  } finally {
    pool.close();
  }
  const { seed, trace } = traces[0] as SeededTrace;
  const [replaySegment, replayCompat] = (await timeReplays(
    trace,
    [new PoolContender(config.backend), compatContender(config.backend)] as Contender<unknown>[],
    config.capacityBytes,
    config,
  )) as [ReplayTimingResult, ReplayTimingResult];
  return {
    id: 'compat',
    title: '5. pyACL drop-in (dvpp_malloc/dvpp_free) over the Segment API',
    status: 'ok',
    figures: {
      pair: {
        segment: { medianNsPerPair: round(segmentPair.medianNs) },
        compat: { medianNsPerPair: round(compatPair.medianNs) },
        compatOverSegment: round(compatPair.medianNs / segmentPair.medianNs, 3),
      },
      trace: {
        seed,
        segment: replayFigures(replaySegment),
        compat: replayFigures(replayCompat),
        compatOverSegment: round(replayCompat.timing.medianNs / replaySegment.timing.medianNs, 3),
      },
    },
    notes: ['Each dvpp_malloc returns a fresh [devPtr, ret] array (the pyACL shape); dvpp_free finds the segment by address.'],
  };
}
