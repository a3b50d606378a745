// SPDX-License-Identifier: MIT
// One block of a pool: the backend's memory, the engine that carves it and the segments live in
// it by engine node. A pool holds one or more (it grows under `maxSize`); a segment knows its
// block, so a release finds its engine in O(1). And the one way a pool gets a block: ask the
// backend for `want` bytes and, while it answers "not that much memory now" (isOutOfMemory: ACL
// 207001, V2's no-memory code, the process's DVPP address space, host ENOMEM), halve the
// request down to `floor` (the vendor: a failing acldvppMalloc "only indicates that huge memory
// is insufficient").

import type { AllocateOptions, Backend, BackendBlock } from '../backends/backend.js';
import { isOutOfMemory } from '../backends/out-of-memory.js';
import { DVPP_ADDR_ALIGN } from '../constants.js';
import { type EngineStorage, TlsfEngine } from '../engine/index.js';
import type { PoolCore } from './core.js';
import type { Segment } from './segment.js';

/** One block of a pool; see the file comment. Members are the friends' API, not the public one. */
export class PoolBlock {
  readonly engine: TlsfEngine;
  /** Usable bytes, a multiple of 128. */
  readonly capacity: number;
  readonly base: bigint;
  /** Live segments by engine node; holes are undefined. */
  segments: (Segment | undefined)[] = [];
  /** `performance.now()` when the block last became empty (trimAfterMs), or -1 while it holds segments. */
  emptySince = -1;
  /** Set once the block is freed (trim, close): no segment may be registered in it again. */
  freed = false;

  /** @throws whatever the engine's constructor throws; the caller frees `native` then. */
  constructor(
    readonly core: PoolCore,
    /** The block's slot in the pool: 0 for the first; a trimmed block's slot is reused. */
    readonly index: number,
    readonly native: BackendBlock,
    capacity: number,
    /** A shared pool's engine state (shared-state.ts); a plain block keeps its own. */
    storage?: EngineStorage,
  ) {
    this.engine = new TlsfEngine(capacity / DVPP_ADDR_ALIGN, undefined, storage);
    this.capacity = capacity;
    this.base = native.base;
  }
}

/** What allocateHalving got: the block, or why not, and every size it asked for. */
export type HalvingResult =
  | { readonly native: BackendBlock; readonly size: number; readonly tried: readonly number[] }
  | { readonly native?: undefined; readonly error: unknown; readonly tried: readonly number[] };

/**
 * Asks `backend` for `want` bytes, halving (to a multiple of 128, never below `floor`) while it
 * is out of memory. `want` and `floor` are multiples of 128 with `floor <= want`. Another error
 * stops at once; it is returned, not thrown, so the caller decides.
 */
export function allocateHalving(backend: Backend, want: number, floor: number, options?: AllocateOptions): HalvingResult {
  const tried: number[] = [];
  let size = want;
  for (;;) {
    tried.push(size);
    try {
      return { native: backend.allocate(size, options), size, tried };
    } catch (error) {
      if (!isOutOfMemory(error) || size <= floor) return { error, tried };
      size = Math.max(floor, Math.floor(size / 2 / DVPP_ADDR_ALIGN) * DVPP_ADDR_ALIGN);
    }
  }
}
