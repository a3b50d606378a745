// SPDX-License-Identifier: MIT
// The report layer: medians over runs, quantiles, and how targets are judged from figures
// (met, not met, and not measured when a scenario was skipped).

import { describe, expect, it } from 'vitest';
import { mergeRuns } from '../../../bench/report/merge.js';
import { judgeTargets } from '../../../bench/report/targets.js';
import type { ScenarioResult, SeededTrace } from '../../../bench/scenarios/context.js';
import { quantile } from '../../../bench/timing.js';

const scenario = (id: string, figures: ScenarioResult['figures'], status: ScenarioResult['status'] = 'ok'): ScenarioResult => ({
  id,
  title: id,
  status,
  figures,
  notes: [],
});

describe('quantile', () => {
  it('takes the nearest rank of a sorted copy', () => {
    const values = [5, 1, 4, 2, 3];
    expect(quantile(values, 0.5)).toBe(3);
    expect(quantile(values, 0)).toBe(1);
    expect(quantile(values, 1)).toBe(5);
    expect(quantile(values, 0.99)).toBe(5);
    expect(values).toEqual([5, 1, 4, 2, 3]);
    expect(quantile([], 0.5)).toBeNaN();
  });
});

describe('mergeRuns', () => {
  it('takes the median of numeric figures and keeps texts from the first run', () => {
    const runs = [
      [scenario('a', { ns: 30, kind: 'host' })],
      [scenario('a', { ns: 10, kind: 'js' })],
      [scenario('a', { ns: 20, kind: 'js' })],
    ];
    const [merged] = mergeRuns(runs);
    expect(merged?.figures).toEqual({ ns: 20, kind: 'host' });
    expect(merged?.notes).toEqual(['Figures are medians of 3 runs.']);
  });

  it('passes a single run and skipped scenarios through unchanged', () => {
    const one = [scenario('a', { ns: 1 })];
    expect(mergeRuns([one])).toEqual(one);
    const skipped = scenario('b', {}, 'skipped');
    expect(mergeRuns([[skipped], [skipped]])).toEqual([skipped]);
  });
});

describe('judgeTargets', () => {
  const traces = [{ seed: 1 }, { seed: 2 }] as unknown as SeededTrace[];
  const verdicts = (results: ScenarioResult[]): Record<string, boolean | null> =>
    Object.fromEntries(judgeTargets(results, traces).map((t) => [t.id, t.met]));

  it('meets a target only when every seed passes', () => {
    const results = [
      scenario('fragmentation', {
        'seed1.peakLiveMiB': 100,
        'seed1.engine.ratio': 1.02,
        'seed1.engine.minPoolMiB': 102,
        'seed1.firstFit.minPoolMiB': 104,
        'seed2.peakLiveMiB': 100,
        'seed2.engine.ratio': 1.08,
        'seed2.engine.minPoolMiB': 108,
        'seed2.firstFit.minPoolMiB': 108,
      }),
    ];
    const v = verdicts(results);
    expect(v['fragmentation']).toBe(false);
    expect(v['fragmentation-vs-first-fit']).toBe(true);
  });

  it('says not measured for figures of a skipped scenario', () => {
    const results = [
      scenario('hot-pair', { 'pool.medianNsPerPair': 30, 'engine.medianNsPerPair': 20 }),
      scenario('native-per-request', {}, 'skipped'),
    ];
    const v = verdicts(results);
    expect(v['pair-budget']).toBe(true);
    expect(v['pair-vs-native']).toBeNull();
    expect(v['replay-vs-thing']).toBeNull();
  });

  it('judges trace replay against the anchor measured in the same run', () => {
    const replay = (poolNs: number): ScenarioResult =>
      scenario('trace-replay', {
        'anchor.status': 'measured',
        ...Object.fromEntries(
          [1, 2].flatMap((seed) => [
            [`seed${seed}.pool.medianNsPerOp`, poolNs],
            [`seed${seed}.noop.medianNsPerOp`, 10],
            [`seed${seed}.anchor.medianNsPerOp`, 30],
            [`seed${seed}.anchorNoop.medianNsPerOp`, 5],
          ]),
        ),
      });
    expect(verdicts([replay(48)])['replay-vs-anchor']).toBe(true);
    expect(verdicts([replay(49)])['replay-vs-anchor']).toBe(false);
    const [judged] = judgeTargets([replay(48)], traces);
    expect(judged?.figure).toContain('1.60× (pool 48.0 vs anchor 30.0 ns/op; no-op replay loop: JS 10.0, C++ 5.0)');
  });

  it('says why the anchor was not measured, and keeps informative rows out of the verdicts', () => {
    const reason = 'not measured: no C++ compiler found ($CXX, c++ or g++)';
    const results = [
      scenario('trace-replay', { 'anchor.status': reason, 'seed1.pool.medianNsPerOp': 50, 'seed1.noop.medianNsPerOp': 10 }),
      scenario('hot-pair', { 'anchor.status': 'measured', 'pool.medianNsPerPair': 60, 'engine.medianNsPerPair': 40, 'anchor.medianNsPerPair': 20 }),
    ];
    const judged = Object.fromEntries(judgeTargets(results, traces).map((t) => [t.id, t]));
    expect(judged['replay-vs-anchor']?.met).toBeNull();
    expect(judged['replay-vs-anchor']?.figure).toContain(`seed 1: ${reason}`);
    expect(judged['pair-vs-anchor']).toMatchObject({ met: null, informative: true });
    expect(judged['pair-vs-anchor']?.figure).toBe('2.00× (engine 40.0 vs anchor 20.0 ns/pair; public API 3.00×)');
    expect(judged['fragmentation-vs-anchor']).toMatchObject({ met: null, informative: true });
  });

  it('judges the hot-path checks', () => {
    const results = [scenario('hot-path', { pairs: 1000, backendCallsPerPair: 0.001, 'engine.heapGrowthBytes': 100, 'engine.gcEvents': 0 })];
    const v = verdicts(results);
    expect(v['zero-native-calls']).toBe(false);
    expect(v['flat-heap']).toBe(true);
  });
});
