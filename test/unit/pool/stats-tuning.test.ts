// SPDX-License-Identifier: MIT
// The figures a pipeline is tuned with (STATS_VERSION 3): requestedBytes beside usedBytes, the
// byte totals, the peaks and resetPeak(), the wait figures (on a fake clock, so wait times are
// exact), and the bounded per-tag table with its "other" entry. The random sequences of
// test/property/pool-differential.test.ts check the same figures against a model.

import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { footprint } from '../../../src/constants.js';
import { MAX_TAGS } from '../../../src/pool-stats.js';
import { PoolClosedError } from '../../../src/errors.js';
import { describeBackends, makePool, silenceLeakWarnings } from '../../helpers/pool-backends.js';

silenceLeakWarnings();

describeBackends('pool.stats tuning figures', (kind) => {
  test('requestedBytes is the sum of live len; the totals differ by usedBytes', () => {
    using pool = makePool(kind, 64 * 1024);
    const a = pool.acquire(1);
    const b = pool.acquire(1000);
    pool.acquire(4096);
    expect(pool.stats()).toMatchObject({ requestedBytes: 1 + 1000 + 4096, usedBytes: footprint(1) + footprint(1000) + footprint(4096) });
    a.release();
    b.release();
    const stats = pool.stats();
    expect(stats.requestedBytes).toBe(4096);
    expect(stats.acquiredBytesTotal).toBe(footprint(1) + footprint(1000) + footprint(4096));
    expect(stats.releasedBytesTotal).toBe(footprint(1) + footprint(1000));
    expect(stats.acquiredBytesTotal - stats.releasedBytesTotal).toBe(stats.usedBytes);
    pool.reset();
    expect(pool.stats()).toMatchObject({ requestedBytes: 0, usedBytes: 0, releasedBytesTotal: stats.acquiredBytesTotal });
  });

  test('peaks hold until resetPeak() starts them again from now', () => {
    using pool = makePool(kind, 64 * 1024);
    const live = [1, 2, 3].map(() => pool.acquire(1000, { tag: 'vdec' }));
    expect(pool.stats()).toMatchObject({ peakLiveSegments: 3, peakUsedBytes: 3 * footprint(1000) });
    live[0]!.release();
    live[1]!.release();
    expect(pool.stats()).toMatchObject({ liveSegments: 1, peakLiveSegments: 3, peakUsedBytes: 3 * footprint(1000) });
    expect(pool.stats().tags['vdec']).toEqual({ liveBytes: footprint(1000), liveSegments: 1, peakBytes: 3 * footprint(1000) });
    pool.resetPeak();
    expect(pool.stats()).toMatchObject({ peakLiveSegments: 1, peakUsedBytes: footprint(1000) });
    expect(pool.stats().tags['vdec']?.peakBytes).toBe(footprint(1000));
    // Nothing but the peaks changed.
    expect(pool.stats()).toMatchObject({ acquires: 3, releases: 2, liveSegments: 1 });
    pool.reset();
    // reset() lowers the live figures, never the peaks.
    expect(pool.stats()).toMatchObject({ peakLiveSegments: 1, peakUsedBytes: footprint(1000), liveSegments: 0 });
  });

  test('resetPeak() on a closed pool throws PoolClosedError', () => {
    const pool = makePool(kind, 4096);
    pool.close();
    expect(() => pool.resetPeak()).toThrow(PoolClosedError);
  });

  test('tags: live bytes, segments and peak per tag; untagged segments are in no entry', () => {
    using pool = makePool(kind, 64 * 1024);
    const a = pool.acquire(100, { tag: 'vdec ch0' });
    pool.acquire(200, { tag: 'vdec ch0' });
    pool.acquire(300, { tag: 'vpc' });
    pool.acquire(400);
    a.release();
    const { tags, otherTags } = pool.stats();
    expect(Object.keys(tags)).toEqual(['vdec ch0', 'vpc']);
    expect(tags['vdec ch0']).toEqual({ liveBytes: footprint(200), liveSegments: 1, peakBytes: footprint(100) + footprint(200) });
    expect(tags['vpc']).toEqual({ liveBytes: footprint(300), liveSegments: 1, peakBytes: footprint(300) });
    expect(otherTags).toEqual({ liveBytes: 0, liveSegments: 0, peakBytes: 0 });
    expect(Object.isFrozen(tags)).toBe(true);
    expect(JSON.parse(JSON.stringify(pool.stats())).tags).toEqual({ 'vdec ch0': tags['vdec ch0'], vpc: tags['vpc'] });
  });

  test(`tags: the first ${MAX_TAGS} tags get entries, later ones are summed in otherTags`, () => {
    using pool = makePool(kind, 4 * 1024 * 1024);
    for (let i = 0; i < MAX_TAGS; i++) pool.acquire(100, { tag: `t${i}` });
    const late = [pool.acquire(100, { tag: 'late one' }), pool.acquire(200, { tag: 'late two' })];
    // A tag with an entry keeps using it, even after the table is full.
    pool.acquire(100, { tag: 't0' });
    let stats = pool.stats();
    expect(Object.keys(stats.tags)).toHaveLength(MAX_TAGS);
    expect(stats.tags['late one']).toBeUndefined();
    expect(stats.tags['t0']?.liveSegments).toBe(2);
    expect(stats.otherTags).toEqual({ liveBytes: footprint(100) + footprint(200), liveSegments: 2, peakBytes: footprint(100) + footprint(200) });
    late[0]!.release();
    stats = pool.stats();
    expect(stats.otherTags).toEqual({ liveBytes: footprint(200), liveSegments: 1, peakBytes: footprint(100) + footprint(200) });
    pool.reset();
    expect(pool.stats().otherTags).toMatchObject({ liveBytes: 0, liveSegments: 0 });
    expect(pool.stats().tags['t5']).toEqual({ liveBytes: 0, liveSegments: 0, peakBytes: footprint(100) });
  });

  test('tags: any string is a key, __proto__ and constructor too', () => {
    using pool = makePool(kind, 64 * 1024);
    pool.acquire(100, { tag: '__proto__' });
    pool.acquire(100, { tag: 'constructor' });
    const { tags } = pool.stats();
    expect(Object.getPrototypeOf(tags)).toBeNull();
    expect(Object.keys(tags)).toEqual(['__proto__', 'constructor']);
    expect(tags['__proto__']).toEqual({ liveBytes: footprint(100), liveSegments: 1, peakBytes: footprint(100) });
  });
});

describe('pool.stats wait figures (fake clock)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test('waits, timeouts, aborts, peakWaiting and the wait times', async () => {
    using pool = makePool('js', 4096);
    const hog = pool.acquire(4000);
    // Served at once: not a wait.
    hog.release();
    const first = await pool.acquireAsync(4000);
    expect(pool.stats()).toMatchObject({ waits: 0, waitMsTotal: 0 });

    const served = pool.acquireAsync(100);
    const timedOut = pool.acquireAsync(100, { timeoutMs: 30 }).catch((error: unknown) => error);
    const controller = new AbortController();
    const aborted = pool.acquireAsync(100, { signal: controller.signal }).catch((error: unknown) => error);
    expect(pool.stats()).toMatchObject({ waits: 3, waiting: 3, peakWaiting: 3 });
    vi.advanceTimersByTime(30);
    expect(((await timedOut) as Error).name).toBe('AcquireTimeoutError');
    vi.advanceTimersByTime(20);
    controller.abort();
    await aborted;
    vi.advanceTimersByTime(50);
    first.release();
    (await served).release();
    const stats = pool.stats();
    // Waited 30 (timeout), 50 (abort) and 100 ms (served).
    expect(stats).toMatchObject({ waits: 3, timeouts: 1, aborts: 1, waiting: 0, peakWaiting: 3, waitMsTotal: 180, waitMsMax: 100 });
    // A signal aborted before the call: rejected at once, not a wait.
    const early = new AbortController();
    early.abort();
    await pool.acquireAsync(100, { signal: early.signal }).catch(() => undefined);
    expect(pool.stats()).toMatchObject({ waits: 3, aborts: 1 });
    pool.resetPeak();
    expect(pool.stats()).toMatchObject({ peakWaiting: 0, waitMsMax: 0, waitMsTotal: 180 });
  });

  test('a wait ended by close counts its time', async () => {
    const pool = makePool('js', 4096);
    pool.acquire(4000);
    const pending = pool.acquireAsync(4000).catch((error: unknown) => error);
    vi.advanceTimersByTime(7);
    pool.close();
    expect(await pending).toBeInstanceOf(PoolClosedError);
    expect(pool.stats()).toMatchObject({ waits: 1, waitMsTotal: 7, waitMsMax: 7, waiting: 0 });
  });
});
