// SPDX-License-Identifier: MIT
// pool.summary(): every figure of one moment, requested bytes beside the footprints, the largest
// tags first and the rest summed, and the closed pool refused.

import { expect, test } from 'vitest';
import { PoolClosedError } from '../../../src/errors.js';
import { SUMMARY_TAGS } from '../../../src/pool/summary.js';
import { describeBackends, makePool, silenceLeakWarnings } from '../../helpers/pool-backends.js';

silenceLeakWarnings();

describeBackends('pool.summary', (kind) => {
  test('reports the pool now, with requested bytes and the top tags', () => {
    const pool = makePool(kind, 1 << 20);
    pool.acquire(1000, { tag: 'big' });
    pool.acquire(1000, { tag: 'big' });
    for (let i = 0; i < SUMMARY_TAGS + 2; i++) pool.acquire(100, { tag: `small ${String(i).padStart(2, '0')}` });
    pool.acquire(10);
    expect(pool.tryAcquire(2 << 20)).toBeUndefined();
    const text = pool.summary();
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(`dvpp-pool summary: 1 MiB at 0x${pool.baseAddress.toString(16)}`);
    const stats = pool.stats();
    expect(text).toMatch(new RegExp(`^used +${(stats.usedBytes / 1024).toFixed(1)} KiB`, 'm'));
    // 2 x 1000 + 12 x 100 + 10 bytes asked for.
    expect(text).toMatch(/^requested +3\.1 KiB/m);
    expect(text).toMatch(/^failures +1  acquires that found no room$/m);
    expect(text).toMatch(/^live segments +15  peak 15$/m);
    expect(text).toMatch(/^waits +0  0 timed out, 0 aborted$/m);
    expect(text).toMatch(/^wait time +0\.0 ms  longest 0\.0 ms$/m);
    const tags = lines.slice(lines.indexOf('top tags by bytes:') + 1);
    expect(tags[0]).toMatch(/^  "big" +2.3 KiB  2 segments$/); // 2 x footprint(1000) = 2 x 1152 bytes
    expect(tags).toHaveLength(SUMMARY_TAGS + 1);
    // big, 12 small ones and (untagged): 14 tags, 10 named.
    expect(tags[SUMMARY_TAGS]).toMatch(/^  4 more tags +\d+ B  4 segments$/);
    // Every line but the heading and the tags has the same width up to its figure.
    for (const line of lines.slice(1, lines.indexOf('top tags by bytes:'))) expect(line.slice(0, 34)).toMatch(/^\S[\S ]{21}[ \d.,]*\S/);
    pool.reset();
    pool.close();
    expect(() => pool.summary()).toThrow(PoolClosedError);
  });
});
