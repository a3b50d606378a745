// SPDX-License-Identifier: MIT
// pool.snapshot(): address order, footprints + free ranges covering the capacity exactly,
// `tag` only on tagged segments, a lowercase '0x' base, and a lossless JSON round-trip.

import { expect, test } from 'vitest';
import { alignUp } from '../../../src/constants.js';
import { PoolClosedError } from '../../../src/errors.js';
import type { PoolSnapshot } from '../../../src/pool/snapshot.js';
import { describeBackends, makePool, silenceLeakWarnings } from '../../helpers/pool-backends.js';

silenceLeakWarnings();

function expectCoverage(snapshot: PoolSnapshot): void {
  const ranges = [
    ...snapshot.segments.map((s) => ({ offset: s.offset, end: s.offset + alignUp(s.size, 128) })),
    ...snapshot.freeRanges.map((r) => ({ offset: r.offset, end: r.offset + r.size })),
  ].sort((a, b) => a.offset - b.offset);
  let cursor = 0;
  for (const range of ranges) {
    expect(range.offset).toBe(cursor);
    cursor = range.end;
  }
  expect(cursor).toBe(snapshot.capacity);
  for (const list of [snapshot.segments, snapshot.freeRanges]) {
    for (let i = 1; i < list.length; i++) expect(list[i]!.offset).toBeGreaterThan(list[i - 1]!.offset);
  }
}

describeBackends('pool.snapshot', (kind) => {
  test('an empty pool is one free range', () => {
    using pool = makePool(kind, 4096);
    const snapshot = pool.snapshot();
    expect(snapshot.segments).toEqual([]);
    expect(snapshot.freeRanges).toEqual([{ block: 0, offset: 0, size: 4096 }]);
    expect(snapshot.capacity).toBe(4096);
    expect(snapshot.baseAddress).toMatch(/^0x[0-9a-f]+$/);
    expect(BigInt(snapshot.baseAddress)).toBe(pool.baseAddress);
    expect(snapshot.stats).toEqual(pool.stats());
  });

  test('a grown pool: every block listed with its base and size, and each covered by its own ranges', () => {
    using pool = makePool(kind, 4096, { maxSize: 16 * 1024, growBy: 8192 });
    const a = pool.acquire(3000, { tag: 'first' });
    const b = pool.acquire(3000, { tag: 'second' });
    pool.acquire(100);
    const snapshot = pool.snapshot();
    expect(snapshot.blocks).toEqual([
      { index: 0, baseAddress: snapshot.baseAddress, size: 4096 },
      { index: 1, baseAddress: `0x${(b.address - BigInt(b.offset)).toString(16)}`, size: 8192 },
    ]);
    expect(snapshot.capacity).toBe(4096 + 8192);
    expect(snapshot.segments.map((s) => [s.block, s.offset, s.tag])).toEqual([
      [0, a.offset, 'first'],
      [0, 3072, undefined],
      [1, b.offset, 'second'],
    ]);
    for (const block of snapshot.blocks) {
      const ranges = [
        ...snapshot.segments.filter((s) => s.block === block.index).map((s) => [s.offset, s.offset + alignUp(s.size, 128)] as const),
        ...snapshot.freeRanges.filter((r) => r.block === block.index).map((r) => [r.offset, r.offset + r.size] as const),
      ].sort((x, y) => x[0] - y[0]);
      let cursor = 0;
      for (const [start, end] of ranges) {
        expect(start).toBe(cursor);
        cursor = end;
      }
      expect(cursor).toBe(block.size);
    }
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });

  test('segments and free ranges in address order cover the capacity exactly', () => {
    using pool = makePool(kind, 16 * 1024);
    const segments = [100, 2000, 31, 4000, 500, 64].map((len, i) => pool.acquire(len, i % 2 === 0 ? { tag: `t${i}` } : undefined));
    segments[1]!.release();
    segments[4]!.release();
    const snapshot = pool.snapshot();
    expectCoverage(snapshot);
    expect(snapshot.segments).toHaveLength(4);
    expect(snapshot.freeRanges.length).toBeGreaterThanOrEqual(2);
    const first = snapshot.segments.find((s) => s.offset === segments[0]!.offset);
    expect(first).toEqual({ block: 0, offset: segments[0]!.offset, size: 160, length: 100, tag: 't0' });
    const untagged = snapshot.segments.find((s) => s.offset === segments[3]!.offset);
    expect(untagged).toEqual({ block: 0, offset: segments[3]!.offset, size: segments[3]!.size, length: 4000 });
    expect(untagged && 'tag' in untagged).toBe(false);
  });

  test('an empty-string tag is a tag', () => {
    using pool = makePool(kind, 4096);
    pool.acquire(10, { tag: '' });
    expect(pool.snapshot().segments[0]).toEqual({ block: 0, offset: 0, size: 64, length: 10, tag: '' });
  });

  test('a full pool has no free ranges', () => {
    using pool = makePool(kind, 1024);
    pool.acquire(400);
    pool.acquire(400);
    const snapshot = pool.snapshot();
    expect(snapshot.freeRanges).toEqual([]);
    expectCoverage(snapshot);
  });

  test('JSON round-trips without loss', () => {
    using pool = makePool(kind, 8192);
    pool.acquire(100, { tag: 'vdec "ch0"' });
    pool.acquire(3000);
    const snapshot = pool.snapshot();
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });

  test('throws on a closed pool', () => {
    const pool = makePool(kind, 1024);
    pool.close();
    expect(() => pool.snapshot()).toThrow(PoolClosedError);
  });
});
