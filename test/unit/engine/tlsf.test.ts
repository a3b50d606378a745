// SPDX-License-Identifier: MIT
// TlsfEngine edge cases: exact fills, one-granule capacity, release in every order, invalid
// arguments and handles (state untouched), reset, node-table growth, largestFree, counters,
// and validate() catching corruption injected through the @internal node table and bitmap.

import { describe, expect, it } from 'vitest';
import { BYTES_PER_NODE, EXACT_PROBES, NO_SPACE, TlsfEngine } from '../../../src/engine/index.js';
import { NodeTable, TAG_FREE } from '../../../src/engine/nodes.js';

interface Handle {
  node: number;
  generation: number;
}

function take(engine: TlsfEngine, granules: number): Handle {
  const node = engine.allocate(granules);
  expect(node).not.toBe(NO_SPACE);
  return { node, generation: engine.generationOf(node) };
}

function release(engine: TlsfEngine, handle: Handle): void {
  expect(engine.free(handle.node, handle.generation)).toBe(true);
}

/** Everything observable about an engine, for "state untouched" checks. */
function observe(engine: TlsfEngine): unknown {
  const ranges: Array<[number, number, boolean, number]> = [];
  engine.forEachRange((offset, size, used, node) => ranges.push([offset, size, used, node]));
  return {
    used: engine.usedGranules,
    free: engine.freeGranules,
    live: engine.liveCount,
    peak: engine.peakUsedGranules,
    largest: engine.largestFree(),
    ranges,
  };
}

/** A node table that has doubled past its first capacity. */
function grownTable(): NodeTable {
  const table = new NodeTable(2);
  for (let i = 0; i < 5; i++) table.take();
  return table;
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('construction', () => {
  it('starts as one free range over the whole capacity', () => {
    const engine = new TlsfEngine(1000);
    expect(engine.capacity).toBe(1000);
    expect(observe(engine)).toEqual({ used: 0, free: 1000, live: 0, peak: 0, largest: 1000, ranges: [[0, 1000, false, 0]] });
    engine.validate();
  });

  it.each([0, -1, 1.5, Number.NaN, 2 ** 31, 2 ** 32, Number.POSITIVE_INFINITY])('rejects capacity %s with a RangeError', (capacity) => {
    expect(() => new TlsfEngine(capacity)).toThrow(RangeError);
  });

  it('rejects a non-number capacity or node capacity with a TypeError', () => {
    expect(() => new TlsfEngine('8' as unknown as number)).toThrow(TypeError);
    expect(() => new TlsfEngine(8, null as unknown as number)).toThrow(TypeError);
    expect(() => new TlsfEngine(8, 0)).toThrow(RangeError);
  });

  it('keeps node metadata within 48 bytes per node', () => {
    expect(BYTES_PER_NODE).toBeLessThanOrEqual(48);
  });

  it('states BYTES_PER_NODE as the node table really is: one element per node of each typed array', () => {
    // Derived from NodeTable itself, so a field added (or widened) without BYTES_PER_NODE fails.
    for (const table of [new NodeTable(5), grownTable()]) {
      const arrays = Object.values(table).filter((value): value is Int8Array => ArrayBuffer.isView(value) && !(value instanceof DataView));
      expect(arrays.length).toBeGreaterThan(0);
      for (const array of arrays) expect(array.length).toBe(table.capacity);
      expect(arrays.reduce((sum, array) => sum + array.BYTES_PER_ELEMENT, 0)).toBe(BYTES_PER_NODE);
    }
  });
});

describe('allocate', () => {
  it('fills the capacity exactly and then reports NO_SPACE', () => {
    const engine = new TlsfEngine(100);
    const handles = [take(engine, 30), take(engine, 30), take(engine, 40)];
    expect(engine.usedGranules).toBe(100);
    expect(engine.freeGranules).toBe(0);
    expect(engine.largestFree()).toBe(0);
    expect(engine.allocate(1)).toBe(NO_SPACE);
    engine.validate();
    for (const handle of handles) release(engine, handle);
    expect(observe(engine)).toMatchObject({ used: 0, largest: 100, ranges: [[0, 100, false, 0]] });
  });

  it('grants one request equal to the whole capacity at offset 0', () => {
    const engine = new TlsfEngine(24_301 * 5);
    const handle = take(engine, 24_301 * 5);
    expect(engine.offsetOf(handle.node)).toBe(0);
    expect(engine.sizeOf(handle.node)).toBe(24_301 * 5);
    expect(engine.allocate(1)).toBe(NO_SPACE);
    release(engine, handle);
    expect(engine.offsetOf(take(engine, 24_301 * 5).node)).toBe(0);
  });

  it('grants the last remaining granule', () => {
    const engine = new TlsfEngine(1025);
    take(engine, 1024);
    const last = take(engine, 1);
    expect(engine.offsetOf(last.node)).toBe(1024);
    expect(engine.allocate(1)).toBe(NO_SPACE);
    engine.validate();
  });

  it('works with a capacity of one granule', () => {
    const engine = new TlsfEngine(1, 1);
    const handle = take(engine, 1);
    expect(engine.allocate(1)).toBe(NO_SPACE);
    expect(engine.allocate(2)).toBe(NO_SPACE);
    release(engine, handle);
    expect(engine.free(handle.node, handle.generation)).toBe(false);
    take(engine, 1);
    engine.validate();
  });

  it('reports NO_SPACE, without throwing, for requests larger than the capacity', () => {
    const engine = new TlsfEngine(64);
    for (const granules of [65, 2 ** 31, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
      expect(engine.allocate(granules)).toBe(NO_SPACE);
    }
    expect(observe(engine)).toMatchObject({ used: 0, live: 0 });
  });

  it.each([0, -1, -0.5, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, -(2 ** 40)])(
    'throws a RangeError for %s and leaves the state untouched',
    (granules) => {
      const engine = new TlsfEngine(256);
      take(engine, 10);
      const before = observe(engine);
      expect(() => engine.allocate(granules)).toThrow(RangeError);
      expect(() => engine.allocate(granules)).toThrow(/Expected positive safe integer for granules/);
      expect(observe(engine)).toEqual(before);
      engine.validate();
    },
  );

  it.each(['8', 8n, null, undefined, {}, [8], true])('throws a TypeError for %s and leaves the state untouched', (granules) => {
    const engine = new TlsfEngine(256);
    take(engine, 10);
    const before = observe(engine);
    expect(() => engine.allocate(granules as unknown as number)).toThrow(TypeError);
    expect(observe(engine)).toEqual(before);
  });

  it('reuses an identical freed range first (exact class first), even off a bin boundary', () => {
    const engine = new TlsfEngine(24_301 * 8);
    const frames = [take(engine, 24_301), take(engine, 24_301), take(engine, 24_301)];
    const middle = frames[1]!;
    const offset = engine.offsetOf(middle.node);
    release(engine, middle);
    // Round-up search alone would skip the freed frame: 24301 is not a bin floor.
    expect(engine.offsetOf(take(engine, 24_301).node)).toBe(offset);
  });

  it('finds a fitting range that only the round-down bin holds (no NO_SPACE while a fit exists)', () => {
    // Bin 65 holds sizes 66..67; a free 67 and a request of 67 (round-up bin 66 is empty).
    const engine = new TlsfEngine(67 + 1 + 66 * (EXACT_PROBES + 1) + EXACT_PROBES + 1);
    const fit = take(engine, 67);
    const separators: Handle[] = [take(engine, 1)];
    const small: Handle[] = [];
    for (let i = 0; i <= EXACT_PROBES; i++) {
      small.push(take(engine, 66));
      separators.push(take(engine, 1));
    }
    expect(engine.freeGranules).toBe(0);
    release(engine, fit);
    // Push more than EXACT_PROBES 66-granule ranges in front of the 67 in the same bin.
    for (const handle of small) release(engine, handle);
    const again = engine.allocate(67);
    expect(again).not.toBe(NO_SPACE);
    expect(engine.offsetOf(again)).toBe(0);
    expect(engine.fallbackScans).toBe(1);
    engine.validate();
  });
});

describe('free', () => {
  it('coalesces neighbours for every release order of 5 ranges', () => {
    const sizes = [3, 1, 4, 1, 5];
    for (const order of permutations([0, 1, 2, 3, 4])) {
      const engine = new TlsfEngine(20); // 14 used + a 6-granule tail
      const handles = sizes.map((size) => take(engine, size));
      for (const index of order) {
        release(engine, handles[index]!);
        engine.validate();
      }
      expect(observe(engine)).toMatchObject({ used: 0, live: 0, largest: 20, ranges: [[0, 20, false, 0]] });
    }
  });

  it('coalesces for every release order of 4 ranges that fill the capacity exactly', () => {
    for (const order of permutations([0, 1, 2, 3])) {
      const engine = new TlsfEngine(10);
      const handles = [1, 2, 3, 4].map((size) => take(engine, size));
      for (const index of order) {
        release(engine, handles[index]!);
        engine.validate();
      }
      expect(engine.largestFree()).toBe(10);
    }
  });

  it('refuses double, stale, foreign and out-of-range handles without changing anything', () => {
    const engine = new TlsfEngine(100);
    const a = take(engine, 10);
    const b = take(engine, 20);
    release(engine, a);
    const before = observe(engine);
    const bad: Array<[unknown, unknown]> = [
      [a.node, a.generation], // double free
      [b.node, b.generation + 1], // wrong generation
      [b.node + 50, b.generation], // past the table
      [-1, 0],
      [1.5, b.generation],
      [Number.NaN, b.generation],
      [String(b.node), b.generation],
      [b.node, String(b.generation)],
      [undefined, undefined],
    ];
    for (const [node, generation] of bad) {
      expect(engine.free(node as number, generation as number)).toBe(false);
      expect(engine.isLive(node as number, generation as number)).toBe(false);
    }
    expect(observe(engine)).toEqual(before);
    expect(engine.isLive(b.node, b.generation)).toBe(true);
    engine.validate();
  });

  it('refuses a stale handle whose node was reused by a later allocation', () => {
    const engine = new TlsfEngine(100);
    const old = take(engine, 10);
    release(engine, old);
    const reused = take(engine, 10);
    expect(reused.node).toBe(old.node);
    expect(reused.generation).not.toBe(old.generation);
    expect(engine.free(old.node, old.generation)).toBe(false);
    expect(engine.isLive(reused.node, reused.generation)).toBe(true);
    release(engine, reused);
  });

  it('refuses a handle to a node that was merged away and recycled as a free range', () => {
    const engine = new TlsfEngine(100);
    const a = take(engine, 10);
    const b = take(engine, 10);
    release(engine, a);
    release(engine, b); // b's node merges into a's and goes to the spare stack
    const c = take(engine, 5); // the split remainder reuses b's node as a free range
    expect(engine.free(b.node, b.generation)).toBe(false);
    expect(engine.isLive(c.node, c.generation)).toBe(true);
    engine.validate();
  });
});

describe('reset', () => {
  it('frees everything and makes every outstanding handle stale', () => {
    const engine = new TlsfEngine(1000);
    const handles = [take(engine, 100), take(engine, 200), take(engine, 300)];
    release(engine, handles[1]!);
    engine.reset();
    engine.validate();
    expect(observe(engine)).toMatchObject({ used: 0, free: 1000, live: 0, largest: 1000, peak: 600 });
    const fresh = [take(engine, 100), take(engine, 200), take(engine, 300)];
    // Same node indices come back, with new generations.
    expect(fresh.map((h) => h.node).sort()).toEqual(handles.map((h) => h.node).sort());
    for (const handle of handles) expect(engine.free(handle.node, handle.generation)).toBe(false);
    for (const handle of fresh) release(engine, handle);
    engine.validate();
  });

  it('keeps the peak after frees', () => {
    const engine = new TlsfEngine(100);
    const handle = take(engine, 60);
    release(engine, handle);
    take(engine, 20);
    expect(engine.peakUsedGranules).toBe(60);
  });
});

describe('growth and stats', () => {
  it('grows the node table past its initial capacity without a cap', () => {
    const engine = new TlsfEngine(10_000, 1);
    const handles = Array.from({ length: 5000 }, () => take(engine, 2));
    expect(engine.nodes.capacity).toBeGreaterThanOrEqual(5000);
    expect(engine.liveCount).toBe(5000);
    engine.validate();
    for (const handle of handles) expect(engine.offsetOf(handle.node) % 2).toBe(0);
    for (let i = 0; i < handles.length; i += 2) release(engine, handles[i]!);
    engine.validate();
    expect(engine.largestFree()).toBe(2);
  });

  it('reports the exact largest free range when one bin holds several sizes', () => {
    const engine = new TlsfEngine(5000);
    // Sizes 992, 1000 and 1007 share bin 190 (floor 992): largestFree must walk that bin, not trust its floor.
    const ranges = [992, 1007, 1000].map((size) => [take(engine, size), take(engine, 1)] as const);
    take(engine, engine.freeGranules);
    for (const [range] of ranges) release(engine, range);
    expect(engine.largestFree()).toBe(1007);
    engine.validate();
  });

  it('keeps used/free/live/peak counters in step', () => {
    const engine = new TlsfEngine(500);
    const a = take(engine, 100);
    const b = take(engine, 150);
    expect(observe(engine)).toMatchObject({ used: 250, free: 250, live: 2, peak: 250 });
    release(engine, a);
    expect(observe(engine)).toMatchObject({ used: 150, free: 350, live: 1, peak: 250 });
    release(engine, b);
    expect(observe(engine)).toMatchObject({ used: 0, free: 500, live: 0, peak: 250 });
  });

  it('returns -1 from the per-node getters past the table', () => {
    const engine = new TlsfEngine(10, 1);
    expect(engine.offsetOf(99)).toBe(-1);
    expect(engine.sizeOf(99)).toBe(-1);
    expect(engine.generationOf(-1)).toBe(-1);
  });
});

describe('validate() catches corruption', () => {
  /** An engine with used, free and spare nodes: [used 10][free 10][used 10][free 70]. */
  function busy(): { engine: TlsfEngine; used: Handle; free: number } {
    const engine = new TlsfEngine(100);
    const a = take(engine, 10);
    const b = take(engine, 10);
    const c = take(engine, 10);
    release(engine, b);
    engine.validate();
    let free = -1;
    engine.forEachRange((_offset, _size, used, node) => {
      if (!used && free === -1) free = node;
    });
    void c;
    return { engine, used: a, free };
  }

  const cases: Array<[string, (engine: TlsfEngine, used: Handle, free: number) => void, RegExp]> = [
    ['a size that breaks contiguity', (e, u) => void (e.nodes.size[u.node] = 11), /not contiguous|ends past|sum to/],
    ['an offset moved', (e, _u, f) => void (e.nodes.offset[f] = 12), /starts at granule 12/],
    ['a broken back link', (e, _u, f) => void (e.nodes.physPrev[f] = 5), /links back/],
    ['a forward link out of range', (e, u) => void (e.nodes.physNext[u.node] = 999), /outside/],
    ['a free node marked used', (e, _u, f) => void (e.nodes.tag[f] = 0), /usedGranules|not free/],
    ['two adjacent free ranges', (e, u) => void (e.nodes.tag[u.node] = TAG_FREE), /adjacent|bins list/],
    ['a bitmap bit cleared', (e) => void (e.bitmap.top = 0), /top bitmap bit/],
    ['a bitmap row cleared', (e) => void e.bitmap.rows.fill(0), /bitmap|top bitmap/],
    ['a bin head lost', (e) => void e.binHead.fill(-1), /bitmap says non-empty/],
    ['a free node in the wrong bin', (e, _u, f) => void (e.nodes.size[f] = 9), /not contiguous|belongs in bin/],
    ['a generation out of range', (e, u) => void (e.nodes.tag[u.node] = 2 ** 30), /generation/],
    ['a tag that is neither a generation, free nor spare', (e, u) => void (e.nodes.tag[u.node] = -5), /neither used nor free/],
    ['a chained node on the spare stack', (e) => void (e.nodes.spareHead = 0), /spare/],
    ['a spare stack link out of range', (e) => void (e.nodes.spareHead = 999), /spare stack links/],
  ];
  it.each(cases)('detects %s', (_name, corrupt, message) => {
    const { engine, used, free } = busy();
    corrupt(engine, used, free);
    expect(() => engine.validate()).toThrow(message);
  });
});
