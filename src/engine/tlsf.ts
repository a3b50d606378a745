// SPDX-License-Identifier: MIT
// TlsfEngine: an O(1) offset allocator over `capacity` granules with out-of-band metadata.
// allocate(granules) returns a node; the handle is (node, generationOf(node)); free(node,
// generation) rejects stale, double, foreign and out-of-range handles without touching state.
// Guarantee: allocate returns NO_SPACE only when no free range of >= granules exists.
// Nothing here knows about bytes or devices; the pool converts bytes to 128-byte granules.

import { BinBitmap } from './bitmap.js';
import { checkInvariants } from './invariants.js';
import * as mapping from './mapping.js';
import { argumentError, requireIntegerIn } from './messages.js';
import * as nodeTable from './nodes.js';
import type { NodeStorage, NodeTable } from './nodes.js';

// Hot imports are read once into module constants: test runners such as vitest rewrite every use
// of an imported binding into a getter call, which would put a call on each step of the hot path.
const { BIN_COUNT, MAX_GRANULES, SL_BITS, binRoundDown } = mapping;
const { NO_NODE, TAG_FREE } = nodeTable;

/** What allocate() returns when no free range can hold the request. */
export const NO_SPACE = -1;

/** Free ranges inspected in the request's own round-down bin before the round-up search. */
export const EXACT_PROBES = 4;

/** Generations are allocation serials modulo 2^30, so they stay V8 small integers. */
const GENERATION_MASK = 0x3fff_ffff;

/** Default number of node slots reserved by the constructor. */
const DEFAULT_NODE_CAPACITY = 64;

/**
 * Where an engine keeps its state, when not in its own arrays: the node table's storage and the
 * bin heads and bitmap rows (BIN_COUNT and FL_COUNT words). With `existing`, the engine takes the
 * state as it is (another holder of the same storage built it) instead of starting empty; its
 * scalar figures then come from {@link TlsfEngine.loadScalars}.
 */
export interface EngineStorage {
  readonly nodes: NodeStorage;
  readonly binHead: Int32Array;
  readonly bitmapRows: Int32Array;
  readonly existing: boolean;
}

/** Words {@link TlsfEngine.saveScalars} writes: every figure of the engine not in its arrays. */
export const ENGINE_SCALARS = 9;

/**
 * Two-level segregated-fit allocator of granule ranges, with exact-class-first search.
 *
 * @example
 * const engine = new TlsfEngine(1024);
 * const node = engine.allocate(24);           // NO_SPACE (-1) when nothing fits
 * const handle = [node, engine.generationOf(node)];
 * engine.offsetOf(node);                      // first granule of the range
 * engine.free(node, handle[1]);               // true; a second call returns false
 */
export class TlsfEngine {
  /** Granules managed, fixed at construction. */
  readonly capacity: number;
  /** @internal Node records; exposed for invariants and corruption tests. */
  readonly nodes: NodeTable;
  /** @internal Bin occupancy bitmap. */
  readonly bitmap: BinBitmap;
  /** @internal Head node of each bin's free list, NO_NODE when empty. */
  readonly binHead: Int32Array;

  private used = 0;
  private live = 0;
  private peak = 0;
  private serial = 0;
  private fallbacks = 0;

  /**
   * @param capacityGranules granules to manage, an integer in [1, MAX_GRANULES = 2^31 - 1].
   * @param initialNodeCapacity node slots reserved up front; the table doubles past it. @defaultValue 64
   * @param storage where the state lives when not in the engine's own arrays (see {@link EngineStorage}).
   * @throws {RangeError | TypeError} for an argument out of range or not a number.
   */
  constructor(capacityGranules: number, initialNodeCapacity: number = DEFAULT_NODE_CAPACITY, storage?: EngineStorage) {
    this.capacity = requireIntegerIn('capacityGranules', capacityGranules, 1, MAX_GRANULES);
    const nodes = requireIntegerIn('initialNodeCapacity', initialNodeCapacity, 1, 2 ** 30);
    this.nodes = new nodeTable.NodeTable(nodes, storage?.nodes);
    this.binHead = storage?.binHead ?? new Int32Array(BIN_COUNT);
    this.bitmap = new BinBitmap(storage?.bitmapRows);
    if (storage?.existing !== true) this.reset();
  }

  /** Writes the figures not kept in the arrays into `into` (ENGINE_SCALARS words), for another holder of the storage. */
  saveScalars(into: Int32Array): void {
    const nodes = this.nodes;
    into[0] = nodes.capacity;
    into[1] = nodes.top;
    into[2] = nodes.spareHead;
    into[3] = this.bitmap.top;
    into[4] = this.used;
    into[5] = this.live;
    into[6] = this.peak;
    into[7] = this.serial;
    into[8] = this.fallbacks;
  }

  /** Takes the figures {@link TlsfEngine.saveScalars} wrote, re-reading the node arrays when another holder grew them. */
  loadScalars(from: Int32Array): void {
    const nodes = this.nodes;
    const capacity = from[0]!;
    if (capacity !== nodes.capacity) nodes.resize(capacity);
    nodes.top = from[1]!;
    nodes.spareHead = from[2]!;
    this.bitmap.top = from[3]!;
    this.used = from[4]!;
    this.live = from[5]!;
    this.peak = from[6]!;
    this.serial = from[7]!;
    this.fallbacks = from[8]!;
  }

  /** Granules in used ranges. O(1). */
  get usedGranules(): number {
    return this.used;
  }

  /** Granules in free ranges: `capacity - usedGranules`. O(1). */
  get freeGranules(): number {
    return this.capacity - this.used;
  }

  /** Number of live (allocated, not yet freed) ranges. O(1). */
  get liveCount(): number {
    return this.live;
  }

  /** Highest `usedGranules` since construction; reset() keeps it. O(1). */
  get peakUsedGranules(): number {
    return this.peak;
  }

  /** Times allocate() had to scan a whole bin because the O(1) searches found nothing. */
  get fallbackScans(): number {
    return this.fallbacks;
  }

  /**
   * Takes a range of `granules` and returns its node, or NO_SPACE when no free range is that large.
   * Exact class first: up to EXACT_PROBES ranges of the request's own round-down bin are tried
   * (best fit among them), then the first non-empty bin from the round-up bin (any range fits),
   * and only if both fail, the rest of the round-down bin (the one unbounded step, cold path).
   * @throws {RangeError} for 0, a negative, fractional or unsafe number; {TypeError} for a non-number.
   */
  allocate(granules: number): number {
    // One test admits every integer in [1, 2^31); anything else takes the cold path.
    if ((granules | 0) !== granules || granules <= 0) return this.allocateUnusual(granules);
    if (granules > this.capacity) return NO_SPACE;
    // binRoundDown and binRoundUp (mapping.ts) from one clz32, written out here: calls to them
    // would add their bytecode to V8's inlining budget. shift = low bits the bin drops.
    const shift = 31 - SL_BITS - Math.clz32(granules);
    const down = shift > 0 ? (shift << SL_BITS) + (granules >>> shift) : granules;
    // binHead is exact (NO_NODE iff the bin is empty), so no bitmap read is needed here.
    const exact = this.binHead[down]!;
    let node = exact === NO_NODE ? NO_NODE : this.bestInBin(exact, granules, EXACT_PROBES);
    let bin = down;
    if (node === NO_NODE) {
      // Round up: the next bin when a dropped low bit is set (the floor of `down` is below the request).
      bin = this.bitmap.findFrom(shift > 0 && (granules & ((1 << shift) - 1)) !== 0 ? down + 1 : down);
      if (bin !== -1) {
        node = this.binHead[bin]!;
      } else if (exact !== NO_NODE) {
        bin = down;
        node = this.scanBin(exact, granules);
      }
      if (node === NO_NODE) return NO_SPACE;
    }
    // Take the range: the used part keeps the low end, the rest becomes a free node above it.
    // Written out here rather than in a helper: V8 inlines at most ~920 bytes of bytecode into one
    // function, and a helper here would use up budget that the bin helpers below need.
    this.unlinkFree(node, bin);
    const nodes = this.nodes;
    const size = nodes.size[node]!;
    if (size > granules) {
      const rest = nodes.take();
      const after = nodes.physNext[node]!;
      nodes.offset[rest] = nodes.offset[node]! + granules;
      nodes.size[rest] = size - granules;
      nodes.tag[rest] = TAG_FREE;
      nodes.physPrev[rest] = node;
      nodes.physNext[rest] = after;
      if (after !== NO_NODE) nodes.physPrev[after] = rest;
      nodes.physNext[node] = rest;
      nodes.size[node] = granules;
      this.linkFree(rest, size - granules);
    }
    nodes.tag[node] = this.serial;
    this.serial = (this.serial + 1) & GENERATION_MASK;
    this.used += granules;
    this.live++;
    if (this.used > this.peak) this.peak = this.used;
    return node;
  }

  /**
   * Releases the range of a live handle and merges it with free neighbours. Returns false, and
   * changes nothing, for a stale, already-freed, foreign or out-of-range (node, generation).
   */
  free(node: number, generation: number): boolean {
    if (!this.isLive(node, generation)) return false;
    const nodes = this.nodes;
    const size = nodes.size[node]!;
    this.used -= size;
    this.live--;
    // The merged range runs from `start` to `end` in the chain; the lower node survives, so node 0
    // always heads the chain. One splice below, instead of one per merge, keeps free's inlined
    // bytecode small.
    let start = node;
    let end = node;
    let total = size;
    const before = nodes.physPrev[node]!;
    if (before !== NO_NODE && nodes.tag[before]! === TAG_FREE) {
      const free = nodes.size[before]!;
      this.unlinkFree(before, binRoundDown(free));
      total += free;
      start = before;
    }
    const after = nodes.physNext[node]!;
    if (after !== NO_NODE && nodes.tag[after]! === TAG_FREE) {
      const free = nodes.size[after]!;
      this.unlinkFree(after, binRoundDown(free));
      total += free;
      end = after;
    }
    if (start !== end) {
      const far = nodes.physNext[end]!;
      nodes.physNext[start] = far;
      if (far !== NO_NODE) nodes.physPrev[far] = start;
      // Nodes merged away go to the free-node stack, lower first.
      if (start !== node) nodes.release(node);
      if (end !== node) nodes.release(end);
    }
    nodes.size[start] = total;
    nodes.tag[start] = TAG_FREE;
    this.linkFree(start, total);
    return true;
  }

  /** Whether (node, generation) is a handle to a range that is allocated now. O(1), never throws. */
  isLive(node: number, generation: number): boolean {
    const nodes = this.nodes;
    // `>>> 0` rejects non-numbers, negatives and fractions; `< top` keeps every read in bounds;
    // a used node's tag is its generation (>= 0), and the tags of other nodes are negative.
    return node >>> 0 === node && node < nodes.top && generation >= 0 && nodes.tag[node]! === generation;
  }

  /** First granule of a live node's range (meaningless for other nodes; -1 past the table). */
  offsetOf(node: number): number {
    return this.nodes.offset[node] ?? -1;
  }

  /** Granules of a live node's range (meaningless for other nodes; -1 past the table). */
  sizeOf(node: number): number {
    return this.nodes.size[node] ?? -1;
  }

  /** Generation of a live node: the second half of its handle, an integer in [0, 2^30). */
  generationOf(node: number): number {
    return this.nodes.tag[node] ?? -1;
  }

  /**
   * Frees everything at once in O(bins). Every outstanding handle becomes stale: node indices
   * restart at 0 but generations keep counting, so no old (node, generation) pair matches.
   * peakUsedGranules is kept.
   */
  reset(): void {
    const nodes = this.nodes;
    nodes.clear();
    this.bitmap.clear();
    this.binHead.fill(NO_NODE);
    const whole = nodes.take();
    nodes.offset[whole] = 0;
    nodes.size[whole] = this.capacity;
    nodes.physPrev[whole] = NO_NODE;
    nodes.physNext[whole] = NO_NODE;
    nodes.tag[whole] = TAG_FREE;
    this.linkFree(whole, this.capacity);
    this.used = 0;
    this.live = 0;
  }

  /**
   * Rebuilds the state around exactly the used ranges `used` (each at its own node, with its
   * offset, size and generation, not overlapping, inside the capacity): every other range is
   * free and every other node spare. For a holder of shared storage that must repair a state
   * another holder left half-changed (it died inside an operation), from a record of the used
   * ranges kept apart from the engine. Outstanding handles of the used ranges stay valid.
   * O(nodes + ranges log ranges).
   * @throws {Error} ranges that overlap, leave the capacity, or put a node other than 0 at offset 0.
   */
  restore(used: readonly { readonly node: number; readonly offset: number; readonly size: number; readonly generation: number }[]): void {
    const nodes = this.nodes;
    const sorted = [...used].sort((a, b) => a.offset - b.offset);
    let top = 1;
    for (const range of sorted) top = Math.max(top, range.node + 1);
    if (top > nodes.capacity) nodes.resize(Math.max(top, nodes.capacity));
    const taken = new Set(sorted.map((range) => range.node));
    // Node 0 heads the chain: it is the range at offset 0, used or free.
    if (sorted.length > 0 && sorted[0]!.offset === 0 && sorted[0]!.node !== 0) throw new Error('restore: the range at offset 0 must be node 0');
    nodes.clear();
    nodes.top = top;
    for (let node = top - 1; node >= 1; node--) if (!taken.has(node)) nodes.release(node);
    this.bitmap.clear();
    this.binHead.fill(NO_NODE);
    let previous = NO_NODE;
    let cursor = 0;
    let usedGranules = 0;
    let serial = this.serial;
    const chain = (node: number, offset: number, size: number, tag: number): void => {
      nodes.offset[node] = offset;
      nodes.size[node] = size;
      nodes.tag[node] = tag;
      nodes.physPrev[node] = previous;
      nodes.physNext[node] = NO_NODE;
      if (previous !== NO_NODE) nodes.physNext[previous] = node;
      previous = node;
      if (tag === TAG_FREE) this.linkFree(node, size);
    };
    const gapTo = (end: number): void => {
      if (end > cursor) chain(cursor === 0 ? 0 : nodes.take(), cursor, end - cursor, TAG_FREE);
    };
    for (const range of sorted) {
      if (range.offset < cursor || range.size < 1 || range.offset + range.size > this.capacity) throw new Error(`restore: range at ${range.offset} of ${range.size} granules overlaps or leaves the capacity`);
      gapTo(range.offset);
      chain(range.node, range.offset, range.size, range.generation);
      cursor = range.offset + range.size;
      usedGranules += range.size;
      if (((range.generation + 1) & GENERATION_MASK) > serial) serial = (range.generation + 1) & GENERATION_MASK;
    }
    gapTo(this.capacity);
    this.used = usedGranules;
    // A fresh engine (or one whose figures are older than the list) has never seen this much in use.
    if (usedGranules > this.peak) this.peak = usedGranules;
    this.live = sorted.length;
    this.serial = serial;
  }

  /**
   * Granules of the largest free range, exact. Cost: the length of the highest non-empty bin's
   * list (every range there is within 1/32 of the others), never a walk of all nodes.
   */
  largestFree(): number {
    const bin = this.bitmap.highest();
    if (bin === -1) return 0;
    const nodes = this.nodes;
    let largest = 0;
    for (let node = this.binHead[bin]!; node !== NO_NODE; node = nodes.binNext[node]!) {
      largest = Math.max(largest, nodes.size[node]!);
    }
    return largest;
  }

  /** Visits every range in address order (O(n)): offset and size in granules, used flag, node. */
  forEachRange(visit: (offset: number, size: number, used: boolean, node: number) => void): void {
    const nodes = this.nodes;
    for (let node = 0; node !== NO_NODE; node = nodes.physNext[node]!) {
      visit(nodes.offset[node]!, nodes.size[node]!, nodes.tag[node]! >= 0, node);
    }
  }

  /** Checks every invariant in O(n + bins); throws an Error naming the first one broken. */
  validate(): void {
    checkInvariants(this);
  }

  private allocateUnusual(granules: unknown): number {
    if (typeof granules !== 'number' || !Number.isSafeInteger(granules) || granules < 1) {
      throw argumentError('granules', 'positive safe integer', granules);
    }
    // A valid request of 2^31 granules or more can never fit.
    return NO_SPACE;
  }

  /** The fallback of allocate(): best fit in the whole list from `head` (cold, so kept out of line). */
  private scanBin(head: number, granules: number): number {
    this.fallbacks++;
    return this.bestInBin(head, granules, MAX_GRANULES);
  }

  /** The best-fitting range >= granules among the first `limit` of the list from `head`, or NO_NODE. */
  private bestInBin(head: number, granules: number, limit: number): number {
    const sizes = this.nodes.size;
    const next = this.nodes.binNext;
    let best = NO_NODE;
    let bestSize = MAX_GRANULES + 1;
    let node = head;
    for (let seen = 0; seen < limit && node !== NO_NODE; seen++) {
      const size = sizes[node]!;
      if (size >= granules && size < bestSize) {
        best = node;
        bestSize = size;
        // An identical freed frame: nothing fits better.
        if (size === granules) break;
      }
      node = next[node]!;
    }
    return best;
  }

  /** Pushes free `node` of `size` onto the head of its round-down bin (LIFO: last freed, first reused). */
  private linkFree(node: number, size: number): void {
    const nodes = this.nodes;
    const bin = binRoundDown(size);
    const head = this.binHead[bin]!;
    nodes.binPrev[node] = NO_NODE;
    nodes.binNext[node] = head;
    if (head === NO_NODE) this.bitmap.mark(bin);
    else nodes.binPrev[head] = node;
    this.binHead[bin] = node;
  }

  /** Takes free `node` out of `bin`, the bin it is filed in (callers know it or its size). */
  private unlinkFree(node: number, bin: number): void {
    const nodes = this.nodes;
    const prev = nodes.binPrev[node]!;
    const next = nodes.binNext[node]!;
    if (next !== NO_NODE) nodes.binPrev[next] = prev;
    if (prev !== NO_NODE) {
      nodes.binNext[prev] = next;
    } else {
      this.binHead[bin] = next;
      if (next === NO_NODE) this.bitmap.unmark(bin);
    }
  }
}
