// SPDX-License-Identifier: MIT
// Options are user objects: a getter may call back into the pool while acquire is reading them.
// A getter that closes the pool must make the acquire fail with PoolClosedError, never hand out
// a segment that reports live on a closed pool (the bad-input fuzz found this).

import { expect, it } from 'vitest';
import { PoolClosedError } from '../../src/errors.js';
import type { AcquireAsyncOptions } from '../../src/pool/options.js';
import type { Pool } from '../../src/pool/pool.js';
import { describeBackends, makePool } from '../helpers/pool-backends.js';

function closingOptions(pool: Pool, zero: boolean): AcquireAsyncOptions {
  return {
    zero,
    get tag() {
      pool.close();
      return 'closes the pool';
    },
  };
}

describeBackends('an option getter that closes the pool', (kind) => {
  it.each([false, true])('acquire/tryAcquire/scope.acquire (zero: %s) throw PoolClosedError', (zero) => {
    for (const call of [
      (pool: Pool) => pool.acquire(100, closingOptions(pool, zero)),
      (pool: Pool) => pool.tryAcquire(100, closingOptions(pool, zero)),
      (pool: Pool) => pool.scope().acquire(100, closingOptions(pool, zero)),
    ]) {
      const pool = makePool(kind, 4096);
      expect(() => call(pool)).toThrow(PoolClosedError);
      expect(pool.closed).toBe(true);
      expect(pool.stats().liveSegments).toBe(0);
    }
  });

  it('acquireAsync rejects with PoolClosedError', async () => {
    const pool = makePool(kind, 4096);
    await expect(pool.acquireAsync(100, closingOptions(pool, false))).rejects.toThrow(PoolClosedError);
    expect(pool.stats()).toMatchObject({ liveSegments: 0, acquires: 0 });
  });
});

/** Options whose getters answer `first` on the first read and `later` on every read after it. */
function fickle(values: Record<string, [first: unknown, later: unknown]>): AcquireAsyncOptions & { reads: Record<string, number> } {
  const reads: Record<string, number> = {};
  const options = { reads } as AcquireAsyncOptions & { reads: Record<string, number> };
  for (const [key, [first, later]] of Object.entries(values)) {
    reads[key] = 0;
    Object.defineProperty(options, key, {
      enumerable: true,
      get: () => (reads[key]!++ === 0 ? first : later),
    });
  }
  Object.defineProperty(options, 'reads', { enumerable: false });
  return options;
}

describeBackends('options are read exactly once', (kind) => {
  it('a tag getter cannot show the check a string and the pool an object', async () => {
    using pool = makePool(kind, 4096);
    for (const acquire of [
      (o: object) => pool.acquire(100, o),
      (o: object) => pool.tryAcquire(100, o),
      (o: object) => pool.scope().acquire(100, o),
    ]) {
      const options = fickle({ tag: ['a string', { not: 'a string' }], zero: [true, 'yes'] });
      const segment = acquire(options);
      expect(segment?.tag).toBe('a string');
      expect(options.reads).toEqual({ tag: 1, zero: 1 });
    }
    const options = fickle({ tag: ['async', {}], timeoutMs: [1000, 2 ** 40], signal: [undefined, 'no signal'] });
    const segment = await pool.acquireAsync(100, options);
    expect(segment.tag).toBe('async');
    expect(options.reads).toEqual({ tag: 1, timeoutMs: 1, signal: 1 });
    pool.validate();
    expect(() => pool.snapshot()).not.toThrow();
  });

  it('a timeoutMs getter cannot pass the check with one value and arm the timer with another', async () => {
    using pool = makePool(kind, 1024);
    const blocker = pool.acquire(900);
    const options = fickle({ timeoutMs: [5, 2 ** 40] });
    const error: unknown = await pool.acquireAsync(500, options).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_DVPP_ACQUIRE_TIMEOUT', timeoutMs: 5 });
    expect((error as Error).message).toMatch(/timed out after 5 ms/);
    expect(options.reads).toEqual({ timeoutMs: 1 });
    blocker.release();
  });
});
