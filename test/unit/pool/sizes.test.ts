// SPDX-License-Identifier: MIT
// The pool's own size arithmetic (one division per acquire) against the public vendor formulas:
// every segment is segmentSize(len) bytes and takes alignUp(segmentSize(len), 128) of the block.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DVPP_ADDR_ALIGN, alignUp, createPool, segmentSize } from '../../../src/index.js';

describe('segment sizes and footprints', () => {
  it('match segmentSize and alignUp(size, 128) for every length, up to the whole capacity', () => {
    const pool = createPool({ size: 2 ** 30, backend: 'js' });
    const capacity = pool.capacity;
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 1, max: 4096 }), fc.integer({ min: 1, max: capacity - 32 })), (len) => {
        const segment = pool.acquire(len);
        try {
          expect(segment.size).toBe(segmentSize(len));
          expect(pool.stats().usedBytes).toBe(alignUp(segmentSize(len), DVPP_ADDR_ALIGN));
        } finally {
          segment.release();
        }
      }),
      { seed: 7, numRuns: 3_000 },
    );
    // The largest request that fits: its footprint is exactly the capacity.
    const whole = pool.acquire(capacity - 32);
    expect(pool.stats().freeBytes).toBe(0);
    whole.release();
    expect(pool.tryAcquire(capacity - 31)).toBeUndefined();
    pool.close();
  });
});
