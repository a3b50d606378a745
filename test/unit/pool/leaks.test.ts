// SPDX-License-Identifier: MIT
// pool.close(): frees the block exactly once, a second close is a no-op, every operation but
// stats() afterwards fails with ERR_DVPP_POOL_CLOSED, and live segments produce one leak warning
// naming their count, bytes and tags (captured from process.emitWarning).

import { expect, test } from 'vitest';
import { LEAK_WARNING_CODE, LEAK_WARNING_TYPE } from '../../../src/pool/leaks.js';
import { PoolClosedError } from '../../../src/errors.js';
import { captureWarnings, clearCounts, describeBackends, makeCountingPool, makePool } from '../../helpers/pool-backends.js';

describeBackends('pool.close', (kind) => {
  test('frees the block exactly once; a second close and dispose are no-ops', () => {
    const { pool, calls } = makeCountingPool(kind, 4096);
    clearCounts(calls);
    expect(captureWarnings(() => pool.close())).toEqual([]);
    expect(calls.free).toBe(1);
    pool.close();
    pool[Symbol.dispose]();
    expect(calls.free).toBe(1);
    expect(pool.closed).toBe(true);
  });

  test('every operation but stats() throws ERR_DVPP_POOL_CLOSED afterwards', async () => {
    const pool = makePool(kind, 4096);
    pool.close();
    const operations: [string, () => unknown][] = [
      ['acquire', () => pool.acquire(1)],
      ['tryAcquire', () => pool.tryAcquire(1)],
      ['scope', () => pool.scope()],
      ['reset', () => pool.reset()],
      ['snapshot', () => pool.snapshot()],
      ['validate', () => pool.validate()],
    ];
    for (const [name, operation] of operations) {
      expect(operation, name).toThrow(PoolClosedError);
      expect(operation, name).toThrow(expect.objectContaining({ code: 'ERR_DVPP_POOL_CLOSED' }));
    }
    await expect(pool.acquireAsync(1)).rejects.toMatchObject({ code: 'ERR_DVPP_POOL_CLOSED' });
    expect(pool.stats().capacity).toBe(4096);
  });

  test('closed-pool errors come before argument errors', () => {
    const pool = makePool(kind, 4096);
    pool.close();
    expect(() => pool.acquire(-1)).toThrow(PoolClosedError);
  });

  test('live segments: the block is freed and one warning names count, bytes and tags', () => {
    const { pool, calls } = makeCountingPool(kind, 64 * 1024);
    pool.acquire(1000, { tag: 'vdec ch0' }); // footprint 1152
    pool.acquire(1000, { tag: 'vdec ch0' });
    pool.acquire(5000, { tag: 'vpc' }); // footprint 5120
    pool.acquire(10); // footprint 128
    pool.acquire(10).release();
    clearCounts(calls);
    const warnings = captureWarnings(() => pool.close());
    expect(calls.free).toBe(1);
    expect(warnings).toHaveLength(1);
    const [warning] = warnings;
    expect(warning?.type).toBe(LEAK_WARNING_TYPE);
    expect(warning?.type).toBe('DvppPoolLeakWarning');
    expect(warning?.code).toBe(LEAK_WARNING_CODE);
    expect(warning?.message).toMatch(/4 live segments/);
    expect(warning?.message).toMatch(/7552 of 65536 bytes/);
    expect(warning?.message).toContain('"vdec ch0" 2 segments, 2304 bytes');
    expect(warning?.message).toContain('"vpc" 1 segment, 5120 bytes');
    expect(warning?.message).toContain('(untagged) 1 segment, 128 bytes');
    expect(warning?.detail?.split('\n')).toEqual([
      '"vpc": 1 segment, 5120 bytes',
      '"vdec ch0": 2 segments, 2304 bytes',
      '(untagged): 1 segment, 128 bytes',
    ]);
    // A second close warns no more.
    expect(captureWarnings(() => pool.close())).toEqual([]);
  });

  test('the warning reaches process "warning" listeners', async () => {
    const pool = makePool(kind, 4096);
    pool.acquire(100, { tag: 'late' });
    const received = new Promise<Error & { code?: string }>((resolve) => {
      const listener = (warning: Error & { code?: string }): void => {
        if (warning.name !== LEAK_WARNING_TYPE) return;
        process.off('warning', listener);
        resolve(warning);
      };
      process.on('warning', listener);
    });
    pool.close();
    const warning = await received;
    expect(warning.name).toBe('DvppPoolLeakWarning');
    expect(warning.code).toBe('DVPP_POOL_LEAK');
    expect(warning.message).toMatch(/1 live segment \(256 of 4096 bytes\)/);
  });

  test('reset or scoped segments before close leave nothing to warn about', () => {
    const pool = makePool(kind, 4096);
    pool.acquire(100);
    pool.reset();
    {
      using scope = pool.scope();
      scope.acquire(100);
    }
    expect(captureWarnings(() => pool.close())).toEqual([]);
  });
});

describeBackends('the leak warning stays small', (kind) => {
  test('200,000 distinct tags: the 20 largest are named, the rest summed in one entry', () => {
    const pool = makePool(kind, 64 * 2 ** 20);
    for (let i = 0; i < 200_000; i++) pool.acquire(i < 5 ? 10_000 : 10, { tag: `frame ${i}` });
    pool.acquire(10, { tag: 'x'.repeat(100_000) });
    const [warning, ...others] = captureWarnings(() => pool.close());
    expect(others).toEqual([]);
    const text = `${warning?.message ?? ''}\n${(warning as { detail?: string } | undefined)?.detail ?? ''}`;
    expect(text.length).toBeLessThan(8 * 1024);
    expect(warning?.message).toMatch(/^dvpp-pool closed with 200001 live segments/);
    expect(warning?.message).toContain('"frame 0" 1 segment, 10112 bytes');
    expect(warning?.message).toMatch(/and 199981 more tags: 199981 segments, \d+ bytes/);
  });
});
