// SPDX-License-Identifier: MIT
// PoolStats: the figures pool.stats() reports, all O(1) to gather. Byte figures count
// footprints (each segment's `alignUp(size, 128)`), so `usedBytes + freeBytes === capacity`;
// `acquires - releases === liveSegments` holds because reset() counts what it released.

/** Version of the {@link PoolStats} shape; bumped when a field changes name or meaning (2: largestFreeBlock became largestFreeRange). */
export const STATS_VERSION = 2;

/** What `pool.stats()` returns. Bytes unless named otherwise. */
export interface PoolStats {
  /** Shape version, {@link STATS_VERSION}. */
  readonly statsVersion: number;
  /** Usable bytes of the block: `options.size` rounded down to a multiple of 128. */
  readonly capacity: number;
  /** Sum of the live segments' footprints (`alignUp(size, 128)` each). */
  readonly usedBytes: number;
  /** `capacity - usedBytes`. */
  readonly freeBytes: number;
  /** Highest `usedBytes` seen since the pool was created (reset does not lower it). */
  readonly peakUsedBytes: number;
  /** Segments acquired and not yet released. */
  readonly liveSegments: number;
  /** Bytes of the largest free range: the largest footprint an acquire can get now. */
  readonly largestFreeRange: number;
  /** Successful acquisitions, by any path (acquire, tryAcquire, acquireAsync, scopes). */
  readonly acquires: number;
  /** Segments returned to the pool, including those returned by `reset()`. */
  readonly releases: number;
  /** `acquire`/`tryAcquire` calls (and pyACL `dvpp_malloc` calls) that found no room. */
  readonly failures: number;
  /** Calls to `reset()`. */
  readonly resets: number;
  /** `acquireAsync` calls waiting for room now. */
  readonly waiting: number;
}

/** The counters the pool keeps itself (the engine keeps the rest). */
export interface PoolCounters {
  acquires: number;
  releases: number;
  failures: number;
  resets: number;
}

/** The engine's side of the figures, in granules. */
export interface EngineFigures {
  readonly usedGranules: number;
  readonly peakUsedGranules: number;
  readonly liveCount: number;
  largestFree(): number;
}

/** Builds a frozen {@link PoolStats} from the pool's counters and the engine's figures. */
export function buildStats(
  capacity: number,
  granule: number,
  engine: EngineFigures,
  counters: Readonly<PoolCounters>,
  waiting: number,
): PoolStats {
  const usedBytes = engine.usedGranules * granule;
  return Object.freeze({
    statsVersion: STATS_VERSION,
    capacity,
    usedBytes,
    freeBytes: capacity - usedBytes,
    peakUsedBytes: engine.peakUsedGranules * granule,
    liveSegments: engine.liveCount,
    largestFreeRange: engine.largestFree() * granule,
    acquires: counters.acquires,
    releases: counters.releases,
    failures: counters.failures,
    resets: counters.resets,
    waiting,
  });
}
