// SPDX-License-Identifier: MIT
// A worker thread on a shared pool, for test/threads/shared-pool.test.ts (test/helpers/pool-threads.ts
// starts it). workerData is { descriptor } (attachPool) or { create } (createPool of those
// options, shared: the ready message carries its share()). One task per message:
//   churn      rounds of random acquire / stamp / release / post-to-another-worker, meeting the
//              others at the barrier after each round with its live ranges logged; answers counts;
//   trace      its channels' share of a media trace, window by window, barrier after each;
//   acquire    acquires `lens`, keeps them, answers their toShared() values;
//   adopt      adopts `values` (releasing each at once with `release`), answers each outcome;
//   release    releases kept segments `indexes` (again, if they were released), answers each outcome;
//   wait       acquireAsync(len, options): answers 'queued', later { served } or { rejected };
//   abort      aborts the pending wait's signal;
//   drains     answers how often this thread's wait queue was offered room so far;
//   hold-lock  takes the pool's lock (coreOf(pool).shared.lock) and, with `corrupt: true`, allocates
//              in the engine without a range record (with 'release': acquires a tagged segment and
//              withdraws its record only), answers 'holding', then spins for ever;
//   loop       answers 'looping', then acquires and releases for ever;
//   try        calls pool[method](...args), answers { ok } or the error;
//   close      pool.close();
//   end        lets the script run out (closes its port); exit: process.exit(0).

import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { attachPool, createPool } from '../../src/index.js';
import type { PoolOptions } from '../../src/pool/options.js';
import { type Pool, coreOf } from '../../src/pool/pool.js';
import type { Segment } from '../../src/pool/segment.js';
import type { SharedPoolDescriptor, SharedSegment } from '../../src/pool/shared-sync.js';
import { XorShift32 } from '../../bench/trace/rng.js';
import { type Held, TraceShare, checkStamp, logRanges, stamp } from '../helpers/pool-thread-work.js';
import { CONTROL } from '../helpers/pool-threads.js';

const data = workerData as { descriptor?: SharedPoolDescriptor; create?: PoolOptions };
const pool: Pool = data.descriptor !== undefined ? attachPool(data.descriptor) : createPool({ ...data.create!, shared: true });
const port = parentPort!;
const kept: Segment[] = [];
let controller: AbortController | undefined;
let drains = 0;
const waiters = coreOf(pool).waiters;
const drain = waiters.drain.bind(waiters);
waiters.drain = () => {
  drains++;
  drain();
};

function failure(error: unknown): { error: { name: string; message: string } } {
  return { error: error instanceof Error ? { name: error.constructor.name, message: error.message } : { name: 'unknown', message: String(error) } };
}

function outcome(action: () => unknown): unknown {
  try {
    return { ok: action() ?? true };
  } catch (error) {
    return failure(error);
  }
}

/** Arrives at the barrier and sleeps until the parent lets the workers go on (30 s at most). */
function arrive(control: Int32Array): void {
  const phase = Atomics.load(control, CONTROL.phase);
  const until = performance.now() + 30_000;
  Atomics.add(control, CONTROL.arrived, 1);
  Atomics.notify(control, CONTROL.arrived);
  while (Atomics.load(control, CONTROL.phase) === phase) {
    if (Atomics.load(control, CONTROL.failed) !== 0) throw new Error('another thread failed');
    if (performance.now() > until) throw new Error('the parent never let the workers go on from the barrier');
    Atomics.wait(control, CONTROL.phase, phase, 200);
  }
}

interface ChurnTask {
  readonly op: 'churn';
  readonly me: number;
  readonly workers: number;
  readonly rounds: number;
  readonly opsPerRound: number;
  readonly maxLen: number;
  readonly control: SharedArrayBuffer;
  readonly log: SharedArrayBuffer;
  /** Messages sent so far, [from * workers + to] (Int32). */
  readonly sent: SharedArrayBuffer;
  /** `sent` as the parent copied it at the last barrier: what a worker receives in the next round. */
  readonly deliverable: SharedArrayBuffer;
  /** outbox[to], inbox[from]: one channel per ordered pair of workers (undefined for itself). */
  readonly outbox: (MessagePort | undefined)[];
  readonly inbox: (MessagePort | undefined)[];
}

/** A posted segment: its toShared() value and who stamped it. */
interface Posted {
  readonly value: SharedSegment;
  readonly writer: number;
  readonly serial: number;
}

function churn(task: ChurnTask) {
  const { me, workers, control: controlBuffer } = task;
  const control = new Int32Array(controlBuffer);
  const log = new Float64Array(task.log);
  const sent = new Int32Array(task.sent);
  const deliverable = new Int32Array(task.deliverable);
  const received = new Array<number>(workers).fill(0);
  const rng = new XorShift32(0x5eed + me);
  const counts = { acquires: 0, failures: 0, releases: 0, posted: 0, adopted: 0 };
  const held: Held[] = [];
  let serial = 0;
  const receive = (): void => {
    for (let from = 0; from < workers; from++) {
      const inbox = task.inbox[from];
      if (inbox === undefined) continue;
      // Only what was posted before the last barrier (it is in the port's queue): a range its
      // sender logged in that round is still live when the parent looks.
      while (received[from]! < Atomics.load(deliverable, from * workers + me)) {
        const message = receiveMessageOnPort(inbox);
        if (message === undefined) throw new Error(`a message from worker ${from} is missing`);
        const posted = message.message as Posted;
        const adopted = { segment: pool.adopt(posted.value), writer: posted.writer, serial: posted.serial };
        checkStamp(adopted, true);
        held.push(adopted);
        received[from]!++;
        counts.adopted++;
      }
    }
  };
  try {
    for (let round = 0; round <= task.rounds; round++) {
      receive();
      const posted: Held[] = [];
      for (let step = 0; round < task.rounds && step < task.opsPerRound; step++) {
        const roll = rng.int(0, 99);
        if (roll < 45 || held.length === 0) {
          const segment = pool.tryAcquire(rng.int(1, task.maxLen));
          if (segment === undefined) {
            counts.failures++;
            continue;
          }
          const fresh = { segment, writer: me, serial: serial++ };
          stamp(fresh, true);
          held.push(fresh);
          counts.acquires++;
        } else {
          const [one] = held.splice(rng.int(0, held.length - 1), 1);
          checkStamp(one!, true);
          if (roll < 80 || workers === 1) {
            one!.segment.release();
            counts.releases++;
          } else {
            let to = rng.int(0, workers - 2);
            if (to >= me) to++;
            task.outbox[to]!.postMessage({ value: one!.segment.toShared(), writer: one!.writer, serial: one!.serial } satisfies Posted);
            Atomics.add(sent, me * workers + to, 1);
            posted.push(one!);
            counts.posted++;
          }
        }
      }
      for (const one of held) checkStamp(one, true);
      // Posted ranges stay live until their receiver adopts them: logged by their sender.
      logRanges(log, me, [...held, ...posted]);
      arrive(control);
    }
    for (const one of held.splice(0)) {
      checkStamp(one, true);
      one.segment.release();
      counts.releases++;
    }
    logRanges(log, me, []);
    arrive(control);
    return counts;
  } catch (error) {
    Atomics.store(control, CONTROL.failed, 1);
    Atomics.notify(control, CONTROL.arrived);
    throw error;
  }
}

interface TraceTask {
  readonly op: 'trace';
  readonly me: number;
  readonly ops: SharedArrayBuffer;
  readonly channels: SharedArrayBuffer;
  readonly mine: readonly number[];
  /** Op indexes where the windows end (the last is nOps). */
  readonly windows: readonly number[];
  readonly control: SharedArrayBuffer;
  readonly log: SharedArrayBuffer;
}

function trace(task: TraceTask) {
  const control = new Int32Array(task.control);
  const log = new Float64Array(task.log);
  const share = new TraceShare(pool, new Uint32Array(task.ops), new Uint8Array(task.channels), task.mine, task.me);
  try {
    let from = 0;
    for (const to of task.windows) {
      share.run(from, to);
      from = to;
      logRanges(log, task.me, share.live.values());
      arrive(control);
    }
    return share.counts;
  } catch (error) {
    Atomics.store(control, CONTROL.failed, 1);
    Atomics.notify(control, CONTROL.arrived);
    throw error;
  }
}

type Task =
  | ChurnTask
  | TraceTask
  | { readonly op: 'acquire'; readonly lens: readonly number[] }
  | { readonly op: 'adopt'; readonly values: readonly unknown[]; readonly release?: boolean }
  | { readonly op: 'release'; readonly indexes: readonly number[] }
  | { readonly op: 'wait'; readonly len: number; readonly priority?: number; readonly timeoutMs?: number; readonly abortable?: boolean }
  | { readonly op: 'abort' | 'drains' | 'loop' | 'close' | 'end' | 'exit' }
  | { readonly op: 'hold-lock'; readonly corrupt: boolean | 'release' }
  | { readonly op: 'try'; readonly method: 'acquire' | 'tryAcquire' | 'stats' | 'validate' | 'snapshot' | 'reset'; readonly args?: readonly unknown[] };

port.on('message', (task: Task) => {
  try {
    handle(task);
  } catch (error) {
    port.postMessage(failure(error));
  }
});

function handle(task: Task): void {
  switch (task.op) {
    case 'churn':
      return port.postMessage(churn(task));
    case 'trace':
      return port.postMessage(trace(task));
    case 'acquire': {
      const values = task.lens.map((len) => {
        const segment = pool.acquire(len);
        kept.push(segment);
        return segment.toShared();
      });
      return port.postMessage(values);
    }
    case 'adopt':
      return port.postMessage(
        task.values.map((value) =>
          outcome(() => {
            const segment = pool.adopt(value as SharedSegment);
            if (task.release === true) segment.release();
            else kept.push(segment);
            return segment.offset;
          }),
        ),
      );
    case 'release':
      return port.postMessage(task.indexes.map((index) => outcome(() => kept[index]!.release())));
    case 'wait': {
      controller = task.abortable === true ? new AbortController() : undefined;
      const options = {
        ...(task.priority === undefined ? {} : { priority: task.priority }),
        ...(task.timeoutMs === undefined ? {} : { timeoutMs: task.timeoutMs }),
        ...(controller === undefined ? {} : { signal: controller.signal }),
      };
      pool.acquireAsync(task.len, options).then(
        (segment) => {
          kept.push(segment);
          port.postMessage({ served: segment.offset, index: kept.length - 1 });
        },
        (error: unknown) => port.postMessage({ rejected: failure(error).error }),
      );
      return port.postMessage('queued');
    }
    case 'abort':
      controller?.abort();
      return port.postMessage('aborted');
    case 'drains':
      return port.postMessage(drains);
    case 'hold-lock': {
      const shared = coreOf(pool).shared!;
      shared.lock.acquire();
      const engine = coreOf(pool).first.engine;
      engine.loadScalars(new Int32Array(shared.buffers.scalars));
      if (task.corrupt === true) {
        // Half an acquire: the engine's range is taken, its scalars saved, but no record committed.
        engine.allocate(8);
        engine.saveScalars(new Int32Array(shared.buffers.scalars));
      } else if (task.corrupt === 'release') {
        // Half a release of a tagged segment: its record withdrawn, nothing else (engine, counters, tag figures) done.
        const segment = pool.acquire(5000, { tag: 'victim' });
        shared.storage.records.generation[segment.toShared().node] = -1;
      }
      port.postMessage('holding');
      for (;;);
    }
    case 'loop': {
      port.postMessage('looping');
      const rng = new XorShift32(1);
      const mine: Segment[] = [];
      for (;;) {
        if (mine.length < 8 && rng.chance(0.6)) {
          const segment = pool.tryAcquire(rng.int(1, 20_000));
          if (segment !== undefined) mine.push(segment);
        } else if (mine.length > 0) {
          mine.splice(rng.int(0, mine.length - 1), 1)[0]!.release();
        }
      }
    }
    case 'try': {
      const method = pool[task.method] as (...args: unknown[]) => unknown;
      return port.postMessage(
        outcome(() => {
          const result = method.apply(pool, [...(task.args ?? [])]);
          return task.method === 'acquire' || task.method === 'tryAcquire' ? (result as Segment | undefined)?.offset : task.method === 'snapshot' ? JSON.parse(JSON.stringify(result)) : result;
        }),
      );
    }
    case 'close':
      pool.close();
      return port.postMessage('closed');
    case 'end':
      port.close();
      return;
    case 'exit':
      process.exit(0);
  }
}

port.postMessage({ ready: true, ...(data.create === undefined ? {} : { share: pool.share() }) });
