// SPDX-License-Identifier: MIT
// recording.toMemoryViz() of a pool of blocks, loaded by Python's `pickle`: one torch Segment per
// block at the end (its base, its size, its ranges exactly the snapshot's), segment_alloc for the
// blocks there at the start and for each grow, segment_free for each trim and, at close, for every
// block; allocs and frees at their block's base + offset; oom's device_free against the capacity
// of that moment; a recording begun on a grown pool; a snapshot with other blocks refused.

import { describe, expect, it } from 'vitest';
import { createPool } from '../../../src/index.js';
import type { Pool } from '../../../src/pool/pool.js';
import type { Segment } from '../../../src/pool/segment.js';
import { blocksOfSnapshot, expectEntryShape, expectSegment, load, withoutFrames } from '../../helpers/memory-viz.js';
import { silenceLeakWarnings } from '../../helpers/pool-backends.js';
import { pythonSkipReason } from '../../helpers/python-pickle.js';

silenceLeakWarnings();

const KiB = 1024;
const growing = (record = true): Pool => createPool({ size: 4 * KiB, maxSize: 12 * KiB, growBy: 4 * KiB, backend: 'js', record });
const baseOf = (segment: Segment): bigint => segment.address - BigInt(segment.offset);

describe.skipIf(pythonSkipReason !== undefined)(`toMemoryViz of a pool of blocks, loaded by Python${pythonSkipReason === undefined ? '' : ` (skipped: ${pythonSkipReason})`}`, () => {
  it('maps blocks to segments and grow/trim to segment_alloc/segment_free, with or without a snapshot', () => {
    using pool = growing();
    const first = pool.acquire(3000, { tag: 'a' });
    const second = pool.acquire(3000, { tag: 'b' }); // grows block 1
    const third = pool.acquire(3000, { tag: 'c' }); // grows block 2
    second.release();
    pool.trim(); // block 1 goes
    const free = pool.stats().freeBytes;
    expect(pool.tryAcquire(6000, { tag: 'big' })).toBeUndefined(); // no room: blocks 0 and 2, and 4 KiB of cap for a 6 KiB footprint
    const fourth = pool.acquire(500, { tag: 'd' }); // block 0's last KiB
    const recording = pool.stopRecording()!;
    const snapshot = pool.snapshot();
    const [b0, b1, b2] = [baseOf(first), baseOf(second), baseOf(third)];
    expect(new Set([b0, b1, b2]).size).toBe(3);

    for (const viz of [load(recording.toMemoryViz(snapshot)), load(recording.toMemoryViz())]) {
      // One Segment per block at the end, in slot order, each covering its block as the snapshot shows it.
      expect(viz.segments.map((segment) => [segment.address, segment.total_size])).toEqual([[b0, 4096n], [b2, 4096n]]);
      expect(withoutFrames(expectSegment(viz.segments[0]!, b0, 4 * KiB))).toEqual(blocksOfSnapshot(snapshot, 0));
      expect(withoutFrames(expectSegment(viz.segments[1]!, b2, 4 * KiB))).toEqual(blocksOfSnapshot(snapshot, 2));

      const trace = viz.device_traces[0]!;
      trace.forEach((entry) => expectEntryShape(entry, true));
      expect(trace.map((entry) => [entry.action, entry.action === 'oom' ? entry.device_free : entry.addr, entry.size])).toEqual([
        ['segment_alloc', b0, 4096n],
        ['alloc', b0, 3072n],
        ['segment_alloc', b1, 4096n],
        ['alloc', b1, 3072n],
        ['segment_alloc', b2, 4096n],
        ['alloc', b2, 3072n],
        ['free_requested', b1, 3072n],
        ['free_completed', b1, 3072n],
        ['segment_free', b1, 4096n],
        ['oom', BigInt(free), 6144n],
        ['alloc', baseOf(fourth) + BigInt(fourth.offset), 640n],
      ]);
      expect(baseOf(fourth)).toBe(b0);
      expect(BigInt(free)).toBe(8192n - 6144n); // the capacity of that moment (blocks 0 and 2), not of the end or of block 0
    }
  });

  it('a recording begun on a grown pool starts with a segment_alloc per block, a trimmed one included; close frees every block', () => {
    const pool = growing(false);
    const inZero = pool.acquire(3000);
    const inOne = pool.acquire(3000);
    const inTwo = pool.acquire(3000);
    pool.startRecording();
    inOne.release();
    pool.trim();
    pool.close();
    const recording = pool.stopRecording()!;
    const trace = load(recording.toMemoryViz()).device_traces[0]!;
    const [b0, b1, b2] = [baseOf(inZero), baseOf(inOne), baseOf(inTwo)];
    expect(trace.map((entry) => [entry.action, entry.addr])).toEqual([
      ['segment_alloc', b0],
      ['segment_alloc', b1],
      ['segment_alloc', b2],
      ['free_requested', b1],
      ['free_completed', b1],
      ['segment_free', b1],
      ['segment_free', b0],
      ['segment_free', b2],
    ]);
  });

  it('refuses a snapshot with other blocks', () => {
    using pool = growing();
    pool.acquire(3000);
    const grown = pool.acquire(3000);
    const recording = pool.stopRecording()!;
    grown.release();
    pool.trim();
    expect(() => recording.toMemoryViz(pool.snapshot())).toThrow(/1: 4096 bytes/);
  });
});
