// SPDX-License-Identifier: MIT
// Regression tests for what an adversarial review of the pool of blocks found: an onExhausted
// that throws a value without a string form, a trimAfterMs trim whose free fails, empty blocks
// that kept a capped pool from growing, trims that did not re-offer room, growth retried on
// every failing call, blocks past the backend's largest, timeouts counted for waits that did not
// time out, a trim() that stopped at its first failing free, messages without their growth
// note, and the summary's tags. Each failed before its fix.

import { afterEach, expect, test, vi } from 'vitest';
import type { Backend } from '../../../src/backends/backend.js';
import { createJsBackend } from '../../../src/backends/js.js';
import { footprint } from '../../../src/constants.js';
import { AcquireTimeoutError, HostMemoryError, PoolClosedError, PoolExhaustedError } from '../../../src/errors.js';
import type { PoolOptions } from '../../../src/pool/options.js';
import { createPoolOver } from '../../../src/pool/pool.js';
import { createAclCompat } from '../../../src/compat/pyacl.js';
import { silenceLeakWarnings } from '../../helpers/pool-backends.js';

silenceLeakWarnings();

const MIB = 2 ** 20;

/** A js backend whose allocate fails with ENOMEM when `refuse(size)`, and whose frees fail while `failFrees`. */
function flakyBackend(refuse: (size: number) => boolean = () => false): { backend: Backend; allocations: number[]; frees: number[]; failFrees: { on: boolean } } {
  const inner = createJsBackend();
  const allocations: number[] = [];
  const frees: number[] = [];
  const failFrees = { on: false };
  const backend: Backend = {
    ...inner,
    allocate: (size, options) => {
      allocations.push(size);
      if (refuse(size)) throw new HostMemoryError('mmap', 12, 'Cannot allocate memory');
      return inner.allocate(size, options);
    },
    free: (block) => {
      frees.push(block.size);
      inner.free(block);
      if (failFrees.on) throw new HostMemoryError('munmap', 22, 'Invalid argument');
      return true;
    },
  };
  return { backend, allocations, frees, failFrees };
}

const poolOver = (options: Omit<PoolOptions, 'backend'>, backend: Backend) => createPoolOver({ ...options, backend: 'js' }, { backend });

afterEach(() => {
  vi.useRealTimers();
});

test('an onExhausted that throws a value without a string form is a warning; the acquire fails as documented', async () => {
  const warnings: string[] = [];
  const spy = vi.spyOn(process, 'emitWarning').mockImplementation((warning: string | Error) => void warnings.push(String(warning)));
  try {
    const pool = poolOver({ size: 1024, onExhausted: () => { throw Object.create(null); } }, createJsBackend());
    pool.acquire(900);
    expect(pool.tryAcquire(900)).toBeUndefined();
    expect(() => pool.acquire(900)).toThrow(PoolExhaustedError);
    await expect(pool.acquireAsync(900, { timeoutMs: 5 })).rejects.toBeInstanceOf(AcquireTimeoutError);
    expect(pool.stats()).toMatchObject({ waiting: 0, timeouts: 1 });
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/onExhausted threw; the tryAcquire\(900\) failed as documented all the same: \[object Object\]/);
    pool.close();
  } finally {
    spy.mockRestore();
  }
});

test('a trimAfterMs trim whose free fails is a warning, and the other blocks are trimmed', () => {
  vi.useFakeTimers({ toFake: ['performance', 'setTimeout', 'clearTimeout'] });
  const warnings: string[] = [];
  const spy = vi.spyOn(process, 'emitWarning').mockImplementation((warning: string | Error) => void warnings.push(String(warning)));
  try {
    const flaky = flakyBackend();
    const pool = poolOver({ size: 1024, maxSize: 4096, growBy: 1024, trimAfterMs: 10 }, flaky.backend);
    const held = [pool.acquire(900), pool.acquire(900), pool.acquire(900)];
    held[1]!.release();
    held[2]!.release();
    flaky.failFrees.on = true;
    vi.advanceTimersByTime(10);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/trimAfterMs could not give back block 1: .*munmap failed/);
    // Both blocks left the pool (a failed free is not retried).
    expect(pool.stats()).toMatchObject({ blocks: 1, trims: 2 });
    flaky.failFrees.on = false;
    pool.close();
  } finally {
    spy.mockRestore();
  }
});

test('empty blocks under the cap are given back so that a request that fits is served', () => {
  const pool = poolOver({ size: MIB, maxSize: 3 * MIB, growBy: MIB }, createJsBackend());
  const held = [pool.acquire(MIB - 200), pool.acquire(MIB - 200), pool.acquire(MIB - 200)];
  for (const segment of held) segment.release();
  const large = pool.acquire(1.5 * MIB);
  expect(large.blockIndex).toBe(1);
  expect(pool.stats()).toMatchObject({ trims: 2, blocks: 2, capacity: MIB + footprint(1.5 * MIB) });
  pool.close();
});

test('a waiter that only growth can serve is served once empty blocks leave room under the cap', async () => {
  const pool = poolOver({ size: MIB, maxSize: 3 * MIB, growBy: MIB }, createJsBackend());
  const blocker = pool.acquire(MIB - 200);
  const held = [pool.acquire(MIB - 200), pool.acquire(MIB - 200)];
  // Block 1 is busy: the 1.5 MiB growth has no room under the cap, so it waits.
  const waiting = pool.acquireAsync(1.5 * MIB, { timeoutMs: 1000 });
  held[1]!.release();
  held[0]!.release();
  // The release's service gives the empty blocks back and grows (trim() would re-offer the room too).
  expect((await waiting).blockIndex).toBeGreaterThan(0);
  blocker.release();
  pool.close();
});

test('a growth that failed is not tried again at once by polling acquires', () => {
  const flaky = flakyBackend((size) => size > MIB);
  const pool = poolOver({ size: MIB, maxSize: 4096 * MIB, growBy: 1024 * MIB }, flaky.backend);
  pool.acquire(MIB - 200);
  flaky.allocations.length = 0;
  for (let i = 0; i < 100; i++) expect(pool.tryAcquire(2 * MIB)).toBeUndefined();
  // One halving ladder (1 GiB down to the footprint), not one per call.
  expect(flaky.allocations.length).toBeLessThanOrEqual(12);
  // A smaller request may still try.
  expect(pool.tryAcquire(100)?.blockIndex).toBe(1);
  pool.close();
});

test('no block past the backend’s largest: a larger request is no room, at once for acquireAsync', async () => {
  const pool = poolOver({ size: MIB, maxSize: 2 ** 34 }, createJsBackend());
  expect(pool.tryAcquire(5 * 2 ** 30)).toBeUndefined();
  expect(() => pool.acquire(5 * 2 ** 30)).toThrow(PoolExhaustedError);
  await expect(pool.acquireAsync(5 * 2 ** 30)).rejects.toThrow(RangeError);
  // The skin says no room instead of throwing.
  expect(createAclCompat(pool).media.dvpp_malloc(5 * 2 ** 30)).toEqual([0, 207001]);
  pool.close();
});

test('a timeout is counted only for a wait that timed out (onExhausted may serve it or close the pool)', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  let hog: { release(): void } | undefined;
  const served = poolOver({ size: 4096, onExhausted: () => hog?.release() }, createJsBackend());
  hog = served.acquire(4000);
  const pending = served.acquireAsync(1000, { timeoutMs: 5 });
  vi.advanceTimersByTime(5);
  expect((await pending).released).toBe(false);
  expect(served.stats()).toMatchObject({ timeouts: 0, waits: 1 });
  served.close();

  let closing: { close(): void } | undefined;
  const closed = poolOver({ size: 4096, onExhausted: () => closing?.close() }, createJsBackend());
  closing = closed;
  closed.acquire(4000);
  const rejected = closed.acquireAsync(1000, { timeoutMs: 5 }).catch((error: unknown) => error);
  vi.advanceTimersByTime(5);
  expect(await rejected).toBeInstanceOf(PoolClosedError);
  expect(closed.stats().timeouts).toBe(0);
});

test('trim() tries every empty block when a free fails, then throws the first error', () => {
  const flaky = flakyBackend();
  const pool = poolOver({ size: 1024, maxSize: 4096, growBy: 1024 }, flaky.backend);
  const held = [pool.acquire(900), pool.acquire(900), pool.acquire(900), pool.acquire(900)];
  for (const segment of held.slice(1)) segment.release();
  flaky.failFrees.on = true;
  expect(() => pool.trim()).toThrow(HostMemoryError);
  expect(flaky.frees).toHaveLength(3);
  expect(pool.stats().blocks).toBe(1);
  flaky.failFrees.on = false;
  pool.close();
});

test('a timeout says what growth tried, and the growth note ends its sentence', async () => {
  const flaky = flakyBackend((size) => size > 16 * 1024);
  const pool = poolOver({ size: 16 * 1024, maxSize: MIB }, flaky.backend);
  const error = (await pool.acquireAsync(20 * 1024, { timeoutMs: 5 }).catch((thrown: unknown) => thrown)) as Error;
  expect(error).toBeInstanceOf(AcquireTimeoutError);
  expect(error.message).toMatch(/Growth was tried with blocks of 20\.1 KiB and failed: mmap failed with errno 12: Cannot allocate memory\. Release segments sooner/);
  pool.close();
});

test('the summary keeps a tag named "(untagged)" apart and shows growth', () => {
  const pool = poolOver({ size: 4096, maxSize: 8192, growBy: 4096 }, createJsBackend());
  pool.acquire(1000, { tag: '(untagged)' });
  pool.acquire(1000);
  pool.acquire(3000);
  const text = pool.summary();
  expect(text).toMatch(/^  "\(untagged\)" +1\.1 KiB  1 segment$/m);
  expect(text).toMatch(/^  \(untagged\) +4\.1 KiB  2 segments$/m);
  expect(text).toMatch(/^blocks +2  1 grows, 0 growth failures, 0 trims$/m);
  pool.close();
});
