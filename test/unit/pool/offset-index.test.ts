// SPDX-License-Identifier: MIT
// OffsetIndex against a Map under random set/delete churn (collisions, wrap-around, growth and
// backward-shift deletion), and the pool's @internal hooks built on it for the pyACL skin:
// segmentAtOffset (any live segment, acquire's included) and noteFailure.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { OffsetIndex } from '../../../src/pool/offset-index.js';
import { describeBackends, makePool, silenceLeakWarnings } from '../../helpers/pool-backends.js';

silenceLeakWarnings();

describe('OffsetIndex', () => {
  test('set, get, replace, delete', () => {
    const index = new OffsetIndex();
    expect(index.get(0)).toBe(-1);
    index.set(0, 7);
    index.set(5, 9);
    index.set(5, 10);
    expect(index.size).toBe(2);
    expect(index.get(0)).toBe(7);
    expect(index.get(5)).toBe(10);
    expect(index.delete(5)).toBe(true);
    expect(index.delete(5)).toBe(false);
    expect(index.get(5)).toBe(-1);
    index.clear();
    expect(index.size).toBe(0);
    expect(index.get(0)).toBe(-1);
  });

  test('agrees with a Map under random churn', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 1000 })), { maxLength: 400 }),
        (operations) => {
          const index = new OffsetIndex(2);
          const model = new Map<number, number>();
          for (const [isSet, key, value] of operations) {
            if (isSet) {
              index.set(key, value);
              model.set(key, value);
            } else {
              expect(index.delete(key)).toBe(model.delete(key));
            }
            expect(index.size).toBe(model.size);
          }
          for (let key = 0; key <= 300; key++) expect(index.get(key)).toBe(model.get(key) ?? -1);
          const seen = new Map<number, number>();
          index.forEach((key, value) => seen.set(key, value));
          expect(seen).toEqual(model);
        },
      ),
      { seed: 4, numRuns: 200 },
    );
  });
});

describeBackends('pool @internal hooks for the pyACL skin', (kind) => {
  test('segmentAtOffset finds any live segment by its start offset', () => {
    using pool = makePool(kind, 64 * 1024);
    const early = pool.acquire(100); // acquired before the index exists
    const second = pool.acquire(1000);
    expect(pool.segmentAtOffset(early.offset)).toBe(early);
    const late = pool.acquire(300);
    expect(pool.segmentAtOffset(late.offset)).toBe(late);
    expect(pool.segmentAtOffset(second.offset)).toBe(second);
    second.release();
    expect(pool.segmentAtOffset(second.offset)).toBeUndefined();
    pool.validate();
    for (const offset of [early.offset + 1, early.offset + 128, -128, 0.5, pool.capacity, Number.NaN]) {
      if (offset === late.offset) continue;
      expect(pool.segmentAtOffset(offset)).toBeUndefined();
    }
    pool.reset();
    expect(pool.segmentAtOffset(early.offset)).toBeUndefined();
    const again = pool.acquire(100);
    expect(pool.segmentAtOffset(again.offset)).toBe(again);
    pool.validate();
  });

  test('segmentAtOffset stays right under churn', () => {
    using pool = makePool(kind, 256 * 1024);
    pool.segmentAtOffset(0);
    const live = new Set<ReturnType<typeof pool.acquire>>();
    for (let i = 0; i < 500; i++) {
      if (live.size > 0 && i % 3 === 0) {
        const [first] = live;
        first!.release();
        live.delete(first!);
      } else {
        const seg = pool.tryAcquire(((i * 7919) % 3000) + 1);
        if (seg !== undefined) live.add(seg);
      }
    }
    for (const seg of live) expect(pool.segmentAtOffset(seg.offset)).toBe(seg);
    pool.validate();
  });

  test('segmentAtOffset on a closed pool finds nothing', () => {
    const pool = makePool(kind, 4096);
    const seg = pool.acquire(10);
    pool.close();
    expect(pool.segmentAtOffset(seg.offset)).toBeUndefined();
  });

  test('noteFailure bumps stats().failures', () => {
    using pool = makePool(kind, 4096);
    pool.noteFailure();
    pool.noteFailure();
    expect(pool.stats().failures).toBe(2);
  });
});
