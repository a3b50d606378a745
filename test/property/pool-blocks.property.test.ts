// SPDX-License-Identifier: MIT
// The pool of blocks against a model (issue 14): fast-check draws the growth policy, the memory
// the backend has, and a sequence of acquire / release / trim / reset. The model knows each
// block's live ranges, so it says exactly where an acquire must land: the lowest block whose
// largest free gap holds the footprint (the engine's guarantee is that it finds room iff such a
// gap exists), else a new block in the first free slot of min(room under maxSize,
// max(growBy, footprint)) bytes, halved while the backend refuses, down to the footprint; else
// nothing; empty blocks are given back first when the cap leaves too little room, and a growth at
// least as large as one that just failed is not tried again (the clock stands still). After every step the pool's blocks, capacity and counters must be the model's, no
// two live segments may overlap, and validate() must pass.

import fc from 'fast-check';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import { createJsBackend } from '../../src/backends/js.js';
import { DVPP_ADDR_ALIGN, footprint } from '../../src/constants.js';
import { HostMemoryError } from '../../src/errors.js';
import { createPoolOver } from '../../src/pool/pool.js';
import type { Segment } from '../../src/pool/segment.js';

const G = DVPP_ADDR_ALIGN;

interface ModelBlock {
  readonly size: number;
  /** Live ranges [offset, offset + footprint), any order. */
  live: { offset: number; footprint: number; segment: Segment }[];
}

function largestGap(block: ModelBlock): number {
  const ranges = [...block.live].sort((a, b) => a.offset - b.offset);
  let cursor = 0;
  let largest = 0;
  for (const range of ranges) {
    largest = Math.max(largest, range.offset - cursor);
    cursor = range.offset + range.footprint;
  }
  return Math.max(largest, block.size - cursor);
}

/** A js backend that refuses (ENOMEM) any block above `limit` bytes. */
function limitedBackend(limit: number): Backend {
  const inner = createJsBackend();
  return {
    ...inner,
    allocate: (size) => {
      if (size > limit) throw new HostMemoryError('mmap', 12, 'Cannot allocate memory');
      return inner.allocate(size);
    },
  };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

const op = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('acquire' as const), len: fc.oneof(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 6000 })) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('trim' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reset' as const) }) },
);

test('where a growing pool places every segment, and what it grows, trims and counts, agree with the model', () => {
  let grew = 0;
  let halved = 0;
  let refused = 0;
  let holesFilled = 0;
  fc.assert(
    fc.property(
      fc.integer({ min: 4, max: 40 }),
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 0, max: 120 }),
      fc.integer({ min: 1, max: 80 }),
      fc.array(op, { minLength: 1, maxLength: 400, size: 'max' }),
      (sizeGranules, growGranules, extraGranules, limitGranules, ops) => {
        const size = sizeGranules * G;
        const growBy = growGranules * G;
        const maxSize = size + extraGranules * G;
        const limit = Math.max(size, limitGranules * G);
        const pool = createPoolOver({ size, maxSize, growBy, backend: 'js' }, { backend: limitedBackend(limit) });
        const blocks: (ModelBlock | undefined)[] = [{ size, live: [] }];
        const counts = { grows: 0, growFailures: 0, trims: 0 };
        const capacity = () => blocks.reduce((sum, block) => sum + (block?.size ?? 0), 0);
        let failedFootprint = Infinity;
        /** Every empty block but the first leaves; returns the bytes freed. */
        const trimEmpty = (): number => {
          let freed = 0;
          blocks.forEach((block, index) => {
            if (index > 0 && block !== undefined && block.live.length === 0) {
              freed += block.size;
              blocks[index] = undefined;
              counts.trims++;
            }
          });
          while (blocks.length > 1 && blocks[blocks.length - 1] === undefined) blocks.length--;
          return freed;
        };
        for (const step of ops) {
          if (step.kind === 'acquire') {
            const need = footprint(step.len);
            let expected = blocks.findIndex((block) => block !== undefined && largestGap(block) >= need);
            // The clock stands still (fake `performance`): a growth at least as large as one that failed is not tried again.
            // A len above maxSize never reaches growth at all.
            if (expected < 0 && need < failedFootprint && step.len <= maxSize) {
              // Empty blocks are given back first when the cap leaves too little room.
              if (maxSize - capacity() < need) trimEmpty();
              const room = maxSize - capacity();
              if (room >= need) {
                let want = Math.min(room, Math.max(growBy, need));
                let tries = 0;
                while (want > limit && want > need) {
                  want = Math.max(need, Math.floor(want / 2 / G) * G);
                  tries++;
                }
                if (want <= limit) {
                  const hole = blocks.indexOf(undefined);
                  expected = hole < 0 ? blocks.length : hole;
                  if (hole >= 0) holesFilled++;
                  blocks[expected] = { size: want, live: [] };
                  counts.grows++;
                  grew++;
                  failedFootprint = Infinity;
                  if (tries > 0) halved++;
                } else {
                  counts.growFailures++;
                  failedFootprint = need;
                }
              }
            }
            const segment = pool.tryAcquire(step.len);
            if (expected < 0) {
              expect(segment).toBeUndefined();
              refused++;
              continue;
            }
            expect(segment?.blockIndex).toBe(expected);
            const block = blocks[expected]!;
            const offset = segment!.offset;
            expect(offset % G).toBe(0);
            expect(offset + need).toBeLessThanOrEqual(block.size);
            for (const other of block.live) expect(offset + need <= other.offset || other.offset + other.footprint <= offset).toBe(true);
            block.live.push({ offset, footprint: need, segment: segment! });
          } else if (step.kind === 'release') {
            const all = blocks.flatMap((block) => block?.live ?? []);
            if (all.length === 0) continue;
            const chosen = all[step.pick % all.length]!;
            chosen.segment.release();
            for (const block of blocks) if (block !== undefined) block.live = block.live.filter((range) => range !== chosen);
          } else if (step.kind === 'trim') {
            expect(pool.trim()).toBe(trimEmpty());
          } else {
            pool.reset();
            for (const block of blocks) if (block !== undefined) block.live = [];
          }
          const stats = pool.stats();
          expect(stats).toMatchObject({ capacity: capacity(), blocks: blocks.filter(Boolean).length, ...counts });
          expect(pool.snapshot().blocks.map((block) => [block.index, block.size])).toEqual(
            blocks.flatMap((block, index) => (block === undefined ? [] : [[index, block.size]])),
          );
          pool.validate();
        }
        pool.close();
      },
    ),
    { seed: 0x6b10c5, numRuns: 150, endOnFailure: true },
  );
  // The runs reached growth, halving, refusal and a growth into a trimmed slot.
  expect(grew).toBeGreaterThan(0);
  expect(halved).toBeGreaterThan(0);
  expect(refused).toBeGreaterThan(0);
  expect(holesFilled).toBeGreaterThan(0);
});
