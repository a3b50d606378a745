// SPDX-License-Identifier: MIT
// The figures of pool.stats() (their shape: ../pool-stats.ts), each kept as it happens so that
// gathering them is O(1): the core's counters, the wait queue's figures and the per-tag ledger,
// whose table is bounded by MAX_TAGS.

import { MAX_TAGS, STATS_VERSION, type PoolStats, type TagStats } from '../pool-stats.js';

/** The figures the core counts itself as segments come and go, in granules where they are sizes. */
export class PoolCounters {
  acquires = 0;
  releases = 0;
  failures = 0;
  resets = 0;
  usedGranules = 0;
  peakUsedGranules = 0;
  liveSegments = 0;
  peakLiveSegments = 0;
  requestedBytes = 0;
  acquiredGranulesTotal = 0;
  grows = 0;
  growFailures = 0;
  trims = 0;

  /** The peaks start again from the figures now. */
  resetPeak(): void {
    this.peakUsedGranules = this.usedGranules;
    this.peakLiveSegments = this.liveSegments;
  }

  /** Copies every figure into `into` from `at` ({@link COUNTER_WORDS} words): a shared pool keeps them between operations there. */
  save(into: Float64Array, at: number): void {
    into[at] = this.acquires;
    into[at + 1] = this.releases;
    into[at + 2] = this.failures;
    into[at + 3] = this.resets;
    into[at + 4] = this.usedGranules;
    into[at + 5] = this.peakUsedGranules;
    into[at + 6] = this.liveSegments;
    into[at + 7] = this.peakLiveSegments;
    into[at + 8] = this.requestedBytes;
    into[at + 9] = this.acquiredGranulesTotal;
    into[at + 10] = this.grows;
    into[at + 11] = this.growFailures;
    into[at + 12] = this.trims;
  }

  /** Takes the figures {@link PoolCounters.save} wrote. */
  load(from: Float64Array, at: number): void {
    this.acquires = from[at]!;
    this.releases = from[at + 1]!;
    this.failures = from[at + 2]!;
    this.resets = from[at + 3]!;
    this.usedGranules = from[at + 4]!;
    this.peakUsedGranules = from[at + 5]!;
    this.liveSegments = from[at + 6]!;
    this.peakLiveSegments = from[at + 7]!;
    this.requestedBytes = from[at + 8]!;
    this.acquiredGranulesTotal = from[at + 9]!;
    this.grows = from[at + 10]!;
    this.growFailures = from[at + 11]!;
    this.trims = from[at + 12]!;
  }
}

/** Words {@link PoolCounters.save} writes. */
export const COUNTER_WORDS = 13;

/** What the core asks of its per-tag figures: the plain ledger below, or a shared pool's table (shared-tags.ts). */
export interface TagKeeper {
  acquired(tag: string, granules: number): void;
  released(tag: string, granules: number): void;
  reset(): void;
  resetPeak(): void;
  stats(granule: number): { readonly tags: Readonly<Record<string, TagStats>>; readonly otherTags: TagStats };
}

/** The wait queue's side of the figures: PoolStats' own, with `waiting` as the queue's `size`. */
export type WaitFigures = Pick<PoolStats, 'peakWaiting' | 'waits' | 'timeouts' | 'aborts' | 'waitMsTotal' | 'waitMsMax'> & { readonly size: number };

/** Per-tag figures, in granules; see {@link TagLedger}. */
class TagFigures {
  liveGranules = 0;
  liveSegments = 0;
  peakGranules = 0;

  stats(granule: number): TagStats {
    return Object.freeze({ liveBytes: this.liveGranules * granule, liveSegments: this.liveSegments, peakBytes: this.peakGranules * granule });
  }
}

/**
 * Live bytes, live segments and peak bytes per tag. The first {@link MAX_TAGS} distinct tags get
 * an entry each, kept for the pool's life (so a tag's release finds the entry its acquire used);
 * every later tag is summed in one entry for the rest. O(1) per acquire and release.
 */
export class TagLedger implements TagKeeper {
  readonly #byTag = new Map<string, TagFigures>();
  readonly #other = new TagFigures();

  acquired(tag: string, granules: number): void {
    let figures = this.#byTag.get(tag);
    if (figures === undefined) {
      figures = this.#byTag.size < MAX_TAGS ? new TagFigures() : this.#other;
      if (figures !== this.#other) this.#byTag.set(tag, figures);
    }
    figures.liveGranules += granules;
    figures.liveSegments++;
    if (figures.liveGranules > figures.peakGranules) figures.peakGranules = figures.liveGranules;
  }

  released(tag: string, granules: number): void {
    const figures = this.#byTag.get(tag) ?? this.#other;
    figures.liveGranules -= granules;
    figures.liveSegments--;
  }

  /** Every segment was released at once (pool.reset()). */
  reset(): void {
    for (const figures of this.#all()) {
      figures.liveGranules = 0;
      figures.liveSegments = 0;
    }
  }

  resetPeak(): void {
    for (const figures of this.#all()) figures.peakGranules = figures.liveGranules;
  }

  /** `tags` and `otherTags` of the stats: a frozen record without a prototype (a tag may be any string, `__proto__` too). */
  stats(granule: number): { readonly tags: Readonly<Record<string, TagStats>>; readonly otherTags: TagStats } {
    const tags = Object.create(null) as Record<string, TagStats>;
    for (const [tag, figures] of this.#byTag) tags[tag] = figures.stats(granule);
    return { tags: Object.freeze(tags), otherTags: this.#other.stats(granule) };
  }

  *#all(): IterableIterator<TagFigures> {
    yield* this.#byTag.values();
    yield this.#other;
  }
}

/** Builds a frozen {@link PoolStats} from the pool's counters, the wait queue's and the tag ledger. */
export function buildStats(
  capacity: number,
  granule: number,
  largestFreeGranules: number,
  blocks: number,
  counters: Readonly<PoolCounters>,
  waits: WaitFigures,
  tags: TagKeeper,
): PoolStats {
  const usedBytes = counters.usedGranules * granule;
  const acquiredBytesTotal = counters.acquiredGranulesTotal * granule;
  return Object.freeze({
    statsVersion: STATS_VERSION,
    capacity,
    usedBytes,
    requestedBytes: counters.requestedBytes,
    freeBytes: capacity - usedBytes,
    peakUsedBytes: counters.peakUsedGranules * granule,
    liveSegments: counters.liveSegments,
    peakLiveSegments: counters.peakLiveSegments,
    largestFreeRange: largestFreeGranules * granule,
    acquires: counters.acquires,
    releases: counters.releases,
    acquiredBytesTotal,
    releasedBytesTotal: acquiredBytesTotal - usedBytes,
    failures: counters.failures,
    resets: counters.resets,
    waiting: waits.size,
    peakWaiting: waits.peakWaiting,
    waits: waits.waits,
    timeouts: waits.timeouts,
    aborts: waits.aborts,
    waitMsTotal: waits.waitMsTotal,
    waitMsMax: waits.waitMsMax,
    blocks,
    grows: counters.grows,
    growFailures: counters.growFailures,
    trims: counters.trims,
    ...tags.stats(granule),
  });
}
