// SPDX-License-Identifier: MIT
// Scenario 2, trace replay: each seed's media trace replayed through the public acquire/release,
// through the engine at handle level, through the engine plus one handle object per allocation
// (the floor of any API returning an object per acquire) and through a no-op contender (the
// harness's own loop cost), each into a fresh block per rep, in batches timed by
// src/trace/timing.ts; and, interleaved rep by rep, through the compiled C++ anchor
// (bench/anchor/) and its own no-op loop. Ratios over the engine come from the same reps.

import { buildAnchor } from '../anchor/build.js';
import { type AnchorSeries, runAnchor, traceFileFor } from '../anchor/run.js';
import { engineContender } from '../contenders/engine.js';
import { handleObjectContender } from '../contenders/handle-object.js';
import { noopContender } from '../contenders/noop.js';
import { PoolContender } from '../../src/cli/pool-contender.js';
import { MIB } from '../../src/format.js';
import type { Contender } from '../../src/trace/replay.js';
import { type ReplayTimingResult, quantile, timeReplays } from '../../src/trace/timing.js';
import {
  type BenchConfig,
  type MaybeMeasured,
  type Measured,
  type ReplayFigures,
  type SeededTrace,
  notMeasured,
  replayFigures,
  round,
} from './context.js';

export interface AnchorReplayFigures extends ReplayFigures {
  /** The anchor's own no-op replay loop, ns/op. */
  readonly noopMedianNsPerOp: number;
  readonly poolOverAnchor: number;
  readonly engineOverAnchor: number;
}

export interface TraceReplaySeed {
  readonly seed: number;
  readonly pool: ReplayFigures;
  readonly engine: ReplayFigures;
  /** The engine plus one 5-field object per allocation (contenders/handle-object.ts). */
  readonly handleObject: ReplayFigures;
  readonly noop: ReplayFigures;
  readonly poolOverEngine: number;
  readonly handleObjectOverEngine: number;
  readonly anchor: MaybeMeasured<AnchorReplayFigures>;
}

export interface TraceReplayFigures {
  readonly seeds: readonly TraceReplaySeed[];
}

export type TraceReplayResult = Measured<'trace-replay', TraceReplayFigures>;

interface Collected {
  batches: number[];
  reps: number[];
  failures: number;
}

const collect = (into: Collected, from: AnchorSeries | undefined): void => {
  if (from === undefined) throw new Error('the anchor left out a series it was asked for');
  into.batches.push(...from.batches);
  into.reps.push(...from.reps);
  into.failures += from.failures;
};

export async function runTraceReplay(config: BenchConfig, traces: readonly SeededTrace[]): Promise<TraceReplayResult> {
  const contenders = [new PoolContender(config.backend), engineContender, handleObjectContender, noopContender] as Contender<unknown>[];
  const anchor = buildAnchor();
  // One anchor process per rep: one untimed warm-up replay, then one timed replay and one timed
  // no-op replay, each into a fresh allocator, in the same batches as the TS contenders.
  const anchorFlags = ['--reps', '1', '--warmups', '1', '--noop', '--batch', `${config.opsPerBatch}`, '--block-bytes', `${config.capacityBytes}`];
  const seeds: TraceReplaySeed[] = [];
  for (const seeded of traces) {
    const real: Collected = { batches: [], reps: [], failures: 0 };
    const calib: Collected = { batches: [], reps: [], failures: 0 };
    const afterRep = anchor.ok
      ? () => {
          const report = runAnchor(anchor.binary, traceFileFor(seeded), anchorFlags);
          collect(real, report.replay);
          collect(calib, report.noop);
        }
      : undefined;
    const [pool, engine, handleObject, noop] = (await timeReplays(seeded.trace, contenders, config.capacityBytes, config, afterRep)) as [
      ReplayTimingResult,
      ReplayTimingResult,
      ReplayTimingResult,
      ReplayTimingResult,
    ];
    // The same statistics as src/trace/timing.ts: quantiles over every timed batch of every rep.
    const anchorNs = quantile(real.batches, 0.5);
    seeds.push({
      seed: seeded.seed,
      pool: replayFigures(pool),
      engine: replayFigures(engine),
      handleObject: replayFigures(handleObject),
      noop: replayFigures(noop),
      poolOverEngine: round(pool.timing.medianNs / engine.timing.medianNs, 3),
      handleObjectOverEngine: round(handleObject.timing.medianNs / engine.timing.medianNs, 3),
      anchor: anchor.ok
        ? {
            status: 'measured',
            medianNsPerOp: round(anchorNs),
            p99NsPerOp: round(quantile(real.batches, 0.99)),
            repMedianNsPerOp: round(quantile(real.reps, 0.5)),
            failures: real.failures,
            noopMedianNsPerOp: round(quantile(calib.batches, 0.5)),
            poolOverAnchor: round(pool.timing.medianNs / anchorNs, 3),
            engineOverAnchor: round(engine.timing.medianNs / anchorNs, 3),
          }
        : notMeasured(anchor.reason),
    });
  }
  const { trace } = traces[0] as SeededTrace;
  return {
    id: 'trace-replay',
    title: `2. Trace replay (${trace.nOps} ops per seed)`,
    status: 'ok',
    figures: { seeds },
    notes: [
      `Contenders interleaved rep by rep; ${config.reps} timed reps after ${config.warmups} warm-ups, ${config.opsPerBatch}-op batches; median and p99 of batch ns/op; block ${config.capacityBytes / MIB} MiB.`,
      'handleObject: the engine at handle level, plus one {engine, node, offset, length, tag} object per alloc whose node free reads back: the floor of any API that returns an object per acquire.',
      anchor.ok
        ? `anchor: C++ TLSF-class offset allocator (OffsetAllocator's published design, independent implementation), 128-byte units, built with ${anchor.compiler}; one process per rep after each TS rep (one untimed warm-up replay, then a timed replay and a timed C++ no-op replay), construction untimed.`
        : `anchor not measured: ${anchor.reason}`,
    ],
  };
}
