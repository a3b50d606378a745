// SPDX-License-Identifier: MIT
// Scenario 3, fragmentation: the smallest block (1 MiB steps) that replays each seed's trace with
// zero failures, over the trace's peak live footprint, for the engine (the pool's placement is the
// engine's) and for the peers. The pool itself then replays the engine's minimum as a cross-check.

import { engineContender } from '../contenders/engine.js';
import { firstFitContender } from '../contenders/first-fit.js';
import { poolContender } from '../contenders/pool.js';
import { thingMallocContender } from '../contenders/thing-malloc.js';
import { MIB, minPoolBytes } from '../../src/trace/min-pool.js';
import { type Contender, replayTrace } from '../../src/trace/replay.js';
import { type BenchConfig, type Figure, type ScenarioResult, type SeededTrace, round } from './context.js';

export function runFragmentation(config: BenchConfig, traces: readonly SeededTrace[]): ScenarioResult {
  const figures: Record<string, Figure> = {};
  const contenders: [string, Contender<unknown>][] = [
    ['engine', engineContender as Contender<unknown>],
    ['firstFit', firstFitContender as Contender<unknown>],
    ['thing', thingMallocContender as Contender<unknown>],
  ];
  for (const { seed, trace, stats } of traces) {
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
  }
  return {
    id: 'fragmentation',
    title: '3. Fragmentation: minimum block / peak live bytes',
    status: 'ok',
    figures,
    notes: [
      'Search: gallop up from ceil(peak live / 1 MiB), bisect, then replay every smaller size down to the lower bound (success need not be monotone), so the minimum is exact at 1 MiB granularity.',
      'Peak live counts each request at its footprint alignUp(alignUp(len, 32) + 32, 128).',
    ],
  };
}
