// SPDX-License-Identifier: MIT
// Contender: @thi.ng/malloc MemPool over an ArrayBuffer of the block size, aligned to 128, asked
// for the segment size rounded to 128 (the peer figures of suballocators.md §4). Its headers live
// in-band, so it could not manage device memory; it is here as the TypeScript peer for speed and
// fragmentation. Handle = the address malloc returns (0 is its failure value).

import { MemPool } from '@thi.ng/malloc';
import { DVPP_ADDR_ALIGN } from '../../src/constants.js';
import type { Contender, Instance } from '../../src/trace/replay.js';
import { granulesFor } from './granules.js';

export const thingMallocContender: Contender<number> = {
  name: '@thi.ng/malloc MemPool (align 128)',
  create(capacityBytes: number): Instance<number> {
    const pool = new MemPool({ size: capacityBytes, align: DVPP_ADDR_ALIGN });
    return {
      alloc: (len) => {
        const address = pool.malloc(granulesFor(len) * DVPP_ADDR_ALIGN);
        return address === 0 ? undefined : address;
      },
      free: (address) => {
        pool.free(address);
      },
      close: () => {
        pool.release();
      },
    };
  },
};
