// SPDX-License-Identifier: MIT
// NodeTable: the engine's records of ranges, out of band, as parallel typed arrays (structure of
// arrays; a node is an index). Nodes below `top` are either in the address-order chain (a free or
// a used range) or spare on the free-node stack; nodes at or above `top` have never been handed
// out since the last clear(). The table doubles when full, so there is no cap on live ranges.
// 33 bytes per node: 8 Int32/Uint32 fields plus one state byte.
// Engine files read typed arrays as `array[i]!`: every index is a node below `top` (or a bin below
// BIN_COUNT), which noUncheckedIndexedAccess cannot see; the `!` costs nothing at run time.

/** "No node": the end of a list or chain. */
export const NO_NODE = -1;
/** Node state: on the free-node stack (or past `top`), not part of the chain. */
export const STATE_SPARE = 0;
/** Node state: a free range, filed in a bin. */
export const STATE_FREE = 1;
/** Node state: a used range, owned by a handle. */
export const STATE_USED = 2;
/** Bytes of metadata per node: offset, size, 4 links, generation, spare-stack slot (4 B each) + state (1 B). */
export const BYTES_PER_NODE = 8 * 4 + 1;

/** Growable structure-of-arrays node storage with a free-node stack. */
export class NodeTable {
  /** First granule of the range. */
  offset: Uint32Array;
  /** Granules in the range (>= 1 for chained nodes). */
  size: Uint32Array;
  /** Previous / next node in the free list of the bin (free ranges only). */
  binPrev: Int32Array;
  binNext: Int32Array;
  /** Previous / next node in address order (chained nodes), for O(1) coalescing. */
  physPrev: Int32Array;
  physNext: Int32Array;
  /** Allocation serial of a used node: the second half of a handle. */
  generation: Int32Array;
  /** STATE_SPARE, STATE_FREE or STATE_USED. */
  state: Uint8Array;
  /** The free-node stack: spare[0 .. spareCount) are reusable node indices. */
  spare: Int32Array;
  /** Length of every array above. */
  capacity: number;
  /** Nodes at or above `top` have not been handed out since the last clear(). */
  top = 0;
  /** Entries on the free-node stack. */
  spareCount = 0;

  /** @param initialCapacity nodes to reserve up front (at least 1). */
  constructor(initialCapacity: number) {
    const n = Math.max(1, initialCapacity);
    this.capacity = n;
    this.offset = new Uint32Array(n);
    this.size = new Uint32Array(n);
    this.binPrev = new Int32Array(n);
    this.binNext = new Int32Array(n);
    this.physPrev = new Int32Array(n);
    this.physNext = new Int32Array(n);
    this.generation = new Int32Array(n);
    this.state = new Uint8Array(n);
    this.spare = new Int32Array(n);
  }

  /** A node for a new range: the last one released, else a never-used one; grows the table if full. */
  take(): number {
    if (this.spareCount > 0) return this.spare[--this.spareCount]!;
    if (this.top === this.capacity) this.grow();
    return this.top++;
  }

  /** Returns a node that left the chain (merged away) to the free-node stack. */
  release(node: number): void {
    this.state[node] = STATE_SPARE;
    this.spare[this.spareCount++] = node;
  }

  /** Forgets every node in O(1): the next take() returns node 0. Stale states above `top` are never read. */
  clear(): void {
    this.top = 0;
    this.spareCount = 0;
  }

  /** Doubles every array, keeping the contents; amortised O(1) per take(). */
  private grow(): void {
    const n = this.capacity * 2;
    this.offset = copyU32(this.offset, n);
    this.size = copyU32(this.size, n);
    this.binPrev = copyI32(this.binPrev, n);
    this.binNext = copyI32(this.binNext, n);
    this.physPrev = copyI32(this.physPrev, n);
    this.physNext = copyI32(this.physNext, n);
    this.generation = copyI32(this.generation, n);
    const state = new Uint8Array(n);
    state.set(this.state);
    this.state = state;
    this.spare = copyI32(this.spare, n);
    this.capacity = n;
  }
}

function copyU32(from: Uint32Array, length: number): Uint32Array {
  const to = new Uint32Array(length);
  to.set(from);
  return to;
}

function copyI32(from: Int32Array, length: number): Int32Array {
  const to = new Int32Array(length);
  to.set(from);
  return to;
}
