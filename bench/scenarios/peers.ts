// SPDX-License-Identifier: MIT
// Scenario 6, peers on the same traces and in the same run: @thi.ng/malloc (a TypeScript
// allocator with in-band headers, aligned to 128) and the naive first-fit free list, timed with
// the public pool interleaved rep by rep, so "N× faster" compares like with like. Their
// fragmentation is measured in scenario 3.

import { PoolContender } from '../../src/cli/pool-contender.js';
import { firstFitContender } from '../contenders/first-fit.js';
import { thingMallocContender } from '../contenders/thing-malloc.js';
import type { Contender } from '../../src/trace/replay.js';
import { type ReplayTimingResult, timeReplays } from '../../src/trace/timing.js';
import { type BenchConfig, type Measured, type ReplayFigures, type SeededTrace, replayFigures, round } from './context.js';

export interface PeersSeed {
  readonly seed: number;
  readonly pool: ReplayFigures;
  readonly thing: ReplayFigures;
  readonly firstFit: ReplayFigures;
  readonly thingOverPool: number;
  readonly firstFitOverPool: number;
}

export interface PeersFigures {
  readonly seeds: readonly PeersSeed[];
}

export type PeersResult = Measured<'peers', PeersFigures>;

export async function runPeers(config: BenchConfig, traces: readonly SeededTrace[]): Promise<PeersResult> {
  const contenders = [new PoolContender(config.backend), thingMallocContender, firstFitContender] as Contender<unknown>[];
  const options = { reps: config.slowReps, warmups: 1, opsPerBatch: config.opsPerBatch };
  const seeds: PeersSeed[] = [];
  for (const { seed, trace } of traces) {
    const [pool, thing, firstFit] = (await timeReplays(trace, contenders, config.capacityBytes, options)) as [
      ReplayTimingResult,
      ReplayTimingResult,
      ReplayTimingResult,
    ];
    seeds.push({
      seed,
      pool: replayFigures(pool),
      thing: replayFigures(thing),
      firstFit: replayFigures(firstFit),
      thingOverPool: round(thing.timing.medianNs / pool.timing.medianNs, 2),
      firstFitOverPool: round(firstFit.timing.medianNs / pool.timing.medianNs, 2),
    });
  }
  return {
    id: 'peers',
    title: '6. Peers: @thi.ng/malloc and naive first-fit on the same traces',
    status: 'ok',
    figures: { seeds },
    notes: [`Pool, @thi.ng/malloc and first-fit interleaved rep by rep: ${config.slowReps} timed reps after 1 warm-up (the peers are O(n) per op).`],
  };
}
