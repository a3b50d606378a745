// SPDX-License-Identifier: MIT
// The pool's errors across two loaded copies of the error module: `instanceof` answers by the
// Symbol.for brand, so an error thrown by one copy is an instance of the other copy's class.

import { expect, test } from 'vitest';
import * as errors from '../../../src/errors.js';
import { describeBackends, makePool, silenceLeakWarnings } from '../../helpers/pool-backends.js';

silenceLeakWarnings();

// A query string makes the module loader evaluate errors.ts a second time: a second copy.
// The specifier is built at run time so the type checker does not try to resolve the query.
const copySpecifier = `../../../src/errors.js?${'copy'}`;
const copy = (await import(copySpecifier)) as typeof errors;

test('the copy is a real second module instance', () => {
  expect(copy.PoolExhaustedError).not.toBe(errors.PoolExhaustedError);
  expect(copy.DvppPoolError).not.toBe(errors.DvppPoolError);
});

describeBackends('errors thrown by a pool', (kind) => {
  test('instanceof holds across copies, and codes are stable', async () => {
    using pool = makePool(kind, 1024);
    const live = pool.acquire(10);
    const caught: unknown[] = [];
    const grab = (action: () => unknown): void => {
      try {
        action();
      } catch (error) {
        caught.push(error);
      }
    };
    grab(() => pool.acquire(5000));
    live.release();
    grab(() => live.release());
    const closing = makePool(kind, 1024);
    closing.close();
    grab(() => closing.acquire(1));
    caught.push(await pool.acquireAsync(900).then(() => pool.acquireAsync(10, { timeoutMs: 0 })).catch((error: unknown) => error));

    const [exhausted, invalid, closed, timeout] = caught;
    expect(exhausted).toBeInstanceOf(copy.PoolExhaustedError);
    expect(exhausted).toBeInstanceOf(copy.DvppPoolError);
    expect(exhausted).not.toBeInstanceOf(copy.InvalidSegmentError);
    expect(invalid).toBeInstanceOf(copy.InvalidSegmentError);
    expect(closed).toBeInstanceOf(copy.PoolClosedError);
    expect(timeout).toBeInstanceOf(copy.AcquireTimeoutError);
    expect(caught.map((error) => (error as errors.DvppPoolError).code)).toEqual([
      'ERR_DVPP_POOL_EXHAUSTED',
      'ERR_DVPP_INVALID_SEGMENT',
      'ERR_DVPP_POOL_CLOSED',
      'ERR_DVPP_ACQUIRE_TIMEOUT',
    ]);
    for (const error of caught) expect(error).toBeInstanceOf(Error);
  });

  test('errors made by the copy are instances of this copy\'s classes', () => {
    using pool = makePool(kind, 128);
    const error = new copy.PoolExhaustedError(10, pool.stats());
    expect(error).toBeInstanceOf(errors.PoolExhaustedError);
    expect(error).toBeInstanceOf(errors.DvppPoolError);
    expect(error).not.toBeInstanceOf(errors.PoolClosedError);
  });
});
