// SPDX-License-Identifier: MIT
// Scope: acquire/tryAcquire/acquireAsync through a scope, releaseAll and dispose releasing only
// what is still live, individual releases inside a scope, reuse, and closed-pool behaviour.

import { expect, test } from 'vitest';
import { PoolClosedError, PoolExhaustedError } from '../../../src/errors.js';
import { Scope } from '../../../src/pool/scope.js';
import { describeBackends, makePool, silenceLeakWarnings } from '../../helpers/pool-backends.js';

silenceLeakWarnings();

describeBackends('Scope', (kind) => {
  test('releaseAll releases what was acquired through the scope, nothing else', () => {
    using pool = makePool(kind, 8192);
    const outside = pool.acquire(100);
    const scope = pool.scope();
    expect(scope).toBeInstanceOf(Scope);
    expect(scope.pool).toBe(pool);
    const a = scope.acquire(100, { tag: 'a' });
    const b = scope.tryAcquire(200);
    expect(scope.liveCount).toBe(2);
    scope.releaseAll();
    expect(a.released).toBe(true);
    expect(b?.released).toBe(true);
    expect(outside.released).toBe(false);
    expect(scope.liveCount).toBe(0);
    expect(pool.stats()).toMatchObject({ liveSegments: 1, releases: 2 });
    pool.validate();
  });

  test('`using` releases at block end', () => {
    using pool = makePool(kind, 8192);
    {
      using frame = pool.scope();
      frame.acquire(1000);
      frame.acquire(2000);
      expect(pool.stats().liveSegments).toBe(2);
    }
    expect(pool.stats().liveSegments).toBe(0);
  });

  test('a scoped segment may be released on its own; releaseAll skips it', () => {
    using pool = makePool(kind, 8192);
    const scope = pool.scope();
    const a = scope.acquire(100);
    const b = scope.acquire(100);
    a.release();
    expect(() => scope.releaseAll()).not.toThrow();
    expect(b.released).toBe(true);
    expect(pool.stats()).toMatchObject({ releases: 2, liveSegments: 0 });
    pool.validate();
  });

  test('a scope is reusable after releaseAll and dispose', () => {
    using pool = makePool(kind, 8192);
    const scope = pool.scope();
    for (let frame = 0; frame < 5; frame++) {
      scope.acquire(3000);
      scope.acquire(3000);
      scope[Symbol.dispose]();
    }
    expect(pool.stats()).toMatchObject({ acquires: 10, releases: 10, liveSegments: 0 });
  });

  test('scope.acquire throws like pool.acquire; tryAcquire gives undefined and records nothing', () => {
    using pool = makePool(kind, 1024);
    const scope = pool.scope();
    expect(() => scope.acquire(5000)).toThrow(PoolExhaustedError);
    expect(scope.tryAcquire(5000)).toBeUndefined();
    expect(() => scope.acquire(0)).toThrow(RangeError);
    expect(scope.liveCount).toBe(0);
    expect(pool.stats().failures).toBe(2);
  });

  test('acquireAsync through a scope is tracked once it resolves, and released by releaseAll', async () => {
    using pool = makePool(kind, 1024);
    const blocker = pool.acquire(900);
    const scope = pool.scope();
    const pending = scope.acquireAsync(500, { tag: 'late' });
    expect(scope.liveCount).toBe(0);
    blocker.release();
    const seg = await pending;
    expect(seg.tag).toBe('late');
    expect(scope.liveCount).toBe(1);
    scope.releaseAll();
    expect(seg.released).toBe(true);
    await expect(scope.acquireAsync(0)).rejects.toThrow(RangeError);
  });

  test('a scope created with room resolves acquireAsync at once and tracks it', async () => {
    using pool = makePool(kind, 1024);
    const scope = pool.scope();
    const seg = await scope.acquireAsync(100);
    expect(scope.liveCount).toBe(1);
    scope.releaseAll();
    expect(seg.released).toBe(true);
  });

  test('after reset, releaseAll skips the reset segments', () => {
    using pool = makePool(kind, 8192);
    const scope = pool.scope();
    scope.acquire(100);
    pool.reset();
    const fresh = pool.acquire(100);
    expect(() => scope.releaseAll()).not.toThrow();
    expect(fresh.released).toBe(false);
    pool.validate();
  });

  test('closed pool: pool.scope() throws; an old scope disposes quietly and cannot acquire', async () => {
    const pool = makePool(kind, 8192);
    const scope = pool.scope();
    scope.acquire(100);
    pool.close();
    expect(() => pool.scope()).toThrow(PoolClosedError);
    expect(() => pool.scope()).toThrow(expect.objectContaining({ code: 'ERR_DVPP_POOL_CLOSED' }));
    expect(() => scope[Symbol.dispose]()).not.toThrow();
    expect(() => scope.acquire(1)).toThrow(PoolClosedError);
    expect(() => scope.tryAcquire(1)).toThrow(PoolClosedError);
    await expect(scope.acquireAsync(1)).rejects.toBeInstanceOf(PoolClosedError);
  });
});
