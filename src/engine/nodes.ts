// SPDX-License-Identifier: MIT
// NodeTable: the engine's records of ranges, out of band, as parallel typed arrays (structure of
// arrays; a node is an index). Nodes below `top` are either in the address-order chain (a free or
// a used range) or spare; nodes at or above `top` have never been handed out since the last
// clear(). Spare nodes form a stack threaded through `binNext`, so reusing one costs no extra
// array. The table doubles when full, so there is no cap on live ranges.
// One Int32 `tag` per node says what the node is: a used range's generation (>= 0), TAG_FREE or
// TAG_SPARE. A handle check is then a single compare (tag === generation), and a neighbour check
// in free() another (tag === TAG_FREE).
// 28 bytes per node: 7 Int32 fields.
// Engine files read typed arrays as `array[i]!`: every index is a node below `top` (or a bin below
// BIN_COUNT), which noUncheckedIndexedAccess cannot see; the `!` costs nothing at run time.

/** "No node": the end of a list or chain. */
export const NO_NODE = -1;
/** Tag of a free range, filed in a bin. */
export const TAG_FREE = -1;
/** Tag of a spare node: on the spare stack (or past `top`), not part of the chain. */
export const TAG_SPARE = -2;
/** Bytes of metadata per node: offset, size, 4 links and the tag, 4 B each. */
export const BYTES_PER_NODE = 7 * 4;

/** Growable structure-of-arrays node storage with a stack of spare nodes. */
export class NodeTable {
  /** First granule of the range. */
  offset: Int32Array;
  /** Granules in the range (>= 1 for chained nodes). */
  size: Int32Array;
  /** Previous / next node in the free list of the bin (free ranges); binNext also links spare nodes. */
  binPrev: Int32Array;
  binNext: Int32Array;
  /** Previous / next node in address order (chained nodes), for O(1) coalescing. */
  physPrev: Int32Array;
  physNext: Int32Array;
  /** The generation of a used range (the second half of its handle), else TAG_FREE or TAG_SPARE. */
  tag: Int32Array;
  /** Length of every array above. */
  capacity: number;
  /** Nodes at or above `top` have not been handed out since the last clear(). */
  top = 0;
  /** The last node released, NO_NODE when none is spare; each spare links to the next by binNext. */
  spareHead = NO_NODE;

  /** @param initialCapacity nodes to reserve up front (at least 1). */
  constructor(initialCapacity: number) {
    const n = Math.max(1, initialCapacity);
    this.capacity = n;
    this.offset = new Int32Array(n);
    this.size = new Int32Array(n);
    this.binPrev = new Int32Array(n);
    this.binNext = new Int32Array(n);
    this.physPrev = new Int32Array(n);
    this.physNext = new Int32Array(n);
    this.tag = new Int32Array(n);
  }

  /** A node for a new range: the last one released, else a never-used one; grows the table if full. */
  take(): number {
    const spare = this.spareHead;
    if (spare !== NO_NODE) {
      this.spareHead = this.binNext[spare]!;
      return spare;
    }
    if (this.top === this.capacity) this.grow();
    return this.top++;
  }

  /** Puts a node that left the chain (merged away) on the spare stack. */
  release(node: number): void {
    this.tag[node] = TAG_SPARE;
    this.binNext[node] = this.spareHead;
    this.spareHead = node;
  }

  /** Forgets every node in O(1): the next take() returns node 0. Stale tags above `top` are never read. */
  clear(): void {
    this.top = 0;
    this.spareHead = NO_NODE;
  }

  /** Doubles every array, keeping the contents; amortised O(1) per take(). */
  private grow(): void {
    const n = this.capacity * 2;
    this.offset = grown(this.offset, new Int32Array(n));
    this.size = grown(this.size, new Int32Array(n));
    this.binPrev = grown(this.binPrev, new Int32Array(n));
    this.binNext = grown(this.binNext, new Int32Array(n));
    this.physPrev = grown(this.physPrev, new Int32Array(n));
    this.physNext = grown(this.physNext, new Int32Array(n));
    this.tag = grown(this.tag, new Int32Array(n));
    this.capacity = n;
  }
}

function grown(from: Int32Array, to: Int32Array): Int32Array {
  to.set(from);
  return to;
}
