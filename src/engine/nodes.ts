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

import * as scalarWords from './scalars.js';

// Imports read once into module constants, as in tlsf.ts (test runners turn imports into getters).
const { ENGINE_SCALARS, NODE_CAPACITY, SPARE_HEAD, TOP } = scalarWords;

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
  /** Length of every array above (this holder's views; the table's own size is a scalar word). */
  capacity: number;

  readonly #storage: NodeStorage;
  readonly #scalars: Int32Array;

  /**
   * @param initialCapacity nodes to reserve up front (at least 1).
   * @param scalars the engine's scalar words (scalars.ts), which hold the table's size, `top` and `spareHead`.
   * @param existing the storage holds a table already (another holder made it): take its size.
   */
  constructor(initialCapacity: number, storage: NodeStorage = OWN_NODE_STORAGE, scalars: Int32Array = new Int32Array(ENGINE_SCALARS), existing = false) {
    this.#storage = storage;
    this.#scalars = scalars;
    const n = existing ? scalars[NODE_CAPACITY]! : Math.max(1, initialCapacity);
    this.capacity = n;
    this.#use(storage.arrays(n, undefined));
    if (!existing) {
      scalars[NODE_CAPACITY] = n;
      this.clear();
    }
  }

  /** Nodes at or above `top` have not been handed out since the last clear(). */
  get top(): number {
    return this.#scalars[TOP]!;
  }
  set top(value: number) {
    this.#scalars[TOP] = value;
  }

  /** The last node released, NO_NODE when none is spare; each spare links to the next by binNext. */
  get spareHead(): number {
    return this.#scalars[SPARE_HEAD]!;
  }
  set spareHead(value: number) {
    this.#scalars[SPARE_HEAD] = value;
  }

  /** A node for a new range: the last one released, else a never-used one; grows the table if full. */
  take(): number {
    // Scalar words in place, not through the accessors: take() is inlined into the engine's allocate.
    const scalars = this.#scalars;
    const spare = scalars[SPARE_HEAD]!;
    if (spare !== NO_NODE) {
      scalars[SPARE_HEAD] = this.binNext[spare]!;
      return spare;
    }
    const top = scalars[TOP]!;
    if (top === this.capacity) this.grow();
    scalars[TOP] = top + 1;
    return top;
  }

  /** Puts a node that left the chain (merged away) on the spare stack. */
  release(node: number): void {
    this.tag[node] = TAG_SPARE;
    const scalars = this.#scalars;
    this.binNext[node] = scalars[SPARE_HEAD]!;
    scalars[SPARE_HEAD] = node;
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
    this.#scalars[NODE_CAPACITY] = capacity;
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
