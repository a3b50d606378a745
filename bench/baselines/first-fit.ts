// SPDX-License-Identifier: MIT
// The naive baseline: an address-ordered free list with first fit and coalescing, O(n) in both
// alloc and free, in 128-byte granules like the engine. What a hand-rolled sub-allocator looks
// like before anyone reaches for TLSF; the benchmarks require the engine never to fragment worse.

/** Returned by alloc() when no free range is large enough. */
export const FIRST_FIT_FAIL = -1;

export class FirstFitList {
  readonly capacity: number;
  // Free ranges sorted by start, never adjacent (always coalesced).
  private readonly starts: number[] = [];
  private readonly sizes: number[] = [];
  private readonly live = new Map<number, number>();

  /** A list over `capacity` granules, all free. */
  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity <= 0) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.starts.push(0);
    this.sizes.push(capacity);
  }

  /** Lowest offset with `granules` free after it, or FIRST_FIT_FAIL. */
  alloc(granules: number): number {
    const { starts, sizes } = this;
    for (let i = 0; i < starts.length; i++) {
      const size = sizes[i] as number;
      if (size < granules) continue;
      const offset = starts[i] as number;
      if (size === granules) {
        starts.splice(i, 1);
        sizes.splice(i, 1);
      } else {
        starts[i] = offset + granules;
        sizes[i] = size - granules;
      }
      this.live.set(offset, granules);
      return offset;
    }
    return FIRST_FIT_FAIL;
  }

  /** Frees the range allocated at `offset`; false when nothing is live there. */
  free(offset: number): boolean {
    const granules = this.live.get(offset);
    if (granules === undefined) return false;
    this.live.delete(offset);
    const { starts, sizes } = this;
    let i = 0;
    while (i < starts.length && (starts[i] as number) < offset) i++;
    const prev = i - 1;
    const joinsPrev = prev >= 0 && (starts[prev] as number) + (sizes[prev] as number) === offset;
    const joinsNext = i < starts.length && offset + granules === starts[i];
    if (joinsPrev && joinsNext) {
      sizes[prev] = (sizes[prev] as number) + granules + (sizes[i] as number);
      starts.splice(i, 1);
      sizes.splice(i, 1);
    } else if (joinsPrev) {
      sizes[prev] = (sizes[prev] as number) + granules;
    } else if (joinsNext) {
      starts[i] = offset;
      sizes[i] = (sizes[i] as number) + granules;
    } else {
      starts.splice(i, 0, offset);
      sizes.splice(i, 0, granules);
    }
    return true;
  }

  /** Free ranges as [start, size] pairs in address order (for tests and reports). */
  freeRanges(): [number, number][] {
    return this.starts.map((s, i) => [s, this.sizes[i] as number]);
  }
}
