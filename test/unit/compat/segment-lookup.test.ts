// SPDX-License-Identifier: MIT
// SegmentLookup (the pyACL skin's pointer -> segment) against a scan of the live segments: any
// live segment is found (pool.acquire's included), whether the pool changed through the skin's
// own notes or outside it (acquire, release, waiters served, reset), and nothing once closed.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { SegmentLookup } from '../../../src/compat/segment-lookup.js';
import { coreOf, type Pool } from '../../../src/pool/pool.js';
import type { Segment } from '../../../src/pool/segment.js';
import { describeBackends, makePool, silenceLeakWarnings } from '../../helpers/pool-backends.js';

silenceLeakWarnings();

describeBackends('SegmentLookup', (kind) => {
  /** The lookup by offset into the pool's first block (these pools never grow; test/unit/compat/pyacl-blocks.test.ts grows them). */
  const lookupOf = (pool: Pool) => {
    const lookup = new SegmentLookup(coreOf(pool));
    const base = Number(pool.baseAddress);
    const entry = (offset: number) => lookup.blockAt(base + offset);
    return {
      at: (offset: number) => {
        const found = entry(offset);
        return found === undefined ? undefined : lookup.at(found, offset);
      },
      containing: (offset: number) => {
        const found = entry(offset);
        return found === undefined ? undefined : lookup.containing(found, offset);
      },
      acquired: (segment: Segment) => lookup.acquired(segment),
      released: (segment: Segment) => lookup.released(segment),
    };
  };
  test('at() finds any live segment by its start offset, across changes made outside the skin', () => {
    using pool = makePool(kind, 64 * 1024);
    const lookup = lookupOf(pool);
    const early = pool.acquire(100); // acquired before the index exists
    const second = pool.acquire(1000);
    expect(lookup.at(early.offset)).toBe(early);
    const late = pool.acquire(300);
    expect(lookup.at(late.offset)).toBe(late);
    expect(lookup.at(second.offset)).toBe(second);
    second.release();
    expect(lookup.at(second.offset)).toBeUndefined();
    pool.validate();
    for (const offset of [early.offset + 1, early.offset + 128, -128, 0.5, pool.capacity, Number.NaN]) {
      if (offset === late.offset) continue;
      expect(lookup.at(offset)).toBeUndefined();
    }
    pool.reset();
    expect(lookup.at(early.offset)).toBeUndefined();
    const again = pool.acquire(100);
    expect(lookup.at(again.offset)).toBe(again);
    pool.validate();
  });

  test('at() stays right under churn', () => {
    using pool = makePool(kind, 256 * 1024);
    const lookup = lookupOf(pool);
    lookup.at(0);
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
    for (const seg of live) expect(lookup.at(seg.offset)).toBe(seg);
    pool.validate();
  });

  test('containing() finds the live segment holding any byte offset, against a scan of the live segments', () => {
    const CAPACITY = 64 * 1024;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 0, max: CAPACITY - 1 })), {
          maxLength: 120,
        }),
        fc.integer({ min: 0, max: 120 }),
        (operations, firstQuery) => {
          using pool = makePool(kind, CAPACITY);
          const lookup = lookupOf(pool);
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
              expect(lookup.containing(offset)).toBe(expected(offset));
              const some = live[len % Math.max(live.length, 1)];
              // The first byte, the last byte of its size, and the first byte past it.
              if (some !== undefined) {
                for (const at of [some.offset, some.offset + some.size - 1, some.offset + some.size]) {
                  expect(lookup.containing(at)).toBe(expected(at));
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

  test('containing() refuses offsets that cannot be in the block, and finds nothing once closed', () => {
    const pool = makePool(kind, 4096);
    const lookup = lookupOf(pool);
    const seg = pool.acquire(100);
    expect(lookup.containing(seg.offset + 50)).toBe(seg);
    for (const offset of [-1, 0.5, pool.capacity, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(lookup.containing(offset)).toBeUndefined();
    }
    pool.close();
    expect(lookup.containing(seg.offset + 50)).toBeUndefined();
  });

  test('at() on a closed pool finds nothing', () => {
    const pool = makePool(kind, 4096);
    const lookup = lookupOf(pool);
    const seg = pool.acquire(10);
    pool.close();
    expect(lookup.at(seg.offset)).toBeUndefined();
  });

  test("the skin's notes keep it fresh, and changes outside the skin make it rebuild: any mix, against a scan", async () => {
    const CAPACITY = 32 * 1024;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 11 }), fc.integer({ min: 1, max: 4000 })), { maxLength: 150 }),
        async (operations) => {
          using pool = makePool(kind, CAPACITY);
          const lookup = lookupOf(pool);
          const live: Segment[] = [];
          const waiting: Promise<void>[] = [];
          const check = () => {
            for (const segment of live) {
              expect(lookup.at(segment.offset)).toBe(segment);
              expect(lookup.containing(segment.offset + segment.size - 1)).toBe(segment);
            }
            expect(lookup.at(CAPACITY - 128) === undefined || live.some((s) => s.offset === CAPACITY - 128)).toBe(true);
          };
          for (const [op, len] of operations) {
            const victim = live.length === 0 ? undefined : live.splice(len % live.length, 1)[0];
            if (victim !== undefined && op >= 3) live.push(victim); // only ops 0-2 release it
            if (op <= 1 && victim !== undefined) {
              // The skin's own release, noted.
              pool.release(victim);
              lookup.released(victim);
            } else if (op === 2 && victim !== undefined) {
              victim.release(); // outside the skin
            } else if (op <= 6) {
              // The skin's own acquire, noted.
              const segment = pool.tryAcquire(len);
              if (segment !== undefined) {
                lookup.acquired(segment);
                live.push(segment);
              }
            } else if (op <= 8) {
              const segment = pool.tryAcquire(len); // outside the skin
              if (segment !== undefined) live.push(segment);
            } else if (op === 9) {
              // A waiter served by a later release: the pool changes inside that release.
              waiting.push(
                pool.acquireAsync(len, { timeoutMs: 1 }).then(
                  (segment) => void (segment.released || live.push(segment)), // a reset may have come first
                  () => undefined,
                ),
              );
            } else if (op === 10) {
              await Promise.all(waiting.splice(0));
            } else {
              pool.reset();
              live.length = 0;
            }
            if (len % 3 === 0) check(); // not after every step, so changes pile up between lookups
          }
          await Promise.all(waiting.splice(0));
          check();
        },
      ),
      { seed: 31, numRuns: 40 },
    );
  });
});
