// SPDX-License-Identifier: MIT
// Byte requests to 128-byte granules, the way the pool sizes a segment: alignUp(len, 32) + 32,
// rounded up to 128. Since 32 divides 128 that is ceil((len + 32) / 128), one division: the
// contenders call it on every alloc, so it skips the argument checks of the public alignUp.

import { DVPP_ADDR_ALIGN, DVPP_SIZE_PAD } from '../../src/constants.js';

/** Granules a request of `len` bytes (a non-negative integer) takes. */
export function granulesFor(len: number): number {
  return Math.ceil((len + DVPP_SIZE_PAD) / DVPP_ADDR_ALIGN);
}

/** Whole granules in a block of `capacityBytes`. */
export function capacityGranules(capacityBytes: number): number {
  return Math.floor(capacityBytes / DVPP_ADDR_ALIGN);
}
