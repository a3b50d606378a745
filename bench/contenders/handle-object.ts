// SPDX-License-Identifier: MIT
// Contender: the engine at handle level (contenders/engine.ts) plus one small object per
// allocation, {engine, node, offset, length, tag} like the public Segment's five fields, whose
// node free reads back. Any API that returns an object per acquire pays at least this much: a
// public Segment must stay stale forever once released, so such objects cannot be recycled.
// Informative only: it bounds how close the public API can get to the engine.

import { DVPP_ADDR_ALIGN } from '../../src/constants.js';
import { NO_SPACE, TlsfEngine } from '../../src/engine/index.js';
import type { Contender, Instance } from '../../src/trace/replay.js';
import { capacityGranules, granulesFor } from './granules.js';

/** What alloc returns: as many fields as a Segment, none computed. */
export class HandleObject {
  constructor(
    readonly engine: TlsfEngine,
    readonly node: number,
    readonly offset: number,
    readonly length: number,
    readonly tag: string | undefined,
  ) {}
}

/**
 * Drives an existing engine like engineInstance (contenders/engine.ts), generations kept beside
 * the nodes, plus a fresh {@link HandleObject} per alloc. Written out rather than wrapping
 * engineInstance: one more call level spends V8's inlining budget and costs more than the object.
 */
export function handleObjectInstance(engine: TlsfEngine): Instance<HandleObject> {
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
      return new HandleObject(engine, node, engine.offsetOf(node) * DVPP_ADDR_ALIGN, len, undefined);
    },
    free: (handle) => {
      const { node } = handle;
      engine.free(node, generations[node] as number);
    },
  };
}

export const handleObjectContender: Contender<HandleObject> = {
  name: 'TlsfEngine + one handle object per allocation',
  create: (capacityBytes) => handleObjectInstance(new TlsfEngine(capacityGranules(capacityBytes))),
};
