// SPDX-License-Identifier: MIT
// Byte requests to 128-byte granules, the way the pool sizes a segment (constants.ts's
// granulesOf, without argument checks: the contenders call it on every alloc).

import { DVPP_ADDR_ALIGN, granulesOf } from '../../src/constants.js';

/** Granules a request of `len` bytes (a non-negative integer) takes. */
export const granulesFor = granulesOf;

/** Whole granules in a block of `capacityBytes`. */
export function capacityGranules(capacityBytes: number): number {
  return Math.floor(capacityBytes / DVPP_ADDR_ALIGN);
}
