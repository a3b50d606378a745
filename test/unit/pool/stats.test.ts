// SPDX-License-Identifier: MIT
// pool.stats(): byte figures in footprints (usedBytes = sum of alignUp(size, 128), usedBytes +
// freeBytes = capacity), largestFreeRange in bytes, the counters' meaning, and final figures
// after close.

import { expect, test } from 'vitest';
import { alignUp } from '../../../src/constants.js';
import { STATS_VERSION } from '../../../src/pool-stats.js';
import type { Segment } from '../../../src/pool/segment.js';
import { describeBackends, makePool, silenceLeakWarnings } from '../../helpers/pool-backends.js';

silenceLeakWarnings();

describeBackends('pool.stats', (kind) => {
  test('a fresh pool', () => {
    using pool = makePool(kind, 10_000);
    expect(pool.stats()).toEqual({
      statsVersion: STATS_VERSION,
      capacity: 9984,
      usedBytes: 0,
      requestedBytes: 0,
      freeBytes: 9984,
      peakUsedBytes: 0,
      liveSegments: 0,
      peakLiveSegments: 0,
      largestFreeRange: 9984,
      acquires: 0,
      releases: 0,
      acquiredBytesTotal: 0,
      releasedBytesTotal: 0,
      failures: 0,
      resets: 0,
      waiting: 0,
      peakWaiting: 0,
      waits: 0,
      timeouts: 0,
      aborts: 0,
      waitMsTotal: 0,
      waitMsMax: 0,
      blocks: 1,
      grows: 0,
      growFailures: 0,
      trims: 0,
      tags: {},
      otherTags: { liveBytes: 0, liveSegments: 0, peakBytes: 0 },
    });
    expect(Object.isFrozen(pool.stats())).toBe(true);
  });

  test('usedBytes is the sum of footprints and usedBytes + freeBytes = capacity', () => {
    using pool = makePool(kind, 64 * 1024);
    const live: Segment[] = [];
    for (const len of [1, 32, 33, 96, 97, 128, 1000, 5000, 12345]) {
      live.push(pool.acquire(len));
      const stats = pool.stats();
      const footprints = live.reduce((sum, s) => sum + alignUp(s.size, 128), 0);
      expect(stats.usedBytes).toBe(footprints);
      expect(stats.usedBytes + stats.freeBytes).toBe(stats.capacity);
      expect(stats.liveSegments).toBe(live.length);
    }
    // A footprint is alignUp(size, 128): 96 bytes take one granule, 97 take two.
    const before = pool.stats().usedBytes;
    pool.acquire(96);
    expect(pool.stats().usedBytes - before).toBe(128);
    pool.acquire(97);
    expect(pool.stats().usedBytes - before).toBe(128 + 256);
  });

  test('largestFreeRange is the bytes of the largest free range', () => {
    using pool = makePool(kind, 4096);
    const a = pool.acquire(900); // footprint 1024 at 0
    pool.acquire(900); // 1024 at 1024
    const c = pool.acquire(400); // 512 at 2048
    pool.acquire(400); // 512 at 2560; 1024 free at the end
    expect(pool.stats().largestFreeRange).toBe(1024);
    c.release();
    expect(pool.stats().largestFreeRange).toBe(1024);
    a.release();
    expect(pool.stats()).toMatchObject({ largestFreeRange: 1024, freeBytes: 2560 });
  });

  test('peak, counters, and acquires - releases = liveSegments', async () => {
    using pool = makePool(kind, 4096);
    const a = pool.acquire(1000);
    const b = pool.acquire(1000);
    const peak = pool.stats().usedBytes;
    a.release();
    expect(pool.tryAcquire(100_000)).toBeUndefined();
    expect(() => pool.acquire(100_000)).toThrow();
    const waited = await pool.acquireAsync(10);
    pool.reset();
    const stats = pool.stats();
    expect(stats).toMatchObject({ acquires: 3, releases: 3, failures: 2, resets: 1, liveSegments: 0, peakUsedBytes: peak });
    expect(stats.acquires - stats.releases).toBe(stats.liveSegments);
    void b;
    void waited;
  });

  test('after close, stats() answers with the final figures', () => {
    const pool = makePool(kind, 4096);
    pool.acquire(100, { tag: 'left' });
    const before = pool.stats();
    pool.close();
    expect(pool.stats()).toEqual(before);
    expect(pool.closed).toBe(true);
  });
});
