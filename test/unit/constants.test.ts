// SPDX-License-Identifier: MIT
// The vendor formulas: alignUp and segmentSize against the documented integer formula computed
// in BigInt (exact at any size), their edge cases, and their argument errors.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DVPP_ADDR_ALIGN, DVPP_SIZE_ALIGN, DVPP_SIZE_PAD, alignUp, footprint, segmentSize } from '../../src/constants.js';

/** The vendor's ALIGN_UP[len,k] = ((len - 1) / k + 1) * k, in exact integer arithmetic. */
function vendorAlignUp(value: bigint, k: bigint): bigint {
  return value === 0n ? 0n : ((value - 1n) / k + 1n) * k;
}

describe('constants', () => {
  it('states the documented DVPP rules', () => {
    expect([DVPP_SIZE_ALIGN, DVPP_SIZE_PAD, DVPP_ADDR_ALIGN]).toEqual([32, 32, 128]);
  });

  it.each([
    [0, 32, 0],
    [1, 32, 32],
    [31, 32, 32],
    [32, 32, 32],
    [33, 32, 64],
    [127, 128, 128],
    [129, 128, 256],
    [3_110_400, 32, 3_110_400],
  ])('alignUp(%i, %i) is %i', (value, k, expected) => {
    expect(alignUp(value, k)).toBe(expected);
  });

  it.each([
    [0, 32],
    [1, 64],
    [32, 64],
    [33, 96],
    [1920 * 1080 * 3 / 2, 3_110_432],
  ])('segmentSize(%i) is %i', (len, expected) => {
    expect(segmentSize(len)).toBe(expected);
  });

  it('agrees with the vendor formula in exact integers, up to 2^53', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER - 4096 }), fc.constantFrom(1, 2, 32, 64, 128, 4096), (value, k) => {
        expect(BigInt(alignUp(value, k))).toBe(vendorAlignUp(BigInt(value), BigInt(k)));
        expect(BigInt(segmentSize(value))).toBe(vendorAlignUp(BigInt(value), 32n) + 32n);
      }),
      { seed: 20261122, numRuns: 5_000 },
    );
  });

  it.each([
    [-1, RangeError],
    [1.5, RangeError],
    [Number.NaN, RangeError],
    [Number.POSITIVE_INFINITY, RangeError],
    [2 ** 53, RangeError],
    ['32', TypeError],
    [32n, TypeError],
    [undefined, TypeError],
  ])('rejects %s with a %o naming the argument', (bad, type) => {
    expect(() => segmentSize(bad as number)).toThrow(type);
    expect(() => segmentSize(bad as number)).toThrow(/for len/);
    expect(() => alignUp(bad as number, 32)).toThrow(/for value/);
    expect(() => alignUp(64, bad as number)).toThrow(/for k/);
  });

  it('rejects k = 0', () => {
    expect(() => alignUp(64, 0)).toThrow(RangeError);
  });
});

it('footprint(len) is segmentSize(len) rounded up to 128, and checks len as segmentSize does', () => {
  for (const [len, expected] of [[0, 128], [1, 128], [96, 128], [97, 256], [100, 256], [3_110_400, 3_110_528]] as const) {
    expect(footprint(len), `len ${len}`).toBe(expected);
    expect(footprint(len)).toBe(alignUp(segmentSize(len), DVPP_ADDR_ALIGN));
  }
  expect(() => footprint(-1)).toThrow(RangeError);
  expect(() => footprint('1' as unknown as number)).toThrow(TypeError);
});

it('alignUp, segmentSize and footprint refuse inputs whose result would not be a safe integer', () => {
  expect(() => alignUp(2 ** 53 - 1, 32)).toThrow(RangeError);
  expect(() => segmentSize(2 ** 53 - 1)).toThrow(/for len/);
  expect(() => footprint(2 ** 53 - 159)).toThrow(RangeError);
  expect(footprint(2 ** 53 - 160)).toBe(2 ** 53 - 128);
  expect(Number.isSafeInteger(segmentSize(2 ** 53 - 160))).toBe(true);
});
