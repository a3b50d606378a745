// SPDX-License-Identifier: MIT
// Byte requests to 128-byte granules, the way the pool sizes a segment: alignUp(len, 32) + 32,
// rounded up to 128. Shared by the contenders that work in granules.

import { DVPP_ADDR_ALIGN, alignUp, segmentSize } from '../../src/constants.js';

/** Granules a request of `len` bytes takes. */
export function granulesFor(len: number): number {
  return alignUp(segmentSize(len), DVPP_ADDR_ALIGN) / DVPP_ADDR_ALIGN;
}

/** Whole granules in a block of `capacityBytes`. */
export function capacityGranules(capacityBytes: number): number {
  return Math.floor(capacityBytes / DVPP_ADDR_ALIGN);
}
