// SPDX-License-Identifier: MIT
// Drives a TlsfEngine and the IntervalModel through the same seeded random sequence of
// allocate / free / stale free / foreign free / reset, checking after every step that they
// agree (counters, largest free range, NO_SPACE only when nothing fits, stale handles refused)
// and, every `validateEvery` steps, the engine's full invariant walk. Shared by property and stress tests.

import { NO_SPACE, TlsfEngine } from '../../src/engine/index.js';
import { IntervalModel } from './interval-model.js';
import { XorShift32 } from '../../bench/trace/rng.js';

/** Shape of one random run. */
export interface DriveOptions {
  readonly seed: number;
  readonly capacity: number;
  readonly steps: number;
  /** Run validate() and compare the address-order walk every this many steps (1 = every step). */
  readonly validateEvery: number;
  readonly initialNodeCapacity?: number;
}

/** Request sizes: a palette of repeated sizes (frame-like), small sizes, any size, and too-large ones. */
function pickSize(rng: XorShift32, capacity: number, palette: readonly number[]): number {
  const roll = rng.int(0, 99);
  if (roll < 45) return palette[rng.int(0, palette.length - 1)] ?? 1;
  if (roll < 75) return rng.int(1, Math.min(capacity, 40));
  if (roll < 98) return rng.int(1, Math.max(1, capacity >>> rng.int(0, 6)));
  return capacity + rng.int(1, 10);
}

/** Runs one seeded sequence; throws an Error naming the seed and step at the first disagreement. */
export function drive(options: DriveOptions): number {
  const { seed, capacity, steps, validateEvery } = options;
  const rng = new XorShift32(seed);
  const engine = new TlsfEngine(capacity, options.initialNodeCapacity ?? 4);
  const model = new IntervalModel(capacity);
  const palette = Array.from({ length: 4 }, () => rng.int(1, Math.max(1, capacity >>> 3)));
  const stale: Array<[number, number]> = [];
  // Bias toward allocation or release in phases, so runs fill up to NO_SPACE and drain to empty.
  let allocBias = 0.6;
  const fail = (step: number, message: string): never => {
    throw new Error(`engine/model disagree (seed ${seed}, capacity ${capacity}, step ${step}): ${message}`);
  };

  for (let step = 0; step < steps; step++) {
    if (step % 500 === 0) allocBias = rng.chance(0.5) ? 0.75 : 0.35;
    const roll = rng.nextFloat();
    if (roll < 0.002) {
      const heldBefore = model.ranges.slice(0, 3);
      engine.reset();
      for (const range of heldBefore) stale.push([range.node, range.generation]);
      model.clear();
    } else if (roll < 0.05) {
      // Stale (already freed, possibly reused) or foreign handles must be refused without effect.
      const used = engine.usedGranules;
      const [node, generation] =
        stale.length > 0 && rng.chance(0.7)
          ? (stale[rng.int(0, stale.length - 1)] ?? [0, 0])
          : [rng.int(-2, engine.nodes.top + 2), rng.int(-1, 2 ** 30)];
      const owned = model.ranges.some((r) => r.node === node && r.generation === generation);
      if (!owned && engine.free(node, generation)) fail(step, `free(${node}, ${generation}) of a dead handle returned true`);
      if (!owned && engine.usedGranules !== used) fail(step, 'refused free changed usedGranules');
      if (owned) fail(step, `generation reuse: dead-looking handle (${node}, ${generation}) is live`);
    } else if (model.ranges.length > 0 && roll > allocBias) {
      const range = model.removeAt(rng.int(0, model.ranges.length - 1));
      if (!engine.isLive(range.node, range.generation)) fail(step, `live handle (${range.node}, ${range.generation}) reported dead`);
      if (!engine.free(range.node, range.generation)) fail(step, `free of live handle (${range.node}, ${range.generation}) returned false`);
      if (engine.free(range.node, range.generation)) fail(step, `double free of (${range.node}, ${range.generation}) returned true`);
      stale.push([range.node, range.generation]);
      if (stale.length > 64) stale.splice(0, 32);
    } else {
      const size = pickSize(rng, capacity, palette);
      const node = engine.allocate(size);
      if (node === NO_SPACE) {
        const error = model.checkNoSpace(size);
        if (error !== undefined) fail(step, error);
      } else {
        const range = { offset: engine.offsetOf(node), size: engine.sizeOf(node), node, generation: engine.generationOf(node) };
        const error = model.add(range, size);
        if (error !== undefined) fail(step, error);
      }
    }
    if (engine.usedGranules !== model.used) fail(step, `usedGranules ${engine.usedGranules}, model ${model.used}`);
    if (engine.liveCount !== model.ranges.length) fail(step, `liveCount ${engine.liveCount}, model ${model.ranges.length}`);
    if (step % validateEvery === 0) {
      try {
        engine.validate();
      } catch (error) {
        fail(step, (error as Error).message);
      }
      const gap = model.largestGap();
      if (engine.largestFree() !== gap) fail(step, `largestFree ${engine.largestFree()}, model gap ${gap}`);
      let index = 0;
      engine.forEachRange((offset, size, used, node) => {
        if (!used) return;
        const range = model.ranges[index++];
        if (range === undefined || range.offset !== offset || range.size !== size || range.node !== node) {
          fail(step, `forEachRange yields used [${offset}, +${size}) node ${node}, model has ${JSON.stringify(range)}`);
        }
      });
      if (index !== model.ranges.length) fail(step, `forEachRange yields ${index} used ranges, model ${model.ranges.length}`);
    }
  }
  return steps;
}
