// SPDX-License-Identifier: MIT
// The issue's targets, judged from the typed figures of one run. Ratios compare contenders
// measured in the same run: the replay budget is 1.6 × the compiled C++ anchor (bench/anchor/)
// measured interleaved with the pool, and the pool-over-engine budgets compare the public API
// with the engine at handle level, interleaved rep by rep (traces) or round by round (the pair).
// Rows marked informative set no target; they put a figure beside another (the anchor's, the
// handle-object floor's) so the gap is on the page.

import type { ContentionLevel } from '../scenarios/shared-contention.js';
import type { BenchResults } from './results.js';

export interface TargetResult {
  readonly id: string;
  readonly target: string;
  /** The measured figure(s), as text. */
  readonly figure: string;
  /** null when the figures needed were not measured (a scenario was skipped), or informative. */
  readonly met: boolean | null;
  /** A comparison shown for context, with no target to meet. */
  readonly informative?: true;
  /**
   * Seeds of the run that a per-seed scenario's figures lack (`scenario: seed N`). Figures are
   * typed fields, so a misspelt or renamed one does not compile; the one absence types cannot
   * rule out is a scenario that ran without one of the run's seeds. Not measured for a reason
   * (a skipped scenario, an anchor or heap check "not measured: …") is not listed. Anything here
   * is a bug of the bench.
   */
  readonly missing: readonly string[];
}

/** Trace replay through the public API may take at most this many times the C++ anchor. */
export const REPLAY_OVER_ANCHOR_BUDGET = 1.6;
/** Trace replay through the public API may take at most this many times the engine at handle level. */
export const TRACE_POOL_OVER_ENGINE_BUDGET = 1.1;
/** The 1080p pair through the public API may take at most this many times the engine's pair. */
export const PAIR_POOL_OVER_ENGINE_BUDGET = 1.25;
export const PAIR_BUDGET_NS = 40;
export const FRAG_BUDGET = 1.05;
export const HEAP_GROWTH_BUDGET_BYTES = 64 * 1024;
/**
 * Recording off may take at most this many times the same pool never recorded on a trace
 * (scenario 7, same reps): "nothing measurable", where the two have differed by ±1 % per run.
 * The pair is shown beside it but not judged: between rounds it moves by ±20 % with the JIT's
 * state, recording or not (scenario 1 moves alike), so 3 % there is a coin toss.
 */
export const RECORDING_OFF_BUDGET = 1.03;
/**
 * A shared pool's acquire/release, one thread and no other attached, may take at most this many
 * times a plain pool's on each trace and on the 1080p pair (issue 15; scenario 8, same reps or
 * rounds). The issue prices an uncontended Atomics lock at 60-100 ns here.
 */
export const SHARED_OVER_PLAIN_BUDGET = 2.0;

/** A seed's verdict: the figure as text and whether it passes, or why it was not measured. */
type Judged = readonly [string, boolean] | string;

/**
 * Judges every seed of the run from `scenario`'s per-seed figures; met only if every seed was
 * measured and passes. A seed the figures lack is "not measured" and listed in `missing`.
 */
function perSeed<S extends { readonly seed: number }>(
  scenario: string,
  runSeeds: readonly number[],
  measured: readonly S[],
  judge: (figures: S) => Judged,
): Pick<TargetResult, 'figure' | 'met' | 'missing'> {
  const parts: string[] = [];
  const missing: string[] = [];
  let met: boolean | null = true;
  for (const seed of runSeeds) {
    const figures = measured.find((s) => s.seed === seed);
    if (figures === undefined) missing.push(`${scenario}: seed ${seed}`);
    const judged = figures === undefined ? 'not measured' : judge(figures);
    if (typeof judged === 'string') {
      parts.push(`seed ${seed}: ${judged}`);
      met = null;
      continue;
    }
    parts.push(`seed ${seed}: ${judged[0]}`);
    if (met === true && !judged[1]) met = false;
  }
  return { figure: parts.join('; '), met, missing };
}

const fmt = (n: number, digits = 1): string => n.toFixed(digits);

export function judgeTargets(results: BenchResults, seeds: readonly number[]): TargetResult[] {
  const { hotPair, traceReplay, fragmentation, nativePerRequest, peers, recording, shared, hotPath } = results;
  const replaySeeds = traceReplay.figures.seeds;
  const fragSeeds = fragmentation.figures.seeds;
  const pair = hotPair.figures;
  const poolPair = pair.pool.medianNsPerPair;
  const enginePair = pair.engine.medianNsPerPair;
  const native = nativePerRequest.status === 'ok' ? nativePerRequest.figures.pair.medianNsPerPair : undefined;
  const { backendCallsPerPair, pairs, heap } = hotPath.figures;
  const recordingPair = recording.figures.pair;
  const recordingOff = perSeed('recording', seeds, recording.figures.seeds, ({ neverRecorded, off, offOverNeverRecorded }) => [
    `${fmt(offOverNeverRecorded, 3)}× (off ${fmt(off.medianNsPerOp)} vs never recorded ${fmt(neverRecorded.medianNsPerOp)} ns/op)`,
    offOverNeverRecorded <= RECORDING_OFF_BUDGET,
  ]);
  const sharedPair = shared.figures.pair;
  const sharedTraces = perSeed('shared', seeds, shared.figures.seeds, ({ plain, shared: viaShared, sharedOverPlain }) => [
    `${fmt(sharedOverPlain, 2)}× (shared ${fmt(viaShared.medianNsPerOp)} vs plain ${fmt(plain.medianNsPerOp)} ns/op)`,
    sharedOverPlain <= SHARED_OVER_PLAIN_BUDGET,
  ]);
  const contention = shared.figures.contention;
  const level = (name: string, l: ContentionLevel): string =>
    `${name}: p50 ${fmt(l.p50AcquireNs, 0)} / p99 ${fmt(l.p99AcquireNs, 0)} ns an acquire, ${fmt(l.totalMopsPerS, 2)} Mops/s in all${l.oversubscribed ? ` (oversubscribed: ${l.threads} workers on ${contention.cores} cores)` : ''}`;
  const recordingOn = perSeed('recording', seeds, recording.figures.seeds, ({ off, on, onOverOff, withStacks }) => [
    `on ${fmt(onOverOff, 2)}× off (${fmt(on.medianNsPerOp)} vs ${fmt(off.medianNsPerOp)} ns/op); stacks ${fmt(withStacks.stacksOverOff, 1)}× off over the first ${withStacks.ops} ops (${fmt(withStacks.stacks.medianNsPerOp, 0)} vs ${fmt(withStacks.off.medianNsPerOp)} ns/op)`,
    true,
  ]);
  return [
    {
      id: 'replay-vs-anchor',
      target: `Trace replay via public acquire/release ≤ ${REPLAY_OVER_ANCHOR_BUDGET} × the C++ TLSF-class offset allocator (bench/anchor/, same run, interleaved rep by rep)`,
      ...perSeed('trace-replay', seeds, replaySeeds, ({ pool, noop, anchor }) => {
        if (anchor.status !== 'measured') return anchor.status;
        const ratio = pool.medianNsPerOp / anchor.medianNsPerOp;
        return [
          `${fmt(ratio, 2)}× (pool ${fmt(pool.medianNsPerOp)} vs anchor ${fmt(anchor.medianNsPerOp)} ns/op; no-op replay loop: JS ${fmt(noop.medianNsPerOp)}, C++ ${fmt(anchor.noopMedianNsPerOp)})`,
          ratio <= REPLAY_OVER_ANCHOR_BUDGET,
        ];
      }),
    },
    {
      id: 'pool-vs-engine-trace',
      target: `Trace replay via public acquire/release ≤ ${TRACE_POOL_OVER_ENGINE_BUDGET.toFixed(2)} × the engine at handle level (same run, interleaved rep by rep)`,
      ...perSeed('trace-replay', seeds, replaySeeds, ({ pool, engine, poolOverEngine }) => [
        `${fmt(poolOverEngine, 2)}× (pool ${fmt(pool.medianNsPerOp)} vs engine ${fmt(engine.medianNsPerOp)} ns/op)`,
        poolOverEngine <= TRACE_POOL_OVER_ENGINE_BUDGET,
      ]),
    },
    {
      id: 'handle-object-floor',
      target:
        'Trace replay, the engine plus one 5-field handle object per allocation ÷ the engine: the floor of any API that returns an object per acquire, beside pool ÷ engine (informative: no target)',
      ...perSeed('trace-replay', seeds, replaySeeds, ({ handleObject, engine, poolOverEngine, handleObjectOverEngine }) => [
        `floor ${fmt(handleObjectOverEngine, 2)}× vs pool ${fmt(poolOverEngine, 2)}× the engine (handle objects ${fmt(handleObject.medianNsPerOp)} vs engine ${fmt(engine.medianNsPerOp)} ns/op)`,
        true,
      ]),
      met: null,
      informative: true,
    },
    {
      id: 'replay-vs-thing',
      target: 'Trace replay via public acquire/release ≥ 10× faster than @thi.ng/malloc (same trace, same run)',
      ...perSeed('peers', seeds, peers.figures.seeds, ({ pool, thing, thingOverPool }) => [
        `${fmt(thingOverPool)}× (${fmt(thing.medianNsPerOp, 0)} vs ${fmt(pool.medianNsPerOp)} ns/op, interleaved)`,
        thingOverPool >= 10,
      ]),
    },

    {
      id: 'pair-budget',
      target: `Repeated-size pair (1080p acquire + release, public API) ≤ ${PAIR_BUDGET_NS} ns`,
      figure: `${fmt(poolPair)} ns/pair (engine alone: ${fmt(enginePair)})`,
      met: poolPair <= PAIR_BUDGET_NS,
      missing: [],
    },
    {
      id: 'pool-vs-engine-pair',
      target: `Repeated-size pair (1080p), public API ≤ ${PAIR_POOL_OVER_ENGINE_BUDGET.toFixed(2)} × the engine at handle level (Benchmark.js, alternating rounds, same run)`,
      figure: `${fmt(pair.poolOverEngine, 2)}× (pool ${fmt(poolPair)} vs engine ${fmt(enginePair)} ns/pair, medians of ${pair.rounds} rounds each)`,
      met: pair.poolOverEngine <= PAIR_POOL_OVER_ENGINE_BUDGET,
      missing: [],
    },
    {
      id: 'pair-vs-native',
      target: 'Repeated-size pair ≥ 100× faster than a fresh native block per request (scenario 4, same run)',
      figure: native === undefined ? 'not measured (scenario 4 skipped)' : `${fmt(native / poolPair, 0)}× (${fmt(native, 0)} vs ${fmt(poolPair)} ns/pair)`,
      met: native === undefined ? null : native / poolPair >= 100,
      missing: [],
    },
    {
      id: 'pair-vs-anchor',
      target: 'Repeated-size pair, engine at handle level ÷ the C++ anchor (informative: no target)',
      figure:
        pair.anchor.status !== 'measured'
          ? pair.anchor.status
          : `${fmt(enginePair / pair.anchor.medianNsPerPair, 2)}× (engine ${fmt(enginePair)} vs anchor ${fmt(pair.anchor.medianNsPerPair)} ns/pair; public API ${fmt(poolPair / pair.anchor.medianNsPerPair, 2)}×)`,
      met: null,
      informative: true,
      missing: [],
    },

    {
      id: 'fragmentation',
      target: `Fragmentation: minimum block ≤ ${FRAG_BUDGET} × peak live bytes on both seeds`,
      ...perSeed('fragmentation', seeds, fragSeeds, ({ engine, peakLiveMiB }) => [
        `${fmt(engine.ratio, 3)} (${engine.minPoolMiB} MiB / ${fmt(peakLiveMiB, 2)} MiB)`,
        engine.ratio <= FRAG_BUDGET,
      ]),
    },
    {
      id: 'fragmentation-vs-first-fit',
      target: 'Fragmentation never worse than the naive first-fit baseline',
      ...perSeed('fragmentation', seeds, fragSeeds, ({ engine, firstFit }) => [
        `engine ${engine.minPoolMiB} MiB vs first-fit ${firstFit.minPoolMiB} MiB`,
        engine.minPoolMiB <= firstFit.minPoolMiB,
      ]),
    },
    {
      id: 'fragmentation-vs-anchor',
      target: 'Fragmentation beside the C++ anchor: minimum block ÷ peak live, engine vs anchor (informative: no target)',
      ...perSeed('fragmentation', seeds, fragSeeds, ({ engine, anchor }) =>
        anchor.status !== 'measured'
          ? anchor.status
          : [`engine ${fmt(engine.ratio, 3)} (${engine.minPoolMiB} MiB) vs anchor ${fmt(anchor.ratio, 3)} (${anchor.minPoolMiB} MiB)`, true],
      ),
      met: null,
      informative: true,
    },

    {
      id: 'zero-native-calls',
      target: 'Zero native (backend) calls per acquire/release',
      figure: `${backendCallsPerPair} calls/pair over ${pairs} pairs`,
      met: backendCallsPerPair === 0,
      missing: [],
    },
    {
      id: 'flat-heap',
      target: `Heap flat over 1M handle-level pairs after warm-up (growth ≤ ${HEAP_GROWTH_BUDGET_BYTES / 1024} KiB)`,
      figure: heap.status !== 'measured' ? heap.status : `${heap.engine.heapGrowthBytes} bytes, ${heap.engine.gcEvents} GC events during the loop`,
      met: heap.status !== 'measured' ? null : heap.engine.heapGrowthBytes <= HEAP_GROWTH_BUDGET_BYTES,
      missing: [],
    },

    {
      id: 'recording-off',
      target: `Recording off costs nothing measurable: a pool whose recording was started and stopped ≤ ${RECORDING_OFF_BUDGET} × the same pool never recorded, on each trace (scenario 7, same reps; both pay the one branch, see scenario 7's notes; the 1080p pair is shown, not judged)`,
      ...recordingOff,
      figure: `${recordingOff.figure}; pair, not judged: ${fmt(recordingPair.offOverNeverRecorded, 3)}× (off ${fmt(recordingPair.off.medianNsPerPair)} vs never recorded ${fmt(recordingPair.neverRecorded.medianNsPerPair)} ns/pair)`,
    },
    {
      id: 'recording-on-cost',
      target: 'What recording on costs, ÷ recording off in the same reps or rounds, with the defaults and with stacks: true (informative: no target)',
      figure: `${recordingOn.figure}; pair: on ${fmt(recordingPair.onOverOff, 2)}× off (${fmt(recordingPair.on.medianNsPerPair)} vs ${fmt(recordingPair.off.medianNsPerPair)} ns/pair), stacks ${fmt(recordingPair.stacksOverOff, 1)}× off (${fmt(recordingPair.stacks.medianNsPerPair, 0)} ns/pair)`,
      met: null,
      informative: true,
      missing: recordingOn.missing,
    },

    {
      id: 'shared-uncontended',
      target: `Shared pool, one thread and none attached, ≤ ${SHARED_OVER_PLAIN_BUDGET.toFixed(1)} × the plain pool on each trace and on the 1080p pair (scenario 8, interleaved rep by rep or round by round)`,
      ...sharedTraces,
      figure: `${sharedTraces.figure}; pair: ${fmt(sharedPair.sharedOverPlain, 2)}× (shared ${fmt(sharedPair.shared.medianNsPerPair)} vs plain ${fmt(sharedPair.plain.medianNsPerPair)} ns/pair)`,
      met: sharedTraces.met === null ? null : sharedTraces.met && sharedPair.sharedOverPlain <= SHARED_OVER_PLAIN_BUDGET,
    },
    {
      id: 'shared-contention',
      target: `One shared pool under contention, seed ${contention.seed}'s trace split by channel: one acquire's p50 / p99 (each timed with performance.now(), ${contention.timerNs} ns of timer included) and the total throughput of all threads, main thread alone vs 2 and 4 attached workers (informative: no target)`,
      figure: [
        level('plain, 1 thread', contention.plainOneThread),
        level('shared, 1 thread', contention.sharedOneThread),
        level('2 workers', contention.sharedTwoWorkers),
        level('4 workers', contention.sharedFourWorkers),
      ].join('; '),
      met: null,
      informative: true,
      missing: [],
    },
  ];
}
