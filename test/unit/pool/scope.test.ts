// SPDX-License-Identifier: MIT
// Scope: acquire/tryAcquire/acquireAsync through a scope, releaseAll and dispose releasing only
// what is still live, individual releases inside a scope, reuse, closed-pool behaviour, and the
// scope's pending waits cancelled by releaseAll/dispose so nothing outlives it.

import { expect, test, vi } from 'vitest';
import { AcquireTimeoutError, PoolClosedError, PoolExhaustedError, ScopeReleasedError } from '../../../src/errors.js';
import type { Pool } from '../../../src/pool/pool.js';
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

describeBackends('Scope owns its pending waits', (kind) => {
  test('try/finally releaseAll after a timed-out wait: the other wait is cancelled, nothing outlives the scope', async () => {
    vi.useFakeTimers();
    try {
      using pool = makePool(kind, 1024);
      const blocker = pool.acquire(900);
      const scope = pool.scope();
      const a = scope.acquireAsync(100, { tag: 'a' });
      const b = scope.acquireAsync(100, { tag: 'b', timeoutMs: 50 });
      const attempt = (async () => {
        try {
          await Promise.all([a, b]);
        } finally {
          scope.releaseAll();
        }
      })();
      const settledA = a.catch((error: unknown) => error);
      vi.advanceTimersByTime(50);
      await expect(attempt).rejects.toBeInstanceOf(AcquireTimeoutError);
      const errorA = await settledA;
      expect(errorA).toBeInstanceOf(ScopeReleasedError);
      expect(errorA).toMatchObject({ code: 'ERR_DVPP_SCOPE_RELEASED', requested: 100 });
      expect(pool.stats().waiting).toBe(0);
      blocker.release();
      // Before the fix, `a` was served here into the finished scope and stayed live.
      expect(pool.stats()).toMatchObject({ liveSegments: 0, waiting: 0 });
      expect(scope.liveCount).toBe(0);
      pool.validate();
    } finally {
      vi.useRealTimers();
    }
  });

  test('dispose cancels pending waits too; waits of other scopes and of the pool stay queued', async () => {
    using pool = makePool(kind, 1024);
    const blocker = pool.acquire(900);
    const other = pool.scope();
    const outsider = pool.acquireAsync(100, { tag: 'pool' });
    let mine: Promise<unknown>;
    {
      using frame = pool.scope();
      mine = frame.acquireAsync(100).catch((error: unknown) => error);
    }
    const theirs = other.acquireAsync(100, { tag: 'other' });
    expect(await mine).toBeInstanceOf(ScopeReleasedError);
    expect(pool.stats().waiting).toBe(2);
    blocker.release();
    expect((await outsider).tag).toBe('pool');
    expect((await theirs).tag).toBe('other');
    expect(other.liveCount).toBe(1);
    other.releaseAll();
    expect(pool.stats().liveSegments).toBe(1);
  });

  test('cancelling the head wait does not serve a later wait of the same scope: every pending wait rejects', async () => {
    using pool = makePool(kind, 1024);
    pool.acquire(400); // 512 bytes used, 512 free
    const scope = pool.scope();
    const large = scope.acquireAsync(900).catch((error: unknown) => error);
    const small = scope.acquireAsync(100).catch((error: unknown) => error);
    const outsider = pool.acquireAsync(100);
    expect(pool.stats().waiting).toBe(3);
    scope.releaseAll();
    expect(await large).toBeInstanceOf(ScopeReleasedError);
    // Before the fix, cancelling `large` served `small`, which releaseAll then released: a dead handle.
    expect(await small).toMatchObject({ code: 'ERR_DVPP_SCOPE_RELEASED', requested: 100 });
    // The room is re-offered once, after the cancels: the pool's own waiter gets it.
    expect((await outsider).released).toBe(false);
    expect(pool.stats()).toMatchObject({ liveSegments: 2, waiting: 0, acquires: 2 });
    pool.validate();
  });

  test('releaseAll offers the room once, after every cancel and release: no waiter is served while the scope still holds its segments', async () => {
    using pool = makePool(kind, 4096);
    const scope = pool.scope();
    scope.acquire(2000); // footprint 2048
    // The scope's own large wait holds back the outsider behind it.
    const held = scope.acquireAsync(4000).catch((error: unknown) => error);
    const outsider = pool.acquireAsync(1000);
    pool.resetPeak();
    expect(pool.stats().peakUsedBytes).toBe(2048);
    scope.releaseAll();
    expect(await held).toBeInstanceOf(ScopeReleasedError);
    expect((await outsider).offset).toBe(0);
    // Before the fix the cancel served the outsider beside the scope's segment (3200 bytes in use) and the release came after.
    expect(pool.stats()).toMatchObject({ peakUsedBytes: 2048, usedBytes: 1152 });
  });

  test('a scope stays usable after cancelling: its next waits and acquires work', async () => {
    using pool = makePool(kind, 1024);
    const blocker = pool.acquire(900);
    const scope = pool.scope();
    const cancelled = scope.acquireAsync(100).catch((error: unknown) => error);
    scope.releaseAll();
    expect(await cancelled).toBeInstanceOf(ScopeReleasedError);
    const next = scope.acquireAsync(100);
    blocker.release();
    expect((await next).released).toBe(false);
    expect(scope.liveCount).toBe(1);
    scope.releaseAll();
    expect(pool.stats().liveSegments).toBe(0);
  });
});

test('Scope is a type of the package, not a value, and cannot be built without a pool', async () => {
  const api: Record<string, unknown> = await import('../../../src/index.js');
  expect('Scope' in api).toBe(false);
  expect(() => new Scope(undefined as unknown as Pool)).toThrow(TypeError);
  expect(() => new Scope({} as Pool)).toThrow(/Expected a Pool for pool/);
});
