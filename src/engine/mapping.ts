// SPDX-License-Identifier: MIT
// Size classes of the TLSF engine. A size in granules maps to a bin index
// `bin = (fl << SL_BITS) | sl`: a small float with SL_BITS bits of mantissa (the TLSF (fl, sl)
// pair, OffsetAllocator's SmallFloat). Free ranges are filed under binRoundDown(size), so every
// range in bin b is at least binFloor(b); searches start at binRoundUp(request), so every range
// from that bin on fits the request. Pure functions over sizes in [1, 2^32), beyond the engine's MAX_GRANULES.

/**
 * Second-level bits: each power-of-two range is split into 2^SL_BITS bins, so a round-up wastes
 * less than 1/32 of the request. 5 (TLSF's usual value) needed ~0.5% less pool than 4 or 3 on
 * media traces; more bits only add bins.
 */
export const SL_BITS = 5;
/** Bins per first-level class. */
export const SL_COUNT = 1 << SL_BITS;
/** Mask of the second-level part of a bin index. */
export const SL_MASK = SL_COUNT - 1;
/** First-level classes: one 32-bit bitmap word; sizes below 2^32 use classes 0..27 (round-up reaches 28). */
export const FL_COUNT = 32;
/** Number of bin slots (bins up to 896 are reachable). */
export const BIN_COUNT = FL_COUNT << SL_BITS;
/**
 * Largest size and capacity the engine handles, in granules: 2^31 - 1, so that offsets and sizes
 * live in Int32Array and stay V8 small integers on the hot path (256 GiB of 128-byte granules,
 * 16 times the DVPP per-process address space).
 */
export const MAX_GRANULES = 0x7fff_ffff;

/**
 * The bin a free range of `size` granules is filed under: the largest bin whose floor is <= size.
 * Sizes below `2 * SL_COUNT` have a bin of their own (bin === size).
 */
export function binRoundDown(size: number): number {
  // shift = how many low bits the bin drops; <= 0 means the size is its own bin.
  const shift = 31 - Math.clz32(size) - SL_BITS;
  if (shift <= 0) return size;
  // (size >>> shift) carries the implicit leading 1 at bit SL_BITS, which adds the "+1" of the exponent.
  return (shift << SL_BITS) + (size >>> shift);
}

/**
 * The first bin all of whose ranges hold `size` granules: the smallest bin whose floor is >= size.
 * Equals binRoundDown(size) exactly when size is a bin floor.
 */
export function binRoundUp(size: number): number {
  const shift = 31 - Math.clz32(size) - SL_BITS;
  if (shift <= 0) return size;
  const bin = (shift << SL_BITS) + (size >>> shift);
  // Any dropped low bit means the floor of `bin` is below size: step to the next bin.
  return (size & ((1 << shift) - 1)) === 0 ? bin : bin + 1;
}

/** The smallest size filed under `bin` (the inverse of both roundings at bin floors). */
export function binFloor(bin: number): number {
  if (bin < 2 * SL_COUNT) return bin;
  const shift = (bin >>> SL_BITS) - 1;
  // Multiply, not shift: floors of the top classes pass 2^31.
  return ((bin & SL_MASK) + SL_COUNT) * 2 ** shift;
}
