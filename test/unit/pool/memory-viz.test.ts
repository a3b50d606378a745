// SPDX-License-Identifier: MIT
// recording.toMemoryViz(): the pickle is loaded by Python's own `pickle` and checked field by
// field against the memory_viz schema of docs/api.md: every key with its Python type, actions in
// the order of the events, frees paired with their allocs by address, absolute addresses, times
// in order, tags as categories, and segments whose blocks cover the pool exactly, in address
// order, as the pool's snapshot shows it. Then the defaults without a snapshot, a reset, a close;
// a growing pool's blocks in test/unit/pool/memory-viz-blocks.test.ts.

import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { footprint } from '../../../src/constants.js';
import type { Pool } from '../../../src/pool/pool.js';
import type { PoolRecording, RecordedEvent } from '../../../src/pool/recording.js';
import { blocksOfSnapshot, expectEntryShape, expectSegment, load, withoutFrames } from '../../helpers/memory-viz.js';
import { describeBackends, makePool, silenceLeakWarnings } from '../../helpers/pool-backends.js';
import { pythonSkipReason } from '../../helpers/python-pickle.js';

silenceLeakWarnings();

const THIS_FILE = fileURLToPath(import.meta.url);

/** A tagged workload with releases and a failed acquire; returns the free bytes at the failure. */
function workload(pool: Pool): number {
  const a = pool.acquire(1000, { tag: 'vdec ch0' });
  const b = pool.acquire(5000, { tag: 'vpc' });
  const c = pool.acquire(300);
  const d = pool.acquire(20_000, { tag: 'vdec ch1' });
  b.release();
  const e = pool.acquire(2000, { tag: '𝄞 astral' });
  a.release();
  const freeAtFailure = pool.stats().freeBytes;
  expect(pool.tryAcquire(pool.capacity, { tag: 'too big' })).toBeUndefined();
  d.release();
  pool.acquire(700, { tag: 'vpc' });
  void c;
  void e;
  return freeAtFailure;
}

describe.skipIf(pythonSkipReason !== undefined)(`toMemoryViz, loaded by Python${pythonSkipReason === undefined ? '' : ` (skipped: ${pythonSkipReason})`}`, () => {
  describeBackends('a real workload with stacks, exported with the pool snapshot', (kind) => {
    it('matches the schema field by field', () => {
      using pool = makePool(kind, 64 * 1024, { record: { stacks: true } });
      const freeAtFailure = workload(pool);
      const recording = pool.stopRecording()!;
      const snapshot = pool.snapshot();
      const base = BigInt(snapshot.baseAddress);
      const events = [...recording.events()];
      const { segments, device_traces } = load(recording.toMemoryViz(snapshot));

      // Segments: the pool's block, its blocks exactly the snapshot's, with the acquires' frames.
      expect(segments).toHaveLength(1);
      const blocks = expectSegment(segments[0]!, base, pool.capacity);
      expect(withoutFrames(blocks)).toEqual(blocksOfSnapshot(snapshot));
      for (const block of blocks.filter((b) => b.state === 'active_allocated')) {
        expect(block.frames[0]!.filename).toContain(THIS_FILE);
      }
      expect(segments[0]!.allocated_size).toBe(BigInt(snapshot.stats.usedBytes));

      // The trace: one list (device 0), every entry of its action's shape.
      expect(device_traces).toHaveLength(1);
      const trace = device_traces[0]!;
      trace.forEach((entry) => expectEntryShape(entry, true));

      // Actions in the order of the events: segment_alloc, then alloc / free pair / oom per event.
      const expected = ['segment_alloc', ...events.flatMap((event: RecordedEvent) => ({ acquire: ['alloc'], release: ['free_requested', 'free_completed'], failure: ['oom'] })[event.kind as 'acquire'] ?? [])];
      expect(trace.map((entry) => entry.action)).toEqual(expected);
      expect(trace[0]).toMatchObject({ addr: base, size: BigInt(pool.capacity), category: 'unknown', frames: [] });

      // Each entry against its event: absolute address, footprint, time, tag as category.
      const mapped = trace.slice(1).filter((entry) => entry.action !== 'free_completed');
      expect(mapped).toHaveLength(events.length);
      mapped.forEach((entry, i) => {
        const event = events[i]!;
        expect(entry.size).toBe(BigInt(event.footprint!));
        expect(entry.time_us).toBe(BigInt(Math.round(event.timeUs)));
        expect(entry.category).toBe(event.tag ?? 'unknown');
        if (entry.action === 'oom') {
          expect(entry.device_free).toBe(BigInt(freeAtFailure));
          expect(entry.size).toBe(BigInt(footprint(pool.capacity)));
        } else {
          expect(entry.addr).toBe(base + BigInt(event.offset!));
        }
        if (entry.action === 'alloc') expect(entry.frames[0]!.filename).toContain(THIS_FILE);
      });

      // Frees pair up: free_requested then free_completed of the same block, of a live alloc.
      const live = new Map<bigint, bigint>();
      trace.forEach((entry, i) => {
        if (entry.action === 'alloc') {
          expect(live.has(entry.addr!)).toBe(false);
          live.set(entry.addr!, entry.size);
        } else if (entry.action === 'free_requested') {
          const next = trace[i + 1]!;
          expect([next.action, next.addr, next.size, next.time_us]).toEqual(['free_completed', entry.addr, entry.size, entry.time_us]);
          expect(live.get(entry.addr!)).toBe(entry.size);
          live.delete(entry.addr!);
        }
      });
      // The allocs still live are the snapshot's segments.
      expect([...live.keys()].sort()).toEqual(snapshot.segments.map((s) => base + BigInt(s.offset)).sort());

      // Times never go back.
      for (let i = 1; i < trace.length; i++) expect(trace[i]!.time_us).toBeGreaterThanOrEqual(trace[i - 1]!.time_us);
      expect(new Set(trace.map((entry) => entry.category))).toEqual(new Set(['unknown', 'vdec ch0', 'vpc', 'vdec ch1', '𝄞 astral', 'too big']));
    });
  });

  it('without a snapshot: the addresses are absolute all the same, the segments derived from the complete events', () => {
    using pool = makePool('js', 64 * 1024, { record: true });
    const freeAtFailure = workload(pool);
    const recording = pool.stopRecording()!;
    const snapshot = pool.snapshot();
    const base = BigInt(snapshot.baseAddress);
    expect(base).not.toBe(0n); // else absolute and offsets could not be told apart
    const { segments, device_traces } = load(recording.toMemoryViz());
    const blocks = expectSegment(segments[0]!, base, pool.capacity);
    expect(withoutFrames(blocks)).toEqual(blocksOfSnapshot(snapshot));
    expect(blocks.every((block) => (block.frames).length === 0)).toBe(true);
    const trace = device_traces[0]!;
    expect(trace[0]).toMatchObject({ action: 'segment_alloc', addr: base });
    expect(trace.find((entry) => entry.action === 'oom')!.device_free).toBe(BigInt(freeAtFailure));
    const allocs = trace.filter((entry) => entry.action === 'alloc').map((entry) => entry.addr);
    expect(allocs).toEqual([...recording.events()].filter((event) => event.kind === 'acquire').map((event) => base + BigInt(event.offset!)));
  });

  it('a recording begun on a busy pool: no segments and no device_free without a snapshot; both with it', () => {
    using pool = makePool('js', 8192);
    const early = pool.acquire(3000, { tag: 'early' });
    const kept = pool.acquire(1000);
    pool.startRecording();
    early.release();
    pool.acquire(100, { tag: 'late' });
    const freeAtFailure = pool.stats().freeBytes;
    expect(pool.tryAcquire(8000)).toBeUndefined();
    const recording = pool.stopRecording()!;
    const alone = load(recording.toMemoryViz());
    expect(alone.segments).toEqual([]);
    const oom = alone.device_traces[0]!.find((entry) => entry.action === 'oom')!;
    expect(oom).not.toHaveProperty('device_free');
    expect(Object.keys(oom).sort()).toEqual(['action', 'category', 'frames', 'size', 'stream', 'time_us']);

    const snapshot = pool.snapshot();
    const exact = load(recording.toMemoryViz(snapshot));
    expect(withoutFrames(expectSegment(exact.segments[0]!, BigInt(snapshot.baseAddress), pool.capacity))).toEqual(blocksOfSnapshot(snapshot));
    expect(exact.device_traces[0]!.find((entry) => entry.action === 'oom')!.device_free).toBe(BigInt(freeAtFailure));
    void kept;
  });

  it('a reset frees every live segment it knows; a close ends with segment_free and no segments', () => {
    const pool = makePool('js', 8192, { record: true });
    pool.acquire(100);
    pool.acquire(200);
    pool.reset();
    pool.acquire(300);
    pool.close();
    const recording = pool.stopRecording()!;
    const { segments, device_traces } = load(recording.toMemoryViz());
    expect(segments).toEqual([]);
    const trace = device_traces[0]!;
    trace.forEach((entry) => expectEntryShape(entry, false));
    const base = BigInt(recording.blocks[0]!.baseAddress);
    expect(trace.map((entry) => `${entry.action} ${entry.addr! - base}`)).toEqual([
      'segment_alloc 0', 'alloc 0', 'alloc 256', 'free_requested 0', 'free_completed 0', 'free_requested 256', 'free_completed 256',
      'alloc 0', 'free_requested 0', 'free_completed 0', 'segment_free 0',
    ]);
    expect(trace.at(-1)!.size).toBe(8192n);
  });

  it('waits, timeouts and cancels have no torch action: the served acquire is one alloc', async () => {
    using pool = makePool('js', 4096, { record: true });
    const full = pool.acquire(4000);
    const waiting = pool.acquireAsync(100, { tag: 'waiter' });
    await expect(pool.acquireAsync(100, { timeoutMs: 1 })).rejects.toThrow();
    full.release();
    await waiting;
    const trace = load(pool.stopRecording()!.toMemoryViz()).device_traces[0]!;
    expect(trace.map((entry) => entry.action)).toEqual(['segment_alloc', 'alloc', 'free_requested', 'free_completed', 'alloc']);
    expect(trace.at(-1)!.category).toBe('waiter');
  });
});

describe('toMemoryViz refuses a snapshot that is not of the recording', () => {
  const recorded = (): [Pool, PoolRecording] => {
    const pool = makePool('js', 8192, { record: true });
    pool.acquire(100);
    return [pool, pool.stopRecording()!];
  };

  it('of another pool', () => {
    const [pool, recording] = recorded();
    using other = makePool('js', 4096);
    expect(() => recording.toMemoryViz(other.snapshot())).toThrow(/4096 bytes.*8192/);
    pool.close();
  });

  it('of another moment', () => {
    const [pool, recording] = recorded();
    const before = pool.snapshot();
    pool.reset();
    expect(() => recording.toMemoryViz(pool.snapshot())).toThrow(RangeError);
    pool.acquire(5000);
    expect(() => recording.toMemoryViz(pool.snapshot())).toThrow(/offset 0/);
    expect(() => recording.toMemoryViz(before)).not.toThrow();
    pool.close();
  });
});
