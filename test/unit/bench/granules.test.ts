// SPDX-License-Identifier: MIT
// The one-division granule count (constants.ts granulesOf, the contenders' granulesFor) equals
// footprint(len) / 128 and the vendor formula rounded to 128.

import { describe, expect, it } from 'vitest';
import { capacityGranules, granulesFor } from '../../../bench/contenders/granules.js';
import { DVPP_ADDR_ALIGN, alignUp, footprint, granulesOf, segmentSize } from '../../../src/constants.js';

describe('granulesFor', () => {
  it('is constants.ts granulesOf, and footprint(len) / 128, which is alignUp(segmentSize(len), 128)', () => {
    expect(granulesFor).toBe(granulesOf);
    const lens = [0, 1, 31, 32, 33, 95, 96, 97, 127, 128, 129, 150_528, 614_400, 1_228_800, 3_110_400, 2 ** 31 + 5];
    for (let len = 0; len < 2048; len++) lens.push(len);
    for (const len of lens) {
      expect(granulesFor(len) * DVPP_ADDR_ALIGN, `len ${len}`).toBe(alignUp(segmentSize(len), DVPP_ADDR_ALIGN));
      expect(footprint(len), `len ${len}`).toBe(granulesFor(len) * DVPP_ADDR_ALIGN);
    }
  });

  it('counts whole granules of a capacity', () => {
    expect(capacityGranules(256 * 2 ** 20)).toBe(2 * 2 ** 20);
    expect(capacityGranules(1000)).toBe(7);
  });
});
