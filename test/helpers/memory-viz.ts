// SPDX-License-Identifier: MIT
// The memory_viz schema as the toMemoryViz tests check it on what Python's pickle loaded: the
// dicts' shapes (every key with its Python type), a Segment whose blocks cover it in address
// order, and a snapshot's ranges as the blocks they should be.

import { expect } from 'vitest';
import { footprint } from '../../src/constants.js';
import type { PoolSnapshot } from '../../src/pool/snapshot.js';
import { pythonUnpickle } from './python-pickle.js';

/** The loaded dicts as the tests read them; expectShape checks the keys and types really are these. */
export interface Frame { filename: string; line: bigint; name: string }
export interface Block { address: bigint; size: bigint; requested_size: bigint; state: string; frames: Frame[] }
export interface Segment {
  device: bigint; address: bigint; total_size: bigint; stream: bigint; segment_type: string;
  allocated_size: bigint; active_size: bigint; requested_size: bigint; blocks: Block[];
}
export interface Entry { action: string; addr?: bigint; device_free?: bigint; size: bigint; stream: bigint; time_us: bigint; frames: Frame[]; category?: string }
type Dict = Record<string, unknown>;

/** Loaded by Python; the test fails on anything that is not a dict of the two keys. */
export function load(bytes: Uint8Array): { segments: Segment[]; device_traces: Entry[][] } {
  const value = pythonUnpickle(bytes) as Dict;
  expect(Object.keys(value).sort()).toEqual(['device_traces', 'segments']);
  return value as unknown as { segments: Segment[]; device_traces: Entry[][] };
}

/** `value` has exactly `keys`, each of the Python type named (int: bigint, str: string, list: array). */
export function expectShape(value: object, shape: Record<string, 'int' | 'str' | 'list'>): void {
  expect(Object.keys(value).sort()).toEqual(Object.keys(shape).sort());
  for (const [key, type] of Object.entries(shape)) {
    const field = (value as Dict)[key];
    const ok = type === 'int' ? typeof field === 'bigint' : type === 'str' ? typeof field === 'string' : Array.isArray(field);
    expect(ok, `${key} should be a Python ${type}, is ${JSON.stringify(field, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`).toBe(true);
  }
}

export function expectFrames(frames: unknown): void {
  expect(Array.isArray(frames)).toBe(true);
  for (const frame of frames as object[]) expectShape(frame, { filename: 'str', line: 'int', name: 'str' });
}

/** The trace entry's keys and types by action; `category` when the recording has tags. */
export function expectEntryShape(entry: Entry, tagged: boolean): void {
  const common: Record<string, 'int' | 'str' | 'list'> = { action: 'str', size: 'int', stream: 'int', time_us: 'int', frames: 'list', ...(tagged ? { category: 'str' } : {}) };
  expectShape(entry, entry.action === 'oom' ? { ...common, device_free: 'int' } : { ...common, addr: 'int' });
  expect(entry.stream).toBe(0n);
  expectFrames(entry.frames);
}

/** One Segment (a pool's block): its fields, and blocks that cover [base, base + capacity) in address order. */
export function expectSegment(segment: Segment, base: bigint, capacity: number): Block[] {
  expectShape(segment, {
    device: 'int', address: 'int', total_size: 'int', stream: 'int', segment_type: 'str',
    allocated_size: 'int', active_size: 'int', requested_size: 'int', blocks: 'list',
  });
  expect([segment.device, segment.address, segment.total_size, segment.stream, segment.segment_type]).toEqual([0n, base, BigInt(capacity), 0n, 'large']);
  const blocks = segment.blocks;
  let next = base;
  let allocated = 0n;
  let requested = 0n;
  for (const block of blocks) {
    expectShape(block, { address: 'int', size: 'int', requested_size: 'int', state: 'str', frames: 'list' });
    expectFrames(block.frames);
    expect(block.address).toBe(next);
    expect(block.size).toBeGreaterThan(0n);
    expect(['active_allocated', 'inactive']).toContain(block.state);
    if (block.state === 'active_allocated') {
      allocated += block.size;
      requested += block.requested_size;
    } else {
      expect([block.requested_size, block.frames]).toEqual([0n, []]);
    }
    next += block.size;
  }
  expect(next).toBe(base + BigInt(capacity));
  expect([segment.allocated_size, segment.active_size, segment.requested_size]).toEqual([allocated, allocated, requested]);
  return blocks;
}

/** The ranges of block `block` a pool's snapshot gives, as memory_viz blocks without frames. */
export function blocksOfSnapshot(snapshot: PoolSnapshot, block = 0): Omit<Block, 'frames'>[] {
  const base = BigInt(snapshot.blocks.find((each) => each.index === block)!.baseAddress);
  return [
    ...snapshot.segments.filter((s) => s.block === block).map((s) => ({ address: base + BigInt(s.offset), size: BigInt(footprint(s.length)), requested_size: BigInt(s.length), state: 'active_allocated' })),
    ...snapshot.freeRanges.filter((r) => r.block === block).map((r) => ({ address: base + BigInt(r.offset), size: BigInt(r.size), requested_size: 0n, state: 'inactive' })),
  ].sort((a, b) => (a.address < b.address ? -1 : 1));
}

export const withoutFrames = (blocks: Block[]): Omit<Block, 'frames'>[] => blocks.map(({ frames: _frames, ...rest }) => rest);
