// SPDX-License-Identifier: MIT
// Pool: acquire/tryAcquire/release/reset/validate on both backends, the failure paths (each
// leaving the state untouched: validate() passes and stats() is unchanged), `using`, and the
// counting backend proving the hot path makes no backend call unless bytes were asked for.

import { expect, test } from 'vitest';
import { segmentSize } from '../../../src/constants.js';
import { InvalidSegmentError, PoolClosedError, PoolExhaustedError } from '../../../src/errors.js';
import type { Segment } from '../../../src/pool/segment.js';
import {
  captureWarnings,
  clearCounts,
  describeBackends,
  makeCountingPool,
  makePool,
  silenceLeakWarnings,
} from '../../helpers/pool-backends.js';

const KiB = 1024;

// Several tests dispose pools with segments still live; the leak warning has its own tests.
silenceLeakWarnings();

describeBackends('pool.acquire', (kind) => {
  test('size, offset, address and tag', () => {
    using pool = makePool(kind, 64 * KiB);
    const seg = pool.acquire(1000, { tag: 'vdec ch0' });
    expect(seg.size).toBe(segmentSize(1000));
    expect(seg.size).toBe(1056);
    expect(seg.length).toBe(1000);
    expect(seg.offset % 128).toBe(0);
    expect(seg.address).toBe(pool.baseAddress + BigInt(seg.offset));
    expect(seg.tag).toBe('vdec ch0');
    expect(seg.pool).toBe(pool);
    expect(pool.acquire(1).tag).toBeUndefined();
    pool.validate();
  });

  test('segments never overlap and stay 128-aligned', () => {
    using pool = makePool(kind, 64 * KiB);
    const segments = [1, 31, 32, 33, 95, 96, 97, 127, 128, 129, 1000, 4096].map((len) => pool.acquire(len));
    const ranges = segments.map((s) => [s.offset, s.offset + Math.ceil(s.size / 128) * 128] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBeGreaterThanOrEqual(ranges[i - 1]![1]);
    for (const s of segments) expect(s.offset % 128).toBe(0);
    pool.validate();
  });

  test('a request filling the whole capacity succeeds', () => {
    using pool = makePool(kind, 1024);
    const seg = pool.acquire(961); // alignUp(961, 32) + 32 = 1024
    expect(seg.size).toBe(1024);
    expect(pool.stats().freeBytes).toBe(0);
  });

  test('no room throws PoolExhaustedError with requested and largestFree; failures counts it', () => {
    using pool = makePool(kind, 1024);
    pool.acquire(500);
    const before = pool.stats();
    let caught: unknown;
    try {
      pool.acquire(600);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PoolExhaustedError);
    const error = caught as PoolExhaustedError;
    expect(error.code).toBe('ERR_DVPP_POOL_EXHAUSTED');
    expect(error.requested).toBe(600);
    expect(error.largestFree).toBe(1024 - 640);
    expect(error.largestFree).toBe(before.largestFreeRange);
    expect(pool.stats()).toEqual({ ...before, failures: before.failures + 1 });
    pool.validate();
  });

  test('a len larger than the capacity, up to MAX_SAFE_INTEGER, is "no room" with requested exact', () => {
    using pool = makePool(kind, 1024);
    for (const len of [1025, 2 ** 40, 2 ** 53 - 2, Number.MAX_SAFE_INTEGER]) {
      expect(() => pool.acquire(len)).toThrow(PoolExhaustedError);
      try {
        pool.acquire(len);
      } catch (error) {
        expect((error as PoolExhaustedError).requested).toBe(len);
        expect((error as PoolExhaustedError).largestFree).toBe(1024);
      }
      expect(pool.tryAcquire(len)).toBeUndefined();
    }
    // 993 fits in bytes but its footprint (1024 + 128) does not.
    expect(pool.tryAcquire(993)).toBeUndefined();
    expect(pool.tryAcquire(992)?.size).toBe(1024);
    pool.validate();
  });

  test.each([
    [0, RangeError, /len.*0 of type number/],
    [-1, RangeError, /len.*-1/],
    [1.5, RangeError, /len.*1\.5/],
    [Number.NaN, RangeError, /len.*NaN/],
    [Number.POSITIVE_INFINITY, RangeError, /len.*Infinity/],
    [2 ** 53, RangeError, /len.*9007199254740992/],
    ['64', TypeError, /len.*"64".*string/],
    [64n, TypeError, /len.*64n.*bigint/],
    [undefined, TypeError, /len.*undefined/],
    [null, TypeError, /len.*null/],
  ])('len %s throws %s naming it', (len, type, message) => {
    using pool = makePool(kind, 4096);
    const before = pool.stats();
    expect(() => pool.acquire(len as number)).toThrow(type);
    expect(() => pool.acquire(len as number)).toThrow(message);
    expect(() => pool.tryAcquire(len as number)).toThrow(type);
    expect(pool.stats()).toEqual(before);
  });

  test.each([
    [{ tag: 1 }, TypeError, /options\.tag/],
    [{ zero: 'yes' }, TypeError, /options\.zero/],
    [{ tags: 'x' }, TypeError, /options\.tags/],
    [{ timeoutMs: 5 }, TypeError, /options\.timeoutMs/],
    ['tag', TypeError, /options/],
    [null, TypeError, /options/],
  ])('acquire options %j throw naming the option', (options, type, message) => {
    using pool = makePool(kind, 4096);
    expect(() => pool.acquire(64, options as object)).toThrow(type);
    expect(() => pool.acquire(64, options as object)).toThrow(message);
    expect(pool.stats().liveSegments).toBe(0);
  });

  test('tryAcquire returns undefined without room and counts a failure', () => {
    using pool = makePool(kind, 1024);
    const seg = pool.tryAcquire(900, { tag: 't' });
    expect(seg?.tag).toBe('t');
    expect(pool.tryAcquire(100)).toBeUndefined();
    expect(pool.stats().failures).toBe(1);
    pool.validate();
  });

  test('acquire and tryAcquire serve whenever room exists, even with waiters queued', async () => {
    using pool = makePool(kind, 1024);
    const big = pool.acquire(900);
    const waiting = pool.acquireAsync(900);
    expect(pool.stats().waiting).toBe(1);
    big.release(); // the waiter takes the room at once
    const served = await waiting;
    expect(pool.tryAcquire(1)).toBeUndefined();
    served.release();
    // With a waiter queued that cannot fit, small synchronous requests still get room.
    const blocker = pool.acquire(600);
    const queued = pool.acquireAsync(900);
    expect(pool.tryAcquire(100)).toBeDefined();
    expect(pool.stats().waiting).toBe(1);
    pool.reset();
    await queued;
    void blocker;
  });

  test('zero option and zeroOnAcquire clear the segment', () => {
    using pool = makePool(kind, 4096);
    const dirty = pool.acquire(500);
    dirty.fill(0xab);
    dirty.release();
    const reused = pool.acquire(500);
    expect(reused.offset).toBe(dirty.offset);
    expect(reused.read(0, reused.size).every((b) => b === 0xab)).toBe(true);
    reused.release();
    const zeroed = pool.acquire(500, { zero: true });
    expect(zeroed.read(0, zeroed.size).every((b) => b === 0)).toBe(true);
    zeroed.fill(0xcd);
    zeroed.release();

    using zeroing = makePool(kind, 4096, { zeroOnAcquire: true });
    const first = zeroing.acquire(500);
    first.fill(0xee);
    first.release();
    const again = zeroing.acquire(500, { zero: false });
    expect(again.read(0, again.size).every((b) => b === 0)).toBe(true);
  });
});

describeBackends('pool.release', (kind) => {
  function expectUntouched(pool: ReturnType<typeof makePool>, action: () => void, code = 'ERR_DVPP_INVALID_SEGMENT'): void {
    const before = pool.stats();
    const snapshot = JSON.stringify(pool.snapshot());
    expect(action).toThrow(InvalidSegmentError);
    try {
      action();
    } catch (error) {
      expect((error as InvalidSegmentError).code).toBe(code);
    }
    pool.validate();
    expect(pool.stats()).toEqual(before);
    expect(JSON.stringify(pool.snapshot())).toBe(snapshot);
  }

  test('release and segment.release return the range; counters move', () => {
    using pool = makePool(kind, 4096);
    const a = pool.acquire(100);
    const b = pool.acquire(100);
    pool.release(a);
    b.release();
    expect(a.released).toBe(true);
    expect(pool.stats()).toMatchObject({ usedBytes: 0, liveSegments: 0, acquires: 2, releases: 2 });
    pool.validate();
  });

  test('a second release throws InvalidSegmentError, state untouched', () => {
    using pool = makePool(kind, 4096);
    const a = pool.acquire(100);
    pool.acquire(200);
    a.release();
    expectUntouched(pool, () => a.release());
    expectUntouched(pool, () => pool.release(a));
  });

  test('a second release throws even after its range was handed out again', () => {
    using pool = makePool(kind, 4096);
    const a = pool.acquire(100);
    a.release();
    const b = pool.acquire(100);
    expect(b.offset).toBe(a.offset);
    expectUntouched(pool, () => a.release());
    expect(b.released).toBe(false);
  });

  test('a segment of another pool throws InvalidSegmentError, state untouched', () => {
    using pool = makePool(kind, 4096);
    using other = makePool(kind, 4096);
    pool.acquire(100);
    const foreign = other.acquire(100);
    expectUntouched(pool, () => pool.release(foreign));
    expect(() => pool.release(foreign)).toThrow(/another pool/);
    expect(foreign.released).toBe(false);
  });

  test('a segment released by reset throws InvalidSegmentError', () => {
    using pool = makePool(kind, 4096);
    const a = pool.acquire(100);
    pool.reset();
    const b = pool.acquire(100);
    expect(b.offset).toBe(a.offset);
    expectUntouched(pool, () => a.release());
  });

  test('non-segments: TypeError for non-objects, InvalidSegmentError for other objects', () => {
    using pool = makePool(kind, 4096);
    pool.acquire(100);
    const before = pool.stats();
    for (const value of [undefined, null, 1, 'seg']) expect(() => pool.release(value as unknown as Segment)).toThrow(TypeError);
    for (const value of [{}, { node: 0, generation: 0 }]) expect(() => pool.release(value as unknown as Segment)).toThrow(InvalidSegmentError);
    expect(pool.stats()).toEqual(before);
    pool.validate();
  });

  test('a segment of a closed pool throws InvalidSegmentError', () => {
    const pool = makePool(kind, 4096);
    const a = pool.acquire(100);
    a.release();
    const b = pool.acquire(100);
    const warned = captureWarnings(() => pool.close());
    expect(warned).toHaveLength(1);
    expect(() => b.release()).toThrow(InvalidSegmentError);
    expect(() => b.release()).toThrow(/closed/);
    expect(() => pool.release(b)).toThrow(InvalidSegmentError);
    expect(b.released).toBe(true);
  });
});

describeBackends('pool.reset', (kind) => {
  test('releases every segment at once and invalidates handles', () => {
    using pool = makePool(kind, 8192);
    const segments = [pool.acquire(100), pool.acquire(2000), pool.acquire(3000)];
    pool.reset();
    for (const s of segments) expect(s.released).toBe(true);
    expect(pool.stats()).toMatchObject({ usedBytes: 0, freeBytes: 8192, liveSegments: 0, acquires: 3, releases: 3, resets: 1 });
    expect(pool.stats().peakUsedBytes).toBeGreaterThan(0);
    pool.validate();
    expect(pool.acquire(8000).offset).toBe(0);
  });

  test('serves waiters in order', async () => {
    using pool = makePool(kind, 1024);
    pool.acquire(900);
    const order: number[] = [];
    const first = pool.acquireAsync(300).then((s) => order.push(1) && s);
    const second = pool.acquireAsync(300).then((s) => order.push(2) && s);
    pool.reset();
    await Promise.all([first, second]);
    expect(order).toEqual([1, 2]);
    pool.validate();
  });
});

describeBackends('pool.validate', (kind) => {
  test('passes on a fresh, a busy and a reset pool', () => {
    using pool = makePool(kind, 128 * KiB);
    pool.validate();
    const segments: Segment[] = [];
    for (let i = 1; i < 40; i++) segments.push(pool.acquire(i * 97));
    for (let i = 0; i < segments.length; i += 3) segments[i]!.release();
    pool.validate();
    pool.reset();
    pool.validate();
  });
});

describeBackends('using', (kind) => {
  test('disposes segments, scopes and pools at block end', () => {
    let outer: Segment | undefined;
    let poolRef: ReturnType<typeof makePool> | undefined;
    {
      using pool = makePool(kind, 4096);
      poolRef = pool;
      {
        using seg = pool.acquire(100);
        outer = seg;
        expect(seg.released).toBe(false);
      }
      expect(outer.released).toBe(true);
      {
        using seg = pool.acquire(100);
        seg.release(); // dispose after an explicit release is a no-op
      }
      expect(pool.stats().liveSegments).toBe(0);
    }
    expect(poolRef.closed).toBe(true);
    expect(() => poolRef?.acquire(1)).toThrow(PoolClosedError);
  });
});

describeBackends('hot path backend calls', (kind) => {
  test('acquire, tryAcquire, release, reset and stats make no backend call', async () => {
    const { pool, calls } = makeCountingPool(kind, 64 * KiB);
    expect(calls.allocate).toBe(1);
    expect(calls.memset).toBe(0); // allocate returns zeroed memory: the pool adds no memset
    clearCounts(calls);
    const segments: Segment[] = [];
    for (let i = 0; i < 20; i++) segments.push(pool.acquire(100 + i, { tag: 'x' }));
    segments.push(pool.tryAcquire(64)!);
    expect(pool.tryAcquire(10 * KiB * KiB)).toBeUndefined();
    for (const s of segments) s.release();
    const waited = await pool.acquireAsync(1000);
    pool.release(waited);
    {
      using scope = pool.scope();
      scope.acquire(10);
    }
    pool.acquire(10);
    pool.reset();
    pool.stats();
    pool.validate();
    expect(calls).toEqual({ allocate: 0, free: 0, memset: 0, write: 0, read: 0 });
    pool.close();
    expect(calls.free).toBe(1);
  });

  test('zero, zeroOnAcquire, write, read and fill each make exactly one call', () => {
    const { pool, calls } = makeCountingPool(kind, 64 * KiB);
    clearCounts(calls);
    const seg = pool.acquire(100, { zero: true });
    expect(calls.memset).toBe(1);
    seg.write(new Uint8Array(10));
    expect(calls.write).toBe(1);
    seg.read();
    expect(calls.read).toBe(1);
    seg.fill(1);
    expect(calls.memset).toBe(2);
    seg.release();
    pool.close();

    const zeroing = makeCountingPool(kind, 64 * KiB, { zeroOnAcquire: true });
    clearCounts(zeroing.calls);
    zeroing.pool.acquire(100).release();
    expect(zeroing.calls.memset).toBe(1);
    zeroing.pool.close();
  });
});
