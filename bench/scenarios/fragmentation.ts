// SPDX-License-Identifier: MIT
// Scenario 3, fragmentation: the smallest block (1 MiB steps) that replays each seed's trace with
// zero failures, over the trace's peak live footprint, for the engine (the pool's placement is the
// engine's), for the peers and for the compiled C++ anchor (bench/anchor/, same search in C++).
// The pool itself then replays the engine's minimum as a cross-check, and the anchor's placements
// are checked for overlaps (untimed) in the bench block and at its own minimum.

import { buildAnchor } from '../anchor/build.js';
import { runAnchor, traceFileFor } from '../anchor/run.js';
import { engineContender } from '../contenders/engine.js';
import { firstFitContender } from '../contenders/first-fit.js';
import { thingMallocContender } from '../contenders/thing-malloc.js';
import { PoolContender } from '../../src/cli/pool-contender.js';
import { MIB } from '../../src/format.js';
import { minPoolBytes } from '../../src/trace/min-pool.js';
import { type Contender, replayTrace } from '../../src/trace/replay.js';
import { type BenchConfig, type MaybeMeasured, type Measured, type SeededTrace, notMeasured, round } from './context.js';

/** One allocator's smallest block for a trace. */
export interface MinPoolFigures {
  readonly minPoolMiB: number;
  /** minPoolMiB over the trace's peak live footprint. */
  readonly ratio: number;
  readonly bisectedMiB: number;
  readonly replays: number;
}

/** Failed allocations and overlapping (or out-of-block) placements of an untimed replay. */
export interface PlacementCheck {
  readonly failures: number;
  readonly overlaps: number;
}

export interface AnchorMinPoolFigures extends MinPoolFigures {
  readonly peakLiveMatches: boolean;
  /** In the bench block. */
  readonly verify: PlacementCheck;
  /** In the anchor's own minimum block. */
  readonly verifyAtMin: PlacementCheck;
}

export interface FragmentationSeed {
  readonly seed: number;
  readonly peakLiveMiB: number;
  readonly engine: MinPoolFigures;
  readonly firstFit: MinPoolFigures;
  readonly thing: MinPoolFigures;
  /** The public pool replaying the engine's minimum block. */
  readonly pool: { readonly failuresAtEngineMin: number };
  readonly anchor: MaybeMeasured<AnchorMinPoolFigures>;
}

export interface FragmentationFigures {
  readonly seeds: readonly FragmentationSeed[];
}

export type FragmentationResult = Measured<'fragmentation', FragmentationFigures>;

function minPoolFigures(trace: SeededTrace['trace'], contender: Contender<unknown>): MinPoolFigures {
  const result = minPoolBytes(trace, contender);
  return { minPoolMiB: result.bytes / MIB, ratio: round(result.ratio, 4), bisectedMiB: result.binaryBytes / MIB, replays: result.replays };
}

export function runFragmentation(config: BenchConfig, traces: readonly SeededTrace[]): FragmentationResult {
  const anchor = buildAnchor();
  const seeds = traces.map((seeded): FragmentationSeed => {
    const { seed, trace, stats } = seeded;
    const engine = minPoolFigures(trace, engineContender as Contender<unknown>);
    // The search steps by 1 MiB, so the minimum is a whole number of MiB.
    const atEngineMin = replayTrace(trace, new PoolContender(config.backend), engine.minPoolMiB * MIB);
    return {
      seed,
      peakLiveMiB: round(stats.peakLiveBytes / MIB, 2),
      engine,
      firstFit: minPoolFigures(trace, firstFitContender as Contender<unknown>),
      thing: minPoolFigures(trace, thingMallocContender as Contender<unknown>),
      pool: { failuresAtEngineMin: atEngineMin.failures },
      anchor: anchor.ok ? anchorMinPool(anchor.binary, config, seeded) : notMeasured(anchor.reason),
    };
  });
  return {
    id: 'fragmentation',
    title: '3. Fragmentation: minimum block / peak live bytes',
    status: 'ok',
    figures: { seeds },
    notes: [
      'Search: gallop up from ceil(peak live / 1 MiB), bisect, then replay every smaller size down to the lower bound (success need not be monotone), so the minimum is exact at 1 MiB granularity.',
      'Peak live counts each request at its footprint alignUp(alignUp(len, 32) + 32, 128).',
      anchor.ok
        ? 'anchor: the same search in C++ over the C++ TLSF-class offset allocator (128-byte units); verify.* and verifyAtMin.* replay the trace untimed in the bench block and in the minimum block, counting failures and overlapping or out-of-block placements.'
        : `anchor not measured: ${anchor.reason}`,
    ],
  };
}

/** The anchor's minimum block for `seeded`, and its placements checked in the bench block and at that minimum. */
function anchorMinPool(binary: string, config: BenchConfig, seeded: SeededTrace): MaybeMeasured<AnchorMinPoolFigures> {
  const file = traceFileFor(seeded);
  const { minPool, verify } = runAnchor(binary, file, ['--min-pool', '--verify', '--block-bytes', `${config.capacityBytes}`]);
  if (minPool === undefined || verify === undefined) throw new Error('the anchor left out its min pool or check');
  const atMin = runAnchor(binary, file, ['--verify', '--block-bytes', `${minPool.bytes}`]).verify;
  if (atMin === undefined) throw new Error('the anchor left out its check at the minimum block');
  return {
    status: 'measured',
    minPoolMiB: minPool.bytes / MIB,
    ratio: round(minPool.ratio, 4),
    bisectedMiB: minPool.bisectedBytes / MIB,
    replays: minPool.replays,
    peakLiveMatches: minPool.peakLiveBytes === seeded.stats.peakLiveBytes,
    verify: { failures: verify.failures, overlaps: verify.overlaps + verify.outOfBounds },
    verifyAtMin: { failures: atMin.failures, overlaps: atMin.overlaps + atMin.outOfBounds },
  };
}
