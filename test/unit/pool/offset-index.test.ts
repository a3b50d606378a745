// SPDX-License-Identifier: MIT
// OffsetIndex against a Map under random set/delete churn (collisions, wrap-around, growth and
// backward-shift deletion), and the pool's @internal hooks built on it for the pyACL skin:
// segmentAtOffset (any live segment, acquire's included).

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { OffsetIndex } from '../../../src/pool/offset-index.js';
import { coreOf } from '../../../src/pool/pool.js';
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
          // Every key the churn can use, and the same size: the same entries as the model.
          for (let key = 0; key <= 300; key++) expect(index.get(key)).toBe(model.get(key) ?? -1);
        },
      ),
      { seed: 4, numRuns: 200 },
    );
  });

  test('floor is the greatest key <= k, or -1, across levels, clear and growth', () => {
    const index = new OffsetIndex(0, 100_000);
    expect(index.floor(99_999)).toBe(-1);
    for (const key of [0, 31, 32, 1023, 1024, 32_768, 99_999]) index.set(key, key + 1);
    expect([0, 30, 31, 32, 33, 1022, 1023, 1024, 32_767, 32_768, 99_998, 99_999].map((k) => index.floor(k))).toEqual([
      0, 0, 31, 32, 32, 32, 1023, 1024, 1024, 32_768, 32_768, 99_999,
    ]);
    index.delete(0);
    expect(index.floor(30)).toBe(-1);
    expect(index.floor(-1)).toBe(-1);
    expect(index.floor(Number.MAX_SAFE_INTEGER)).toBe(99_999);
    index.clear();
    expect(index.floor(99_999)).toBe(-1);
    index.set(5, 0);
    expect(index.floor(99_999)).toBe(5);
  });

  test('floor agrees with a scan of a Set under random churn (built mid-way, then kept)', () => {
    const LIMIT = 5000; // four bitmap levels: 5000 -> 157 -> 5 -> 1 words
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: LIMIT - 1 })), { maxLength: 300 }),
        fc.integer({ min: 0, max: 300 }),
        (operations, firstQuery) => {
          const index = new OffsetIndex(1, LIMIT);
          const model = new Set<number>();
          const floorOf = (k: number): number => {
            let best = -1;
            for (const key of model) if (key <= k && key > best) best = key;
            return best;
          };
          operations.forEach(([op, key], step) => {
            if (op <= 1) {
              index.set(key, step);
              model.add(key);
            } else if (op === 2) {
              expect(index.delete(key)).toBe(model.delete(key));
            } else if (step % 97 === 0) {
              index.clear();
              model.clear();
            }
            if (step >= firstQuery) expect(index.floor(key)).toBe(floorOf(key));
          });
          for (let k = 0; k < LIMIT; k += 37) expect(index.floor(k)).toBe(floorOf(k));
          expect(index.floor(LIMIT - 1)).toBe(floorOf(LIMIT - 1));
        },
      ),
      { seed: 12, numRuns: 150 },
    );
  });
});

describeBackends('pool @internal hooks for the pyACL skin', (kind) => {
  test('segmentAtOffset finds any live segment by its start offset', () => {
    using pool = makePool(kind, 64 * 1024);
    const early = pool.acquire(100); // acquired before the index exists
    const second = pool.acquire(1000);
    expect(coreOf(pool).segmentAtOffset(early.offset)).toBe(early);
    const late = pool.acquire(300);
    expect(coreOf(pool).segmentAtOffset(late.offset)).toBe(late);
    expect(coreOf(pool).segmentAtOffset(second.offset)).toBe(second);
    second.release();
    expect(coreOf(pool).segmentAtOffset(second.offset)).toBeUndefined();
    pool.validate();
    for (const offset of [early.offset + 1, early.offset + 128, -128, 0.5, pool.capacity, Number.NaN]) {
      if (offset === late.offset) continue;
      expect(coreOf(pool).segmentAtOffset(offset)).toBeUndefined();
    }
    pool.reset();
    expect(coreOf(pool).segmentAtOffset(early.offset)).toBeUndefined();
    const again = pool.acquire(100);
    expect(coreOf(pool).segmentAtOffset(again.offset)).toBe(again);
    pool.validate();
  });

  test('segmentAtOffset stays right under churn', () => {
    using pool = makePool(kind, 256 * 1024);
    coreOf(pool).segmentAtOffset(0);
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
    for (const seg of live) expect(coreOf(pool).segmentAtOffset(seg.offset)).toBe(seg);
    pool.validate();
  });

  test('segmentContaining finds the live segment holding any byte offset, against a scan of the live segments', () => {
    const CAPACITY = 64 * 1024;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 0, max: CAPACITY - 1 })), {
          maxLength: 120,
        }),
        fc.integer({ min: 0, max: 120 }),
        (operations, firstQuery) => {
          using pool = makePool(kind, CAPACITY);
          const live: ReturnType<typeof pool.acquire>[] = [];
          const expected = (offset: number) => live.find((s) => s.offset <= offset && offset < s.offset + s.size);
          operations.forEach(([op, len, offset], step) => {
            if (op <= 5) {
              const segment = pool.tryAcquire(len);
              if (segment !== undefined) live.push(segment);
            } else if (op <= 8) {
              if (live.length > 0) live.splice(len % live.length, 1)[0]!.release();
            } else {
              pool.reset();
              live.length = 0;
            }
            if (step >= firstQuery) {
              expect(coreOf(pool).segmentContaining(offset)).toBe(expected(offset));
              const some = live[len % Math.max(live.length, 1)];
              // The first byte, the last byte of its size, and the first byte past it.
              if (some !== undefined) {
                for (const at of [some.offset, some.offset + some.size - 1, some.offset + some.size]) {
                  expect(coreOf(pool).segmentContaining(at)).toBe(expected(at));
                }
              }
            }
          });
          pool.validate();
        },
      ),
      { seed: 8, numRuns: 60 },
    );
  });

  test('segmentContaining refuses offsets that cannot be in the block, and finds nothing once closed', () => {
    const pool = makePool(kind, 4096);
    const seg = pool.acquire(100);
    expect(coreOf(pool).segmentContaining(seg.offset + 50)).toBe(seg);
    for (const offset of [-1, 0.5, pool.capacity, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(coreOf(pool).segmentContaining(offset)).toBeUndefined();
    }
    pool.close();
    expect(coreOf(pool).segmentContaining(seg.offset + 50)).toBeUndefined();
  });

  test('segmentAtOffset on a closed pool finds nothing', () => {
    const pool = makePool(kind, 4096);
    const seg = pool.acquire(10);
    pool.close();
    expect(coreOf(pool).segmentAtOffset(seg.offset)).toBeUndefined();
  });
});
