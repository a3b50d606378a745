// SPDX-License-Identifier: MIT
// A trivially correct model of an offset allocator, for differential tests of the engine: the
// live ranges as a list sorted by offset. The engine picks offsets; the model only checks that
// each pick is in bounds and free, and that NO_SPACE comes only when no free gap is large enough
// (the engine's documented guarantee). O(n) per step, which is the point: simple beats fast here.

/** One live range of the model, with the engine handle that owns it. */
export interface ModelRange {
  readonly offset: number;
  readonly size: number;
  readonly node: number;
  readonly generation: number;
}

/** Sorted-interval reference model over `capacity` granules. */
export class IntervalModel {
  readonly capacity: number;
  /** Live ranges sorted by offset. */
  readonly ranges: ModelRange[] = [];
  used = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** Largest free gap between live ranges (and the block ends), in granules. */
  largestGap(): number {
    let largest = 0;
    let cursor = 0;
    for (const range of this.ranges) {
      largest = Math.max(largest, range.offset - cursor);
      cursor = range.offset + range.size;
    }
    return Math.max(largest, this.capacity - cursor);
  }

  /** Checks a NO_SPACE answer for `size`: only allowed when no gap holds it. Returns an error or undefined. */
  checkNoSpace(size: number): string | undefined {
    const gap = this.largestGap();
    return gap >= size ? `NO_SPACE for ${size} granules while a free gap of ${gap} exists` : undefined;
  }

  /** Records an allocation the engine made; returns an error message when it is not a valid pick. */
  add(range: ModelRange, requested: number): string | undefined {
    const { offset, size } = range;
    if (size !== requested) return `asked ${requested} granules, got a range of ${size}`;
    if (!Number.isInteger(offset) || offset < 0 || offset + size > this.capacity) {
      return `range [${offset}, ${offset + size}) outside [0, ${this.capacity})`;
    }
    const at = this.indexAfter(offset);
    const before = this.ranges[at - 1];
    const after = this.ranges[at];
    if (before !== undefined && before.offset + before.size > offset) {
      return `range [${offset}, ${offset + size}) overlaps live [${before.offset}, ${before.offset + before.size})`;
    }
    if (after !== undefined && offset + size > after.offset) {
      return `range [${offset}, ${offset + size}) overlaps live [${after.offset}, ${after.offset + after.size})`;
    }
    this.ranges.splice(at, 0, range);
    this.used += size;
    return undefined;
  }

  /** Forgets the live range at `index` (in offset order) and returns it. */
  removeAt(index: number): ModelRange {
    const [range] = this.ranges.splice(index, 1);
    if (range === undefined) throw new Error(`model has no live range #${index}`);
    this.used -= range.size;
    return range;
  }

  /** Forgets every range (the engine's reset()). */
  clear(): void {
    this.ranges.length = 0;
    this.used = 0;
  }

  /** First index whose range starts after `offset` (binary search). */
  private indexAfter(offset: number): number {
    let lo = 0;
    let hi = this.ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ranges[mid]?.offset ?? 0) <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
