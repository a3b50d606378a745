// SPDX-License-Identifier: MIT
// Replays a trace through any allocator behind one small contract: alloc(len) -> handle or
// undefined (failure), free(handle). The handle table is preallocated per trace id, so the loop
// itself allocates nothing. An alloc that fails leaves its id empty and the matching free is
// skipped (and counted), so a replay always runs to the end unless told to stop at a failure.

import { OP_ALLOC, type Trace } from './format.js';

/** One live allocator over a block of a given capacity. `H` is whatever identifies an allocation. */
export interface Instance<H> {
  /** Allocates a segment for a request of `len` bytes; undefined when it does not fit. */
  alloc(len: number): H | undefined;
  /** Frees what `alloc` returned. */
  free(handle: H): void;
  /** Gives the block back, where the contender holds one. */
  close?(): void;
}

/** A way to build instances: one contender per allocator under test. */
export interface Contender<H = unknown> {
  readonly name: string;
  create(capacityBytes: number): Instance<H>;
}

/** Handle table for one trace: slot per id, reused across replays of that trace. */
export type HandleTable<H> = (H | undefined)[];

/** A table with one empty slot per id of `trace`. */
export function handleTable<H>(trace: Trace): HandleTable<H> {
  return new Array<H | undefined>(trace.nIds).fill(undefined);
}

export interface ReplayCounts {
  /** Allocs that failed. */
  failures: number;
  /** Frees skipped because their alloc had failed. */
  skippedFrees: number;
  /** Index of the first failed op, or -1. */
  firstFailure: number;
  /** Ops replayed (fewer than asked when stopped at a failure). */
  ops: number;
}

/** Fresh zeroed counts. */
export function replayCounts(): ReplayCounts {
  return { failures: 0, skippedFrees: 0, firstFailure: -1, ops: 0 };
}

/**
 * Replays ops `[from, to)` of `trace` into `inst`, updating `counts` in place. With
 * `stopOnFailure` it returns at the first failed alloc. Allocates nothing itself.
 */
export function replayRange<H>(
  trace: Trace,
  inst: Instance<H>,
  table: HandleTable<H>,
  from: number,
  to: number,
  counts: ReplayCounts,
  stopOnFailure = false,
): void {
  const ops = trace.ops;
  for (let i = from; i < to; i++) {
    const id = ops[i * 3 + 1] as number;
    if (ops[i * 3] === OP_ALLOC) {
      const h = inst.alloc(ops[i * 3 + 2] as number);
      if (h === undefined) {
        counts.failures++;
        if (counts.firstFailure < 0) counts.firstFailure = i;
        if (stopOnFailure) {
          counts.ops += i + 1 - from;
          return;
        }
      }
      table[id] = h;
    } else {
      const h = table[id];
      if (h === undefined) counts.skippedFrees++;
      else {
        inst.free(h);
        table[id] = undefined;
      }
    }
  }
  counts.ops += to - from;
}

/** Frees whatever `table` still holds (after a replay stopped early) and empties it. */
export function drainTable<H>(inst: Instance<H>, table: HandleTable<H>): void {
  for (let id = 0; id < table.length; id++) {
    const h = table[id];
    if (h !== undefined) {
      inst.free(h);
      table[id] = undefined;
    }
  }
}

/** Replays the whole trace through a fresh instance of `contender` over `capacityBytes`. */
export function replayTrace<H>(
  trace: Trace,
  contender: Contender<H>,
  capacityBytes: number,
  stopOnFailure = false,
): ReplayCounts {
  const inst = contender.create(capacityBytes);
  const table = handleTable<H>(trace);
  const counts = replayCounts();
  try {
    replayRange(trace, inst, table, 0, trace.nOps, counts, stopOnFailure);
    drainTable(inst, table);
  } finally {
    inst.close?.();
  }
  return counts;
}

/** True when `contender` replays the whole trace in `capacityBytes` without a single failure. */
export function fitsIn<H>(trace: Trace, contender: Contender<H>, capacityBytes: number): boolean {
  return replayTrace(trace, contender, capacityBytes, true).failures === 0;
}
