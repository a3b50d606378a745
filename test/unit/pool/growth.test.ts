// SPDX-License-Identifier: MIT
// A pool of blocks (issue 14): growth under maxSize by blocks of max(growBy, footprint), the
// oldest block first, halving on out-of-memory down to the request's footprint, what each acquire
// does when growth cannot happen, minSize for the first block, trim() and trimAfterMs, reset and
// close over every block. Backends are wrapped to count calls and to run out of memory on cue.

import { afterEach, describe, expect, test, vi } from 'vitest';
import type { Backend, BackendBlock } from '../../../src/backends/backend.js';
import { selectBackend } from '../../../src/backends/select.js';
import { footprint } from '../../../src/constants.js';
import { AclError, HostMemoryError, InvalidSegmentError, PoolClosedError, PoolExhaustedError } from '../../../src/errors.js';
import { type Pool, createPoolOver } from '../../../src/pool/pool.js';
import type { PoolOptions } from '../../../src/pool/options.js';
import { captureWarnings, describeBackends, makePool, silenceLeakWarnings, type TestedKind } from '../../helpers/pool-backends.js';

silenceLeakWarnings();

const KIB = 1024;
const ENOMEM = 12;

/** What the wrapped backend did: the sizes asked for, the blocks it gave and freed. */
interface Ledger {
  readonly asked: number[];
  readonly given: BackendBlock[];
  readonly freed: BackendBlock[];
  /** Sizes above this throw an out-of-memory HostMemoryError (as mmap's ENOMEM). */
  limit: number;
  /** When set, thrown by the next allocate instead (once). */
  failNext: Error | undefined;
  /** When set, thrown by the free of this block (after it was freed: the pool must go on). */
  failFreeOf: { readonly block: BackendBlock; readonly error: Error } | undefined;
}

/** A pool over `kind`'s backend, wrapped so that allocations can run out of memory on cue. */
function ledgerPool(kind: TestedKind, options: Omit<PoolOptions, 'backend'>, limit = Infinity): { pool: Pool; ledger: Ledger } {
  const inner = selectBackend(kind, {}).backend;
  const ledger: Ledger = { asked: [], given: [], freed: [], limit, failNext: undefined, failFreeOf: undefined };
  const backend: Backend = {
    ...inner,
    allocate(size) {
      ledger.asked.push(size);
      const fail = ledger.failNext;
      ledger.failNext = undefined;
      if (fail !== undefined) throw fail;
      if (size > ledger.limit) throw new HostMemoryError('mmap', ENOMEM, 'Cannot allocate memory');
      const block = inner.allocate(size);
      ledger.given.push(block);
      return block;
    },
    free(block) {
      ledger.freed.push(block);
      const freed = inner.free(block);
      if (ledger.failFreeOf?.block === block) throw ledger.failFreeOf.error;
      return freed;
    },
  };
  return { pool: createPoolOver({ ...options, backend: kind }, { backend }), ledger };
}

afterEach(() => {
  vi.useRealTimers();
});

describeBackends('a pool of blocks', (kind) => {
  test('without maxSize a pool never grows: one block, today’s behaviour', () => {
    using pool = makePool(kind, 4 * KIB);
    expect(pool.maxSize).toBe(4 * KIB);
    pool.acquire(4000);
    expect(() => pool.acquire(100)).toThrow(PoolExhaustedError);
    expect(pool.stats()).toMatchObject({ blocks: 1, grows: 0, growFailures: 0, capacity: 4 * KIB });
    // No growth was possible, so the message says nothing of it.
    expect(() => pool.acquire(100)).toThrow(/^Pool exhausted: cannot acquire 100 bytes \(.*\)\. Release segments first/);
    expect(() => pool.acquire(100)).not.toThrow(/grow/i);
  });

  test('grows by blocks of growBy (a larger request: its own footprint), never past maxSize', () => {
    const { pool, ledger } = ledgerPool(kind, { size: 4 * KIB, maxSize: 20 * KIB, growBy: 4 * KIB });
    const first = pool.acquire(4000);
    const second = pool.acquire(4000);
    const large = pool.acquire(7000);
    expect([first.blockIndex, second.blockIndex, large.blockIndex]).toEqual([0, 1, 2]);
    expect(ledger.asked).toEqual([4 * KIB, 4 * KIB, footprint(7000)]);
    expect(pool.capacity).toBe(8 * KIB + footprint(7000));
    expect(pool.stats()).toMatchObject({ blocks: 3, grows: 2, capacity: pool.capacity });
    // The cap leaves 20 KiB - 14.9 KiB = 5.1 KiB: room for a 4 KiB block, not for a 6 KiB one.
    expect(() => pool.acquire(6000)).toThrow(/The pool may not grow for it: its blocks hold 14\.9 KiB of maxSize 20 KiB, and this needs a block of 6 KiB\./);
    expect(pool.acquire(4000).blockIndex).toBe(3);
    // The last growth is cut to what the cap leaves.
    const last = pool.acquire(1000);
    expect(last.blockIndex).toBe(4);
    expect(ledger.asked.at(-1)).toBe(20 * KIB - 12 * KIB - footprint(7000));
    expect(pool.capacity).toBe(20 * KIB);
    pool.validate();
    pool.close();
    expect(ledger.freed).toHaveLength(5);
    expect(new Set(ledger.freed)).toEqual(new Set(ledger.given));
  });

  test('growBy defaults to size', () => {
    const { pool, ledger } = ledgerPool(kind, { size: 8 * KIB, maxSize: 64 * KIB });
    pool.acquire(8000);
    pool.acquire(100);
    expect(ledger.asked).toEqual([8 * KIB, 8 * KIB]);
    pool.close();
  });

  test('segments of different blocks are distinct memory: addresses in their blocks, bytes kept apart', () => {
    using pool = makePool(kind, 4 * KIB, { maxSize: 12 * KIB });
    const segments = [pool.acquire(4000), pool.acquire(4000), pool.acquire(4000)];
    const blocks = pool.snapshot().blocks;
    segments.forEach((segment, i) => {
      expect(segment.address).toBe(BigInt(blocks[segment.blockIndex]!.baseAddress) + BigInt(segment.offset));
      segment.fill(i + 1);
    });
    segments.forEach((segment, i) => expect(segment.read().every((byte) => byte === i + 1)).toBe(true));
    // Ranges of two blocks never overlap in the address space.
    const spans = blocks.map((b) => [BigInt(b.baseAddress), BigInt(b.baseAddress) + BigInt(b.size)] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0] >= spans[i - 1]![1]).toBe(true);
  });

  test('the oldest block first: room in block 0 is used before a later block', () => {
    using pool = makePool(kind, 4 * KIB, { maxSize: 8 * KIB });
    const a = pool.acquire(2000);
    pool.acquire(2000);
    const c = pool.acquire(2000);
    expect(c.blockIndex).toBe(1);
    a.release();
    expect(pool.acquire(1000).blockIndex).toBe(0);
    expect(pool.acquire(1000).blockIndex).toBe(1);
  });

  test('zeroing and byte access reach the segment’s own block', () => {
    using pool = makePool(kind, 4 * KIB, { maxSize: 8 * KIB, zeroOnAcquire: true });
    pool.acquire(4000).fill(7);
    const later = pool.acquire(4000);
    expect(later.blockIndex).toBe(1);
    later.fill(9);
    later.release();
    const again = pool.acquire(4000);
    expect(again.blockIndex).toBe(1);
    expect(again.read().every((byte) => byte === 0)).toBe(true);
  });

  test('out of memory: halves down to the footprint, then tryAcquire gives undefined and acquire says what was tried', () => {
    const { pool, ledger } = ledgerPool(kind, { size: 4 * KIB, maxSize: 1024 * KIB, growBy: 256 * KIB }, 40 * KIB);
    pool.acquire(4000);
    // 256 KiB, 128, 64 fail; 32 KiB is had.
    expect(pool.acquire(10_000).blockIndex).toBe(1);
    expect(ledger.asked.slice(1)).toEqual([256 * KIB, 128 * KIB, 64 * KIB, 32 * KIB]);
    expect(pool.stats()).toMatchObject({ blocks: 2, grows: 1, growFailures: 0, capacity: 36 * KIB });
    pool.acquire(20_000);
    ledger.asked.length = 0;
    ledger.limit = 0;
    expect(pool.tryAcquire(50_000)).toBeUndefined();
    // Halved to the request's footprint and no further.
    expect(ledger.asked).toEqual([256 * KIB, 128 * KIB, 64 * KIB, footprint(50_000)]);
    expect(pool.stats()).toMatchObject({ growFailures: 1, failures: 1, blocks: 2 });
    expect(() => pool.acquire(50_000)).toThrow(
      /Growth was tried with blocks of 256 KiB, 128 KiB, 64 KiB, 48\.9 KiB and failed: mmap failed .*errno 12/,
    );
    pool.validate();
    pool.close();
  });

  test('an error that is not out of memory stops growth at once and reaches the caller', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const { pool, ledger } = ledgerPool(kind, { size: 4 * KIB, maxSize: 64 * KIB });
    pool.acquire(4000);
    const broken = new AclError('acldvppMalloc', 507011, 'device lost');
    ledger.failNext = broken;
    expect(() => pool.tryAcquire(100)).toThrow(broken);
    // Within 100 ms a growth as large is not tried again: no room, and the message says why.
    expect(pool.tryAcquire(100)).toBeUndefined();
    expect(() => pool.acquire(100)).toThrow(/Growth was tried with blocks of 4 KiB and failed: acldvppMalloc failed/);
    vi.advanceTimersByTime(100);
    ledger.failNext = broken;
    expect(() => pool.acquire(100)).toThrow(broken);
    vi.advanceTimersByTime(100);
    ledger.failNext = broken;
    await expect(pool.acquireAsync(100)).rejects.toBe(broken);
    expect(pool.stats()).toMatchObject({ growFailures: 3, blocks: 1 });
    // It is not retried with a smaller block.
    expect(ledger.asked.filter((size) => size < 4 * KIB)).toEqual([]);
    pool.close();
  });

  test('acquireAsync waits when growth fails, and is served by a release', async () => {
    const { pool, ledger } = ledgerPool(kind, { size: 4 * KIB, maxSize: 64 * KIB });
    ledger.limit = 0;
    const hog = pool.acquire(4000);
    const waiting = pool.acquireAsync(1000);
    expect(pool.stats()).toMatchObject({ waiting: 1, growFailures: 1 });
    hog.release();
    const served = await waiting;
    expect(served.blockIndex).toBe(0);
    expect(ledger.given).toHaveLength(1);
    pool.close();
  });

  test('a waiter whose growth failed tries growing again on a later release, at most every 100 ms', async () => {
    vi.useFakeTimers({ toFake: ['performance', 'setTimeout', 'clearTimeout'] });
    const { pool, ledger } = ledgerPool(kind, { size: 4 * KIB, maxSize: 64 * KIB });
    ledger.limit = 0;
    pool.acquire(2000);
    const other = pool.acquire(1000);
    const waiting = pool.acquireAsync(3000);
    ledger.limit = Infinity;
    const asked = ledger.asked.length;
    // A release 10 ms later re-offers room: the waiter does not fit block 0, and growth is not retried yet.
    vi.advanceTimersByTime(10);
    other.release();
    expect(ledger.asked.length).toBe(asked);
    pool.acquire(1000).release();
    vi.advanceTimersByTime(100);
    pool.acquire(1000).release();
    expect((await waiting).blockIndex).toBe(1);
    pool.close();
  });

  test('acquireAsync refuses at once only what no block the pool may have can hold', async () => {
    using pool = makePool(kind, 4 * KIB, { maxSize: 20 * KIB });
    // The largest block: 20 KiB - the first 4 KiB.
    await expect(pool.acquireAsync(16 * KIB + 1)).rejects.toThrow(/largest block the pool has or may grow is 16384 bytes/);
    expect((await pool.acquireAsync(12 * KIB)).blockIndex).toBe(1);
  });

  test('minSize: the first block halves down to it when size cannot be had; without it createPool fails', () => {
    expect(() => ledgerPool(kind, { size: 64 * KIB }, 20 * KIB)).toThrow(HostMemoryError);
    const { pool, ledger } = ledgerPool(kind, { size: 64 * KIB, minSize: 8 * KIB }, 20 * KIB);
    expect(ledger.asked).toEqual([64 * KIB, 32 * KIB, 16 * KIB]);
    expect(pool.capacity).toBe(16 * KIB);
    // Asked not to grow (no maxSize), it stays one block: maxSize is the block it got.
    expect(pool.maxSize).toBe(16 * KIB);
    expect(pool.tryAcquire(16 * KIB)).toBeUndefined();
    expect(pool.stats().blocks).toBe(1);
    pool.close();
    const growing = ledgerPool(kind, { size: 64 * KIB, minSize: 8 * KIB, maxSize: 64 * KIB }, 20 * KIB).pool;
    expect(growing.maxSize).toBe(64 * KIB);
    growing.close();
    expect(() => ledgerPool(kind, { size: 64 * KIB, minSize: 32 * KIB }, 20 * KIB)).toThrow(HostMemoryError);
  });

  test('trim() frees every empty block but the first and says how many bytes', () => {
    const { pool, ledger } = ledgerPool(kind, { size: 4 * KIB, maxSize: 16 * KIB });
    const segments = [pool.acquire(4000), pool.acquire(4000), pool.acquire(4000)];
    expect(pool.trim()).toBe(0);
    segments[1]!.release();
    segments[0]!.release();
    expect(pool.trim()).toBe(4 * KIB);
    expect(ledger.freed).toEqual([ledger.given[1]]);
    expect(pool.stats()).toMatchObject({ blocks: 2, trims: 1, capacity: 8 * KIB });
    expect(pool.snapshot().blocks.map((b) => b.index)).toEqual([0, 2]);
    // A segment of the trimmed block stays refused, saying why.
    expect(() => segments[1]!.release()).toThrow(InvalidSegmentError);
    expect(() => segments[1]!.read()).toThrow(/its block was trimmed/);
    // The next growth takes the free slot.
    pool.acquire(4000);
    expect(pool.acquire(4000).blockIndex).toBe(1);
    pool.validate();
    pool.close();
    expect(ledger.freed).toHaveLength(ledger.given.length);
    expect(() => pool.trim()).toThrow(PoolClosedError);
  });

  test('trimAfterMs trims a block empty that long, not one that filled again', () => {
    vi.useFakeTimers({ toFake: ['performance', 'setTimeout', 'clearTimeout'] });
    const { pool, ledger } = ledgerPool(kind, { size: 4 * KIB, maxSize: 16 * KIB, trimAfterMs: 1000 });
    pool.acquire(4000);
    const b = pool.acquire(4000);
    const c = pool.acquire(4000);
    b.release();
    vi.advanceTimersByTime(500);
    c.release();
    vi.advanceTimersByTime(500);
    expect(ledger.freed).toEqual([ledger.given[1]]);
    // Block 2 is refilled before its time comes.
    pool.acquire(4000);
    expect(pool.stats().blocks).toBe(2);
    vi.advanceTimersByTime(2000);
    expect(pool.stats()).toMatchObject({ blocks: 2, trims: 1 });
    pool.reset();
    vi.advanceTimersByTime(1000);
    expect(pool.stats()).toMatchObject({ blocks: 1, trims: 2, capacity: 4 * KIB });
    pool.close();
    expect(ledger.freed).toHaveLength(3);
  });

  test('reset empties every block and frees none', () => {
    const { pool, ledger } = ledgerPool(kind, { size: 4 * KIB, maxSize: 12 * KIB });
    for (let i = 0; i < 3; i++) pool.acquire(4000);
    pool.reset();
    expect(ledger.freed).toEqual([]);
    expect(pool.stats()).toMatchObject({ blocks: 3, liveSegments: 0, usedBytes: 0, largestFreeRange: 4 * KIB });
    pool.validate();
    pool.close();
  });

  test('close frees every block exactly once, even when one free fails; the leak warning counts every block', () => {
    const { pool, ledger } = ledgerPool(kind, { size: 4 * KIB, maxSize: 12 * KIB });
    for (let i = 0; i < 3; i++) pool.acquire(4000, { tag: `block ${i}` });
    const warnings = captureWarnings(() => expect(() => pool.close()).not.toThrow());
    expect(ledger.freed).toHaveLength(3);
    expect(warnings[0]?.message).toMatch(/3 live segments \(12288 of 12288 bytes\)/);
  });

  test('a failing free in close: the other blocks are freed all the same and the first error is thrown', () => {
    const { pool, ledger } = ledgerPool(kind, { size: 4 * KIB, maxSize: 12 * KIB });
    const held = [pool.acquire(4000), pool.acquire(4000), pool.acquire(4000)];
    for (const segment of held) segment.release();
    const broken = new AclError('acldvppFree', 207002, 'free failed');
    ledger.failFreeOf = { block: ledger.given[1]!, error: broken };
    expect(() => pool.close()).toThrow(broken);
    expect(ledger.freed).toEqual(ledger.given);
    expect(pool.closed).toBe(true);
  });
});

describe('growth options', () => {
  test.each([
    [{ maxSize: 1000 }, /options\.maxSize/],
    [{ maxSize: 2 ** 53 }, /options\.maxSize/],
    [{ growBy: 64 }, /options\.growBy/],
    [{ growBy: 2 ** 35 }, /options\.growBy/],
    [{ minSize: 8192 }, /options\.minSize/],
    [{ minSize: 100 }, /options\.minSize/],
    [{ trimAfterMs: -1 }, /options\.trimAfterMs/],
    [{ trimAfterMs: 1.5 }, /options\.trimAfterMs/],
    [{ trimAfterMs: 2 ** 31 }, /options\.trimAfterMs/],
  ])('%o is refused, naming the option', (extra, message) => {
    expect(() => makePool('js', 4096, extra)).toThrow(message);
  });

  test('a wrong type is a TypeError, a value out of range a RangeError', () => {
    expect(() => makePool('js', 4096, { maxSize: '1 GiB' as unknown as number })).toThrow(TypeError);
    expect(() => makePool('js', 4096, { maxSize: 100 })).toThrow(RangeError);
    expect(() => makePool('js', 4096, { trimAfterMs: 'soon' as unknown as number })).toThrow(TypeError);
  });

  test('sizes are rounded down to 128 bytes', () => {
    using pool = makePool('js', 4096, { maxSize: 10_000, growBy: 1000 });
    expect(pool.maxSize).toBe(9984);
    pool.acquire(4000);
    expect(pool.acquire(100).blockIndex).toBe(1);
    expect(pool.snapshot().blocks[1]?.size).toBe(896);
  });
});
