// SPDX-License-Identifier: MIT
// The naive first-fit baseline against a trivial model: a bitmap of used granules. Every alloc
// must land at the lowest offset with enough free granules, and frees must coalesce.

import { describe, expect, it } from 'vitest';
import { FIRST_FIT_FAIL, FirstFitList } from '../../../bench/baselines/first-fit.js';
import { XorShift32 } from '../../../bench/trace/rng.js';

/** Lowest offset of `n` consecutive free granules in `used`, or -1. */
function modelFirstFit(used: Uint8Array, n: number): number {
  let run = 0;
  for (let i = 0; i < used.length; i++) {
    run = used[i] === 0 ? run + 1 : 0;
    if (run === n) return i - n + 1;
  }
  return -1;
}

/** Maximal free runs of the model as [start, size] pairs. */
function modelRanges(used: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < used.length; ) {
    if (used[i] === 1) {
      i++;
      continue;
    }
    const start = i;
    while (i < used.length && used[i] === 0) i++;
    out.push([start, i - start]);
  }
  return out;
}

describe('FirstFitList', () => {
  it.each([1, 2, 3, 4, 5])('matches the model over random ops (seed %i)', (seed) => {
    const rng = new XorShift32(seed);
    const capacity = 200;
    const list = new FirstFitList(capacity);
    const used = new Uint8Array(capacity);
    const live: [number, number][] = [];
    for (let step = 0; step < 3000; step++) {
      if (live.length > 0 && rng.int(0, 2) === 0) {
        const [offset, size] = live.splice(rng.int(0, live.length - 1), 1)[0] as [number, number];
        expect(list.free(offset)).toBe(true);
        used.fill(0, offset, offset + size);
      } else {
        const size = rng.int(1, 24);
        const expected = modelFirstFit(used, size);
        const got = list.alloc(size);
        expect(got).toBe(expected === -1 ? FIRST_FIT_FAIL : expected);
        if (got !== FIRST_FIT_FAIL) {
          used.fill(1, got, got + size);
          live.push([got, size]);
        }
      }
      expect(list.freeRanges()).toEqual(modelRanges(used));
    }
  });

  it('rejects a free of an offset that is not live', () => {
    const list = new FirstFitList(8);
    const a = list.alloc(3);
    expect(list.free(a + 1)).toBe(false);
    expect(list.free(a)).toBe(true);
    expect(list.free(a)).toBe(false);
    expect(list.freeRanges()).toEqual([[0, 8]]);
  });
});
