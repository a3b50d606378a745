// SPDX-License-Identifier: MIT
// SegmentLookup: pointer -> live segment for the pyACL skin (dvpp_free needs "which live segment
// starts here?", rt.memset "which one holds this byte?"), kept off the pool's hot path. A pointer
// finds its block in a table of the live blocks' bases as numbers (the first block tried first,
// then the others: O(blocks), a handful), then its segment in that block's OffsetIndex of the
// live segments (any segment, pool.acquire's included), built from the block's registry. The
// core's mutation count (which a grow or trim changes too) tells whether all of it is still fresh:
// the skin's own acquire or release updates it in place (O(1)); anything else that changed the
// pool (pool.acquire, a release that served waiters, reset, a grow, a trim) makes the next lookup
// rebuild it, in O(blocks + live segments).

import { DVPP_ADDR_ALIGN as GRANULE, segmentSizeOf } from '../constants.js';
import type { PoolBlock } from '../pool/block.js';
import type { coreOf } from '../pool/pool.js';
import { type Segment, segmentBlock, segmentLength, segmentOffset } from '../pool/segment.js';
import { OffsetIndex } from './offset-index.js';

/** The pool's private core, as coreOf() hands it to the skin. */
type PoolCore = ReturnType<typeof coreOf>;

/** One live block as the skin addresses it: pointers in `[base, end)` are its bytes. */
export interface LookupBlock {
  readonly block: PoolBlock;
  /** The block's base address as a number; exact, as createAclCompat and addressable() check. */
  readonly base: number;
  readonly end: number;
  readonly index: OffsetIndex;
}

/** Pointers are numbers: a block whose last byte is past 2^53 cannot be named by one exactly. */
export function addressable(block: PoolBlock): boolean {
  return block.base + BigInt(block.capacity) <= BigInt(Number.MAX_SAFE_INTEGER);
}

export class SegmentLookup {
  readonly #core: PoolCore;
  /** The live, addressable blocks, the first block first; empty until the first lookup. */
  #blocks: LookupBlock[] = [];
  /** The core's mutation count the table reflects. */
  #seen = -1;

  constructor(core: PoolCore) {
    this.#core = core;
  }

  /** The live block holding the byte at `devPtr`, or undefined (also for a closed pool). O(blocks) while fresh. */
  blockAt(devPtr: number): LookupBlock | undefined {
    if (this.#core.closed || !Number.isSafeInteger(devPtr)) return undefined;
    for (const entry of this.#fresh()) if (devPtr >= entry.base && devPtr < entry.end) return entry;
    return undefined;
  }

  /** The entry of `segment`'s block (a segment the skin just acquired, or one found by a lookup). */
  entryOf(segment: Segment): LookupBlock | undefined {
    const block = segmentBlock(segment);
    return this.#fresh().find((entry) => entry.block === block);
  }

  /** The live segment starting `offset` bytes into `entry`'s block (a fresh entry), or undefined. O(1). */
  at(entry: LookupBlock, offset: number): Segment | undefined {
    if (offset % GRANULE !== 0) return undefined;
    const node = entry.index.get(offset / GRANULE);
    return node < 0 ? undefined : entry.block.segments[node];
  }

  /**
   * The live segment whose `[start, start + size)` holds the byte `offset` bytes into `entry`'s
   * block, or undefined. O(1) at a segment's start, else O(log32 block capacity): a floor query on
   * the block's bitmap of starts.
   */
  containing(entry: LookupBlock, offset: number): Segment | undefined {
    const exact = this.at(entry, offset);
    if (exact !== undefined) return exact;
    const start = entry.index.floor(Math.floor(offset / GRANULE));
    const segment = start < 0 ? undefined : entry.block.segments[entry.index.get(start)];
    return segment !== undefined && offset < segmentOffset(segment) + segmentSizeOf(segmentLength(segment)) ? segment : undefined;
  }

  /** After the skin acquired `segment`: a fresh table stays fresh. Returns the entry of its block (undefined past 2^53). */
  acquired(segment: Segment): LookupBlock | undefined {
    const inStep = this.#inStepWithOneChange();
    const entry = this.entryOf(segment);
    if (inStep) entry?.index.set(segmentOffset(segment) / GRANULE, this.#core.liveNode(segment));
    return entry;
  }

  /** After the skin released `segment` (when that served no waiter, the table stays fresh). */
  released(segment: Segment): void {
    if (this.#inStepWithOneChange()) this.entryOf(segment)?.index.delete(segmentOffset(segment) / GRANULE);
  }

  /** True when the only change since the table was fresh is the skin's own, and marks it seen. */
  #inStepWithOneChange(): boolean {
    const now = this.#core.mutations;
    if (this.#seen !== now - 1) return false;
    this.#seen = now;
    return true;
  }

  #fresh(): LookupBlock[] {
    const core = this.#core;
    if (this.#seen === core.mutations) return this.#blocks;
    const before = this.#blocks;
    const blocks: LookupBlock[] = [];
    for (const block of core.blocks) {
      if (block === undefined || !addressable(block)) continue;
      // A block kept across the rebuild refills its own table, and the floor bitmap with it once
      // containing() made one: a new bitmap would cost capacity / 1024 bytes at every switch.
      let entry = before.find((known) => known.block === block);
      if (entry === undefined) {
        const base = Number(block.base);
        entry = { block, base, end: base + block.capacity, index: new OffsetIndex(block.engine.liveCount, block.capacity / GRANULE) };
      } else {
        entry.index.clear();
      }
      const table = entry.index;
      block.segments.forEach((segment, node) => {
        if (segment !== undefined) table.set(segmentOffset(segment) / GRANULE, node);
      });
      blocks.push(entry);
    }
    this.#blocks = blocks;
    this.#seen = core.mutations;
    return blocks;
  }
}
