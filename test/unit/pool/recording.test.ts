// SPDX-License-Identifier: MIT
// pool.startRecording/stopRecording and createPool's `record`: the options and their errors, the
// ring (growth, wrap-around, dropped), each event kind with its fields, ids that link a wait to
// its outcome, stacks, and the exports: JSON lines, and a TRC1 trace that the package's reader
// takes and that replays through a fresh pool with the live run's placements. Recording changes
// nothing the pool does.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAclCompat, createPool, decodeTrace, encodeTrace, PoolClosedError, readTraceFile, writeTraceFile, type Pool } from '../../../src/index.js';
import { PoolRecording, type RecordedEvent } from '../../../src/pool/recording.js';
import type { Segment } from '../../../src/pool/segment.js';
import { XorShift32 } from '../../../bench/trace/rng.js';
import { silenceLeakWarnings } from '../../helpers/pool-backends.js';

silenceLeakWarnings();

afterEach(() => {
  vi.useRealTimers();
});

const events = (pool: Pool): RecordedEvent[] => [...pool.stopRecording()!.events()];
const kinds = (list: readonly RecordedEvent[]): string[] => list.map((event) => event.kind);

/** A seeded workload of acquires (some failing), releases, resets; returns the offsets the pool gave out. */
function workload(pool: Pool, seed: number, steps: number): number[] {
  const rng = new XorShift32(seed);
  const live: Segment[] = [];
  const offsets: number[] = [];
  for (let step = 0; step < steps; step++) {
    const roll = rng.int(0, 99);
    if (roll < 50) {
      const segment = pool.tryAcquire(rng.int(1, pool.capacity >>> rng.int(2, 8)), rng.chance(0.3) ? { tag: `t${rng.int(0, 3)}` } : undefined);
      if (segment !== undefined) {
        live.push(segment);
        offsets.push(segment.offset);
      }
    } else if (roll < 99) {
      if (live.length > 0) live.splice(rng.int(0, live.length - 1), 1)[0]!.release();
    } else {
      pool.reset();
      live.length = 0;
    }
  }
  return offsets;
}

describe('options', () => {
  it.each([
    [{ maxEvents: 0 }, RangeError, 'options.maxEvents'],
    [{ maxEvents: 2 ** 25 + 1 }, RangeError, 'options.maxEvents'],
    [{ maxEvents: 1.5 }, RangeError, 'options.maxEvents'],
    [{ maxEvents: '10' }, TypeError, 'options.maxEvents'],
    [{ stacks: 'yes' }, TypeError, 'options.stacks'],
    [{ every: 1 }, TypeError, 'options.every'],
    [null, TypeError, 'options'],
  ])('startRecording(%j) throws %s naming %s', (options, kind, name) => {
    using pool = createPool({ size: 4096, backend: 'js' });
    expect(() => pool.startRecording(options as never)).toThrow(kind);
    expect(() => pool.startRecording(options as never)).toThrow(name);
    expect(pool.stopRecording()).toBeUndefined();
  });

  it('createPool checks `record` as options.record', () => {
    expect(() => createPool({ size: 4096, backend: 'js', record: { maxEvents: 0 } })).toThrow(/options\.record\.maxEvents/);
    expect(() => createPool({ size: 4096, backend: 'js', record: 'yes' as never })).toThrow(TypeError);
    using off = createPool({ size: 4096, backend: 'js', record: false });
    expect(off.stopRecording()).toBeUndefined();
    using on = createPool({ size: 4096, backend: 'js', record: true });
    on.acquire(1);
    const recording = on.stopRecording()!;
    expect([recording.length, recording.maxEvents, recording.capacity]).toEqual([1, 1_000_000, 4096]);
  });

  it('accepts the bounds of maxEvents', () => {
    using pool = createPool({ size: 4096, backend: 'js' });
    pool.startRecording({ maxEvents: 1 });
    expect(pool.startRecording({ maxEvents: 2 ** 25 })!.maxEvents).toBe(1);
    expect(pool.stopRecording()!.maxEvents).toBe(2 ** 25);
  });

  it('refuses to start on a closed pool', () => {
    const pool = createPool({ size: 4096, backend: 'js' });
    pool.close();
    expect(() => pool.startRecording()).toThrow(PoolClosedError);
  });
});

describe('the ring', () => {
  it('keeps the newest maxEvents events and counts the dropped ones', () => {
    using pool = createPool({ size: 4096, backend: 'js', record: { maxEvents: 3 } });
    for (let i = 0; i < 5; i++) pool.acquire(1);
    const recording = pool.stopRecording()!;
    expect([recording.length, recording.dropped]).toEqual([3, 2]);
    expect([...recording.events()].map((event) => event.id)).toEqual([2, 3, 4]);
  });

  it('wraps around after growing, oldest first, times in order', () => {
    using pool = createPool({ size: 1 << 20, backend: 'js', record: { maxEvents: 5000 } });
    for (let i = 0; i < 3000; i++) pool.release(pool.acquire(1));
    const recording = pool.stopRecording()!;
    expect([recording.length, recording.dropped]).toEqual([5000, 1000]);
    const list = [...recording.events()];
    // Events 1000..5999: acquires and releases alternate, ids 500..2999.
    expect(list[0]).toMatchObject({ kind: 'acquire', id: 500 });
    expect(list.at(-1)).toMatchObject({ kind: 'release', id: 2999 });
    list.forEach((event, i) => expect(event.id).toBe(500 + (i >> 1)));
    for (let i = 1; i < list.length; i++) expect(list[i]!.timeUs).toBeGreaterThanOrEqual(list[i - 1]!.timeUs);
    expect(recording.startUs).toBeLessThanOrEqual(list[0]!.timeUs);
    expect(recording.endUs).toBeGreaterThanOrEqual(list.at(-1)!.timeUs);
  });

  it('startRecording returns the recording it replaces; ids go on across recordings', () => {
    using pool = createPool({ size: 4096, backend: 'js' });
    expect(pool.startRecording()).toBeUndefined();
    const a = pool.acquire(1);
    const first = pool.startRecording()!;
    expect([...first.events()].map((event) => event.id)).toEqual([0]);
    a.release();
    pool.acquire(1);
    // The release of a segment acquired before this recording has no id.
    const list = events(pool);
    expect(list).toMatchObject([{ kind: 'release', len: 1 }, { kind: 'acquire', id: 1 }]);
    expect(list[0]).not.toHaveProperty('id');
  });
});

describe('events', () => {
  it('acquire, tryAcquire, scope and pyACL acquires and their releases, with every field', () => {
    const pool = createPool({ size: 64 * 1024, backend: 'js', record: true });
    const a = pool.acquire(1000, { tag: 'vdec' });
    const b = pool.tryAcquire(10)!;
    const scope = pool.scope();
    scope.acquire(200, { tag: 'vpc' });
    const acl = createAclCompat(pool, { tag: 'jpegd' });
    const [pointer] = acl.media.dvpp_malloc(300);
    a.release();
    pool.release(b);
    scope.releaseAll();
    expect(acl.media.dvpp_free(pointer)).toBe(0);
    const c = pool.acquire(5);
    c[Symbol.dispose]();
    pool.close();
    const list = events(pool);
    expect(kinds(list)).toEqual(['acquire', 'acquire', 'acquire', 'acquire', 'release', 'release', 'release', 'release', 'acquire', 'release', 'close']);
    expect(list[0]).toEqual({ kind: 'acquire', timeUs: list[0]!.timeUs, id: 0, len: 1000, footprint: 1152, offset: 0, block: 0, tag: 'vdec' });
    expect(list[1]).toEqual({ kind: 'acquire', timeUs: list[1]!.timeUs, id: 1, len: 10, footprint: 128, offset: 1152, block: 0 });
    expect(list[2]).toMatchObject({ id: 2, len: 200, footprint: 256, offset: 1280, tag: 'vpc' });
    expect(list[3]).toMatchObject({ id: 3, len: 300, footprint: 384, offset: 1536, tag: 'jpegd' });
    expect(list[4]).toEqual({ kind: 'release', timeUs: list[4]!.timeUs, id: 0, len: 1000, footprint: 1152, offset: 0, block: 0, tag: 'vdec' });
    expect(list.slice(5, 8).map((event) => event.id)).toEqual([1, 2, 3]);
    expect(list.slice(8, 10).map((event) => event.id)).toEqual([4, 4]);
    expect(list[10]).toEqual({ kind: 'close', timeUs: list[10]!.timeUs });
  });

  it('failures of acquire, tryAcquire and dvpp_malloc', () => {
    using pool = createPool({ size: 4096, backend: 'js', record: true });
    expect(() => pool.acquire(5000, { tag: 'big' })).toThrow();
    expect(pool.tryAcquire(2 ** 40)).toBeUndefined();
    expect(createAclCompat(pool).media.dvpp_malloc(8192)[0]).toBe(0);
    const list = events(pool);
    expect(kinds(list)).toEqual(['failure', 'failure', 'failure']);
    expect(list[0]).toEqual({ kind: 'failure', timeUs: list[0]!.timeUs, len: 5000, footprint: 5120, tag: 'big' });
    expect(list[1]).toMatchObject({ len: 2 ** 40, footprint: 2 ** 40 + 128 });
  });

  it('a wait and its outcome share an id: served, timed out, aborted, cancelled by a scope and by close', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const pool = createPool({ size: 4096, backend: 'js', record: true });
    const full = pool.acquire(4000);
    const served = pool.acquireAsync(100, { tag: 'served' });
    const timedOut = pool.acquireAsync(100, { timeoutMs: 5 }).catch(() => 'timeout');
    const controller = new AbortController();
    const aborted = pool.acquireAsync(100, { signal: controller.signal }).catch(() => 'abort');
    const scope = pool.scope();
    const cancelled = scope.acquireAsync(100).catch(() => 'cancel');
    vi.advanceTimersByTime(5);
    controller.abort();
    scope.releaseAll();
    expect(await Promise.all([timedOut, aborted, cancelled])).toEqual(['timeout', 'abort', 'cancel']);
    full.release();
    expect((await served).tag).toBe('served');
    const closed = pool.acquireAsync(4000).catch(() => 'closed');
    pool.close();
    await closed;
    const list = events(pool);
    expect(kinds(list)).toEqual(['acquire', 'wait', 'wait', 'wait', 'wait', 'timeout', 'abort', 'cancel', 'release', 'acquire', 'wait', 'cancel', 'close']);
    expect(list[1]).toEqual({ kind: 'wait', timeUs: list[1]!.timeUs, id: 1, len: 100, footprint: 256, tag: 'served' });
    expect(list.slice(5, 8).map((event) => event.id)).toEqual([2, 3, 4]);
    expect(list[9]).toMatchObject({ kind: 'acquire', id: 1, offset: 0, tag: 'served' });
    expect(list[11]!.id).toBe(list[10]!.id);
  });

  it('reset, and waits it serves', async () => {
    using pool = createPool({ size: 4096, backend: 'js', record: true });
    pool.acquire(4000);
    const waiting = pool.acquireAsync(10);
    pool.reset();
    await waiting;
    expect(kinds(events(pool))).toEqual(['acquire', 'wait', 'reset', 'acquire']);
  });

  it('stopRecording after close returns the recording close ended', () => {
    const pool = createPool({ size: 4096, backend: 'js', record: true });
    pool.close();
    expect(kinds(events(pool))).toEqual(['close']);
    expect(pool.stopRecording()).toBeUndefined();
  });

  it('stacks: acquires and waits carry the caller frames, first this file', () => {
    const pool = createPool({ size: 4096, backend: 'js', record: { stacks: true } });
    const scope = pool.scope();
    scope.acquire(4000);
    const waiting = pool.acquireAsync(100).catch(() => undefined);
    const list = events(pool);
    for (const event of list) {
      expect(event.stack).toBeDefined();
      const lines = event.stack!.split('\n');
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.length).toBeLessThanOrEqual(8);
      expect(lines[0]).toContain('recording.test.ts');
    }
    using plain = createPool({ size: 4096, backend: 'js', record: true });
    plain.acquire(1);
    expect(events(plain)[0]).not.toHaveProperty('stack');
    pool.close();
    return waiting;
  });
});

describe('exports', () => {
  it('toTrace replays through a fresh pool of the same size with the live run\'s placements', () => {
    for (const seed of [1, 2, 3]) {
      const pool = createPool({ size: 1 << 20, backend: 'js', record: true });
      const live = workload(pool, seed, 5000);
      const recording = pool.stopRecording()!;
      pool.close();
      const trace = decodeTrace(encodeTrace(recording.toTrace()));
      expect(trace.nOps).toBeGreaterThan(live.length);
      using fresh = createPool({ size: recording.capacity, backend: 'js' });
      const handles: Segment[] = [];
      const replayed: number[] = [];
      for (let op = 0; op < trace.nOps; op++) {
        const [kind, id, len] = trace.ops.subarray(op * 3, op * 3 + 3) as unknown as [number, number, number];
        if (kind === 0) {
          handles[id] = fresh.acquire(len);
          replayed.push(handles[id]!.offset);
        } else {
          fresh.release(handles[id]!);
        }
      }
      expect(replayed).toEqual(live);
    }
  });

  it('toTrace leaves out what changes no placement, and frees every live id at a reset', () => {
    using pool = createPool({ size: 4096, backend: 'js' });
    const before = pool.acquire(100);
    pool.startRecording();
    before.release();
    pool.tryAcquire(1_000_000);
    const a = pool.acquire(10);
    pool.acquire(20);
    a.release();
    pool.acquire(30);
    pool.reset();
    pool.acquire(40);
    const trace = pool.stopRecording()!.toTrace();
    // alloc 10 (id 0), alloc 20 (1), free 0, alloc 30 (0 again), reset: free 1 and 0, alloc 40 (0, the last freed).
    expect([trace.nOps, trace.nIds]).toEqual([7, 2]);
    expect([...trace.ops]).toEqual([0, 0, 10, 0, 1, 20, 1, 0, 0, 0, 0, 30, 1, 1, 0, 1, 0, 0, 0, 0, 40]);
  });

  it('writeTraceFile and readTraceFile carry a recording\'s trace', () => {
    using pool = createPool({ size: 1 << 20, backend: 'js', record: true });
    workload(pool, 7, 500);
    const trace = pool.stopRecording()!.toTrace();
    const dir = mkdtempSync(join(tmpdir(), 'dvpp-recording-'));
    try {
      writeTraceFile(join(dir, 'run.trc'), trace);
      expect(readTraceFile(join(dir, 'run.trc'))).toEqual(trace);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('toTrace refuses an acquire a TRC1 record cannot hold', () => {
    const one = (values: number[]) => Float64Array.from(values);
    const pool = { first: { capacity: 2 ** 34 }, growth: { maxSize: 2 ** 34, growBy: 2 ** 34 }, blocks: [{ index: 0, base: 0n, capacity: 2 ** 34 }] };
    const recording = new PoolRecording(pool, 0, 1, 10, 0, {
      count: 1,
      kinds: Uint8Array.of(0),
      timesUs: one([0]),
      ids: one([0]),
      lens: one([2 ** 32]),
      offsets: Int32Array.of(0),
      blocks: Int32Array.of(0),
      tags: Int32Array.of(-1),
      tagNames: [],
      stacks: [],
    });
    expect(() => recording.toTrace()).toThrow(RangeError);
  });

  it('toJsonLines: one JSON object per event, in order', () => {
    using pool = createPool({ size: 1 << 20, backend: 'js', record: true });
    workload(pool, 9, 300);
    const recording = pool.stopRecording()!;
    const text = recording.toJsonLines();
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([...recording.events()]);
  });
});

it('recording changes nothing the pool does', () => {
  const run = (record: boolean) => {
    using pool = createPool({ size: 1 << 20, backend: 'js', record });
    const offsets = workload(pool, 42, 5000);
    const { segments, freeRanges } = pool.snapshot();
    return { offsets, stats: pool.stats(), segments, freeRanges };
  };
  expect(run(true)).toEqual(run(false));
});
