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
import { poolContender } from '../contenders/pool.js';
import { thingMallocContender } from '../contenders/thing-malloc.js';
import { MIB } from '../../src/format.js';
import { minPoolBytes } from '../../src/trace/min-pool.js';
import { type Contender, replayTrace } from '../../src/trace/replay.js';
import { type BenchConfig, type Figure, type ScenarioResult, type SeededTrace, round } from './context.js';

export function runFragmentation(config: BenchConfig, traces: readonly SeededTrace[]): ScenarioResult {
  const figures: Record<string, Figure> = {};
  const contenders: [string, Contender<unknown>][] = [
    ['engine', engineContender as Contender<unknown>],
    ['firstFit', firstFitContender as Contender<unknown>],
    ['thing', thingMallocContender as Contender<unknown>],
  ];
  const anchor = buildAnchor();
  figures['anchor.status'] = anchor.ok ? 'measured' : `not measured: ${anchor.reason}`;
  for (const seeded of traces) {
    const { seed, trace, stats } = seeded;
    figures[`seed${seed}.peakLiveMiB`] = round(stats.peakLiveBytes / MIB, 2);
    for (const [key, contender] of contenders) {
      const result = minPoolBytes(trace, contender);
      figures[`seed${seed}.${key}.minPoolMiB`] = result.bytes / MIB;
      figures[`seed${seed}.${key}.ratio`] = round(result.ratio, 4);
      figures[`seed${seed}.${key}.bisectedMiB`] = result.binaryBytes / MIB;
      figures[`seed${seed}.${key}.replays`] = result.replays;
      if (key === 'engine') {
        const check = replayTrace(trace, poolContender(config.backend), result.bytes);
        figures[`seed${seed}.pool.failuresAtEngineMin`] = check.failures;
      }
    }
    if (anchor.ok) {
      const file = traceFileFor(seeded);
      const { minPool, verify } = runAnchor(anchor.binary, file, ['--min-pool', '--verify', '--block-bytes', `${config.capacityBytes}`]);
      if (minPool === undefined || verify === undefined) throw new Error('the anchor left out its min pool or check');
      figures[`seed${seed}.anchor.minPoolMiB`] = minPool.bytes / MIB;
      figures[`seed${seed}.anchor.ratio`] = round(minPool.ratio, 4);
      figures[`seed${seed}.anchor.bisectedMiB`] = minPool.bisectedBytes / MIB;
      figures[`seed${seed}.anchor.replays`] = minPool.replays;
      figures[`seed${seed}.anchor.peakLiveMatches`] = minPool.peakLiveBytes === stats.peakLiveBytes;
      figures[`seed${seed}.anchor.verify.failures`] = verify.failures;
      figures[`seed${seed}.anchor.verify.overlaps`] = verify.overlaps + verify.outOfBounds;
      const atMin = runAnchor(anchor.binary, file, ['--verify', '--block-bytes', `${minPool.bytes}`]).verify;
      figures[`seed${seed}.anchor.verifyAtMin.failures`] = atMin?.failures ?? Number.NaN;
      figures[`seed${seed}.anchor.verifyAtMin.overlaps`] = atMin === undefined ? Number.NaN : atMin.overlaps + atMin.outOfBounds;
    }
  }
  return {
    id: 'fragmentation',
    title: '3. Fragmentation: minimum block / peak live bytes',
    status: 'ok',
    figures,
    notes: [
      'Search: gallop up from ceil(peak live / 1 MiB), bisect, then replay every smaller size down to the lower bound (success need not be monotone), so the minimum is exact at 1 MiB granularity.',
      'Peak live counts each request at its footprint alignUp(alignUp(len, 32) + 32, 128).',
      anchor.ok
        ? 'anchor: the same search in C++ over the C++ TLSF-class offset allocator (128-byte units); verify.* and verifyAtMin.* replay the trace untimed in the bench block and in the minimum block, counting failures and overlapping or out-of-block placements.'
        : `anchor not measured: ${anchor.reason}`,
    ],
  };
}
