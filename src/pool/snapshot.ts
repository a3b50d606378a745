// SPDX-License-Identifier: MIT
// PoolSnapshot: a JSON-serialisable picture of one pool, built by walking each block's engine
// ranges in address order. Every used range is a live segment (listed with its own `size`,
// whose 128-aligned footprint is the range) and every free range is listed as is, so in each
// block footprints plus free ranges cover its size exactly. O(ranges); meant for tools, not for
// the hot path.

import type { PoolStats } from '../pool-stats.js';

/** One block of a {@link PoolSnapshot}. */
export interface SnapshotBlock {
  /** The block's slot (`segment.blockIndex`): 0 for the first. */
  readonly index: number;
  /** The block's base address: `'0x'` and lowercase hex digits. */
  readonly baseAddress: string;
  /** Usable bytes of the block; a multiple of 128. */
  readonly size: number;
}

/** One live segment in a {@link PoolSnapshot}. */
export interface SnapshotSegment {
  /** The slot of its block. */
  readonly block: number;
  /** Bytes from its block's base; a multiple of 128. */
  readonly offset: number;
  /** Usable bytes, `segmentSize(length)`; the range it takes is `alignUp(size, 128)`. */
  readonly size: number;
  /** Bytes asked for. */
  readonly length: number;
  /** Present only on tagged segments. */
  readonly tag?: string;
  /** A shared pool's segments only: the attachment that acquired (or last adopted) it, 0 for the creator. */
  readonly attachment?: number;
}

/** One free range in a {@link PoolSnapshot}. */
export interface SnapshotFreeRange {
  /** The slot of its block. */
  readonly block: number;
  /** Bytes from its block's base; a multiple of 128. */
  readonly offset: number;
  /** Bytes; a multiple of 128. */
  readonly size: number;
}

/** What `pool.snapshot()` returns: plain data, safe for `JSON.stringify`. */
export interface PoolSnapshot {
  /** Usable bytes of all blocks. */
  readonly capacity: number;
  /** The first block's base address: `'0x'` and lowercase hex digits. */
  readonly baseAddress: string;
  /** The blocks by slot (a trimmed slot is absent). */
  readonly blocks: SnapshotBlock[];
  /** Live segments by block, in address order within each. */
  readonly segments: SnapshotSegment[];
  /** Free ranges by block, in address order within each. */
  readonly freeRanges: SnapshotFreeRange[];
  /** `pool.stats()` at the time of the snapshot. */
  readonly stats: PoolStats;
}

/** The facts a snapshot needs of one block: its ranges, and the segment at a used range's node. */
export interface SnapshotSource {
  readonly index: number;
  readonly base: bigint;
  readonly capacity: number;
  forEachRange(visit: (offset: number, size: number, used: boolean, node: number) => void): void;
  segmentAtNode(
    node: number,
  ): { readonly size: number; readonly length: number; readonly tag: string | undefined; readonly attachment?: number } | undefined;
}

const hex = (address: bigint): string => `0x${address.toString(16)}`;

/**
 * Builds a snapshot of the blocks `sources` (in slot order, the first block first). `granule`
 * converts the engines' granule figures to bytes.
 * @throws {Error} a used range with no live segment (a bookkeeping bug; `pool.validate()` says more).
 */
export function buildSnapshot(capacity: number, granule: number, sources: readonly SnapshotSource[], stats: PoolStats): PoolSnapshot {
  const blocks: SnapshotBlock[] = [];
  const segments: SnapshotSegment[] = [];
  const freeRanges: SnapshotFreeRange[] = [];
  for (const source of sources) {
    const block = source.index;
    blocks.push({ index: block, baseAddress: hex(source.base), size: source.capacity });
    source.forEachRange((offset, size, used, node) => {
      if (!used) {
        freeRanges.push({ block, offset: offset * granule, size: size * granule });
        return;
      }
      const segment = source.segmentAtNode(node);
      if (segment === undefined) throw new Error(`Snapshot: the used range at offset ${offset * granule} of block ${block} has no live segment`);
      segments.push({
        block,
        offset: offset * granule,
        size: segment.size,
        length: segment.length,
        ...(segment.tag === undefined ? {} : { tag: segment.tag }),
        ...(segment.attachment === undefined ? {} : { attachment: segment.attachment }),
      });
    });
  }
  return { capacity, baseAddress: blocks[0]?.baseAddress ?? '0x0', blocks, segments, freeRanges, stats };
}
