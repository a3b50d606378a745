// SPDX-License-Identifier: MIT
// Contender: TlsfEngine driven directly at handle level, the floor under the pool. The handle is
// the node; its generation is kept beside it in a typed array (grown, rarely, only while the node
// table grows) and passed back on free, as any handle-level user would.

import { NO_SPACE, TlsfEngine } from '../../src/engine/index.js';
import type { Contender, Instance } from '../../src/trace/replay.js';
import { capacityGranules, granulesFor } from './granules.js';

/** Drives an existing engine with byte-sized requests. */
export function engineInstance(engine: TlsfEngine): Instance<number> {
  let generations = new Int32Array(1024);
  return {
    alloc: (len) => {
      const node = engine.allocate(granulesFor(len));
      if (node === NO_SPACE) return undefined;
      if (node >= generations.length) {
        const grown = new Int32Array(Math.max(node + 1, generations.length * 2));
        grown.set(generations);
        generations = grown;
      }
      generations[node] = engine.generationOf(node);
      return node;
    },
    free: (node) => {
      engine.free(node, generations[node] as number);
    },
  };
}

export const engineContender: Contender<number> = {
  name: 'TlsfEngine (handle level)',
  create: (capacityBytes) => engineInstance(new TlsfEngine(capacityGranules(capacityBytes))),
};
