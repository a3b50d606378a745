// SPDX-License-Identifier: MIT
// The only file that imports Benchmark.js (unmaintained since 2017; STYLE.md §2.8): swapping the
// micro-benchmark harness for tinybench or `vitest bench` touches this file alone. microBench()
// runs `fn` synchronously until Benchmark.js is statistically satisfied; `fn` performs
// `opsPerCall` operations so per-call overhead is amortised, and figures are ns per operation.
// microBenchRounds() alternates several contenders round by round, so that a noisy stretch of
// the shared machine hits each alike and their ratio compares figures of the same run.

import Benchmark from 'benchmark';
import { quantile } from '../src/trace/timing.js';

// Call `fn` by reference: Benchmark.js otherwise recompiles its source text, which breaks
// closures over module state (every benchmark here is such a closure).
Benchmark.support.decompilation = false;

export interface MicroOptions {
  /** Operations performed by one call of `fn`. */
  readonly opsPerCall: number;
  /** Seconds Benchmark.js may spend sampling (it stops earlier once the error is small). */
  readonly maxTimeS: number;
  /** Minimum samples (each sample is many calls). */
  readonly minSamples?: number;
}

export interface MicroResult {
  /** Median over Benchmark.js samples, ns per operation. */
  readonly medianNs: number;
  /** 99th percentile over samples, ns per operation. */
  readonly p99Ns: number;
  readonly meanNs: number;
  /** Relative margin of error of the mean, percent. */
  readonly rmePercent: number;
  readonly samples: number;
  readonly opsPerCall: number;
}

/** Measures `fn` with Benchmark.js; throws what `fn` threw. */
export function microBench(name: string, fn: () => void, options: MicroOptions): MicroResult {
  const bench = new Benchmark(name, fn, {
    maxTime: options.maxTimeS,
    minSamples: options.minSamples ?? 5,
    async: false,
  });
  bench.run({ async: false });
  const failure: unknown = (bench as unknown as { error?: unknown }).error;
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error(String(failure));
  const perOp = (seconds: number): number => (seconds * 1e9) / options.opsPerCall;
  const sample = bench.stats.sample.map(perOp);
  return {
    medianNs: quantile(sample, 0.5),
    p99Ns: quantile(sample, 0.99),
    meanNs: perOp(bench.stats.mean),
    rmePercent: bench.stats.rme,
    samples: sample.length,
    opsPerCall: options.opsPerCall,
  };
}

/** One contender of {@link microBenchRounds}. */
export interface MicroContender {
  readonly name: string;
  readonly fn: () => void;
}

export interface RoundsResult extends MicroResult {
  /** Rounds measured; medianNs, p99Ns, meanNs and rmePercent are medians of the rounds' figures. */
  readonly rounds: number;
}

/**
 * Measures each contender `rounds` times, alternating: round 1 of every contender, then round 2,
 * and so on, each round a {@link microBench} with `options`. Every other round runs the
 * contenders in reverse order, so no contender always runs right after the same one. Results
 * are in `contenders` order.
 */
export function microBenchRounds(contenders: readonly MicroContender[], rounds: number, options: MicroOptions): RoundsResult[] {
  const measured = contenders.map((): MicroResult[] => []);
  for (let round = 0; round < rounds; round++) {
    const order = contenders.map((_, c) => c);
    if (round % 2 === 1) order.reverse();
    for (const c of order) {
      const { name, fn } = contenders[c] as MicroContender;
      (measured[c] as MicroResult[]).push(microBench(name, fn, options));
    }
  }
  return measured.map((results) => {
    const median = (figure: (r: MicroResult) => number): number => quantile(results.map(figure), 0.5);
    return {
      medianNs: median((r) => r.medianNs),
      p99Ns: median((r) => r.p99Ns),
      meanNs: median((r) => r.meanNs),
      rmePercent: median((r) => r.rmePercent),
      samples: results.reduce((sum, r) => sum + r.samples, 0),
      opsPerCall: options.opsPerCall,
      rounds,
    };
  });
}
