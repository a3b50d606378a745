// SPDX-License-Identifier: MIT
// The minimum-pool search: finds the known minimum on a tiny trace, and is not fooled when
// success is not monotone in the block size.

import { describe, expect, it } from 'vitest';
import { firstFitContender } from '../../../bench/contenders/first-fit.js';
import { OP_ALLOC, OP_FREE, type Trace } from '../../../src/trace/format.js';
import { NoBlockFitsError, minPoolBytes } from '../../../src/trace/min-pool.js';
import type { Contender } from '../../../src/trace/replay.js';

function trace(records: [number, number, number][], nIds: number): Trace {
  return { nOps: records.length, nIds, ops: Uint32Array.from(records.flat()) };
}

describe('minPoolBytes', () => {
  it('finds the first-fit minimum of a trace that leaves a hole', () => {
    // a, b, c take granules 0..2; freeing b leaves a 1-granule hole that d (2 granules) cannot
    // use, so d goes to 3..4: peak live is 4 granules, first fit needs 5.
    const t = trace(
      [
        [OP_ALLOC, 0, 96],
        [OP_ALLOC, 1, 96],
        [OP_ALLOC, 2, 96],
        [OP_FREE, 1, 0],
        [OP_ALLOC, 3, 200],
        [OP_FREE, 0, 0],
        [OP_FREE, 2, 0],
        [OP_FREE, 3, 0],
      ],
      4,
    );
    const result = minPoolBytes(t, firstFitContender, { stepBytes: 128 });
    expect(result.peakLiveBytes).toBe(4 * 128);
    expect(result.bytes).toBe(5 * 128);
    expect(result.ratio).toBe(1.25);
  });

  it('finds the smallest success below the binary-search answer', () => {
    // One alloc with a 5-step footprint; the fake allocator succeeds only at 8 steps and from 12 on.
    const t = trace([[OP_ALLOC, 0, 600], [OP_FREE, 0, 0]], 1);
    const step = 128;
    const tried: number[] = [];
    const picky: Contender<number> = {
      name: 'picky',
      create(bytes) {
        const steps = bytes / step;
        tried.push(steps);
        const ok = steps === 8 || steps >= 12;
        return { alloc: () => (ok ? 1 : undefined), free: () => undefined };
      },
    };
    const result = minPoolBytes(t, picky, { stepBytes: step });
    expect(result.binaryBytes).toBe(12 * step);
    expect(result.bytes).toBe(8 * step);
    expect(new Set(tried).size).toBe(tried.length); // no size replayed twice
    expect(Math.min(...tried)).toBe(5);
  });

  it('tries the largest block allowed, and never one above it', () => {
    // Footprint 5 steps; the allocator fits only from 9 steps on, and the limit is 9 steps (the
    // gallop 5, 6, 7, 9 would jump to 13): 9 is the answer, 13 is never created.
    const t = trace([[OP_ALLOC, 0, 600], [OP_FREE, 0, 0]], 1);
    const step = 128;
    const tried: number[] = [];
    const from = (least: number): Contender<number> => ({
      name: 'late',
      create(bytes) {
        tried.push(bytes / step);
        return { alloc: () => (bytes / step >= least ? 1 : undefined), free: () => undefined };
      },
    });
    expect(minPoolBytes(t, from(9), { stepBytes: step, maxSteps: 9 }).bytes).toBe(9 * step);
    expect(Math.max(...tried)).toBe(9);
    tried.length = 0;
    expect(() => minPoolBytes(t, from(10), { stepBytes: step, maxSteps: 9 })).toThrow(NoBlockFitsError);
    expect(Math.max(...tried)).toBe(9);
    // A lower bound above the limit gives up before creating anything.
    tried.length = 0;
    expect(() => minPoolBytes(t, from(1), { stepBytes: step, maxSteps: 4 })).toThrow(NoBlockFitsError);
    expect(tried).toEqual([]);
  });

  it('rejects a step that is not a multiple of 128', () => {
    expect(() => minPoolBytes(trace([], 0), firstFitContender, { stepBytes: 100 })).toThrow(/multiple of 128/);
  });
});
