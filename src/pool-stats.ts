// SPDX-License-Identifier: MIT
// The shape of pool.stats(): PoolStats and TagStats, and the version of that shape. A root file,
// not pool/'s, because the out-of-room errors (errors.ts) carry these figures too. Byte figures
// count footprints (each segment's `alignUp(size, 128)`), so `usedBytes + freeBytes === capacity`
// and `acquiredBytesTotal - releasedBytesTotal === usedBytes`; `acquires - releases ===
// liveSegments` holds because reset() counts what it released.

/** Version of the {@link PoolStats} shape; bumped when a field changes name or meaning (2: largestFreeBlock became largestFreeRange; 3: the tuning figures, `tags` and the block figures). */
export const STATS_VERSION = 3;

/** Tags that `stats().tags` names, in order of first appearance; later tags are summed in `otherTags`. */
export const MAX_TAGS = 256;

/** The figures of one tag (or of {@link PoolStats.otherTags}). Bytes are footprints. */
export interface TagStats {
  /** Footprints of the tag's live segments. */
  readonly liveBytes: number;
  /** The tag's live segments. */
  readonly liveSegments: number;
  /** Highest `liveBytes` since the pool was created or `resetPeak()` ran. */
  readonly peakBytes: number;
}

/** What `pool.stats()` returns. Bytes unless named otherwise. */
export interface PoolStats {
  /** Shape version, {@link STATS_VERSION}. */
  readonly statsVersion: number;
  /** Usable bytes of all blocks now (the first is `options.size` rounded down to a multiple of 128). */
  readonly capacity: number;
  /** Sum of the live segments' footprints (`alignUp(size, 128)` each). */
  readonly usedBytes: number;
  /** Sum of the live segments' `len`: what was asked for, beside the footprints in `usedBytes`. */
  readonly requestedBytes: number;
  /** `capacity - usedBytes`. */
  readonly freeBytes: number;
  /** Highest `usedBytes` since the pool was created or `resetPeak()` ran (reset does not lower it). */
  readonly peakUsedBytes: number;
  /** Segments acquired and not yet released. */
  readonly liveSegments: number;
  /** Highest `liveSegments` since the pool was created or `resetPeak()` ran. */
  readonly peakLiveSegments: number;
  /** Bytes of the largest free range: the largest footprint an acquire can get now. */
  readonly largestFreeRange: number;
  /** Successful acquisitions, by any path (acquire, tryAcquire, acquireAsync, scopes). */
  readonly acquires: number;
  /** Segments returned to the pool, including those returned by `reset()`. */
  readonly releases: number;
  /** Footprints of every segment ever acquired. */
  readonly acquiredBytesTotal: number;
  /** Footprints of every segment ever released (`reset()` included): `acquiredBytesTotal - usedBytes`. */
  readonly releasedBytesTotal: number;
  /** `acquire`/`tryAcquire` calls (and pyACL `dvpp_malloc` calls) that found no room. */
  readonly failures: number;
  /** Calls to `reset()`. */
  readonly resets: number;
  /** `acquireAsync` calls waiting for room now. */
  readonly waiting: number;
  /** Highest `waiting` since the pool was created or `resetPeak()` ran. */
  readonly peakWaiting: number;
  /** `acquireAsync` calls that had to wait (were queued), however their wait ended. */
  readonly waits: number;
  /** Waits that ended in `AcquireTimeoutError`. */
  readonly timeouts: number;
  /** Waits that ended because their `AbortSignal` fired (a signal aborted before the call is not a wait). */
  readonly aborts: number;
  /** Milliseconds spent waiting by the waits that ended (served, timed out, aborted, cancelled or closed out). */
  readonly waitMsTotal: number;
  /** Longest of those waits, milliseconds, since the pool was created or `resetPeak()` ran. */
  readonly waitMsMax: number;
  /** Blocks the pool holds now (1 until it grows). */
  readonly blocks: number;
  /** Blocks added because an acquire fit no block. */
  readonly grows: number;
  /** Growths that could not get the memory (after halving down to the request's footprint). */
  readonly growFailures: number;
  /** Blocks given back by `trim()` or `trimAfterMs`. */
  readonly trims: number;
  /** Per tag, in order of first appearance: at most {@link MAX_TAGS} tags, the rest in `otherTags`. Untagged segments are in neither. */
  readonly tags: Readonly<Record<string, TagStats>>;
  /** The tags past the first {@link MAX_TAGS}, summed (all zero when there were none). */
  readonly otherTags: TagStats;
}
