// SPDX-License-Identifier: MIT
// Bin maths: table rows at and around bin boundaries (OffsetAllocator-style {size, down, up}),
// exhaustive round-trip properties for small sizes, and the worst-case round-up waste.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BIN_COUNT, MAX_GRANULES, SL_BITS, SL_COUNT, SL_MASK, binFloor, binRoundDown, binRoundUp } from '../../../src/engine/mapping.js';

describe('binRoundDown / binRoundUp table', () => {
  // Hand-computed for SL_BITS = 5: sizes below 64 are their own bin; from 64 on a bin spans 2^(fl-1) sizes.
  const rows: Array<{ size: number; down: number; up: number }> = [
    { size: 1, down: 1, up: 1 },
    { size: 31, down: 31, up: 31 },
    { size: 32, down: 32, up: 32 },
    { size: 63, down: 63, up: 63 },
    { size: 64, down: 64, up: 64 },
    { size: 65, down: 64, up: 65 },
    { size: 66, down: 65, up: 65 },
    { size: 67, down: 65, up: 66 },
    { size: 126, down: 95, up: 95 },
    { size: 127, down: 95, up: 96 },
    { size: 128, down: 96, up: 96 },
    { size: 129, down: 96, up: 97 },
    { size: 131, down: 96, up: 97 },
    { size: 132, down: 97, up: 97 },
    { size: 24_301, down: 335, up: 336 }, // a 1080p NV12 segment in granules
    { size: MAX_GRANULES, down: 863, up: 864 }, // the engine's largest capacity, 2^31 - 1
    { size: 2 ** 31, down: 864, up: 864 },
    { size: 2 ** 31 + 1, down: 864, up: 865 },
    { size: 2 ** 32 - 1, down: 895, up: 896 }, // the mapping itself holds up to 2^32 - 1
  ];
  it.each(rows)('size $size -> down $down, up $up', ({ size, down, up }) => {
    expect(SL_BITS).toBe(5);
    expect(binRoundDown(size)).toBe(down);
    expect(binRoundUp(size)).toBe(up);
  });

  it('is exact at every bin floor and steps correctly one below and one above it', () => {
    const last = binRoundDown(MAX_GRANULES);
    for (let bin = 1; bin <= last; bin++) {
      const floor = binFloor(bin);
      expect(binRoundDown(floor)).toBe(bin);
      expect(binRoundUp(floor)).toBe(bin);
      expect(binRoundDown(floor - 1)).toBe(bin - 1);
      if (floor - 1 >= 1) expect(binRoundUp(floor - 1)).toBe(floor - 1 === binFloor(bin - 1) ? bin - 1 : bin);
      const width = binFloor(bin + 1) - floor;
      expect(binRoundDown(floor + width - 1)).toBe(bin);
      if (width > 1) expect(binRoundUp(floor + 1)).toBe(bin + 1);
    }
  });

  it('keeps every reachable bin inside the bitmap (fl < 31, bin < BIN_COUNT)', () => {
    expect(binRoundUp(MAX_GRANULES)).toBeLessThan(BIN_COUNT);
    // A bin is (fl << SL_BITS) | sl.
    expect(binRoundUp(MAX_GRANULES) >>> SL_BITS).toBeLessThan(31);
    expect(binRoundUp(MAX_GRANULES) & SL_MASK).toBe(0);
  });
});

describe('round-trip properties', () => {
  it('brackets every size from 1 to 2^20 exhaustively', () => {
    // Collect the first failure instead of calling expect() a million times.
    let failure = '';
    for (let size = 1; size <= 2 ** 20 && failure === ''; size++) {
      const down = binRoundDown(size);
      const up = binRoundUp(size);
      // Filed under down: the bin's floor does not exceed the size, the next bin's floor does.
      if (!(binFloor(down) <= size && size < binFloor(down + 1))) failure = `down(${size}) = ${down}`;
      // Searched from up: every range in that bin fits, and the bin below might not.
      if (!(binFloor(up) >= size && binFloor(up - 1) < size)) failure = `up(${size}) = ${up}`;
      if (up - down !== (binFloor(down) === size ? 0 : 1)) failure = `up(${size}) - down(${size}) = ${up - down}`;
    }
    expect(failure).toBe('');
  });

  it('brackets random sizes up to 2^32 - 1 and bounds the round-up waste by 1/32', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_GRANULES }), (size) => {
        const down = binRoundDown(size);
        const up = binRoundUp(size);
        expect(binFloor(down)).toBeLessThanOrEqual(size);
        expect(binFloor(down + 1)).toBeGreaterThan(size);
        expect(binFloor(up)).toBeGreaterThanOrEqual(size);
        expect(binFloor(up) - size).toBeLessThan(size / SL_COUNT);
      }),
      { seed: 7, numRuns: 5_000 },
    );
  });

  it('is monotonic', () => {
    let failure = '';
    for (let size = 2; size <= 2 ** 20 && failure === ''; size++) {
      if (binRoundDown(size) < binRoundDown(size - 1) || binRoundUp(size) < binRoundUp(size - 1)) failure = `at ${size}`;
    }
    expect(failure).toBe('');
  });
});
