// SPDX-License-Identifier: MIT
// Contender: the engine at handle level (contenders/engine.ts) plus one small object per
// allocation, {engine, node, offset, length, tag} like the public Segment's five fields, whose
// node free reads back. Any API that returns an object per acquire pays at least this much: a
// public Segment must stay stale forever once released, so such objects cannot be recycled.
// Informative only: it bounds how close the public API can get to the engine.

import { DVPP_ADDR_ALIGN } from '../../src/constants.js';
import { TlsfEngine } from '../../src/engine/index.js';
import type { Contender, Instance } from '../../src/trace/replay.js';
import { engineInstance } from './engine.js';
import { capacityGranules } from './granules.js';

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

/** Drives an existing engine, wrapping each handle in a fresh {@link HandleObject}. */
export function handleObjectInstance(engine: TlsfEngine): Instance<HandleObject> {
  const handles = engineInstance(engine);
  return {
    alloc: (len) => {
      const node = handles.alloc(len);
      return node === undefined ? undefined : new HandleObject(engine, node, engine.offsetOf(node) * DVPP_ADDR_ALIGN, len, undefined);
    },
    free: (handle) => {
      handles.free(handle.node);
    },
  };
}

export const handleObjectContender: Contender<HandleObject> = {
  name: 'TlsfEngine + one handle object per allocation',
  create: (capacityBytes) => handleObjectInstance(new TlsfEngine(capacityGranules(capacityBytes))),
};
