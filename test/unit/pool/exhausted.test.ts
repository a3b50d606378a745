// SPDX-License-Identifier: MIT
// Out-of-room reports: PoolExhaustedError and AcquireTimeoutError say how full the pool was in
// their message and carry the stats; createPool({ onExhausted }) is told of every acquire that
// finds no room (acquire, tryAcquire, scopes, pyACL dvpp_malloc, acquireAsync timeouts), once at a
// time, and what it throws becomes a warning, never the acquire's error.

import { expect, test } from 'vitest';
import { createAclCompat } from '../../../src/compat/pyacl.js';
import { AcquireTimeoutError, PoolExhaustedError } from '../../../src/errors.js';
import type { ExhaustedReport } from '../../../src/pool/exhausted.js';
import { describeBackends, makePool, silenceLeakWarnings } from '../../helpers/pool-backends.js';

silenceLeakWarnings();

describeBackends('out-of-room reports', (kind) => {
  test('PoolExhaustedError: used, free, largest free range and the largest holders in the message; stats as a property', () => {
    using pool = makePool(kind, 1024 * 1024);
    pool.acquire(300_000, { tag: 'vdec ch0' });
    pool.acquire(200_000, { tag: 'vpc' });
    pool.acquire(100_000);
    pool.acquire(1000, { tag: 'jpegd' });
    let error: unknown;
    try {
      pool.acquire(600_000);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(PoolExhaustedError);
    const exhausted = error as PoolExhaustedError;
    expect(exhausted.stats).toEqual(pool.stats());
    expect(exhausted.largestFree).toBe(pool.stats().largestFreeRange);
    expect(exhausted.requested).toBe(600_000);
    expect(exhausted.message).toBe(
      'Pool exhausted: cannot acquire 600000 bytes (used 587.3 KiB of 1 MiB in 4 segments, free 436.8 KiB, the largest free range 436.8 KiB; ' +
        'largest holders: "vdec ch0" 293 KiB in 1 segment, "vpc" 195.4 KiB in 1 segment, (untagged) 97.8 KiB in 1 segment). ' +
        'Release segments first, wait with acquireAsync(), or create a larger pool (or a larger maxSize).',
    );
    expect(exhausted.message).not.toContain('jpegd');
  });

  test('AcquireTimeoutError carries the stats and the same summary', async () => {
    using pool = makePool(kind, 4096);
    pool.acquire(4000, { tag: 'hog' });
    const error = await pool.acquireAsync(100, { timeoutMs: 1 }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(AcquireTimeoutError);
    const timeout = error as AcquireTimeoutError;
    expect(timeout.stats).toMatchObject({ waiting: 1, timeouts: 1, usedBytes: 4096 });
    expect(timeout.message).toMatch(/^acquireAsync\(100\) timed out after 1 ms waiting for free space \(used 4 KiB of 4 KiB in 1 segment, free 0 B, the largest free range 0 B; largest holders: "hog" 4 KiB in 1 segment\)\. Release/);
  });

  test('onExhausted is told of every failing acquire, with the summary and a snapshot of that moment', async () => {
    const reports: ExhaustedReport[] = [];
    using pool = makePool(kind, 4096, { onExhausted: (report) => reports.push(report) });
    pool.acquire(3000, { tag: 'big' });
    expect(() => pool.acquire(2000)).toThrow(PoolExhaustedError);
    expect(pool.tryAcquire(2001)).toBeUndefined();
    const scope = pool.scope();
    expect(scope.tryAcquire(2002)).toBeUndefined();
    expect(createAclCompat(pool).media.dvpp_malloc(2003)[1]).not.toBe(0);
    await pool.acquireAsync(2004, { timeoutMs: 1 }).catch(() => undefined);
    // Served later: never a report.
    expect(reports.map((r) => [r.operation, r.requested])).toEqual([
      ['acquire', 2000],
      ['tryAcquire', 2001],
      ['tryAcquire', 2002],
      ['dvpp_malloc', 2003],
      ['acquireAsync', 2004],
    ]);
    const first = reports[0]!;
    expect(first.snapshot.segments).toEqual([{ block: 0, offset: 0, size: 3040, length: 3000, tag: 'big' }]);
    expect(first.summary).toContain('dvpp-pool summary');
    expect(first.summary).toContain('big');
    expect(Object.isFrozen(first)).toBe(true);
  });

  test('a pool without onExhausted builds no report; a served acquireAsync is never reported', async () => {
    const reports: ExhaustedReport[] = [];
    using pool = makePool(kind, 4096, { onExhausted: (report) => reports.push(report) });
    const hog = pool.acquire(4000);
    const waiting = pool.acquireAsync(100);
    hog.release();
    (await waiting).release();
    expect(reports).toEqual([]);
  });

  test('onExhausted is not called inside itself, and what it throws is a warning, not the error', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      let calls = 0;
      using pool = makePool(kind, 4096, {
        onExhausted: () => {
          calls++;
          // A failing acquire inside the callback reports nothing (no recursion).
          expect(pool.tryAcquire(5000)).toBeUndefined();
          throw new Error('observer broke');
        },
      });
      expect(() => pool.acquire(5000)).toThrow(PoolExhaustedError);
      expect(calls).toBe(1);
      expect(pool.stats().failures).toBe(2);
      // process.emitWarning delivers on a later tick.
      await new Promise<void>((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    const warning = warnings.find((w) => w.name === 'DvppPoolCallbackWarning');
    expect(warning?.message).toMatch(/onExhausted threw; the acquire\(5000\) failed as documented all the same: Error: observer broke/);
    expect((warning as Error & { code?: string }).code).toBe('DVPP_POOL_CALLBACK_FAILED');
  });

  test('options.onExhausted must be a function', () => {
    expect(() => makePool(kind, 4096, { onExhausted: 'log' as unknown as () => void })).toThrow(/options\.onExhausted/);
    expect(() => makePool(kind, 4096, { onExhausted: 'log' as unknown as () => void })).toThrow(TypeError);
  });
});

