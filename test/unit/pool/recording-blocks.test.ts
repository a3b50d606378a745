// SPDX-License-Identifier: MIT
// Recording a pool of blocks (issues 14 and 16): grow and trim events with their block, bytes,
// base address and the pool's capacity after them; acquires and releases with their segment's
// block; the same in the JSON lines; capacity counted right when the oldest events (a grow among
// them) were dropped; the blocks, maxSize and growBy a recording keeps; and a trace that replays
// through a pool of the same size/maxSize/growBy with the live run's blocks and offsets. A failed
// zero fill in a grown block is in recording-edges.test.ts.

import { describe, expect, it } from 'vitest';
import { createPool } from '../../../src/index.js';
import type { Pool } from '../../../src/pool/pool.js';
import type { RecordedEvent } from '../../../src/pool/recording.js';
import type { Segment } from '../../../src/pool/segment.js';
import { XorShift32 } from '../../../bench/trace/rng.js';
import { silenceLeakWarnings } from '../../helpers/pool-backends.js';

silenceLeakWarnings();

const KiB = 1024;
/** A block's base as the events write it. */
const baseOf = (segment: Segment): string => `0x${(segment.address - BigInt(segment.offset)).toString(16)}`;

function growing(maxBlocks = 4, record: boolean | { maxEvents: number } = true): Pool {
  return createPool({ size: 4 * KiB, maxSize: maxBlocks * 4 * KiB, growBy: 4 * KiB, backend: 'js', record });
}

describe('recording a pool of blocks', () => {
  it('grow and trim events carry the block, its bytes, its base and the capacity after; acquires and releases their block', () => {
    using pool = growing();
    const a = pool.acquire(3000, { tag: 'a' });
    const b = pool.acquire(3000); // fits no block: block 1
    const c = pool.acquire(3000); // block 2
    b.release();
    const bBase = baseOf(b);
    expect(pool.trim()).toBe(4 * KiB);
    const d = pool.acquire(3000); // block 1's slot again, a new block
    expect([a.blockIndex, b.blockIndex, c.blockIndex, d.blockIndex]).toEqual([0, 1, 2, 1]);
    const recording = pool.stopRecording()!;
    const events = [...recording.events()].map(({ timeUs: _t, ...rest }) => rest);
    const acquire = (id: number, segment: Segment) => ({ kind: 'acquire', id, len: 3000, footprint: 3072, offset: segment.offset, block: segment.blockIndex });
    expect(events).toEqual([
      { ...acquire(0, a), tag: 'a' },
      { kind: 'grow', block: 1, bytes: 4 * KiB, address: bBase, capacity: 8 * KiB },
      acquire(1, b),
      { kind: 'grow', block: 2, bytes: 4 * KiB, address: baseOf(c), capacity: 12 * KiB },
      acquire(2, c),
      { ...acquire(1, b), kind: 'release' },
      { kind: 'trim', block: 1, bytes: 4 * KiB, address: bBase, capacity: 8 * KiB },
      { kind: 'grow', block: 1, bytes: 4 * KiB, address: baseOf(d), capacity: 12 * KiB },
      acquire(3, d),
    ]);
    expect(baseOf(d)).not.toBe(bBase); // the slot is reused, the base is the new block's
    // The JSON lines are the same objects.
    expect(recording.toJsonLines().trimEnd().split('\n').map((line) => JSON.parse(line) as RecordedEvent)).toEqual([...recording.events()]);
    // What the recording keeps of its pool.
    expect([recording.capacity, recording.maxSize, recording.growBy]).toEqual([4 * KiB, 16 * KiB, 4 * KiB]);
    expect(recording.blocks).toEqual(pool.snapshot().blocks);
    expect(recording.blocks.map((block) => block.index)).toEqual([0, 1, 2]);
  });

  it('counts the capacity back from the end when the oldest events, a grow among them, were dropped', () => {
    using pool = growing(4, { maxEvents: 3 });
    pool.acquire(3000);
    const b = pool.acquire(3000); // grow, dropped below
    pool.acquire(3000); // grow to 12 KiB
    b.release();
    pool.trim();
    const recording = pool.stopRecording()!;
    expect(recording.dropped).toBeGreaterThan(0);
    expect([...recording.events()].filter((event) => event.kind === 'trim' || event.kind === 'grow').map((event) => [event.kind, event.capacity])).toEqual([['trim', 8 * KiB]]);
  });

  it('toTrace replays through a pool of the same size, maxSize and growBy with the live blocks and offsets', () => {
    for (const seed of [1, 2, 3]) {
      const pool = growing(6);
      const rng = new XorShift32(seed);
      const live: Segment[] = [];
      const placed: [number, number][] = [];
      for (let step = 0; step < 2000; step++) {
        if (rng.int(0, 99) < 55) {
          const segment = pool.tryAcquire(rng.int(1, 3 * KiB));
          if (segment !== undefined) {
            live.push(segment);
            placed.push([segment.blockIndex, segment.offset]);
          }
        } else if (live.length > 0) {
          live.splice(rng.int(0, live.length - 1), 1)[0]!.release();
        }
      }
      const recording = pool.stopRecording()!;
      expect(recording.blocks.length).toBeGreaterThan(1); // it grew, or the test shows nothing
      pool.close();
      using fresh = createPool({ size: recording.capacity, maxSize: recording.maxSize, growBy: recording.growBy, backend: 'js' });
      const trace = recording.toTrace();
      const handles: Segment[] = [];
      const replayed: [number, number][] = [];
      for (let op = 0; op < trace.nOps; op++) {
        const [kind, id, len] = trace.ops.subarray(op * 3, op * 3 + 3) as unknown as [number, number, number];
        if (kind === 0) {
          handles[id] = fresh.acquire(len);
          replayed.push([handles[id]!.blockIndex, handles[id]!.offset]);
        } else {
          fresh.release(handles[id]!);
        }
      }
      expect(replayed).toEqual(placed);
    }
  });
});
