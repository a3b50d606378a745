// SPDX-License-Identifier: MIT
// Scenario 6, peers on the same traces and in the same run: @thi.ng/malloc (a TypeScript
// allocator with in-band headers, aligned to 128) and the naive first-fit free list, timed with
// the public pool interleaved rep by rep, so "N× faster" compares like with like. Their
// fragmentation is measured in scenario 3.

import { firstFitContender } from '../contenders/first-fit.js';
import { poolContender } from '../contenders/pool.js';
import { thingMallocContender } from '../contenders/thing-malloc.js';
import { type ReplayTimingResult, timeReplays } from '../timing.js';
import type { Contender } from '../../src/trace/replay.js';
import { type BenchConfig, type Figure, type ScenarioResult, type SeededTrace, round } from './context.js';

export function runPeers(config: BenchConfig, traces: readonly SeededTrace[]): ScenarioResult {
  const figures: Record<string, Figure> = {};
  const contenders: [string, Contender<unknown>][] = [
    ['pool', poolContender(config.backend) as Contender<unknown>],
    ['thing', thingMallocContender as Contender<unknown>],
    ['firstFit', firstFitContender as Contender<unknown>],
  ];
  const options = { reps: config.slowReps, warmups: 1, opsPerBatch: config.opsPerBatch };
  for (const { seed, trace } of traces) {
    const results = timeReplays(trace, contenders.map(([, c]) => c), config.capacityBytes, options);
    const medians = new Map<string, number>();
    for (const [i, [key]] of contenders.entries()) {
      const { timing, counts } = results[i] as ReplayTimingResult;
      medians.set(key, timing.medianNs);
      figures[`seed${seed}.${key}.medianNsPerOp`] = round(timing.medianNs);
      figures[`seed${seed}.${key}.p99NsPerOp`] = round(timing.p99Ns);
      figures[`seed${seed}.${key}.failures`] = counts.failures;
    }
    const pool = medians.get('pool') ?? Number.NaN;
    figures[`seed${seed}.thingOverPool`] = round((medians.get('thing') ?? Number.NaN) / pool, 2);
    figures[`seed${seed}.firstFitOverPool`] = round((medians.get('firstFit') ?? Number.NaN) / pool, 2);
  }
  return {
    id: 'peers',
    title: '6. Peers: @thi.ng/malloc and naive first-fit on the same traces',
    status: 'ok',
    figures,
    notes: [`Pool, @thi.ng/malloc and first-fit interleaved rep by rep: ${config.slowReps} timed reps after 1 warm-up (the peers are O(n) per op).`],
  };
}
