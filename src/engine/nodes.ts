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

/** The seven arrays of a node table, each of the same length (the table's capacity). */
export interface NodeArrays {
  readonly offset: Int32Array;
  readonly size: Int32Array;
  readonly binPrev: Int32Array;
  readonly binNext: Int32Array;
  readonly physPrev: Int32Array;
  readonly physNext: Int32Array;
  readonly tag: Int32Array;
}

/**
 * Where a node table keeps its arrays. `arrays(capacity, current)` returns arrays of at least
 * `capacity` nodes that hold `current`'s contents (none for the first call): the default makes
 * new ones and copies; a storage over growable SharedArrayBuffers grows them in place, so other
 * holders of the buffers see the same nodes.
 */
export interface NodeStorage {
  arrays(capacity: number, current: NodeArrays | undefined): NodeArrays;
}

const NODE_FIELDS = ['offset', 'size', 'binPrev', 'binNext', 'physPrev', 'physNext', 'tag'] as const;

/** New arrays, copied from the current ones. */
export const OWN_NODE_STORAGE: NodeStorage = {
  arrays(capacity, current) {
    const made = {} as Record<(typeof NODE_FIELDS)[number], Int32Array>;
    for (const field of NODE_FIELDS) {
      made[field] = new Int32Array(capacity);
      if (current !== undefined) made[field].set(current[field]);
    }
    return made;
  },
};

/** Growable structure-of-arrays node storage with a stack of spare nodes. */
export class NodeTable implements NodeArrays {
  /** First granule of the range. */
  offset!: Int32Array;
  /** Granules in the range (>= 1 for chained nodes). */
  size!: Int32Array;
  /** Previous / next node in the free list of the bin (free ranges); binNext also links spare nodes. */
  binPrev!: Int32Array;
  binNext!: Int32Array;
  /** Previous / next node in address order (chained nodes), for O(1) coalescing. */
  physPrev!: Int32Array;
  physNext!: Int32Array;
  /** The generation of a used range (the second half of its handle), else TAG_FREE or TAG_SPARE. */
  tag!: Int32Array;
  /** Length of every array above. */
  capacity: number;
  /** Nodes at or above `top` have not been handed out since the last clear(). */
  top = 0;
  /** The last node released, NO_NODE when none is spare; each spare links to the next by binNext. */
  spareHead = NO_NODE;

  readonly #storage: NodeStorage;

  /** @param initialCapacity nodes to reserve up front (at least 1). */
  constructor(initialCapacity: number, storage: NodeStorage = OWN_NODE_STORAGE) {
    this.#storage = storage;
    const n = Math.max(1, initialCapacity);
    this.capacity = n;
    this.#use(storage.arrays(n, undefined));
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
    this.resize(this.capacity * 2);
  }

  /** Takes arrays of `capacity` nodes from the storage (another holder of shared storage may have grown them). */
  resize(capacity: number): void {
    this.#use(this.#storage.arrays(capacity, this));
    this.capacity = capacity;
  }

  #use(arrays: NodeArrays): void {
    this.offset = arrays.offset;
    this.size = arrays.size;
    this.binPrev = arrays.binPrev;
    this.binNext = arrays.binNext;
    this.physPrev = arrays.physPrev;
    this.physNext = arrays.physNext;
    this.tag = arrays.tag;
  }
}
