// SPDX-License-Identifier: MIT
// OffsetIndex against a Map under random set/delete churn (collisions, wrap-around, growth and
// backward-shift deletion), and its floor query against a sorted scan.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { OffsetIndex } from '../../../src/compat/offset-index.js';

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
