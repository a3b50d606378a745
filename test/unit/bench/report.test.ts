// SPDX-License-Identifier: MIT
// The report layer: medians over runs of typed figures, figures as rows, and how targets are
// judged from them (met, not met, not measured when a scenario was skipped or a part could not
// run, and a seed a scenario lacks listed as missing).

import { describe, expect, it } from 'vitest';
import { figureRows } from '../../../bench/report/figure-rows.js';
import { medianOf, mergeRuns } from '../../../bench/report/merge.js';
import type { BenchResults } from '../../../bench/report/results.js';
import { type TargetResult, judgeTargets } from '../../../bench/report/targets.js';
import { type ReplayFigures, notMeasured } from '../../../bench/scenarios/context.js';
import type { FragmentationSeed, MinPoolFigures } from '../../../bench/scenarios/fragmentation.js';
import type { PeersSeed } from '../../../bench/scenarios/peers.js';
import type { RecordingSeed } from '../../../bench/scenarios/recording.js';
import type { ContentionLevel } from '../../../bench/scenarios/shared-contention.js';
import type { SharedSeed } from '../../../bench/scenarios/shared.js';
import type { TraceReplaySeed } from '../../../bench/scenarios/trace-replay.js';
import { TARGET_IDS } from '../../helpers/bench-targets.js';

const SEEDS = [1, 2];
const NO_COMPILER = notMeasured('no C++ compiler found ($CXX, c++ or g++)');

const replay = (medianNsPerOp: number): ReplayFigures => ({ medianNsPerOp, p99NsPerOp: 2 * medianNsPerOp, repMedianNsPerOp: medianNsPerOp, failures: 0 });
const minPool = (minPoolMiB: number, peakLiveMiB = 100): MinPoolFigures => ({ minPoolMiB, ratio: minPoolMiB / peakLiveMiB, bisectedMiB: minPoolMiB, replays: 10 });

function traceReplaySeed(seed: number, poolNs: number, engineNs = 40, handleObjectNs = 42): TraceReplaySeed {
  return {
    seed,
    pool: replay(poolNs),
    engine: replay(engineNs),
    handleObject: replay(handleObjectNs),
    noop: replay(10),
    poolOverEngine: poolNs / engineNs,
    handleObjectOverEngine: handleObjectNs / engineNs,
    anchor: { status: 'measured', ...replay(30), noopMedianNsPerOp: 5, poolOverAnchor: poolNs / 30, engineOverAnchor: engineNs / 30 },
  };
}

function fragmentationSeed(seed: number, engineMiB: number, firstFitMiB: number): FragmentationSeed {
  return {
    seed,
    peakLiveMiB: 100,
    engine: minPool(engineMiB),
    firstFit: minPool(firstFitMiB),
    thing: minPool(120),
    pool: { failuresAtEngineMin: 0 },
    anchor: NO_COMPILER,
  };
}

const peersSeed = (seed: number, poolNs: number, thingNs: number): PeersSeed => ({
  seed,
  pool: replay(poolNs),
  thing: replay(thingNs),
  firstFit: replay(300),
  thingOverPool: thingNs / poolNs,
  firstFitOverPool: 300 / poolNs,
});

function recordingSeed(seed: number, offNs: number, neverNs = 50): RecordingSeed {
  return {
    seed,
    engine: replay(40),
    neverRecorded: replay(neverNs),
    off: replay(offNs),
    on: replay(150),
    offOverNeverRecorded: offNs / neverNs,
    offOverEngine: offNs / 40,
    onOverOff: 150 / offNs,
    withStacks: { ops: 1000, reps: 1, off: replay(50), stacks: replay(4000), stacksOverOff: 80 },
  };
}

const sharedSeed = (seed: number, sharedNs: number, plainNs = 50): SharedSeed => ({
  seed,
  plain: replay(plainNs),
  shared: replay(sharedNs),
  sharedOverPlain: sharedNs / plainNs,
});

const contentionLevel = (threads: number): ContentionLevel => ({
  threads,
  oversubscribed: threads > 2,
  acquiresTimed: 1000,
  p50AcquireNs: 100,
  p99AcquireNs: 1000,
  p999AcquireNs: 5000,
  totalMopsPerS: 10,
  wallMs: 100,
  failures: 0,
});

/** A whole run's results, every target met; tests change the parts they are about. */
function sampleResults(): BenchResults {
  const scenario = { title: 't', status: 'ok', notes: [] } as const;
  const pairFigures = (ns: number) => ({ medianNsPerPair: ns, p99NsPerPair: 2 * ns, rmePercent: 1 });
  return {
    hotPair: {
      ...scenario,
      id: 'hot-pair',
      figures: {
        segmentBytes: 3_110_400,
        liveSegmentsDuringTest: 200,
        rounds: 3,
        pool: pairFigures(30),
        engine: pairFigures(25),
        poolOverEngine: 1.2,
        anchor: NO_COMPILER,
      },
    },
    traceReplay: { ...scenario, id: 'trace-replay', figures: { seeds: SEEDS.map((seed) => traceReplaySeed(seed, 44)) } },
    fragmentation: { ...scenario, id: 'fragmentation', figures: { seeds: SEEDS.map((seed) => fragmentationSeed(seed, 102, 104)) } },
    nativePerRequest: {
      ...scenario,
      id: 'native-per-request',
      figures: {
        blockBytes: 3_110_912,
        pair: { medianNsPerPair: 40_000, p99NsPerPair: 50_000 },
        trace: { seed: 1, prefixOps: 1000, medianNsPerOp: 20_000, p99NsPerOp: 30_000 },
      },
    },
    compat: {
      ...scenario,
      id: 'compat',
      figures: {
        pair: { segment: { medianNsPerPair: 30 }, compat: { medianNsPerPair: 45 }, compatOverSegment: 1.5 },
        trace: { seed: 1, segment: replay(44), compat: replay(60), compatOverSegment: 60 / 44 },
      },
    },
    peers: { ...scenario, id: 'peers', figures: { seeds: SEEDS.map((seed) => peersSeed(seed, 50, 1000)) } },
    recording: {
      ...scenario,
      id: 'recording',
      figures: {
        seeds: SEEDS.map((seed) => recordingSeed(seed, 50)),
        pair: {
          rounds: 3,
          neverRecorded: pairFigures(30),
          off: pairFigures(30),
          on: pairFigures(120),
          stacks: pairFigures(3000),
          offOverNeverRecorded: 1,
          onOverOff: 4,
          stacksOverOff: 100,
        },
      },
    },
    shared: {
      ...scenario,
      id: 'shared',
      figures: {
        seeds: SEEDS.map((seed) => sharedSeed(seed, 75)),
        pair: { rounds: 3, plain: pairFigures(30), shared: pairFigures(45), sharedOverPlain: 1.5 },
        contention: {
          seed: 1,
          ops: 1000,
          reps: 1,
          warmups: 1,
          cores: 2,
          timerNs: 30,
          plainOneThread: contentionLevel(1),
          sharedOneThread: contentionLevel(1),
          sharedTwoWorkers: contentionLevel(2),
          sharedFourWorkers: contentionLevel(4),
        },
      },
    },
    hotPath: {
      ...scenario,
      id: 'hot-path',
      figures: {
        backendKind: 'host',
        pairs: 1000,
        backendCallsPerPair: 0,
        heap: { status: 'measured', engine: { heapGrowthBytes: 100, gcEvents: 0 }, pool: { heapGrowthBytes: 1000, gcEvents: 3 } },
      },
    },
  };
}

const judged = (results: BenchResults, seeds = SEEDS): Record<string, TargetResult> =>
  Object.fromEntries(judgeTargets(results, seeds).map((t) => [t.id, t]));
const verdicts = (results: BenchResults): Record<string, boolean | null> =>
  Object.fromEntries(judgeTargets(results, SEEDS).map((t) => [t.id, t.met]));

describe('medianOf', () => {
  it('takes the median of the numbers at each place of same-shaped trees, and the rest from the first', () => {
    const trees = [
      { ns: 30, kind: 'host', seeds: [{ seed: 1, ns: 5 }], part: { status: 'measured', ns: 9 } },
      { ns: 10, kind: 'js', seeds: [{ seed: 1, ns: 7 }], part: { status: 'not measured: no compiler' } },
      { ns: 20, kind: 'js', seeds: [{ seed: 1, ns: 6 }], part: { status: 'measured', ns: 1 } },
    ];
    // A place some runs lack (a part measured in two runs only) takes the runs that have it.
    expect(medianOf(trees)).toEqual({ ns: 20, kind: 'host', seeds: [{ seed: 1, ns: 6 }], part: { status: 'measured', ns: 1 } });
  });
});

describe('mergeRuns', () => {
  it('merges every scenario by median and says so in its notes', () => {
    const runs = [30, 10, 20].map((ns): BenchResults => {
      const results = sampleResults();
      return { ...results, hotPair: { ...results.hotPair, figures: { ...results.hotPair.figures, pool: { ...results.hotPair.figures.pool, medianNsPerPair: ns } } } };
    });
    const merged = mergeRuns(runs);
    expect(merged.hotPair.figures.pool.medianNsPerPair).toBe(20);
    expect(merged.hotPair.notes).toEqual(['Figures are medians of 3 runs.']);
    expect(merged.traceReplay.figures).toEqual(sampleResults().traceReplay.figures);
    expect(Object.keys(merged)).toEqual(Object.keys(sampleResults()));
  });

  it('passes a single run and a skipped scenario through unchanged', () => {
    const one = sampleResults();
    expect(mergeRuns([one])).toEqual(one);
    const skipped: BenchResults = { ...one, nativePerRequest: { id: 'native-per-request', title: 't', status: 'skipped', notes: ['no addon'] } };
    expect(mergeRuns([skipped, skipped]).nativePerRequest).toEqual(skipped.nativePerRequest);
  });
});

describe('figureRows', () => {
  it('names nested figures by dotted paths and per-seed items by their seed', () => {
    expect(figureRows({ rounds: 3, pool: { ns: 1 }, seeds: [{ seed: 7, pool: { ns: 2 }, ok: true }], list: [4] })).toEqual([
      ['rounds', 3],
      ['pool.ns', 1],
      ['seed7.pool.ns', 2],
      ['seed7.ok', true],
      ['list.0', 4],
    ]);
  });
});

describe('judgeTargets', () => {
  it('judges every target, in the report order, each with its figure and nothing missing', () => {
    const targets = judgeTargets(sampleResults(), SEEDS);
    expect(targets.map((t) => t.id)).toEqual(TARGET_IDS);
    for (const t of targets) {
      expect(t.figure).not.toBe('');
      expect(t.missing).toEqual([]);
      expect(t.met, t.id).toBe(t.informative === true ? null : true);
    }
  });

  it('meets a per-seed target only when every seed passes', () => {
    const results = sampleResults();
    const seeds = [fragmentationSeed(1, 102, 104), fragmentationSeed(2, 108, 108)];
    const v = verdicts({ ...results, fragmentation: { ...results.fragmentation, figures: { seeds } } });
    expect(v['fragmentation']).toBe(false);
    expect(v['fragmentation-vs-first-fit']).toBe(true);
  });

  it('judges the public API against the engine measured in the same run: ≤ 1.10× on traces, ≤ 1.25× on the pair', () => {
    const results = sampleResults();
    const withTrace = (poolNs: number): BenchResults => ({
      ...results,
      traceReplay: { ...results.traceReplay, figures: { seeds: [traceReplaySeed(1, 44), traceReplaySeed(2, poolNs)] } },
    });
    expect(verdicts(withTrace(44))['pool-vs-engine-trace']).toBe(true);
    expect(verdicts(withTrace(45))['pool-vs-engine-trace']).toBe(false);
    expect(judged(withTrace(44))['pool-vs-engine-trace']?.figure).toBe(
      'seed 1: 1.10× (pool 44.0 vs engine 40.0 ns/op); seed 2: 1.10× (pool 44.0 vs engine 40.0 ns/op)',
    );
    const withPair = (poolOverEngine: number): BenchResults => ({ ...results, hotPair: { ...results.hotPair, figures: { ...results.hotPair.figures, poolOverEngine } } });
    expect(verdicts(withPair(1.25))['pool-vs-engine-pair']).toBe(true);
    expect(verdicts(withPair(1.26))['pool-vs-engine-pair']).toBe(false);
    expect(judged(withPair(1.2))['pool-vs-engine-pair']?.figure).toBe('1.20× (pool 30.0 vs engine 25.0 ns/pair, medians of 3 rounds each)');
  });

  it('puts the handle-object floor beside pool ÷ engine, per seed, as an informative row', () => {
    const floor = judged(sampleResults())['handle-object-floor'];
    expect(floor).toMatchObject({ met: null, informative: true });
    expect(floor?.figure).toBe(
      'seed 1: floor 1.05× vs pool 1.10× the engine (handle objects 42.0 vs engine 40.0 ns/op); seed 2: floor 1.05× vs pool 1.10× the engine (handle objects 42.0 vs engine 40.0 ns/op)',
    );
  });

  it('meets recording-off only when off ÷ never recorded is within 1.03× on every trace; the pair is shown, not judged', () => {
    const results = sampleResults();
    const recording = results.recording;
    const withOff = (offNs: number, pairOffOverNever = 1): BenchResults => ({
      ...results,
      recording: {
        ...recording,
        figures: { seeds: [recordingSeed(1, 50), recordingSeed(2, offNs)], pair: { ...recording.figures.pair, offOverNeverRecorded: pairOffOverNever } },
      },
    });
    expect(verdicts(withOff(51.5))['recording-off']).toBe(true);
    expect(verdicts(withOff(52))['recording-off']).toBe(false);
    expect(verdicts(withOff(50, 1.2))['recording-off']).toBe(true);
    expect(judged(withOff(50))['recording-off']?.figure).toBe(
      'seed 1: 1.000× (off 50.0 vs never recorded 50.0 ns/op); seed 2: 1.000× (off 50.0 vs never recorded 50.0 ns/op); pair, not judged: 1.000× (off 30.0 vs never recorded 30.0 ns/pair)',
    );
    expect(judged(results)['recording-on-cost']).toMatchObject({ met: null, informative: true, missing: [] });
  });

  it('meets shared-uncontended only when shared ÷ plain is within 2.0× on every trace and on the pair; contention is informative', () => {
    const results = sampleResults();
    const shared = results.shared;
    const withShared = (sharedNs: number, pairRatio = 1.5): BenchResults => ({
      ...results,
      shared: { ...shared, figures: { ...shared.figures, seeds: [sharedSeed(1, 75), sharedSeed(2, sharedNs)], pair: { ...shared.figures.pair, sharedOverPlain: pairRatio } } },
    });
    expect(verdicts(withShared(100))['shared-uncontended']).toBe(true);
    expect(verdicts(withShared(101))['shared-uncontended']).toBe(false);
    expect(verdicts(withShared(75, 2.01))['shared-uncontended']).toBe(false);
    expect(judged(results)['shared-uncontended']?.figure).toBe(
      'seed 1: 1.50× (shared 75.0 vs plain 50.0 ns/op); seed 2: 1.50× (shared 75.0 vs plain 50.0 ns/op); pair: 1.50× (shared 45.0 vs plain 30.0 ns/pair)',
    );
    const contention = judged(results)['shared-contention'];
    expect(contention).toMatchObject({ met: null, informative: true, missing: [] });
    expect(contention?.figure).toMatch(/4 workers: p50 100 \/ p99 1000 ns an acquire, 10\.00 Mops\/s in all \(oversubscribed: 4 workers on 2 cores\)$/);
  });

  it('judges trace replay against the anchor measured in the same run', () => {
    const results = sampleResults();
    const withPool = (poolNs: number): BenchResults => ({
      ...results,
      traceReplay: { ...results.traceReplay, figures: { seeds: SEEDS.map((seed) => traceReplaySeed(seed, poolNs)) } },
    });
    expect(verdicts(withPool(48))['replay-vs-anchor']).toBe(true);
    expect(verdicts(withPool(49))['replay-vs-anchor']).toBe(false);
    expect(judged(withPool(48))['replay-vs-anchor']?.figure).toContain('1.60× (pool 48.0 vs anchor 30.0 ns/op; no-op replay loop: JS 10.0, C++ 5.0)');
  });

  it('says why a part was not measured, and keeps informative rows out of the verdicts', () => {
    const results = sampleResults();
    const seeds = SEEDS.map((seed) => ({ ...traceReplaySeed(seed, 44), anchor: NO_COMPILER }));
    const pair = results.hotPair.figures;
    const anchorPair = { status: 'measured', medianNsPerPair: 20, p99NsPerPair: 30, pairs: 100, failures: 0, engineOverAnchor: 2, poolOverAnchor: 3 } as const;
    const t = judged({
      ...results,
      traceReplay: { ...results.traceReplay, figures: { seeds } },
      hotPair: {
        ...results.hotPair,
        figures: { ...pair, pool: { ...pair.pool, medianNsPerPair: 60 }, engine: { ...pair.engine, medianNsPerPair: 40 }, anchor: anchorPair },
      },
    });
    expect(t['replay-vs-anchor']?.met).toBeNull();
    expect(t['replay-vs-anchor']?.figure).toContain(`seed 1: ${NO_COMPILER.status}`);
    expect(t['pair-vs-anchor']).toMatchObject({ met: null, informative: true, figure: '2.00× (engine 40.0 vs anchor 20.0 ns/pair; public API 3.00×)' });
    expect(t['fragmentation-vs-anchor']).toMatchObject({ met: null, informative: true, missing: [] });
  });

  it('says not measured for a skipped scenario and for heap checks without --expose-gc', () => {
    const results = sampleResults();
    const t = judged({
      ...results,
      nativePerRequest: { id: 'native-per-request', title: 't', status: 'skipped', notes: ['no addon'] },
      hotPath: { ...results.hotPath, figures: { ...results.hotPath.figures, backendCallsPerPair: 0.001, heap: notMeasured('start node with --expose-gc') } },
    });
    expect(t['pair-vs-native']).toMatchObject({ met: null, missing: [] });
    expect(t['zero-native-calls']?.met).toBe(false);
    expect(t['flat-heap']).toMatchObject({ met: null, figure: 'not measured: start node with --expose-gc', missing: [] });
  });

  it('lists a seed of the run that a per-seed scenario lacks, and does not meet its target', () => {
    const t = judged(sampleResults(), [1, 2, 3]);
    expect(t['pool-vs-engine-trace']).toMatchObject({ met: null, missing: ['trace-replay: seed 3'] });
    expect(t['pool-vs-engine-trace']?.figure).toContain('seed 3: not measured');
    expect(t['replay-vs-thing']?.missing).toEqual(['peers: seed 3']);
    expect(t['fragmentation']?.missing).toEqual(['fragmentation: seed 3']);
    expect(t['pair-budget']?.missing).toEqual([]);
  });
});
