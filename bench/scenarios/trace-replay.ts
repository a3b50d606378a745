// SPDX-License-Identifier: MIT
// Scenario 2, trace replay: each seed's media trace replayed through the public acquire/release,
// through the engine at handle level, and through a no-op contender (the harness's own loop
// cost), each into a fresh block per rep, in batches timed by bench/timing.ts; and, interleaved
// rep by rep, through the compiled C++ anchor (bench/anchor/) and its own no-op loop.

import { buildAnchor } from '../anchor/build.js';
import { type AnchorSeries, runAnchor, traceFileFor } from '../anchor/run.js';
import { engineContender } from '../contenders/engine.js';
import { noopContender } from '../contenders/noop.js';
import { poolContender } from '../contenders/pool.js';
import { type ReplayTimingResult, quantile, timeReplays } from '../timing.js';
import { MIB } from '../../src/format.js';
import type { Contender } from '../../src/trace/replay.js';
import { type BenchConfig, type Figure, type ScenarioResult, type SeededTrace, round } from './context.js';

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

export function runTraceReplay(config: BenchConfig, traces: readonly SeededTrace[]): ScenarioResult {
  const figures: Record<string, Figure> = {};
  const contenders: [string, Contender<unknown>][] = [
    ['pool', poolContender(config.backend) as Contender<unknown>],
    ['engine', engineContender as Contender<unknown>],
    ['noop', noopContender as Contender<unknown>],
  ];
  const anchor = buildAnchor();
  figures['anchor.status'] = anchor.ok ? 'measured' : `not measured: ${anchor.reason}`;
  // One anchor process per rep: one untimed warm-up replay, then one timed replay and one timed
  // no-op replay, each into a fresh allocator, in the same batches as the TS contenders.
  const anchorFlags = ['--reps', '1', '--warmups', '1', '--noop', '--batch', `${config.opsPerBatch}`, '--block-bytes', `${config.capacityBytes}`];
  for (const seeded of traces) {
    const { seed, trace } = seeded;
    const real: Collected = { batches: [], reps: [], failures: 0 };
    const calib: Collected = { batches: [], reps: [], failures: 0 };
    const afterRep = anchor.ok
      ? () => {
          const report = runAnchor(anchor.binary, traceFileFor(seeded), anchorFlags);
          collect(real, report.replay);
          collect(calib, report.noop);
        }
      : undefined;
    const results = timeReplays(trace, contenders.map(([, c]) => c), config.capacityBytes, config, afterRep);
    for (const [i, [key]] of contenders.entries()) {
      const { timing, counts } = results[i] as ReplayTimingResult;
      figures[`seed${seed}.${key}.medianNsPerOp`] = round(timing.medianNs);
      figures[`seed${seed}.${key}.p99NsPerOp`] = round(timing.p99Ns);
      figures[`seed${seed}.${key}.repMedianNsPerOp`] = round(timing.repMedianNs);
      figures[`seed${seed}.${key}.failures`] = counts.failures;
    }
    if (!anchor.ok) continue;
    // The same statistics as bench/timing.ts: quantiles over every timed batch of every rep.
    const anchorNs = quantile(real.batches, 0.5);
    figures[`seed${seed}.anchor.medianNsPerOp`] = round(anchorNs);
    figures[`seed${seed}.anchor.p99NsPerOp`] = round(quantile(real.batches, 0.99));
    figures[`seed${seed}.anchor.repMedianNsPerOp`] = round(quantile(real.reps, 0.5));
    figures[`seed${seed}.anchor.failures`] = real.failures;
    figures[`seed${seed}.anchorNoop.medianNsPerOp`] = round(quantile(calib.batches, 0.5));
    figures[`seed${seed}.poolOverAnchor`] = round((results[0] as ReplayTimingResult).timing.medianNs / anchorNs, 3);
    figures[`seed${seed}.engineOverAnchor`] = round((results[1] as ReplayTimingResult).timing.medianNs / anchorNs, 3);
  }
  const { trace } = traces[0] as SeededTrace;
  return {
    id: 'trace-replay',
    title: `2. Trace replay (${trace.nOps} ops per seed)`,
    status: 'ok',
    figures,
    notes: [
      `Contenders interleaved rep by rep; ${config.reps} timed reps after ${config.warmups} warm-ups, ${config.opsPerBatch}-op batches; median and p99 of batch ns/op; block ${config.capacityBytes / MIB} MiB.`,
      anchor.ok
        ? `anchor: C++ TLSF-class offset allocator (OffsetAllocator's published design, independent implementation), 128-byte units, built with ${anchor.compiler}; one process per rep after each TS rep (one untimed warm-up replay, then a timed replay and a timed C++ no-op replay), construction untimed.`
        : `anchor not measured: ${anchor.reason}`,
    ],
  };
}
