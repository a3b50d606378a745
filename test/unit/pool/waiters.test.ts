// SPDX-License-Identifier: MIT
// acquireAsync and its FIFO queue: served in arrival order at every release or reset, head-of-line
// blocking, abort (rejects with the signal's reason), timeout (ERR_DVPP_ACQUIRE_TIMEOUT, a ref'd
// timer), never-fits and bad arguments rejecting at once, and close rejecting whoever waits.

import { getEventListeners } from 'node:events';
import { afterEach, expect, test, vi } from 'vitest';
import { AcquireTimeoutError, PoolClosedError } from '../../../src/errors.js';
import type { Segment } from '../../../src/pool/segment.js';
import { describeBackends, makePool, silenceLeakWarnings } from '../../helpers/pool-backends.js';

silenceLeakWarnings();

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** Settles pending promise callbacks. */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describeBackends('pool.acquireAsync', (kind) => {
  test('resolves at once when nobody waits and there is room', async () => {
    using pool = makePool(kind, 4096);
    const seg = await pool.acquireAsync(100, { tag: 'async', zero: true });
    expect(seg.tag).toBe('async');
    expect(seg.size).toBe(160);
    expect(pool.stats()).toMatchObject({ acquires: 1, waiting: 0 });
  });

  test('waits for a release, then resolves with a live, zeroed segment', async () => {
    using pool = makePool(kind, 1024);
    const blocker = pool.acquire(900);
    blocker.fill(7);
    let resolved: Segment | undefined;
    const pending = pool.acquireAsync(900, { zero: true }).then((s) => (resolved = s));
    await tick();
    expect(resolved).toBeUndefined();
    expect(pool.stats().waiting).toBe(1);
    blocker.release();
    await pending;
    expect(resolved?.released).toBe(false);
    expect(resolved?.read(0, resolved.size).every((b) => b === 0)).toBe(true);
    expect(pool.stats().waiting).toBe(0);
    pool.validate();
  });

  test('serves waiters strictly in arrival order', async () => {
    using pool = makePool(kind, 1024);
    const blockers = [pool.acquire(200), pool.acquire(200), pool.acquire(200), pool.acquire(200)];
    const order: string[] = [];
    const waits = ['a', 'b', 'c'].map((name) => pool.acquireAsync(200, { tag: name }).then((s) => order.push(s.tag ?? '?')));
    for (const blocker of blockers.slice(0, 3)) {
      blocker.release();
      await tick();
    }
    await Promise.all(waits);
    expect(order).toEqual(['a', 'b', 'c']);
  });

  test('head-of-line blocking: a large head holds back small waiters that would fit', async () => {
    using pool = makePool(kind, 1024);
    const a = pool.acquire(400); // footprint 512
    const b = pool.acquire(300); // footprint 384; 128 bytes stay free
    const order: string[] = [];
    // The large head's footprint is 768 bytes.
    const large = pool.acquireAsync(700, { tag: 'large' }).then((s) => order.push(s.tag ?? '?') && s);
    const small = pool.acquireAsync(10, { tag: 'small' }).then((s) => order.push(s.tag ?? '?') && s);
    b.release(); // 512 free: the small one would fit, the large head does not
    await tick();
    expect(order).toEqual([]);
    expect(pool.stats().waiting).toBe(2);
    // acquire still gets the room: it never waits and is served whenever room exists.
    const sync = pool.acquire(10);
    sync.release();
    a.release(); // now the head fits; the small one is served right after it
    await Promise.all([large, small]);
    expect(order).toEqual(['large', 'small']);
    pool.validate();
  });

  test('a new call queues behind existing waiters even when it would fit', async () => {
    using pool = makePool(kind, 1024);
    const blocker = pool.acquire(500); // 640 bytes
    const order: string[] = [];
    const head = pool.acquireAsync(700, { tag: 'head' }).then((s) => order.push('head') && s);
    const late = pool.acquireAsync(10).then((s) => order.push('late') && s);
    await tick();
    expect(order).toEqual([]);
    blocker.release();
    await Promise.all([head, late]);
    expect(order).toEqual(['head', 'late']);
  });

  test('abort rejects with the signal reason and leaves no listener behind', async () => {
    using pool = makePool(kind, 1024);
    pool.acquire(900);
    const controller = new AbortController();
    const reason = new Error('decoder stopped');
    const pending = pool.acquireAsync(500, { signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(pool.stats()).toMatchObject({ waiting: 0, failures: 0 });
  });

  test('an already aborted signal rejects at once, even when there is room', async () => {
    using pool = makePool(kind, 1024);
    const reason = new Error('too late');
    await expect(pool.acquireAsync(10, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    const plain = AbortSignal.abort();
    await expect(pool.acquireAsync(10, { signal: plain })).rejects.toBe(plain.reason);
    expect(pool.stats()).toMatchObject({ liveSegments: 0, acquires: 0 });
  });

  test('aborting the head lets the waiters behind it through', async () => {
    using pool = makePool(kind, 1024);
    pool.acquire(400); // 512 bytes used, 512 free
    const controller = new AbortController();
    const head = pool.acquireAsync(900, { signal: controller.signal });
    const behind = pool.acquireAsync(300);
    await tick();
    expect(pool.stats().waiting).toBe(2);
    controller.abort();
    await expect(head).rejects.toBeInstanceOf(DOMException);
    const seg = await behind;
    expect(seg.released).toBe(false);
    pool.validate();
  });

  test('resolved waits ignore a later abort and clear their listener', async () => {
    using pool = makePool(kind, 1024);
    const blocker = pool.acquire(900);
    const controller = new AbortController();
    const pending = pool.acquireAsync(100, { signal: controller.signal, timeoutMs: 10_000 });
    blocker.release();
    const seg = await pending;
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    controller.abort();
    expect(seg.released).toBe(false);
  });

  test('timeout rejects with ERR_DVPP_ACQUIRE_TIMEOUT and does not count a failure', async () => {
    vi.useFakeTimers();
    using pool = makePool(kind, 1024);
    pool.acquire(900);
    const pending = pool.acquireAsync(500, { timeoutMs: 250 });
    const settled = pending.catch((error: unknown) => error);
    vi.advanceTimersByTime(249);
    expect(pool.stats().waiting).toBe(1);
    vi.advanceTimersByTime(1);
    const error = await settled;
    expect(error).toBeInstanceOf(AcquireTimeoutError);
    expect(error).toMatchObject({ code: 'ERR_DVPP_ACQUIRE_TIMEOUT', requested: 500, timeoutMs: 250 });
    expect(pool.stats()).toMatchObject({ waiting: 0, failures: 0 });
    expect(vi.getTimerCount()).toBe(0);
  });

  test('timeoutMs: 0 without room times out; with room it resolves', async () => {
    using pool = makePool(kind, 1024);
    const seg = await pool.acquireAsync(100, { timeoutMs: 0 });
    expect(seg.released).toBe(false);
    pool.acquire(700); // with the 256 above, the pool is full
    await expect(pool.acquireAsync(500, { timeoutMs: 0 })).rejects.toBeInstanceOf(AcquireTimeoutError);
  });

  test('a pending timeout keeps the event loop alive (ref\'d timer), and is cleared when served', async () => {
    const timers: NodeJS.Timeout[] = [];
    const real = globalThis.setTimeout;
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((handler: () => void, ms?: number) => {
      const timer = real(handler, ms);
      timers.push(timer);
      return timer;
    }) as typeof setTimeout);
    using pool = makePool(kind, 1024);
    const blocker = pool.acquire(900);
    const pending = pool.acquireAsync(500, { timeoutMs: 60_000 });
    expect(timers).toHaveLength(1);
    expect(timers[0]?.hasRef()).toBe(true);
    blocker.release();
    await pending;
    expect(pool.stats().waiting).toBe(0);
  });

  test('a len that can never fit rejects at once with a RangeError and never waits', async () => {
    using pool = makePool(kind, 1024);
    for (const len of [1025, 993, 2 ** 40, Number.MAX_SAFE_INTEGER]) {
      const pending = pool.acquireAsync(len);
      expect(pool.stats().waiting).toBe(0);
      await expect(pending).rejects.toThrow(RangeError);
      await expect(pool.acquireAsync(len)).rejects.toThrow(/larger than the pool can ever hold/);
    }
    expect(pool.stats().failures).toBe(0);
  });

  test.each([
    ['len 0', 0, undefined, RangeError, /len/],
    ['len a string', '5', undefined, TypeError, /len/],
    ['options not an object', 5, 'fast', TypeError, /options/],
    ['unknown option', 5, { timeout: 5 }, TypeError, /options\.timeout/],
    ['tag not a string', 5, { tag: 5 }, TypeError, /options\.tag/],
    ['signal not an AbortSignal', 5, { signal: {} }, TypeError, /options\.signal/],
    ['timeoutMs negative', 5, { timeoutMs: -1 }, RangeError, /options\.timeoutMs.*-1/],
    ['timeoutMs fractional', 5, { timeoutMs: 1.5 }, RangeError, /options\.timeoutMs/],
    ['timeoutMs beyond setTimeout', 5, { timeoutMs: 2 ** 31 }, RangeError, /options\.timeoutMs/],
    ['timeoutMs a string', 5, { timeoutMs: '5' }, TypeError, /options\.timeoutMs/],
  ])('bad arguments reject, never throw: %s', async (_name, len, options, type, message) => {
    using pool = makePool(kind, 1024);
    let pending: Promise<Segment> | undefined;
    expect(() => {
      pending = pool.acquireAsync(len as number, options as object);
    }).not.toThrow();
    await expect(pending).rejects.toThrow(type);
    await expect(pool.acquireAsync(len as number, options as object)).rejects.toThrow(message);
    expect(pool.stats()).toMatchObject({ waiting: 0, liveSegments: 0 });
  });

  test('close rejects pending waiters with ERR_DVPP_POOL_CLOSED; later calls reject too', async () => {
    const pool = makePool(kind, 1024);
    const blocker = pool.acquire(900);
    const controller = new AbortController();
    const first = pool.acquireAsync(500, { timeoutMs: 60_000, signal: controller.signal });
    const second = pool.acquireAsync(100);
    blocker.release(); // serves `first`; `second` waits behind nothing and is served too
    await first;
    await second;
    const third = pool.acquireAsync(900, { signal: controller.signal });
    pool.close();
    await expect(third).rejects.toBeInstanceOf(PoolClosedError);
    await expect(third).rejects.toMatchObject({ code: 'ERR_DVPP_POOL_CLOSED' });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await expect(pool.acquireAsync(10)).rejects.toMatchObject({ code: 'ERR_DVPP_POOL_CLOSED' });
  });
});
