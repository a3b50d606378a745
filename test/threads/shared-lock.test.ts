// SPDX-License-Identifier: MIT
// SharedLock (src/pool/shared-lock.ts) by itself, on one Int32 word of a SharedArrayBuffer: the
// word's values in one thread (free, the holder's mark, re-entrant takes only counting, run()
// letting go on a throw, notify only when CONTENDED was set); mutual exclusion of a wide plain
// read-modify-write among 2 and 4 worker threads and this one; a taker that blocks behind a
// holder, marks the word CONTENDED while it sleeps and gets it on release; and a holder whose
// thread died inside its section (terminated, or exited): taken over after STALE_HOLDER_MS with
// one recover() when isAlive says it is gone, never taken over while isAlive says it runs. The
// workers are test/threads/shared-lock-worker.ts, started through tsx's API as
// test/helpers/pool-threads.ts starts pool-worker.ts.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { Worker } from 'node:worker_threads';
import { SharedLock } from '../../src/pool/shared-lock.js';
import { CONTENDED, type CountFigures, WORD, countUnderLock, isAliveFor } from './shared-lock-worker.js';

/** src/pool/shared-lock.ts's STALE_HOLDER_MS. */
const STALE_HOLDER_MS = 50;

const script = JSON.stringify(new URL('./shared-lock-worker.ts', import.meta.url).href);
const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));

interface LockWorker {
  readonly worker: Worker;
  /** The next message (buffered: none is lost while this thread is blocked in a lock). */
  next(): Promise<unknown>;
  ask(task: object): Promise<unknown>;
  readonly exited: Promise<number>;
}

const started: Worker[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((worker) => worker.terminate()));
});

async function startLockWorker(buffer: SharedArrayBuffer): Promise<LockWorker> {
  const worker = new Worker(`import(${api}).then(({ tsImport }) => tsImport(${script}, ${script}))`, {
    eval: true,
    workerData: { lockWorker: true, buffer },
  });
  started.push(worker);
  const queue: unknown[] = [];
  const waiting: { resolve(message: unknown): void; reject(error: unknown): void }[] = [];
  let failed: unknown;
  const fail = (error: unknown) => {
    failed ??= error;
    for (const one of waiting.splice(0)) one.reject(failed);
  };
  worker.on('message', (message: unknown) => {
    const one = waiting.shift();
    if (one === undefined) queue.push(message);
    else one.resolve(message);
  });
  worker.on('error', fail);
  const exited = new Promise<number>((resolve) =>
    worker.once('exit', (code) => {
      fail(new Error(`the worker exited (${code}) before it answered`));
      resolve(code);
    }),
  );
  const next = async (): Promise<unknown> => {
    const message =
      queue.length > 0
        ? queue.shift()
        : await new Promise<unknown>((resolve, reject) => {
            if (failed !== undefined) reject(failed);
            else waiting.push({ resolve, reject });
          });
    if (typeof message === 'object' && message !== null && 'error' in message) throw new Error(`the worker failed: ${String(message.error)}`);
    return message;
  };
  const ready = await next();
  expect(ready).toEqual({ ready: true });
  return {
    worker,
    next,
    exited,
    ask(task) {
      const answer = next();
      worker.postMessage(task);
      return answer;
    },
  };
}

function lockWords(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(WORD.words * 4));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`, or a rejection after `ms` (a worker stuck in a broken lock fails the test, terminated after it). */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** An isAlive for this thread's takers: records whom it was asked about, answers `answer`, throws past `limitMs`. */
function recordingIsAlive(answer: boolean, asked: number[], limitMs = 15_000): (attachment: number) => boolean {
  const until = performance.now() + limitMs;
  return (attachment) => {
    asked.push(attachment);
    if (performance.now() > until) throw new Error(`still waiting for the lock after ${limitMs} ms (held by ${attachment})`);
    return answer;
  };
}

const unused = () => {
  throw new Error('not expected to be called');
};

describe('SharedLock in one thread', () => {
  it('acquire/release: the bare mark while held, 0 after', () => {
    const words = lockWords();
    const lock = new SharedLock(words, WORD.lock, 6, unused, unused);
    lock.acquire();
    expect(words[WORD.lock]).toBe(7);
    lock.release();
    expect(words[WORD.lock]).toBe(0);
    // Again, and at another index of the array: only that word is touched.
    const other = new SharedLock(words, 9, 0, unused, unused);
    other.acquire();
    expect(words[9]).toBe(1);
    expect(words[WORD.lock]).toBe(0);
    other.release();
    expect(Array.from(words)).toEqual(new Array<number>(WORD.words).fill(0));
  });

  it('re-entrant: inner takes only count, the word is held until the outer release', () => {
    const words = lockWords();
    const lock = new SharedLock(words, WORD.lock, 2, unused, unused);
    lock.acquire();
    lock.acquire();
    lock.acquire();
    expect(words[WORD.lock]).toBe(3);
    lock.release();
    expect(words[WORD.lock]).toBe(3);
    lock.release();
    expect(words[WORD.lock]).toBe(3);
    lock.release();
    expect(words[WORD.lock]).toBe(0);
    // Re-entrant also while CONTENDED is set (a taker of another thread marked the word).
    lock.acquire();
    Atomics.or(words, WORD.lock, CONTENDED);
    lock.acquire();
    expect(words[WORD.lock]).toBe(3 | CONTENDED);
    lock.release();
    expect(words[WORD.lock]).toBe(3 | CONTENDED);
    lock.release();
    expect(words[WORD.lock]).toBe(0);
  });

  it('run(): holds the lock around the section, returns its value, lets go when it throws', () => {
    const words = lockWords();
    const lock = new SharedLock(words, WORD.lock, 0, unused, unused);
    expect(lock.run(() => words[WORD.lock])).toBe(1);
    expect(words[WORD.lock]).toBe(0);
    expect(() =>
      lock.run(() => {
        throw new Error('inside');
      }),
    ).toThrow('inside');
    expect(words[WORD.lock]).toBe(0);
    // Nested: the inner throw lets go of the inner take only.
    lock.run(() => {
      expect(() =>
        lock.run(() => {
          throw new Error('inner');
        }),
      ).toThrow('inner');
      expect(words[WORD.lock]).toBe(1);
    });
    expect(words[WORD.lock]).toBe(0);
    // Still usable: a plain take after all that.
    lock.acquire();
    expect(words[WORD.lock]).toBe(1);
    lock.release();
    expect(words[WORD.lock]).toBe(0);
  });

  it('release notifies once when CONTENDED was set, never for the bare mark', () => {
    const words = lockWords();
    const lock = new SharedLock(words, WORD.lock, 4, unused, unused);
    const notify = vi.spyOn(Atomics, 'notify');
    try {
      lock.run(() => lock.run(() => undefined));
      expect(notify).not.toHaveBeenCalled();
      lock.acquire();
      Atomics.or(words, WORD.lock, CONTENDED);
      lock.acquire();
      lock.release();
      expect(notify).not.toHaveBeenCalled();
      lock.release();
      expect(notify).toHaveBeenCalledTimes(1);
      expect(notify).toHaveBeenCalledWith(words, WORD.lock, 1);
      expect(words[WORD.lock]).toBe(0);
    } finally {
      notify.mockRestore();
    }
  });

  it('a holder that is not alive (the word set by hand): taken over after STALE_HOLDER_MS, recover() once, before the section', () => {
    const words = lockWords();
    const asked: number[] = [];
    const order: string[] = [];
    const lock = new SharedLock(words, WORD.lock, 1, recordingIsAlive(false, asked), () => order.push('recover'));
    Atomics.store(words, WORD.lock, 8 + 1);
    const start = performance.now();
    lock.run(() => {
      order.push('section');
      expect(words[WORD.lock]).toBe(2 | CONTENDED);
    });
    const waited = performance.now() - start;
    expect(waited).toBeGreaterThanOrEqual(STALE_HOLDER_MS - 1);
    expect(waited).toBeLessThan(2_000);
    expect(order).toEqual(['recover', 'section']);
    expect(new Set(asked)).toEqual(new Set([8]));
    expect(words[WORD.lock]).toBe(0);
    // Once taken over, the next take is uncontended and repairs nothing.
    lock.run(() => expect(words[WORD.lock]).toBe(2));
    expect(order).toEqual(['recover', 'section']);
  });

  it('a repair that throws: the error reaches the taker and the word is let go, not held for good', () => {
    const words = lockWords();
    const lock = new SharedLock(words, WORD.lock, 1, recordingIsAlive(false, []), () => {
      throw new Error('records corrupt');
    });
    Atomics.store(words, WORD.lock, 8 + 1);
    expect(() => lock.run(() => expect.unreachable('the section ran after a failed repair'))).toThrow('records corrupt');
    expect(words[WORD.lock]).toBe(0);
    // The lock works again (its depth was not left at 1).
    lock.run(() => expect(words[WORD.lock]).toBe(2));
    expect(words[WORD.lock]).toBe(0);
  });
});

describe('SharedLock across worker threads', () => {
  const ITERATIONS = 20_000;
  const WIDTH = 24;
  const OUTSIDE = 50;

  it.each([
    { workers: 2, here: false },
    { workers: 4, here: true },
  ])('mutual exclusion: $workers workers (and this thread: $here) x 20000 wide plain increments, none lost, nobody else inside', async ({ workers, here }) => {
    const words = lockWords();
    const pool = await Promise.all(Array.from({ length: workers }, () => startLockWorker(words.buffer as SharedArrayBuffer)));
    const readies = pool.map((worker, i) => worker.ask({ op: 'count', self: i + 1, iterations: ITERATIONS, width: WIDTH, outside: OUTSIDE }));
    expect(await Promise.all(readies)).toEqual(new Array<string>(workers).fill('ready'));
    const answers = pool.map((worker) => worker.next() as Promise<CountFigures>);
    Atomics.store(words, WORD.go, 1);
    Atomics.notify(words, WORD.go);
    const figures = await (async () => {
      const mine = here ? [countUnderLock(words, new SharedLock(words, WORD.lock, 0, isAliveFor(words, true), unused), 0, ITERATIONS, WIDTH, OUTSIDE)] : [];
      return [...mine, ...(await within(Promise.all(answers), 20_000, 'the counting workers'))];
    })();
    const threads = workers + (here ? 1 : 0);
    expect(figures.map((one) => one.iterations)).toEqual(new Array<number>(threads).fill(ITERATIONS));
    expect(figures.map((one) => one.violations)).toEqual(new Array<number>(threads).fill(0));
    expect(Atomics.load(words, WORD.violations)).toBe(0);
    expect(Atomics.load(words, WORD.counter)).toBe(threads * ITERATIONS);
    expect(Atomics.load(words, WORD.inside)).toBe(0);
    expect(Atomics.load(words, WORD.lock)).toBe(0);
    // The threads' sections did interleave: one after the other would make one handoff per thread.
    expect(figures.reduce((sum, one) => sum + one.handoffs, 0)).toBeGreaterThan(threads);
  });

  it('contention: a taker blocks behind a holder, marks the word CONTENDED while it waits, gets it on release', async () => {
    const words = lockWords();
    const holder = await startLockWorker(words.buffer as SharedArrayBuffer);
    expect(await holder.ask({ op: 'hold', self: 5, holdMs: 30 })).toBe('holding');
    expect(Atomics.load(words, WORD.lock)).toBe(6);
    const sampled = holder.next();
    const lock = new SharedLock(words, WORD.lock, 0, isAliveFor(words, true), unused);
    // The holder sleeps 30 ms from here, then samples the word and lets go.
    Atomics.store(words, WORD.takerReady, 1);
    Atomics.notify(words, WORD.takerReady);
    const start = performance.now();
    lock.acquire();
    const waited = performance.now() - start;
    // A taker that slept takes the word with CONTENDED set.
    const inside = Atomics.load(words, WORD.lock);
    lock.release();
    expect(waited).toBeGreaterThanOrEqual(25);
    expect(inside).toBe(1 | CONTENDED);
    expect(await within(sampled, 10_000, 'the holder')).toEqual({ sample: 6 | CONTENDED });
    expect(Atomics.load(words, WORD.lock)).toBe(0);
  });

  it('contention: two takers in workers behind one holder both get it after the release, one at a time', async () => {
    const words = lockWords();
    const [holder, a, b] = await Promise.all([0, 1, 2].map(() => startLockWorker(words.buffer as SharedArrayBuffer)));
    expect(await holder!.ask({ op: 'hold', self: 1, holdMs: 30 })).toBe('holding');
    const takes = [a!, b!].map((worker, i) => worker.ask({ op: 'take', self: 2 + i, alive: true, holdMs: 5 }));
    expect(await Promise.all(takes)).toEqual(['taking', 'taking']);
    const results = [a!.next(), b!.next()] as Promise<{ waitedMs: number; word: number; violations: number }>[];
    const sampled = holder!.next();
    Atomics.store(words, WORD.takerReady, 1);
    Atomics.notify(words, WORD.takerReady);
    expect(await within(sampled, 10_000, 'the holder')).toEqual({ sample: 2 | CONTENDED });
    const [first, second] = await within(Promise.all(results), 10_000, 'the takers');
    for (const [i, one] of [first!, second!].entries()) {
      expect(one.violations).toBe(0);
      expect(one.word & ~CONTENDED).toBe(3 + i);
      expect(one.waitedMs).toBeGreaterThanOrEqual(20);
    }
    // At least the one that got it second slept and took the word with CONTENDED.
    expect([first!.word, second!.word].some((word) => (word & CONTENDED) !== 0)).toBe(true);
    expect(Atomics.load(words, WORD.got)).toBe(2);
    expect(Atomics.load(words, WORD.lock)).toBe(0);
  });
});

describe('SharedLock: a holder that died inside its section', () => {
  it.each(['terminate', 'exit'] as const)('%s: a taker whose isAlive says gone takes over after STALE_HOLDER_MS and recovers once', async (how) => {
    const words = lockWords();
    const holder = await startLockWorker(words.buffer as SharedArrayBuffer);
    if (how === 'terminate') {
      expect(await holder.ask({ op: 'die', self: 3, how: 'stay' })).toBe('holding');
      await holder.worker.terminate();
    } else {
      holder.worker.postMessage({ op: 'die', self: 3, how: 'exit' });
      expect(await holder.exited).toBe(0);
      expect(Atomics.load(words, WORD.held)).toBe(4);
    }
    // The word still names the dead holder.
    expect(Atomics.load(words, WORD.lock)).toBe(4);
    const asked: number[] = [];
    let recovered = 0;
    const lock = new SharedLock(words, WORD.lock, 0, recordingIsAlive(false, asked), () => recovered++);
    const start = performance.now();
    lock.acquire();
    const waited = performance.now() - start;
    expect(recovered).toBe(1);
    expect(Atomics.load(words, WORD.lock)).toBe(1 | CONTENDED);
    lock.release();
    expect(waited).toBeGreaterThanOrEqual(STALE_HOLDER_MS - 1);
    expect(waited).toBeLessThan(2_000);
    expect(asked.length).toBeGreaterThan(0);
    expect(new Set(asked)).toEqual(new Set([3]));
    expect(Atomics.load(words, WORD.lock)).toBe(0);
    lock.run(() => undefined);
    expect(recovered).toBe(1);
  });

  it('two takers in workers after a holder was terminated: one takes over, recover() runs exactly once, both get it in turn', async () => {
    const words = lockWords();
    const [holder, a, b] = await Promise.all([0, 1, 2].map(() => startLockWorker(words.buffer as SharedArrayBuffer)));
    expect(await holder!.ask({ op: 'die', self: 7, how: 'stay' })).toBe('holding');
    await holder!.worker.terminate();
    const takes = [a!, b!].map((worker, i) => worker.ask({ op: 'take', self: 1 + i, alive: false, holdMs: 10 }));
    expect(await Promise.all(takes)).toEqual(['taking', 'taking']);
    const results = (await within(Promise.all([a!.next(), b!.next()]), 10_000, 'the takers')) as { waitedMs: number; word: number; violations: number }[];
    expect(results.map((one) => one.violations)).toEqual([0, 0]);
    expect(Atomics.load(words, WORD.recovered)).toBe(1);
    expect(Atomics.load(words, WORD.got)).toBe(2);
    expect(Atomics.load(words, WORD.violations)).toBe(0);
    // Only the dead holder was ever given up on (the first taker's mark is a live holder's to the second).
    expect(Atomics.load(words, WORD.askedWhom)).toBe(7);
    expect(Math.min(...results.map((one) => one.waitedMs))).toBeGreaterThanOrEqual(STALE_HOLDER_MS - 1);
    expect(Atomics.load(words, WORD.lock)).toBe(0);
  });

  it('a taker whose isAlive says the holder runs does not take over (200 ms), and gets the word once it is let go', async () => {
    const words = lockWords();
    const [holder, taker] = await Promise.all([0, 1].map(() => startLockWorker(words.buffer as SharedArrayBuffer)));
    expect(await holder!.ask({ op: 'die', self: 2, how: 'stay' })).toBe('holding');
    await holder!.worker.terminate();
    expect(await taker!.ask({ op: 'take', self: 4, alive: true, holdMs: 0 })).toBe('taking');
    const result = taker!.next() as Promise<{ waitedMs: number; word: number; violations: number }>;
    await sleep(200);
    expect(Atomics.load(words, WORD.got)).toBe(0);
    expect(Atomics.load(words, WORD.recovered)).toBe(0);
    // It did ask (past STALE_HOLDER_MS), about the dead holder, and was told it runs.
    expect(Atomics.load(words, WORD.asked)).toBeGreaterThan(0);
    expect(Atomics.load(words, WORD.askedWhom)).toBe(2);
    // Let the word go by hand, as the holder would: the sleeping taker marked it CONTENDED.
    expect(Atomics.exchange(words, WORD.lock, 0)).toBe(3 | CONTENDED);
    Atomics.notify(words, WORD.lock, 1);
    const { waitedMs, word, violations } = await within(result, 10_000, 'the taker');
    expect(violations).toBe(0);
    expect(word).toBe(5 | CONTENDED);
    expect(waitedMs).toBeGreaterThanOrEqual(190);
    expect(Atomics.load(words, WORD.got)).toBe(1);
    expect(Atomics.load(words, WORD.recovered)).toBe(0);
    expect(Atomics.load(words, WORD.lock)).toBe(0);
  });
});
