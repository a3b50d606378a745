// SPDX-License-Identifier: MIT
// Contender: the naive first-fit baseline (bench/baselines/first-fit.ts). Handle = granule offset.

import { FIRST_FIT_FAIL, FirstFitList } from '../baselines/first-fit.js';
import type { Contender, Instance } from '../../src/trace/replay.js';
import { capacityGranules, granulesFor } from './granules.js';

export const firstFitContender: Contender<number> = {
  name: 'first-fit (naive, O(n))',
  create(capacityBytes: number): Instance<number> {
    const list = new FirstFitList(capacityGranules(capacityBytes));
    return {
      alloc: (len) => {
        const offset = list.alloc(granulesFor(len));
        return offset === FIRST_FIT_FAIL ? undefined : offset;
      },
      free: (offset) => {
        list.free(offset);
      },
    };
  },
};
