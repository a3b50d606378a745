// SPDX-License-Identifier: MIT
// Scenario 7, what recording costs (issue 16): each seed's media trace and the 1080p hot pair
// through the public pool never recorded, with a recording started and stopped (off), with a
// recording on, and with `stacks: true` (on the trace, over a prefix and fewer reps: a stack
// costs microseconds). The variants are interleaved rep by rep (traces, src/trace/timing.ts) or
// round by round (the pair, Benchmark.js), so their ratios compare figures of the same run.
//
// What "off" is compared against. A pool built as before recording existed cannot run beside
// today's: the `this.recorder?.` branch is in the one core every pool shares. So off is set
// beside two things. (1) The same contender never recorded, in the same reps: off ÷ never is 1
// within noise when a start and stop leave the pool as it was (no recorder, nothing retained);
// it does not price the branch, which both pay. Because the core's code is shared, and the
// recording-on pools take the branch, both are off in a process that also records: the
// branch's worst case. (2) The engine at handle level, as scenario 2 does: off ÷ engine beside
// scenario 2's pool ÷ engine of runs from before recording existed (docs/benchmarks.md) prices
// the branch across commits, with the noise of different runs.

import { createPool } from '../../src/index.js';
import type { Contender } from '../../src/trace/replay.js';
import { type ReplayTimingResult, timeReplays } from '../../src/trace/timing.js';
import { engineContender } from '../contenders/engine.js';
import { type RecordingState, STACKS_MAX_EVENTS, enterRecordingState, recordingPoolContender } from '../contenders/recording-pool.js';
import type { RoundsResult } from '../harness.js';
import { type BenchConfig, type Measured, type ReplayFigures, type SeededTrace, replayFigures, round, tracePrefix } from './context.js';
import { PAIRS_PER_CALL, type PairFigures, pairFigures, pairsOnPools, shortPairRounds } from './hot-pair.js';

const STATES: readonly RecordingState[] = ['never recorded', 'recording off', 'recording on', 'recording with stacks'];

/** A prefix of a seed's trace with recording off and with stacks, interleaved. */
export interface StacksReplayFigures {
  readonly ops: number;
  readonly reps: number;
  readonly off: ReplayFigures;
  readonly stacks: ReplayFigures;
  readonly stacksOverOff: number;
}

export interface RecordingSeed {
  readonly seed: number;
  readonly engine: ReplayFigures;
  readonly neverRecorded: ReplayFigures;
  /** A recording started and stopped on the fresh pool before the replay. */
  readonly off: ReplayFigures;
  /** Recording through the replay, default options (maxEvents 1 M). */
  readonly on: ReplayFigures;
  readonly offOverNeverRecorded: number;
  readonly offOverEngine: number;
  readonly onOverOff: number;
  readonly withStacks: StacksReplayFigures;
}

/** The 1080p pair in each state, medians of the rounds. */
export interface RecordingPairFigures {
  readonly rounds: number;
  readonly neverRecorded: PairFigures;
  readonly off: PairFigures;
  readonly on: PairFigures;
  readonly stacks: PairFigures;
  readonly offOverNeverRecorded: number;
  readonly onOverOff: number;
  readonly stacksOverOff: number;
}

export interface RecordingFigures {
  readonly seeds: readonly RecordingSeed[];
  readonly pair: RecordingPairFigures;
}

export type RecordingResult = Measured<'recording', RecordingFigures>;

/** Median over median of two replay contenders of the same reps. */
const replayRatio = (a: ReplayTimingResult, b: ReplayTimingResult): number => round(a.timing.medianNs / b.timing.medianNs, 3);
/** The same for two pair contenders of the same rounds. */
const pairRatio = (a: RoundsResult, b: RoundsResult): number => round(a.medianNs / b.medianNs, 3);

/** The pair in each state, on pools holding the live set of the first half of `seeded`, in alternating rounds. */
function recordingPair(config: BenchConfig, seeded: SeededTrace): RecordingPairFigures {
  const pools = STATES.map((state) => ({ name: `pool acquire+release 1080p, ${state}`, pool: createPool({ size: config.capacityBytes, backend: config.backend }) }));
  try {
    const [never, off, on, stacks] = pairsOnPools(config, seeded, pools, (pool, i) => {
      enterRecordingState(pool, STATES[i] as RecordingState);
    }) as [RoundsResult, RoundsResult, RoundsResult, RoundsResult];
    return {
      rounds: shortPairRounds(config).rounds,
      neverRecorded: pairFigures(never),
      off: pairFigures(off),
      on: pairFigures(on),
      stacks: pairFigures(stacks),
      offOverNeverRecorded: pairRatio(off, never),
      onOverOff: pairRatio(on, off),
      stacksOverOff: pairRatio(stacks, off),
    };
  } finally {
    for (const { pool } of pools) pool.close();
  }
}

export async function runRecording(config: BenchConfig, traces: readonly SeededTrace[]): Promise<RecordingResult> {
  const [never, off, on, stacks] = STATES.map((state) => recordingPoolContender(config.backend, state)) as [
    Contender<unknown>,
    Contender<unknown>,
    Contender<unknown>,
    Contender<unknown>,
  ];
  const stacksOptions = { reps: config.slowReps, warmups: 1, opsPerBatch: config.opsPerBatch };
  const seeds: RecordingSeed[] = [];
  for (const { seed, trace } of traces) {
    const [viaEngine, viaNever, viaOff, viaOn] = (await timeReplays(trace, [engineContender as Contender<unknown>, never, off, on], config.capacityBytes, config)) as [
      ReplayTimingResult,
      ReplayTimingResult,
      ReplayTimingResult,
      ReplayTimingResult,
    ];
    const prefix = tracePrefix(trace, config.stacksTraceOps);
    const [prefixOff, prefixStacks] = (await timeReplays(prefix, [off, stacks], config.capacityBytes, stacksOptions)) as [ReplayTimingResult, ReplayTimingResult];
    seeds.push({
      seed,
      engine: replayFigures(viaEngine),
      neverRecorded: replayFigures(viaNever),
      off: replayFigures(viaOff),
      on: replayFigures(viaOn),
      offOverNeverRecorded: replayRatio(viaOff, viaNever),
      offOverEngine: replayRatio(viaOff, viaEngine),
      onOverOff: replayRatio(viaOn, viaOff),
      withStacks: {
        ops: prefix.nOps,
        reps: config.slowReps,
        off: replayFigures(prefixOff),
        stacks: replayFigures(prefixStacks),
        stacksOverOff: replayRatio(prefixStacks, prefixOff),
      },
    });
  }
  const first = traces[0] as SeededTrace;
  return {
    id: 'recording',
    title: '7. What recording costs: off, on, on with stacks',
    status: 'ok',
    figures: { seeds, pair: recordingPair(config, first) },
    notes: [
      'neverRecorded: a fresh pool per rep; off: the same, with a recording started and stopped before the replay (no recorder left); on: pool.startRecording() with the defaults (a ring of up to 1 M events, growing from 4096 slots as it fills); stacks: { stacks: true, maxEvents: ' +
        `${STACKS_MAX_EVENTS} } (the default would hold ~600 MB of stacks; the pair's ring wraps).`,
      `Traces: engine, neverRecorded, off and on interleaved rep by rep, ${config.reps} timed reps after ${config.warmups} warm-ups; withStacks: off and stacks interleaved on the first ${config.stacksTraceOps} ops, ${config.slowReps} reps after 1 warm-up; ${config.opsPerBatch}-op batches, median of batch ns/op.`,
      `Pair: the four states on four pools, each holding the live set of the first ${Math.floor(first.trace.nOps / 2)} ops of seed ${first.seed} (recording started after it), alternating over ${shortPairRounds(config).rounds} rounds of ${round(shortPairRounds(config).maxTimeS, 3)} s each (Benchmark.js, ${PAIRS_PER_CALL} pairs a call).`,
      'off ÷ neverRecorded is 1 within noise when a stopped recording leaves nothing behind; both pay the branch, in a process whose other pools record. off ÷ engine is comparable with scenario 2 pool ÷ engine of runs from before recording existed.',
    ],
  };
}
