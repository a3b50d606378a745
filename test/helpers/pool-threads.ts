// SPDX-License-Identifier: MIT
// The parent's side of the shared-pool thread tests (test/threads/): starts test/threads/pool-worker.ts
// in a worker thread (through tsx's API: loader hooks from --import do not reach workers on
// Node 20), talks to it by messages, and runs the barrier the workers meet at. The layout of the
// control and range-log buffers both sides use is here.

import { once } from 'node:events';
import { Worker, type TransferListItem } from 'node:worker_threads';

/** Int32 words of the control buffer: workers arrived at the barrier, the barrier's phase, a failure flag. */
export const CONTROL = { arrived: 0, phase: 1, failed: 2, words: 4 } as const;

/** Float64 words per logged range: offset, footprint, writer, serial. */
export const LOG_ENTRY = 4;
/** Logged ranges each worker may hold at a barrier. */
export const LOG_SLOTS = 4096;
/** Float64 words of one worker's region of the range log: the count, then the entries. */
export const LOG_REGION = 1 + LOG_ENTRY * LOG_SLOTS;

/** The byte a segment's pattern fills it with, from who wrote it and its serial. */
export function patternByte(writer: number, serial: number): number {
  return (writer * 37 + serial * 11 + 1) & 0xff;
}

/** A started worker: `ask` sends a task and resolves with its next message. */
export interface PoolWorker {
  readonly worker: Worker;
  ask(task: object, transfer?: readonly TransferListItem[]): Promise<unknown>;
  /** The next message, without sending anything. */
  next(): Promise<unknown>;
  /** Resolves with the exit code. */
  readonly exited: Promise<number>;
}

const script = JSON.stringify(new URL('../threads/pool-worker.ts', import.meta.url).href);
const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));

/**
 * A worker on a shared pool once it is ready: `data` is its workerData (test/threads/pool-worker.ts
 * says what it takes); its first message (the ready answer, with `share` when it created the
 * pool) is `ready`.
 */
export async function startPoolWorker(data: object, transfer: readonly TransferListItem[] = []): Promise<PoolWorker & { readonly ready: unknown }> {
  const worker = new Worker(`import(${api}).then(({ tsImport }) => tsImport(${script}, ${script}))`, {
    eval: true,
    workerData: data,
    transferList: [...transfer],
  });
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  // events.once rejects when the worker emits 'error' first.
  const next = async (): Promise<unknown> => (await once(worker, 'message'))[0];
  const ready = await next();
  if (typeof ready !== 'object' || ready === null || !('ready' in ready)) throw new Error(`the worker said ${JSON.stringify(ready)} before it was ready`);
  return {
    worker,
    next,
    exited,
    ready,
    ask(task, list = []) {
      const answer = next();
      worker.postMessage(task, [...list]);
      return answer;
    },
  };
}

/**
 * The parent's side of the barrier: resolves once `count` workers arrived (without blocking this
 * thread), rejecting when one of them failed (set the failure flag; the message is the failed
 * workers' `answers`) or after `limitMs`.
 */
export async function arrivals(control: Int32Array, count: number, answers: readonly Promise<unknown>[], limitMs = 20_000): Promise<void> {
  const until = performance.now() + limitMs;
  for (;;) {
    if (Atomics.load(control, CONTROL.failed) !== 0) {
      const said = await Promise.all(answers.map((answer) => answer.catch((error: unknown) => ({ error: String(error) }))));
      throw new Error(`a worker failed: ${JSON.stringify(said.filter((one) => typeof one === 'object' && one !== null && 'error' in one))}`);
    }
    const seen = Atomics.load(control, CONTROL.arrived);
    if (seen >= count) return;
    if (performance.now() > until) throw new Error(`only ${seen} of ${count} workers reached the barrier`);
    const wait = Atomics.waitAsync(control, CONTROL.arrived, seen, 200);
    if (wait.async) await wait.value;
  }
}

/** Lets the workers waiting at the barrier go on. */
export function releaseBarrier(control: Int32Array): void {
  Atomics.store(control, CONTROL.arrived, 0);
  Atomics.add(control, CONTROL.phase, 1);
  Atomics.notify(control, CONTROL.phase);
}

/** One logged range. */
export interface LoggedRange {
  readonly offset: number;
  readonly footprint: number;
  readonly writer: number;
  readonly serial: number;
  /** Whose region logged it. */
  readonly worker: number;
}

/** Every range the workers logged, sorted by offset. */
export function loggedRanges(log: Float64Array, workers: number): LoggedRange[] {
  const ranges: LoggedRange[] = [];
  for (let worker = 0; worker < workers; worker++) {
    const at = worker * LOG_REGION;
    const count = log[at]!;
    for (let i = 0; i < count; i++) {
      const entry = at + 1 + i * LOG_ENTRY;
      ranges.push({ offset: log[entry]!, footprint: log[entry + 1]!, writer: log[entry + 2]!, serial: log[entry + 3]!, worker });
    }
  }
  return ranges.sort((a, b) => a.offset - b.offset);
}

/** The first two ranges of `sorted` that overlap, as a sentence; undefined when none do. */
export function firstOverlap(sorted: readonly LoggedRange[]): string | undefined {
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (a.offset + a.footprint > b.offset) return `[${a.offset}, +${a.footprint}) of worker ${a.worker} overlaps [${b.offset}, +${b.footprint}) of worker ${b.worker}`;
  }
  return undefined;
}
