// SPDX-License-Identifier: MIT
// acquireAsync's `priority`: served highest first and in arrival order within one priority; a
// waiter that does not fit holds back its own and lower priorities only; a call above every
// waiter is served at once when it fits; aborts, timeouts and scope cancellations inside a
// priority re-offer room in the same order; bad values are refused before anything queues.

import { afterEach, expect, test, vi } from 'vitest';
import { AcquireTimeoutError, ScopeReleasedError } from '../../../src/errors.js';
import type { Segment } from '../../../src/pool/segment.js';
import { describeBackends, makePool, silenceLeakWarnings } from '../../helpers/pool-backends.js';

silenceLeakWarnings();

afterEach(() => {
  vi.useRealTimers();
});

/** Settles pending promise callbacks. */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Bytes whose footprint is exactly one 256-byte slot of the pools below. */
const SLOT = 200;

describeBackends('acquireAsync priority', (kind) => {
  test('serves the highest priority first, then arrival order within a priority', async () => {
    using pool = makePool(kind, 6 * 256);
    const blockers = Array.from({ length: 6 }, () => pool.acquire(SLOT));
    const order: string[] = [];
    const wait = (tag: string, priority?: number) =>
      pool.acquireAsync(SLOT, { tag, ...(priority === undefined ? {} : { priority }) }).then((segment) => order.push(segment.tag ?? '?'));
    const waits = [wait('a0'), wait('b2', 2), wait('c-1', -1), wait('d2', 2), wait('e0', 0), wait('f1', 1)];
    await tick();
    expect(pool.stats().waiting).toBe(6);
    for (const blocker of blockers) {
      blocker.release();
      await tick();
    }
    await Promise.all(waits);
    expect(order).toEqual(['b2', 'd2', 'f1', 'a0', 'e0', 'c-1']);
    pool.validate();
  });

  test('a waiter that does not fit holds back its own and lower priorities, never a higher one', async () => {
    using pool = makePool(kind, 4 * 256);
    const blockers = Array.from({ length: 4 }, () => pool.acquire(SLOT));
    const served: string[] = [];
    const note = (segment: Segment) => void served.push(segment.tag ?? '?');
    // A large request at priority 1 that needs two slots, then small ones at 1, 0 and 2.
    void pool.acquireAsync(2 * 256 - 32, { tag: 'large1', priority: 1 }).then(note);
    void pool.acquireAsync(SLOT, { tag: 'small1', priority: 1 }).then(note);
    void pool.acquireAsync(SLOT, { tag: 'small0' }).then(note);
    await tick();
    blockers[0]!.release(); // one slot: large1 does not fit, and holds back small1 and small0
    await tick();
    expect(served).toEqual([]);
    // A call above every waiter is served at once from the free slot.
    const high = await pool.acquireAsync(SLOT, { tag: 'high2', priority: 2 });
    expect(high.tag).toBe('high2');
    expect(pool.stats().waiting).toBe(3);
    // A call of the blocked priority queues behind the head instead of taking room.
    high.release();
    let late: Segment | undefined;
    void pool.acquireAsync(SLOT, { tag: 'late1', priority: 1 }).then((segment) => (late = segment));
    await tick();
    expect(late).toBeUndefined();
    blockers[1]!.release(); // two adjacent slots: large1 first, then nothing is left for the rest
    await tick();
    expect(served).toEqual(['large1']);
    blockers[2]!.release();
    blockers[3]!.release();
    await tick();
    expect(served).toEqual(['large1', 'small1']);
    expect(late?.tag).toBe('late1');
    expect(pool.stats().waiting).toBe(1); // small0, behind every priority-1 waiter
    late!.release();
    await tick();
    expect(served).toEqual(['large1', 'small1', 'small0']);
    pool.validate();
  });

  test('an abort or a timeout inside a priority re-offers room to the next in order', async () => {
    vi.useFakeTimers();
    using pool = makePool(kind, 2 * 256);
    const blockers = [pool.acquire(2 * 256 - 32)];
    const controller = new AbortController();
    const outcomes: string[] = [];
    const wait = (tag: string, len: number, options: object) =>
      pool.acquireAsync(len, { tag, ...options }).then(
        (segment) => outcomes.push(`${tag} served`),
        (error: unknown) => outcomes.push(`${tag} ${error instanceof AcquireTimeoutError ? 'timed out' : 'aborted'}`),
      );
    const waits = [
      wait('head1', 2 * 256 - 32, { priority: 1, signal: controller.signal }), // fits only an empty pool
      wait('next1', SLOT, { priority: 1, timeoutMs: 50 }),
      wait('then1', SLOT, { priority: 1 }),
      wait('low0', SLOT, {}),
    ];
    await vi.advanceTimersByTimeAsync(0);
    blockers[0]!.release();
    // head1 took the whole pool; the rest wait behind it.
    await vi.advanceTimersByTimeAsync(0);
    expect(outcomes).toEqual(['head1 served']);
    await vi.advanceTimersByTimeAsync(60);
    expect(outcomes).toEqual(['head1 served', 'next1 timed out']);
    expect(pool.stats().waiting).toBe(2);
    controller.abort(); // aborting a served wait's signal changes nothing
    expect(pool.stats().waiting).toBe(2);
    pool.reset();
    await Promise.all(waits);
    expect(outcomes).toEqual(['head1 served', 'next1 timed out', 'then1 served', 'low0 served']);
  });

  test('aborting the head of the highest priority lets a lower priority in', async () => {
    using pool = makePool(kind, 2 * 256);
    const blocker = pool.acquire(SLOT);
    const controller = new AbortController();
    const outcomes: string[] = [];
    void pool.acquireAsync(2 * 256 - 32, { priority: 5, signal: controller.signal }).then(
      () => outcomes.push('big5 served'),
      () => outcomes.push('big5 aborted'),
    );
    void pool.acquireAsync(SLOT, { priority: -3 }).then(() => outcomes.push('small-3 served'));
    await tick();
    expect(outcomes).toEqual([]); // one slot is free, but big5 does not fit and holds back small-3
    controller.abort();
    await tick();
    expect(outcomes).toEqual(['big5 aborted', 'small-3 served']);
    blocker.release();
  });

  test('scope.acquireAsync takes a priority, and releaseAll cancels its waits in every priority', async () => {
    using pool = makePool(kind, 256);
    const blocker = pool.acquire(SLOT);
    const scope = pool.scope();
    const order: string[] = [];
    const low = pool.acquireAsync(SLOT, { tag: 'pool0' }).then((segment) => order.push(segment.tag ?? '?'));
    const high = scope.acquireAsync(SLOT, { tag: 'scope1', priority: 1 }).then((segment) => order.push(segment.tag ?? '?'));
    blocker.release();
    await high;
    expect(order).toEqual(['scope1']);
    const cancelled = scope.acquireAsync(SLOT, { priority: 9 });
    scope.releaseAll(); // cancels the priority-9 wait, then frees scope1's slot for pool0
    await expect(cancelled).rejects.toBeInstanceOf(ScopeReleasedError);
    await low;
    expect(order).toEqual(['scope1', 'pool0']);
  });

  test('refuses a priority that is not a safe integer, before anything queues', async () => {
    using pool = makePool(kind, 256);
    const blocker = pool.acquire(SLOT);
    for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      await expect(pool.acquireAsync(SLOT, { priority: bad })).rejects.toThrow(RangeError);
    }
    for (const bad of ['1', null, 1n, {}]) {
      await expect(pool.acquireAsync(SLOT, { priority: bad as number })).rejects.toThrow(TypeError);
    }
    await expect(pool.acquireAsync(SLOT, { priority: '1' as unknown as number })).rejects.toThrow(/options\.priority/);
    expect(() => pool.acquire(SLOT, { priority: 1 } as object)).toThrow(/Unknown option options\.priority; known options are: tag, zero$/);
    expect(pool.stats().waiting).toBe(0);
    blocker.release();
  });
});
