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
