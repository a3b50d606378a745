// SPDX-License-Identifier: MIT
// acquireAsync and AbortSignals at scale, and a signal that throws while being armed: one
// listener per distinct signal (not per waiter), removed when its last waiter leaves, no
// MaxListenersExceededWarning, and no phantom waiter when the signal's own methods throw.

import { getEventListeners } from 'node:events';
import { expect, test } from 'vitest';
import type { Segment } from '../../../src/pool/segment.js';
import { describeBackends, makePool, silenceLeakWarnings } from '../../helpers/pool-backends.js';

silenceLeakWarnings();

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describeBackends('acquireAsync waiters sharing signals', (kind) => {
  test('many waiters on one signal add one listener, and its abort rejects them all', async () => {
    using pool = makePool(kind, 4096);
    pool.acquire(4000);
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on('warning', onWarning);
    try {
      const controller = new AbortController();
      const waits = Array.from({ length: 2000 }, () => pool.acquireAsync(100, { signal: controller.signal }).catch((e: unknown) => e));
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
      expect(pool.stats().waiting).toBe(2000);
      const reason = new Error('stop');
      controller.abort(reason);
      const outcomes = await Promise.all(waits);
      expect(outcomes.every((o) => o === reason)).toBe(true);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      expect(pool.stats().waiting).toBe(0);
      await tick();
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  test('the listener goes when the last waiter on its signal leaves otherwise', async () => {
    using pool = makePool(kind, 1024);
    const blocker = pool.acquire(900);
    const controller = new AbortController();
    const waits = [pool.acquireAsync(100, { signal: controller.signal }), pool.acquireAsync(100, { signal: controller.signal })];
    const other = new AbortController();
    const third = pool.acquireAsync(100, { signal: other.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    expect(getEventListeners(other.signal, 'abort')).toHaveLength(1);
    blocker.release();
    const segments: Segment[] = await Promise.all([...waits, third]);
    expect(segments.every((s) => !s.released)).toBe(true);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(getEventListeners(other.signal, 'abort')).toHaveLength(0);
  });

  test('aborting one signal leaves the waiters of another signal queued, in order', async () => {
    using pool = makePool(kind, 1024);
    const blocker = pool.acquire(900);
    const a = new AbortController();
    const b = new AbortController();
    const order: string[] = [];
    const waits = ['a1', 'b1', 'a2', 'b2'].map((tag) =>
      pool.acquireAsync(100, { tag, signal: tag.startsWith('a') ? a.signal : b.signal }).then(
        (s) => order.push(s.tag ?? '?'),
        () => order.push(`aborted ${tag}`),
      ),
    );
    a.abort();
    await tick();
    expect(pool.stats().waiting).toBe(2);
    expect(getEventListeners(b.signal, 'abort')).toHaveLength(1);
    blocker.release();
    await Promise.all(waits);
    expect(order).toEqual(['aborted a1', 'aborted a2', 'b1', 'b2']);
    pool.validate();
  });

  test('a signal whose own add/removeEventListener throw cannot leave a phantom waiter', async () => {
    using pool = makePool(kind, 1024);
    const blocker = pool.acquire(900);
    const make = (): AbortController => {
      const controller = new AbortController();
      const broken = (): never => {
        throw new Error('listener methods broke');
      };
      controller.signal.addEventListener = broken;
      controller.signal.removeEventListener = broken;
      return controller;
    };
    // Served: it left the queue and its listener is gone, though removeEventListener throws.
    const served = make();
    const pending = pool.acquireAsync(500, { signal: served.signal, timeoutMs: 60_000 });
    expect(pool.stats().waiting).toBe(1);
    blocker.release();
    const segment = await pending;
    expect(segment.released).toBe(false);
    expect(getEventListeners(served.signal, 'abort')).toHaveLength(0);
    // Aborted: it rejects and leaves no waiter behind to be served a segment nobody holds.
    const aborted = make();
    const waiting = pool.acquireAsync(900, { signal: aborted.signal });
    aborted.abort();
    await expect(waiting).rejects.toBeInstanceOf(DOMException);
    expect(pool.stats()).toMatchObject({ waiting: 0, liveSegments: 1, acquires: 2 });
    segment.release();
    expect(pool.stats()).toMatchObject({ liveSegments: 0, acquires: 2 });
    pool.validate();
  });

  test('an object that only inherits from AbortSignal is refused as a signal', async () => {
    using pool = makePool(kind, 1024);
    const fake = Object.create(AbortSignal.prototype) as AbortSignal;
    await expect(pool.acquireAsync(10, { signal: fake })).rejects.toThrow(/Expected an AbortSignal for options\.signal/);
    expect(pool.stats()).toMatchObject({ waiting: 0, liveSegments: 0 });
  });
});

describeBackends('a synthetic abort event', (kind) => {
  test("dispatchEvent(new Event('abort')) on a signal that is not aborted rejects nothing; a real abort later still does", async () => {
    using pool = makePool(kind, 1024);
    pool.acquire(900);
    const controller = new AbortController();
    const settled: unknown[] = [];
    const pending = pool.acquireAsync(500, { signal: controller.signal }).catch((e: unknown) => settled.push(e));
    controller.signal.dispatchEvent(new Event('abort'));
    await tick();
    expect(settled).toEqual([]);
    expect(pool.stats().waiting).toBe(1);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    const reason = new Error('really stopped');
    controller.abort(reason);
    await pending;
    expect(settled).toEqual([reason]);
    expect(pool.stats().waiting).toBe(0);
  });
});
