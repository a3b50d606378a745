// SPDX-License-Identifier: MIT
// Scenario 6, peers on the same traces and in the same run: @thi.ng/malloc (a TypeScript
// allocator with in-band headers, aligned to 128) and the naive first-fit free list. Their
// fragmentation is measured in scenario 3; here, their speed.

import { firstFitContender } from '../contenders/first-fit.js';
import { thingMallocContender } from '../contenders/thing-malloc.js';
import { timeReplay } from '../timing.js';
import type { Contender } from '../trace/replay.js';
import { type BenchConfig, type Figure, type ScenarioResult, type SeededTrace, round } from './context.js';

export function runPeers(config: BenchConfig, traces: readonly SeededTrace[]): ScenarioResult {
  const figures: Record<string, Figure> = {};
  const contenders: [string, Contender<unknown>][] = [
    ['thing', thingMallocContender as Contender<unknown>],
    ['firstFit', firstFitContender as Contender<unknown>],
  ];
  const options = { reps: config.slowReps, warmups: 1, opsPerBatch: config.opsPerBatch };
  for (const { seed, trace } of traces) {
    for (const [key, contender] of contenders) {
      const { timing, counts } = timeReplay(trace, contender, config.capacityBytes, options);
      figures[`seed${seed}.${key}.medianNsPerOp`] = round(timing.medianNs);
      figures[`seed${seed}.${key}.p99NsPerOp`] = round(timing.p99Ns);
      figures[`seed${seed}.${key}.failures`] = counts.failures;
    }
  }
  return {
    id: 'peers',
    title: '6. Peers: @thi.ng/malloc and naive first-fit on the same traces',
    status: 'ok',
    figures,
    notes: [`${config.slowReps} timed reps after 1 warm-up (these peers are O(n) per op).`],
  };
}
