// SPDX-License-Identifier: MIT
// The engine over external storage (EngineStorage, saveScalars/loadScalars) and restore(): two
// TlsfEngines over one set of SharedArrayBuffers (src/pool/shared-state.ts's SharedNodeStorage, as
// a shared pool's threads hold them), taking turns as a shared pool's lock makes them, agree with
// the interval model and with each other, node-table growth past the first buffers included;
// restore() from a used-range list rebuilds an engine that agrees with the one it came from, keeps
// its handles valid, and refuses lists that overlap, leave the capacity or misplace offset 0.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BIN_COUNT } from '../../../src/engine/mapping.js';
import { ENGINE_SCALARS, NO_SPACE, TlsfEngine } from '../../../src/engine/index.js';
import { SharedNodeStorage, makeSharedBuffers } from '../../../src/pool/shared-state.js';
import { IntervalModel, type ModelRange } from '../../helpers/interval-model.js';

/** Two engines over one shared storage, and the scalars they pass each other. */
function pair(capacity: number, initialNodes: number): { engines: [TlsfEngine, TlsfEngine]; scalars: Int32Array } {
  const buffers = makeSharedBuffers(capacity);
  const storage = (existing: boolean) => ({
    nodes: new SharedNodeStorage(buffers.nodes),
    binHead: new Int32Array(buffers.binHead),
    bitmapRows: new Int32Array(buffers.bitmapRows),
    existing,
  });
  const first = new TlsfEngine(capacity, initialNodes, storage(false));
  const scalars = new Int32Array(new SharedArrayBuffer(ENGINE_SCALARS * 4));
  first.saveScalars(scalars);
  const second = new TlsfEngine(capacity, initialNodes, storage(true));
  expect(BIN_COUNT).toBe(buffers.binHead.byteLength / 4);
  return { engines: [first, second], scalars };
}

/** Runs `work` on `engine` as a shared pool's section does: load the figures, work, save them. */
function turn<T>(engine: TlsfEngine, scalars: Int32Array, work: () => T): T {
  engine.loadScalars(scalars);
  const result = work();
  engine.saveScalars(scalars);
  return result;
}

/** The used ranges an engine's walk shows, as restore() takes them. */
function usedRanges(engine: TlsfEngine): { node: number; offset: number; size: number; generation: number }[] {
  const used: { node: number; offset: number; size: number; generation: number }[] = [];
  engine.forEachRange((offset, size, isUsed, node) => {
    if (isUsed) used.push({ node, offset, size, generation: engine.generationOf(node) });
  });
  return used;
}

/** Throws unless `engine` agrees with `model`: invariants, counters, largest free range, each live handle, the walk. */
function expectAgrees(engine: TlsfEngine, model: IntervalModel): void {
  engine.validate();
  expect({ used: engine.usedGranules, live: engine.liveCount, largest: engine.largestFree() }).toEqual({ used: model.used, live: model.ranges.length, largest: model.largestGap() });
  for (const range of model.ranges) expect(engine.isLive(range.node, range.generation)).toBe(true);
  expect(usedRanges(engine).map(({ offset, size }) => [offset, size])).toEqual(model.ranges.map(({ offset, size }) => [offset, size]));
}

type Op = { readonly by: 0 | 1; readonly kind: 'allocate'; readonly size: number } | { readonly by: 0 | 1; readonly kind: 'free' | 'stale'; readonly pick: number } | { readonly by: 0 | 1; readonly kind: 'reset' };

const opArbitrary = (capacity: number): fc.Arbitrary<Op> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ by: fc.constantFrom(0 as const, 1 as const), kind: fc.constant('allocate' as const), size: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: capacity + 4 })) }) },
    { weight: 5, arbitrary: fc.record({ by: fc.constantFrom(0 as const, 1 as const), kind: fc.constantFrom('free' as const, 'stale' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ by: fc.constantFrom(0 as const, 1 as const), kind: fc.constant('reset' as const) }) },
  );

describe('two engines over one shared storage', () => {
  it('taking turns, agree with the model and with each other (fast-check)', () => {
    const capacity = 600;
    fc.assert(
      fc.property(fc.array(opArbitrary(capacity), { minLength: 1, maxLength: 300 }), (ops) => {
        const { engines, scalars } = pair(capacity, 2);
        const model = new IntervalModel(capacity);
        const stale: ModelRange[] = [];
        for (const op of ops) {
          const engine = engines[op.by];
          turn(engine, scalars, () => {
            if (op.kind === 'allocate') {
              const node = engine.allocate(op.size);
              if (node === NO_SPACE) expect(model.checkNoSpace(op.size)).toBeUndefined();
              else expect(model.add({ node, offset: engine.offsetOf(node), size: engine.sizeOf(node), generation: engine.generationOf(node) }, op.size)).toBeUndefined();
            } else if (op.kind === 'free' && model.ranges.length > 0) {
              const range = model.removeAt(op.pick % model.ranges.length);
              expect(engine.free(range.node, range.generation)).toBe(true);
              stale.push(range);
            } else if (op.kind === 'stale' && stale.length > 0) {
              // Freed (or reset away) by either engine: refused by both, nothing changes.
              const range = stale[op.pick % stale.length]!;
              expect(engine.free(range.node, range.generation)).toBe(false);
            } else if (op.kind === 'reset') {
              engine.reset();
              stale.push(...model.ranges);
              model.clear();
            }
          });
          // The other engine, after its own load, sees the same state.
          const other = engines[op.by === 0 ? 1 : 0];
          turn(other, scalars, () => expectAgrees(other, model));
        }
      }),
      { seed: 0x5707, numRuns: 200 },
    );
  });

  it('grow the node table in place past the first buffers: the other engine follows, its handles stay valid', () => {
    const capacity = 8192;
    const { engines, scalars } = pair(capacity, 2);
    const [a, b] = engines;
    const model = new IntervalModel(capacity);
    // 3000 live ranges need more node slots than the buffers start with (1024).
    turn(a, scalars, () => {
      for (let i = 0; i < 3000; i++) {
        const node = a.allocate(1 + (i % 2));
        expect(model.add({ node, offset: a.offsetOf(node), size: a.sizeOf(node), generation: a.generationOf(node) }, 1 + (i % 2))).toBeUndefined();
      }
    });
    expect(a.nodes.capacity).toBeGreaterThan(1024);
    turn(b, scalars, () => {
      expectAgrees(b, model);
      expect(b.nodes.capacity).toBe(a.nodes.capacity);
      // b frees every other range, and allocates more (growing the table again itself).
      for (let i = model.ranges.length - 1; i >= 0; i -= 2) {
        const range = model.removeAt(i);
        expect(b.free(range.node, range.generation)).toBe(true);
      }
      for (let i = 0; i < 2500; i++) {
        const node = b.allocate(1);
        if (node === NO_SPACE) break;
        expect(model.add({ node, offset: b.offsetOf(node), size: 1, generation: b.generationOf(node) }, 1)).toBeUndefined();
      }
    });
    turn(a, scalars, () => {
      expectAgrees(a, model);
      for (const range of model.ranges.splice(0)) expect(a.free(range.node, range.generation)).toBe(true);
      model.used = 0;
      expectAgrees(a, model);
      expect(a.largestFree()).toBe(capacity);
    });
  });
});

describe('restore()', () => {
  /** An engine after a seeded run, with its model. */
  function used(seed: number): { engine: TlsfEngine; model: IntervalModel } {
    const capacity = 1000;
    const engine = new TlsfEngine(capacity, 4);
    const model = new IntervalModel(capacity);
    let state = seed;
    const next = (bound: number) => {
      state = (state * 1103515245 + 12345) >>> 0;
      return state % bound;
    };
    for (let step = 0; step < 400; step++) {
      if (next(100) < 55 || model.ranges.length === 0) {
        const size = 1 + next(40);
        const node = engine.allocate(size);
        if (node !== NO_SPACE) model.add({ node, offset: engine.offsetOf(node), size, generation: engine.generationOf(node) }, size);
      } else {
        const range = model.removeAt(next(model.ranges.length));
        engine.free(range.node, range.generation);
      }
    }
    return { engine, model };
  }

  it.each([1, 2, 3, 4])('from the used ranges of a used engine (seed %i): agrees with it, keeps its handles, goes on agreeing', (seed) => {
    const { engine, model } = used(seed);
    const list = usedRanges(engine);
    const largest = engine.largestFree();
    // In place (what a shared pool's repair does), and into a fresh engine of the same capacity.
    const fresh = new TlsfEngine(engine.capacity, 4);
    for (const target of [engine, fresh]) {
      target.restore(list);
      expectAgrees(target, model);
      expect(target.largestFree()).toBe(largest);
    }
    // New handles never collide with restored ones; everything frees exactly once.
    const node = fresh.allocate(3);
    expect(node).not.toBe(NO_SPACE);
    expect(list.some((range) => range.node === node && range.generation === fresh.generationOf(node))).toBe(false);
    expect(fresh.free(node, fresh.generationOf(node))).toBe(true);
    for (const range of model.ranges) {
      expect(fresh.free(range.node, range.generation)).toBe(true);
      expect(fresh.free(range.node, range.generation)).toBe(false);
    }
    fresh.validate();
    expect(fresh.largestFree()).toBe(fresh.capacity);
  });

  it('an empty list gives an empty engine; a half-done state is repaired', () => {
    const engine = new TlsfEngine(100, 4);
    const kept = engine.allocate(10);
    const lost = engine.allocate(20);
    // Only `kept` is in the list (as if `lost` was taken by a thread that died before its record).
    engine.restore([{ node: kept, offset: engine.offsetOf(kept), size: 10, generation: engine.generationOf(kept) }]);
    engine.validate();
    expect({ used: engine.usedGranules, live: engine.liveCount }).toEqual({ used: 10, live: 1 });
    expect(engine.isLive(lost, 1)).toBe(false);
    engine.restore([]);
    engine.validate();
    expect(engine.largestFree()).toBe(100);
  });

  it('refuses lists that overlap, leave the capacity, have an empty range or put another node than 0 at offset 0', () => {
    const engine = new TlsfEngine(100, 8);
    const bad = [
      [{ node: 0, offset: 0, size: 10, generation: 1 }, { node: 1, offset: 5, size: 10, generation: 2 }],
      [{ node: 1, offset: 95, size: 10, generation: 1 }],
      [{ node: 1, offset: 10, size: 0, generation: 1 }],
      [{ node: 2, offset: 0, size: 10, generation: 1 }],
    ];
    for (const list of bad) expect(() => engine.restore(list)).toThrow(/restore/);
  });
});
