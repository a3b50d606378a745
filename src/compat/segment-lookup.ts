// SPDX-License-Identifier: MIT
// SegmentLookup: pointer -> live segment for the pyACL skin (dvpp_free needs "which live segment
// starts here?", rt.memset "which one holds this byte?"), kept off the pool's hot path. It is an
// OffsetIndex of the live segments (any segment, pool.acquire's included), built from the pool
// core's registry on first use. The core's mutation count tells whether it is still fresh: the
// skin's own acquire or release updates it in place (O(1)); anything else that changed the pool
// (pool.acquire, a release that served waiters, reset) makes the next lookup rebuild it, in
// O(live segments).

import { DVPP_ADDR_ALIGN as GRANULE, segmentSizeOf } from '../constants.js';
import type { coreOf } from '../pool/pool.js';
import { type Segment, segmentLength, segmentOffset } from '../pool/segment.js';
import { OffsetIndex } from './offset-index.js';

/** The pool's private core, as coreOf() hands it to the skin. */
type PoolCore = ReturnType<typeof coreOf>;

export class SegmentLookup {
  readonly #core: PoolCore;
  #index: OffsetIndex | undefined = undefined;
  /** The core's mutation count the index reflects. */
  #seen = -1;

  constructor(core: PoolCore) {
    this.#core = core;
  }

  /** The live segment starting `offset` bytes into the block, or undefined. O(1) while fresh. */
  at(offset: number): Segment | undefined {
    const core = this.#core;
    if (core.closed || !Number.isSafeInteger(offset) || offset < 0 || offset % GRANULE !== 0 || offset >= core.capacity) return undefined;
    const node = this.#fresh().get(offset / GRANULE);
    return node < 0 ? undefined : core.segments[node];
  }

  /**
   * The live segment whose `[offset, offset + size)` holds the byte `offset` bytes into the block,
   * or undefined. O(log32 capacity) while fresh: a floor query on the index's bitmap of starts.
   */
  containing(offset: number): Segment | undefined {
    const core = this.#core;
    if (core.closed || !Number.isSafeInteger(offset) || offset < 0 || offset >= core.capacity) return undefined;
    const index = this.#fresh();
    const start = index.floor(Math.floor(offset / GRANULE));
    const segment = start < 0 ? undefined : core.segments[index.get(start)];
    return segment !== undefined && offset < segmentOffset(segment) + segmentSizeOf(segmentLength(segment)) ? segment : undefined;
  }

  /** After the skin acquired `segment`: a fresh index stays fresh. */
  acquired(segment: Segment): void {
    if (this.#inStepWithOneChange()) this.#index?.set(segmentOffset(segment) / GRANULE, this.#core.liveNode(segment));
  }

  /** After the skin released `segment` (when that served no waiter, the index stays fresh). */
  released(segment: Segment): void {
    if (this.#inStepWithOneChange()) this.#index?.delete(segmentOffset(segment) / GRANULE);
  }

  /** True when the only change since the index was fresh is the skin's own, and marks it seen. */
  #inStepWithOneChange(): boolean {
    const now = this.#core.mutations;
    if (this.#index === undefined || this.#seen !== now - 1) return false;
    this.#seen = now;
    return true;
  }

  #fresh(): OffsetIndex {
    const core = this.#core;
    let index = this.#index;
    if (index === undefined || this.#seen !== core.mutations) {
      // A rebuild refills the same table, and the floor bitmap with it once containing() made
      // one: a new bitmap would cost capacity / 1024 bytes at every switch to the skin.
      if (index === undefined) index = new OffsetIndex(core.engine.liveCount, core.capacityGranules);
      else index.clear();
      const table = index;
      core.segments.forEach((segment, node) => {
        if (segment !== undefined) table.set(segmentOffset(segment) / GRANULE, node);
      });
      this.#index = index;
      this.#seen = core.mutations;
    }
    return index;
  }
}
