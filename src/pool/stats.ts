// SPDX-License-Identifier: MIT
// The figures of pool.stats() (their shape: ../pool-stats.ts), each kept as it happens so that
// gathering them is O(1): the core's counters, the wait queue's figures and the per-tag ledger,
// whose table is bounded by MAX_TAGS.

import { MAX_TAGS, STATS_VERSION, type PoolStats, type TagStats } from '../pool-stats.js';

/** Word indexes of the counters below. */
const ACQUIRES = 0;
const RELEASES = 1;
const FAILURES = 2;
const RESETS = 3;
const USED_GRANULES = 4;
const PEAK_USED_GRANULES = 5;
const LIVE_SEGMENTS = 6;
const PEAK_LIVE_SEGMENTS = 7;
const REQUESTED_BYTES = 8;
const ACQUIRED_GRANULES_TOTAL = 9;
const GROWS = 10;
const GROW_FAILURES = 11;
const TRIMS = 12;

/** Words of {@link PoolCounters}: one Float64 per figure. */
export const COUNTER_WORDS = 13;

/**
 * The figures the core counts itself as segments come and go, in granules where they are sizes.
 * They live in a Float64Array (its own, or a shared pool's SharedArrayBuffer that every thread
 * updates under the pool's lock), so a shared pool copies nothing around an operation.
 */
export class PoolCounters {
  readonly #words: Float64Array;

  constructor(words: Float64Array = new Float64Array(COUNTER_WORDS)) {
    this.#words = words;
  }

  get acquires(): number {
    return this.#words[ACQUIRES]!;
  }
  set acquires(value: number) {
    this.#words[ACQUIRES] = value;
  }
  get releases(): number {
    return this.#words[RELEASES]!;
  }
  set releases(value: number) {
    this.#words[RELEASES] = value;
  }
  get failures(): number {
    return this.#words[FAILURES]!;
  }
  set failures(value: number) {
    this.#words[FAILURES] = value;
  }
  get resets(): number {
    return this.#words[RESETS]!;
  }
  set resets(value: number) {
    this.#words[RESETS] = value;
  }
  get usedGranules(): number {
    return this.#words[USED_GRANULES]!;
  }
  set usedGranules(value: number) {
    this.#words[USED_GRANULES] = value;
  }
  get peakUsedGranules(): number {
    return this.#words[PEAK_USED_GRANULES]!;
  }
  set peakUsedGranules(value: number) {
    this.#words[PEAK_USED_GRANULES] = value;
  }
  get liveSegments(): number {
    return this.#words[LIVE_SEGMENTS]!;
  }
  set liveSegments(value: number) {
    this.#words[LIVE_SEGMENTS] = value;
  }
  get peakLiveSegments(): number {
    return this.#words[PEAK_LIVE_SEGMENTS]!;
  }
  set peakLiveSegments(value: number) {
    this.#words[PEAK_LIVE_SEGMENTS] = value;
  }
  get requestedBytes(): number {
    return this.#words[REQUESTED_BYTES]!;
  }
  set requestedBytes(value: number) {
    this.#words[REQUESTED_BYTES] = value;
  }
  get acquiredGranulesTotal(): number {
    return this.#words[ACQUIRED_GRANULES_TOTAL]!;
  }
  set acquiredGranulesTotal(value: number) {
    this.#words[ACQUIRED_GRANULES_TOTAL] = value;
  }
  get grows(): number {
    return this.#words[GROWS]!;
  }
  set grows(value: number) {
    this.#words[GROWS] = value;
  }
  get growFailures(): number {
    return this.#words[GROW_FAILURES]!;
  }
  set growFailures(value: number) {
    this.#words[GROW_FAILURES] = value;
  }
  get trims(): number {
    return this.#words[TRIMS]!;
  }
  set trims(value: number) {
    this.#words[TRIMS] = value;
  }

  /**
   * Counts an acquisition of `granules` for `len` (the tags apart). On the words in place, not
   * through the accessors: this runs inlined into every acquire, within V8's inlining budget.
   */
  acquired(len: number, granules: number): void {
    const words = this.#words;
    words[ACQUIRES] = words[ACQUIRES]! + 1;
    words[REQUESTED_BYTES] = words[REQUESTED_BYTES]! + len;
    words[ACQUIRED_GRANULES_TOTAL] = words[ACQUIRED_GRANULES_TOTAL]! + granules;
    const used = words[USED_GRANULES]! + granules;
    words[USED_GRANULES] = used;
    if (used > words[PEAK_USED_GRANULES]!) words[PEAK_USED_GRANULES] = used;
    const live = words[LIVE_SEGMENTS]! + 1;
    words[LIVE_SEGMENTS] = live;
    if (live > words[PEAK_LIVE_SEGMENTS]!) words[PEAK_LIVE_SEGMENTS] = live;
  }

  /** Counts a release of `granules` that served `len`; see {@link PoolCounters.acquired}. */
  released(len: number, granules: number): void {
    const words = this.#words;
    words[RELEASES] = words[RELEASES]! + 1;
    words[REQUESTED_BYTES] = words[REQUESTED_BYTES]! - len;
    words[USED_GRANULES] = words[USED_GRANULES]! - granules;
    words[LIVE_SEGMENTS] = words[LIVE_SEGMENTS]! - 1;
  }

  /** The peaks start again from the figures now. */
  resetPeak(): void {
    this.peakUsedGranules = this.usedGranules;
    this.peakLiveSegments = this.liveSegments;
  }
}

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
