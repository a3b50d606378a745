// SPDX-License-Identifier: MIT
// PoolSnapshot: a JSON-serialisable picture of one pool's block, built by walking the engine's
// ranges in address order. Every used range is a live segment (listed with its own `size`,
// whose 128-aligned footprint is the range) and every free range is listed as is, so footprints
// plus free ranges cover `capacity` exactly. O(ranges); meant for tools, not for the hot path.

import type { PoolStats } from '../pool-stats.js';

/** One live segment in a {@link PoolSnapshot}. */
export interface SnapshotSegment {
  /** Bytes from the block's base; a multiple of 128. */
  readonly offset: number;
  /** Usable bytes, `segmentSize(length)`; the range it takes is `alignUp(size, 128)`. */
  readonly size: number;
  /** Bytes asked for. */
  readonly length: number;
  /** Present only on tagged segments. */
  readonly tag?: string;
}

/** One free range in a {@link PoolSnapshot}. */
export interface SnapshotFreeRange {
  /** Bytes from the block's base; a multiple of 128. */
  readonly offset: number;
  /** Bytes; a multiple of 128. */
  readonly size: number;
}

/** What `pool.snapshot()` returns: plain data, safe for `JSON.stringify`. */
export interface PoolSnapshot {
  /** Usable bytes of the block. */
  readonly capacity: number;
  /** The block's base address: `'0x'` and lowercase hex digits. */
  readonly baseAddress: string;
  /** Live segments in address order. */
  readonly segments: SnapshotSegment[];
  /** Free ranges in address order. */
  readonly freeRanges: SnapshotFreeRange[];
  /** `pool.stats()` at the time of the snapshot. */
  readonly stats: PoolStats;
}

/** The segment facts a snapshot needs, looked up by engine node. */
export interface SnapshotSource {
  forEachRange(visit: (offset: number, size: number, used: boolean, node: number) => void): void;
  segmentAtNode(node: number): { readonly size: number; readonly length: number; readonly tag: string | undefined } | undefined;
}

/**
 * Builds a snapshot. `granule` converts the engine's granule figures to bytes.
 * @throws {Error} a used range with no live segment (a bookkeeping bug; `pool.validate()` says more).
 */
export function buildSnapshot(
  capacity: number,
  baseAddress: bigint,
  granule: number,
  source: SnapshotSource,
  stats: PoolStats,
): PoolSnapshot {
  const segments: SnapshotSegment[] = [];
  const freeRanges: SnapshotFreeRange[] = [];
  source.forEachRange((offset, size, used, node) => {
    if (!used) {
      freeRanges.push({ offset: offset * granule, size: size * granule });
      return;
    }
    const segment = source.segmentAtNode(node);
    if (segment === undefined) throw new Error(`Snapshot: the used range at offset ${offset * granule} has no live segment`);
    const entry: SnapshotSegment =
      segment.tag === undefined
        ? { offset: offset * granule, size: segment.size, length: segment.length }
        : { offset: offset * granule, size: segment.size, length: segment.length, tag: segment.tag };
    segments.push(entry);
  });
  return { capacity, baseAddress: `0x${baseAddress.toString(16)}`, segments, freeRanges, stats };
}
