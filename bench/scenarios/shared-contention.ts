// SPDX-License-Identifier: MIT
// Scenario 8's contention part (issue 15): one shared pool, the media trace split by channel
// between 1 thread (the main thread alone, the baseline), 2 and 4 worker threads attached to it
// (channel c goes to worker c mod N; each worker replays its channels' ops, so it releases only
// segments it acquired), every acquire timed on its own, and each rep's wall time from the first
// worker's start to the last one's end. The plain pool runs the same timed loop on the main
// thread beside them, for what the loop and the timer cost without a lock.
//
// Timing. Each tryAcquire is bracketed by performance.now() (sub-microsecond in Node: a double of
// milliseconds from the monotonic clock, not coarsened as in browsers); the call pair costs tens
// of ns itself, measured as `timerNs` and included in every latency. Rep start and end are
// process.hrtime.bigint(), the one monotonic clock every thread of the process reads. Reps are
// started together: the main thread bumps a shared word the workers sleep on (Atomics.wait) and
// waits (Atomics.waitAsync) until each has counted itself done; the pool is empty between reps.

import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { OP_ALLOC } from '../../src/trace/format.js';
import { quantile } from '../../src/trace/timing.js';
import { type Pool, type Segment, type SharedPoolDescriptor, createPool } from '../../src/index.js';
import { MEDIA_CHANNELS, type MediaTrace } from '../trace/generate.js';
import { type BenchConfig, round } from './context.js';

/** Words of the control buffer. */
export const CONTROL = { go: 0, done: 1 } as const;

/** One thread's part of the trace: the ops of its channels, in trace order. */
export interface ChannelShare {
  readonly ops: Uint32Array;
  readonly nOps: number;
  readonly allocs: number;
  readonly nIds: number;
}

/** What a contention worker is told at its start. */
export interface ContentionWorkerData {
  readonly descriptor: SharedPoolDescriptor;
  readonly control: SharedArrayBuffer;
  /** Float64 [worker][warm-up or rep][start, end] in hrtime ns: warm-ups first, then the timed reps. */
  readonly times: SharedArrayBuffer;
  readonly index: number;
  readonly maxReps: number;
}

/** One phase for a worker: its share, and the reps to run (the first `warmups` untimed). */
export interface ContentionPhase {
  readonly share: ChannelShare;
  readonly warmups: number;
  readonly reps: number;
  /** The go word before the phase: rep j starts when it reaches goFrom + j + 1. */
  readonly goFrom: number;
}

/** What a worker answers at the end of a phase. */
export interface PhaseAnswer {
  /** One ms figure per timed acquire, rep after rep. */
  readonly latencies: Float64Array;
  readonly failures: number;
}

/** Figures of one thread count. */
export interface ContentionLevel {
  readonly threads: number;
  /** More threads replaying than the machine has cores. */
  readonly oversubscribed: boolean;
  readonly acquiresTimed: number;
  readonly p50AcquireNs: number;
  readonly p99AcquireNs: number;
  readonly p999AcquireNs: number;
  /** The whole trace's ops (every thread's) ÷ the rep's wall time; median of the reps. */
  readonly totalMopsPerS: number;
  readonly wallMs: number;
  readonly failures: number;
}

export interface ContentionFigures {
  readonly seed: number;
  readonly ops: number;
  readonly reps: number;
  readonly warmups: number;
  readonly cores: number;
  /** performance.now() twice with nothing between, median ns: included in every acquire figure. */
  readonly timerNs: number;
  /** The plain pool, the same timed loop, the main thread alone. */
  readonly plainOneThread: ContentionLevel;
  readonly sharedOneThread: ContentionLevel;
  readonly sharedTwoWorkers: ContentionLevel;
  readonly sharedFourWorkers: ContentionLevel;
}

/** The ops of `trace` whose channel goes to thread `thread` of `threads` (channel c to c mod threads). */
export function channelShare(trace: MediaTrace, thread: number, threads: number): ChannelShare {
  const picked = new Uint32Array(trace.nOps * 3);
  let nOps = 0;
  let allocs = 0;
  for (let i = 0; i < trace.nOps; i++) {
    if ((trace.channels[i] as number) % threads !== thread) continue;
    picked.set(trace.ops.subarray(i * 3, i * 3 + 3), nOps * 3);
    if (trace.ops[i * 3] === OP_ALLOC) allocs++;
    nOps++;
  }
  return { ops: picked.slice(0, nOps * 3), nOps, allocs, nIds: trace.nIds };
}

/**
 * Replays `share` into `pool`, timing each tryAcquire with performance.now(): ms figures into
 * `latencies` from `at` on. `table` holds the live segments by trace id (empty again at the end,
 * since a channel frees everything it allocates). Returns the failed acquires.
 */
export function replayTimed(pool: Pool, share: ChannelShare, table: (Segment | undefined)[], latencies: Float64Array, at: number): number {
  const { ops, nOps } = share;
  let failures = 0;
  let next = at;
  for (let k = 0; k < nOps * 3; k += 3) {
    const id = ops[k + 1] as number;
    if (ops[k] !== OP_ALLOC) {
      const held = table[id];
      if (held !== undefined) pool.release(held);
      table[id] = undefined;
      continue;
    }
    const t0 = performance.now();
    const segment = pool.tryAcquire(ops[k + 2] as number);
    latencies[next++] = performance.now() - t0;
    if (segment === undefined) failures++;
    table[id] = segment;
  }
  return failures;
}

/** Median ns of two back-to-back performance.now() calls. */
function timerFloorNs(): number {
  const samples = new Float64Array(100_000);
  for (let i = 0; i < samples.length; i++) {
    const t0 = performance.now();
    samples[i] = performance.now() - t0;
  }
  return quantile(samples, 0.5) * 1e6;
}

/** Figures of one level from its latencies (ms), rep walls (ns) and failures. */
function levelFigures(threads: number, cores: number, latencies: readonly Float64Array[], walls: readonly number[], nOps: number, failures: number): ContentionLevel {
  const all = new Float64Array(latencies.reduce((n, l) => n + l.length, 0));
  let at = 0;
  for (const l of latencies) {
    all.set(l, at);
    at += l.length;
  }
  const wallNs = quantile(walls, 0.5);
  return {
    threads,
    oversubscribed: threads > cores,
    acquiresTimed: all.length,
    p50AcquireNs: round(quantile(all, 0.5) * 1e6, 1),
    p99AcquireNs: round(quantile(all, 0.99) * 1e6, 1),
    p999AcquireNs: round(quantile(all, 0.999) * 1e6, 1),
    totalMopsPerS: round((nOps / wallNs) * 1e3, 3),
    wallMs: round(wallNs / 1e6, 1),
    failures,
  };
}

/** The timed loop on this thread alone: warm-ups, then `reps` timed reps. */
function mainThreadLevel(pool: Pool, trace: MediaTrace, reps: number, warmups: number, cores: number, threads: number): ContentionLevel {
  const share = channelShare(trace, 0, 1);
  const table: (Segment | undefined)[] = new Array<Segment | undefined>(share.nIds).fill(undefined);
  const latencies = new Float64Array(share.allocs * reps);
  const scratch = new Float64Array(share.allocs);
  const walls: number[] = [];
  let failures = 0;
  for (let rep = -warmups; rep < reps; rep++) {
    const t0 = process.hrtime.bigint();
    const failed = rep < 0 ? replayTimed(pool, share, table, scratch, 0) : replayTimed(pool, share, table, latencies, rep * share.allocs);
    const t1 = process.hrtime.bigint();
    if (rep < 0) continue;
    failures += failed;
    walls.push(Number(t1 - t0));
  }
  return levelFigures(threads, cores, [latencies], walls, trace.nOps, failures);
}

const workerScript = JSON.stringify(new URL('./shared-worker.ts', import.meta.url).href);
const tsxApi = JSON.stringify(import.meta.resolve('tsx/esm/api'));

/** A started contention worker, attached to the pool. */
interface ContentionWorker {
  readonly worker: Worker;
  /** Rejects when the worker fails or exits early. */
  readonly failed: Promise<never>;
}

async function startWorkers(count: number, data: Omit<ContentionWorkerData, 'index'>): Promise<ContentionWorker[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      // Loader hooks from --import do not reach workers on Node 20: the worker loads its script through tsx's API.
      const worker = new Worker(`import(${tsxApi}).then(({ tsImport }) => tsImport(${workerScript}, ${workerScript}))`, {
        eval: true,
        workerData: { ...data, index } satisfies ContentionWorkerData,
      });
      const failed = new Promise<never>((_, reject) => {
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`contention worker ${index} exited (code ${code}) before its work was done`)));
      });
      failed.catch(() => undefined);
      const [ready] = (await Promise.race([once(worker, 'message'), failed])) as [unknown];
      if (ready !== 'ready') throw new Error(`contention worker ${index} said ${String(ready)} before it was ready`);
      return { worker, failed };
    }),
  );
}

/** Gives up after this long on a phase: a hang is a bug to report, not a figure. */
const PHASE_TIMEOUT_MS = 300_000;

/** The started workers and the shared words they are driven by. */
interface WorkerSet {
  readonly workers: readonly ContentionWorker[];
  readonly control: Int32Array;
  readonly times: Float64Array;
  readonly maxReps: number;
}

/** The first `threads` workers of `set` replay their channel shares of `trace` together, rep after rep. */
async function workersLevel(set: WorkerSet, threads: number, trace: MediaTrace, reps: number, warmups: number, cores: number): Promise<ContentionLevel> {
  const { workers, control, times, maxReps } = set;
  const used = workers.slice(0, threads);
  const goFrom = Atomics.load(control, CONTROL.go);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`contention with ${threads} workers still running after ${PHASE_TIMEOUT_MS / 1000} s (a hang)`)), PHASE_TIMEOUT_MS);
  });
  const guard = <T>(p: Promise<T>): Promise<T> => Promise.race([p, timeout, ...used.map((w) => w.failed)]);
  try {
    const answers = used.map(({ worker }, index) => {
      const phase: ContentionPhase = { share: channelShare(trace, index, threads), warmups, reps, goFrom };
      const answer = once(worker, 'message').then(([a]) => a as PhaseAnswer);
      answer.catch(() => undefined); // awaited after the reps, through guard: a failure is not unhandled meanwhile
      worker.postMessage(phase);
      return answer;
    });
    const walls: number[] = [];
    for (let rep = -warmups; rep < reps; rep++) {
      Atomics.store(control, CONTROL.done, 0);
      Atomics.add(control, CONTROL.go, 1);
      Atomics.notify(control, CONTROL.go);
      for (let done = Atomics.load(control, CONTROL.done); done < threads; done = Atomics.load(control, CONTROL.done)) {
        const wait = Atomics.waitAsync(control, CONTROL.done, done);
        if (wait.async) await guard(wait.value);
      }
      if (rep < 0) continue;
      let start = Number.POSITIVE_INFINITY;
      let end = 0;
      for (let w = 0; w < threads; w++) {
        const at = (w * maxReps + warmups + rep) * 2;
        start = Math.min(start, times[at] as number);
        end = Math.max(end, times[at + 1] as number);
      }
      walls.push(end - start);
    }
    const answered = await guard(Promise.all(answers));
    const failures = answered.reduce((n, a) => n + a.failures, 0);
    return levelFigures(threads, cores, answered.map((a) => a.latencies), walls, trace.nOps, failures);
  } finally {
    clearTimeout(timer);
  }
}

/** The contention figures on `trace`: plain and shared on the main thread, then 2 and 4 workers. */
export async function runContention(config: BenchConfig, seed: number, trace: MediaTrace, cores: number): Promise<ContentionFigures> {
  const reps = config.slowReps;
  const { warmups } = config;
  const plain = createPool({ size: config.capacityBytes, backend: config.backend });
  let plainOneThread: ContentionLevel;
  try {
    plainOneThread = mainThreadLevel(plain, trace, reps, warmups, cores, 1);
  } finally {
    plain.close();
  }
  const pool = createPool({ size: config.capacityBytes, shared: true, backend: config.backend });
  const maxReps = warmups + reps;
  const control = new SharedArrayBuffer(8);
  const times = new SharedArrayBuffer(4 * maxReps * 2 * 8);
  let workers: ContentionWorker[] = [];
  try {
    const sharedOneThread = mainThreadLevel(pool, trace, reps, warmups, cores, 1);
    // Four workers, started and attached once: the two-worker level leaves two of them asleep.
    workers = await startWorkers(4, { descriptor: pool.share(), control, times, maxReps });
    const set: WorkerSet = { workers, control: new Int32Array(control), times: new Float64Array(times), maxReps };
    const level = (threads: number): Promise<ContentionLevel> => workersLevel(set, threads, trace, reps, warmups, cores);
    const sharedTwoWorkers = await level(2);
    const sharedFourWorkers = await level(4);
    const { liveSegments } = pool.stats();
    if (liveSegments !== 0) throw new Error(`the shared pool holds ${liveSegments} segments after every thread replayed its channels to the end`);
    pool.validate();
    return { seed, ops: trace.nOps, reps, warmups, cores, timerNs: round(timerFloorNs(), 1), plainOneThread, sharedOneThread, sharedTwoWorkers, sharedFourWorkers };
  } finally {
    await Promise.all(workers.map(({ worker }) => worker.terminate()));
    pool.close();
  }
}

/** Channels of the media trace, for the notes. */
export const CHANNEL_COUNT = MEDIA_CHANNELS.length;
