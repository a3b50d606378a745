// SPDX-License-Identifier: MIT
// A worker thread around one SharedLock, for test/threads/shared-lock.test.ts (which starts it the
// way test/helpers/pool-threads.ts starts pool-worker.ts: through tsx's API). workerData is
// { lockWorker: true, buffer }: the Int32 words of WORD over a SharedArrayBuffer. One task per
// message, each with the taker's attachment `self`:
//   count  answers 'ready', waits for WORD.go, then runs countUnderLock (`iterations`, `width`, `outside`);
//          answers its figures;
//   hold   takes the lock, answers 'holding', waits for WORD.takerReady, sleeps `holdMs` inside,
//          samples the lock word into WORD.sample, lets go and answers { sample };
//   die    takes the lock and never lets go: 'stay' answers 'holding' and sleeps for ever (to be
//          terminated), 'exit' marks WORD.held and ends its thread with process.exit;
//   take   answers 'taking', then takes the lock with isAliveFor(words, `alive`) and recover
//          counting into WORD.recovered; inside it checks WORD.inside, stays `holdMs`, and answers what it saw.
// Also exports countUnderLock and isAliveFor, which the test's own thread uses too. Every taker's
// isAlive is isAliveFor: a lock that never lets a taker in fails after 15 s rather than hanging.

import { parentPort, workerData } from 'node:worker_threads';
import { SharedLock } from '../../src/pool/shared-lock.js';

/** The lock word's CONTENDED bit (src/pool/shared-lock.ts). */
export const CONTENDED = 1 << 30;

/** Int32 words of the test's buffer. */
export const WORD = {
  lock: 0,
  /** A plain (non-atomic) counter, incremented only under the lock. */
  counter: 1,
  /** The mark of whoever is inside a section (set and cleared by Atomics.exchange). */
  inside: 2,
  violations: 3,
  /** Never written: a word to sleep on. */
  dummy: 4,
  recovered: 5,
  asked: 6,
  askedWhom: 7,
  go: 8,
  takerReady: 9,
  sample: 10,
  held: 11,
  /** Sections entered by 'take' tasks. */
  got: 12,
  /** The mark of the thread whose section came last (countUnderLock). */
  last: 13,
  words: 16,
} as const;

export interface CountFigures {
  readonly iterations: number;
  readonly violations: number;
  /** Sections that saw CONTENDED set in the lock word (a taker was, or had been, sleeping). */
  readonly contended: number;
  /** Sections whose previous section was another thread's (WORD.last named someone else). */
  readonly handoffs: number;
  readonly sink: number;
}

/**
 * `iterations` sections of `lock` over `words`: each reads the plain counter, works `width` steps,
 * writes it back plus one, checking that nobody else is inside and that the lock word names this
 * taker (`self` is its attachment); between sections it works `outside` steps, so that the other
 * threads get their turns (the lock lets a releasing thread take it straight back). Violations go
 * to WORD.violations as well as the answer.
 */
export function countUnderLock(words: Int32Array, lock: SharedLock, self: number, iterations: number, width: number, outside: number): CountFigures {
  const mark = self + 1;
  let violations = 0;
  let contended = 0;
  let handoffs = 0;
  let sink = 0;
  for (let i = 0; i < iterations; i++) {
    lock.acquire();
    if (Atomics.exchange(words, WORD.inside, mark) !== 0) violations++;
    const word = Atomics.load(words, WORD.lock);
    if ((word & ~CONTENDED) !== mark) violations++;
    if ((word & CONTENDED) !== 0) contended++;
    if (Atomics.exchange(words, WORD.last, mark) !== mark) handoffs++;
    // A wide read-modify-write of a plain word: a second thread inside would lose updates.
    const value = words[WORD.counter]!;
    let work = value;
    for (let step = 0; step < width; step++) work = (work * 31 + step) | 0;
    sink ^= work;
    words[WORD.counter] = value + 1;
    if (Atomics.exchange(words, WORD.inside, 0) !== mark) violations++;
    lock.release();
    for (let step = 0; step < outside; step++) work = (work * 31 + step) | 0;
    sink ^= work;
  }
  if (violations > 0) Atomics.add(words, WORD.violations, violations);
  return { iterations, violations, contended, handoffs, sink };
}

/**
 * An isAlive that answers `answer` and counts its calls in WORD.asked, the attachment in
 * WORD.askedWhom; past `limitMs` from now it throws, so that a lock that never lets a taker in
 * fails the test instead of blocking its thread for ever.
 */
export function isAliveFor(words: Int32Array, answer: boolean, limitMs = 15_000): (attachment: number) => boolean {
  const until = performance.now() + limitMs;
  return (attachment) => {
    Atomics.add(words, WORD.asked, 1);
    Atomics.store(words, WORD.askedWhom, attachment);
    if (performance.now() > until) throw new Error(`still waiting for the lock after ${limitMs} ms (held by ${attachment})`);
    return answer;
  };
}

/** Sleeps until words[index] is no longer 0; throws after `limitMs`. */
function awaitFlag(words: Int32Array, index: number, limitMs = 10_000): void {
  const until = performance.now() + limitMs;
  while (Atomics.load(words, index) === 0) {
    if (performance.now() > until) throw new Error(`word ${index} was never set`);
    Atomics.wait(words, index, 0, 100);
  }
}

type Task =
  | { readonly op: 'count'; readonly self: number; readonly iterations: number; readonly width: number; readonly outside: number }
  | { readonly op: 'hold'; readonly self: number; readonly holdMs: number }
  | { readonly op: 'die'; readonly self: number; readonly how: 'stay' | 'exit' }
  | { readonly op: 'take'; readonly self: number; readonly alive: boolean; readonly holdMs: number };

const data = workerData as { lockWorker?: boolean; buffer?: SharedArrayBuffer } | null;
const port = parentPort;

if (port !== null && data?.lockWorker === true) {
  const words = new Int32Array(data.buffer!);
  const never = () => {
    throw new Error('recover() called with no dead holder');
  };
  const handle = (task: Task): void => {
    switch (task.op) {
      case 'count': {
        const lock = new SharedLock(words, WORD.lock, task.self, isAliveFor(words, true), never);
        port.postMessage('ready');
        awaitFlag(words, WORD.go);
        return port.postMessage(countUnderLock(words, lock, task.self, task.iterations, task.width, task.outside));
      }
      case 'hold': {
        const lock = new SharedLock(words, WORD.lock, task.self, isAliveFor(words, true), never);
        lock.acquire();
        port.postMessage('holding');
        awaitFlag(words, WORD.takerReady);
        Atomics.wait(words, WORD.dummy, 0, task.holdMs);
        const sample = Atomics.load(words, WORD.lock);
        Atomics.store(words, WORD.sample, sample);
        lock.release();
        return port.postMessage({ sample });
      }
      case 'die': {
        const lock = new SharedLock(words, WORD.lock, task.self, isAliveFor(words, true), never);
        lock.acquire();
        if (task.how === 'exit') {
          Atomics.store(words, WORD.held, task.self + 1);
          process.exit(0);
        }
        port.postMessage('holding');
        // Short sleeps, so that terminate() finds the thread at once.
        for (;;) Atomics.wait(words, WORD.dummy, 0, 10);
      }
      case 'take': {
        const lock = new SharedLock(words, WORD.lock, task.self, isAliveFor(words, task.alive), () => {
          Atomics.add(words, WORD.recovered, 1);
        });
        port.postMessage('taking');
        const start = performance.now();
        lock.acquire();
        const waitedMs = performance.now() - start;
        let violations = 0;
        if (Atomics.exchange(words, WORD.inside, task.self + 1) !== 0) violations++;
        const word = Atomics.load(words, WORD.lock);
        Atomics.add(words, WORD.got, 1);
        if (task.holdMs > 0) Atomics.wait(words, WORD.dummy, 0, task.holdMs);
        if (Atomics.exchange(words, WORD.inside, 0) !== task.self + 1) violations++;
        lock.release();
        if (violations > 0) Atomics.add(words, WORD.violations, violations);
        return port.postMessage({ waitedMs, word, violations });
      }
    }
  };
  port.on('message', (task: Task) => {
    try {
      handle(task);
    } catch (error) {
      port.postMessage({ error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
  });
  port.postMessage({ ready: true });
}
