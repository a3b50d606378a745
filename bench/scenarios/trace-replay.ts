// SPDX-License-Identifier: MIT
// Scenario 2, trace replay: each seed's media trace replayed through the public acquire/release,
// through the engine at handle level, and through a no-op contender (the harness's own loop
// cost), each into a fresh block per rep, in batches timed by bench/timing.ts.

import { engineContender } from '../contenders/engine.js';
import { noopContender } from '../contenders/noop.js';
import { poolContender } from '../contenders/pool.js';
import { type ReplayTimingResult, timeReplays } from '../timing.js';
import type { Contender } from '../../src/trace/replay.js';
import { type BenchConfig, type Figure, type ScenarioResult, type SeededTrace, round } from './context.js';

export function runTraceReplay(config: BenchConfig, traces: readonly SeededTrace[]): ScenarioResult {
  const figures: Record<string, Figure> = {};
  const contenders: [string, Contender<unknown>][] = [
    ['pool', poolContender(config.backend) as Contender<unknown>],
    ['engine', engineContender as Contender<unknown>],
    ['noop', noopContender as Contender<unknown>],
  ];
  for (const { seed, trace } of traces) {
    const results = timeReplays(trace, contenders.map(([, c]) => c), config.capacityBytes, config);
    for (const [i, [key]] of contenders.entries()) {
      const { timing, counts } = results[i] as ReplayTimingResult;
      figures[`seed${seed}.${key}.medianNsPerOp`] = round(timing.medianNs);
      figures[`seed${seed}.${key}.p99NsPerOp`] = round(timing.p99Ns);
      figures[`seed${seed}.${key}.repMedianNsPerOp`] = round(timing.repMedianNs);
      figures[`seed${seed}.${key}.failures`] = counts.failures;
    }
  }
  const { trace } = traces[0] as SeededTrace;
  return {
    id: 'trace-replay',
    title: `2. Trace replay (${trace.nOps} ops per seed)`,
    status: 'ok',
    figures,
    notes: [
      `Contenders interleaved rep by rep; ${config.reps} timed reps after ${config.warmups} warm-ups, ${config.opsPerBatch}-op batches; median and p99 of batch ns/op; block ${config.capacityBytes / 2 ** 20} MiB.`,
    ],
  };
}
