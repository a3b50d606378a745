// SPDX-License-Identifier: MIT
// Replay over a tiny hand-written trace: failures, skipped frees and stop-on-failure.

import { describe, expect, it } from 'vitest';
import { firstFitContender } from '../../../bench/contenders/first-fit.js';
import { OP_ALLOC, OP_FREE, type Trace } from '../../../src/trace/format.js';
import { fitsIn, replayTrace } from '../../../src/trace/replay.js';

// len 96 -> segment 128 B -> 1 granule; len 200 -> segment 256 B -> 2 granules.
const G1 = 96;
const G2 = 200;

function trace(records: [number, number, number][], nIds: number): Trace {
  return { nOps: records.length, nIds, ops: Uint32Array.from(records.flat()) };
}

const tiny = trace(
  [
    [OP_ALLOC, 0, G1], // @0
    [OP_ALLOC, 1, G1], // @1
    [OP_ALLOC, 2, G2], // needs 2 more granules: fails in a 3-granule block
    [OP_FREE, 0, 0],
    [OP_ALLOC, 3, G1], // reuses @0
    [OP_FREE, 2, 0], // its alloc failed: skipped
    [OP_FREE, 1, 0],
    [OP_FREE, 3, 0],
  ],
  4,
);

describe('replayTrace', () => {
  it('counts failed allocs and skips their frees', () => {
    const counts = replayTrace(tiny, firstFitContender, 3 * 128);
    expect(counts).toEqual({ failures: 1, skippedFrees: 1, firstFailure: 2, ops: 8 });
  });

  it('succeeds where the block is large enough', () => {
    expect(replayTrace(tiny, firstFitContender, 4 * 128)).toEqual({ failures: 0, skippedFrees: 0, firstFailure: -1, ops: 8 });
    expect(fitsIn(tiny, firstFitContender, 4 * 128)).toBe(true);
  });

  it('stops at the first failure when asked', () => {
    const counts = replayTrace(tiny, firstFitContender, 2 * 128, true);
    expect(counts).toEqual({ failures: 1, skippedFrees: 0, firstFailure: 2, ops: 3 });
    expect(fitsIn(tiny, firstFitContender, 3 * 128)).toBe(false);
  });

  it('closes every instance it creates', () => {
    let open = 0;
    const counting = {
      name: 'counting',
      create: (bytes: number) => {
        const inner = firstFitContender.create(bytes);
        open++;
        return { alloc: inner.alloc, free: inner.free, close: () => void open-- };
      },
    };
    replayTrace(tiny, counting, 3 * 128, true);
    replayTrace(tiny, counting, 8 * 128);
    expect(open).toBe(0);
  });
});
