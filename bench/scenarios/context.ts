// SPDX-License-Identifier: MIT
// What every scenario receives (run size, the traces, the pool backend kind) and the shape of what
// it returns: its own typed figures (an interface in the scenario's file) plus notes, and the
// "not measured: reason" status of a part that cannot run on this machine. Scenarios never print
// or write files; main.ts does, and judges the targets from the figures of one run.

import type { BackendKind } from '../../src/backends/backend.js';
import { selectBackend } from '../../src/backends/select.js';
import { BackendUnavailableError } from '../../src/errors.js';
import type { Trace } from '../../src/trace/format.js';
import { type MediaTrace, generateMediaTrace } from '../trace/generate.js';
import { MIB } from '../../src/format.js';
import { type TraceStats, traceStats } from '../../src/trace/stats.js';
import type { ReplayTimingResult } from '../../src/trace/timing.js';

/** How big a run is. `quick` is the CI variant (< 1 minute on 2 cores). */
export interface BenchConfig {
  readonly quick: boolean;
  /** Times the whole scenario list runs; figures are medians over the runs. */
  readonly runs: number;
  readonly seeds: readonly number[];
  /** Allocations per generated trace (ops = 2 ×). */
  readonly allocs: number;
  /** Block size for the throughput replays and the hot pair. */
  readonly capacityBytes: number;
  /** Timed reps (and untimed warm-ups) of each fast replay; slow peers use `slowReps`. */
  readonly reps: number;
  readonly warmups: number;
  readonly slowReps: number;
  readonly opsPerBatch: number;
  /** Benchmark.js time budget per micro-benchmark, seconds. */
  readonly microMaxTimeS: number;
  /** Interleaved rounds of the hot pair; each contender gets microMaxTimeS / pairRounds a round. */
  readonly pairRounds: number;
  /** Pairs in the hot-path checks (native-call count, flat heap). */
  readonly checkPairs: number;
  /** Ops of the trace prefix replayed through a fresh native block per request (scenario 4). */
  readonly nativeTraceOps: number;
  /** Ops of the trace prefix replayed with a recording that keeps stacks (scenario 7; µs per acquire). */
  readonly stacksTraceOps: number;
  /** Backend kind of the pools under test: always named, never `auto` (see {@link benchBackend}). */
  readonly backend: BackendKind;
  /** Why the pools are not on `host`, when they are not; main.ts prints it. */
  readonly backendNote?: string;
}

/** A run's size: everything but the backend, which {@link benchConfig} picks on this machine. */
export type BenchSize = Omit<BenchConfig, 'backend' | 'backendNote'>;

export const FULL_CONFIG: BenchSize = {
  quick: false,
  runs: 3,
  seeds: [12345, 777],
  allocs: 500_000,
  capacityBytes: 256 * MIB,
  reps: 9,
  warmups: 2,
  slowReps: 3,
  opsPerBatch: 10_000,
  microMaxTimeS: 3,
  pairRounds: 6,
  checkPairs: 1_000_000,
  nativeTraceOps: 50_000,
  stacksTraceOps: 50_000,
};

export const QUICK_CONFIG: BenchSize = {
  ...FULL_CONFIG,
  quick: true,
  runs: 1,
  allocs: 25_000,
  reps: 3,
  warmups: 1,
  slowReps: 1,
  opsPerBatch: 5_000,
  microMaxTimeS: 0.3,
  pairRounds: 3,
  nativeTraceOps: 10_000,
  stacksTraceOps: 10_000,
};

/**
 * The backend of the pools under test, named so that every machine's figures say what they are:
 * `host` (native memory, the figures in docs/benchmarks.md) when the addon loads, else `js`
 * asked for by name, with a note saying why. Not `auto`: it would be `acl` on an Ascend machine,
 * and without the addon it throws (it never takes `js`). $DVPP_POOL_BACKEND is not read.
 */
export function benchBackend(): Pick<BenchConfig, 'backend' | 'backendNote'> {
  try {
    selectBackend('host');
    return { backend: 'host' };
  } catch (error) {
    if (!(error instanceof BackendUnavailableError)) throw error;
    return {
      backend: 'js',
      backendNote: `the pools run on the js backend (an ArrayBuffer, asked for by name) because the host backend is unavailable: ${error.reason}`,
    };
  }
}

/** The configuration of a run of `size` on this machine. */
export function benchConfig(size: BenchSize): BenchConfig {
  return { ...size, ...benchBackend() };
}

/** One generated trace and what it asks of an allocator. */
export interface SeededTrace {
  readonly seed: number;
  /** With the channel of each op, for the scenarios that split it between threads. */
  readonly trace: MediaTrace;
  readonly stats: TraceStats;
}

/** Generates the media trace of every seed of the run. */
export function buildTraces(config: BenchConfig): SeededTrace[] {
  return config.seeds.map((seed) => {
    const trace = generateMediaTrace({ seed, allocs: config.allocs });
    return { seed, trace, stats: traceStats(trace) };
  });
}

/** The first `ops` ops of `trace` (all of it when shorter); ids may be live at its end, which timeReplays frees untimed. */
export function tracePrefix(trace: Trace, ops: number): Trace {
  const nOps = Math.min(trace.nOps, ops);
  return { nOps, nIds: trace.nIds, ops: trace.ops.subarray(0, nOps * 3) };
}

/** A scenario that ran: its figures, typed by the scenario, and notes for the report. */
export interface Measured<Id extends string, Figures> {
  readonly id: Id;
  readonly title: string;
  readonly status: 'ok';
  readonly figures: Figures;
  readonly notes: readonly string[];
}

/** A scenario whose contender cannot run on this machine; `notes` says why. */
export interface Skipped<Id extends string> {
  readonly id: Id;
  readonly title: string;
  readonly status: 'skipped';
  readonly notes: readonly string[];
}

/** Any scenario's result, as the report layer sees it. */
export type ScenarioResult = Measured<string, unknown> | Skipped<string>;

/** A part of a scenario that was not measured on this machine (no C++ compiler, no --expose-gc). */
export interface NotMeasured {
  readonly status: `not measured: ${string}`;
}

/** A part of a scenario's figures that may be absent, with the reason in its status. */
export type MaybeMeasured<Figures> = ({ readonly status: 'measured' } & Figures) | NotMeasured;

export function notMeasured(reason: string): NotMeasured {
  return { status: `not measured: ${reason}` };
}

/** Figures of one trace replay contender. */
export interface ReplayFigures {
  readonly medianNsPerOp: number;
  readonly p99NsPerOp: number;
  readonly repMedianNsPerOp: number;
  readonly failures: number;
}

/** The figures of one contender's timed replays. */
export function replayFigures({ timing, counts }: ReplayTimingResult): ReplayFigures {
  return {
    medianNsPerOp: round(timing.medianNs),
    p99NsPerOp: round(timing.p99Ns),
    repMedianNsPerOp: round(timing.repMedianNs),
    failures: counts.failures,
  };
}

/** Rounds for reports: 3 significant decimals are plenty on a noisy machine. */
export function round(value: number, digits = 2): number {
  const k = 10 ** digits;
  return Math.round(value * k) / k;
}
