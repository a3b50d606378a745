// SPDX-License-Identifier: MIT
// Hot-path hygiene checks (issue 6): (a) zero backend calls per acquire/release, counted by a
// Proxy around the backend a pool is built on (backends are the only route to the addon);
// (b) a flat heap over 1M engine allocate/free pairs after warm-up, with GC events counted by a
// PerformanceObserver. The same heap figure for the public API is reported for information.

import { PerformanceObserver } from 'node:perf_hooks';
import type { Backend } from '../../src/backends/backend.js';
import { selectBackend } from '../../src/backends/select.js';
import { TlsfEngine } from '../../src/engine/index.js';
import { createPoolOver } from '../../src/pool/pool.js';
import { capacityGranules, granulesFor } from '../contenders/granules.js';
import { type BenchConfig, type MaybeMeasured, type Measured, notMeasured } from './context.js';
import { FRAME_1080P_NV12 } from './hot-pair.js';

/** heapUsed growth over the timed pairs, and the GC events during them. */
export interface HeapFigures {
  readonly heapGrowthBytes: number;
  readonly gcEvents: number;
}

export interface HotPathFigures {
  readonly backendKind: string;
  readonly pairs: number;
  readonly backendCallsPerPair: number;
  /** Needs --expose-gc. */
  readonly heap: MaybeMeasured<{ readonly engine: HeapFigures; readonly pool: HeapFigures }>;
}

export type HotPathResult = Measured<'hot-path', HotPathFigures>;

/** Wraps `backend` so every method call is counted in `counts`. */
function countingBackend(backend: Backend, counts: Map<string, number>): Backend {
  return new Proxy(backend, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        counts.set(String(prop), (counts.get(String(prop)) ?? 0) + 1);
        return Reflect.apply(value, target, args);
      };
    },
  });
}

/** Calls `run` between two full collections; returns the heapUsed growth and GC events during `run`. */
async function heapGrowth(gc: () => void, run: () => void): Promise<HeapFigures> {
  let gcEvents = 0;
  let window: [number, number] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (entry.startTime >= window[0] && entry.startTime <= window[1]) gcEvents++;
  });
  observer.observe({ entryTypes: ['gc'] });
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const start = performance.now();
  run();
  window = [start, performance.now()];
  gc();
  const after = process.memoryUsage().heapUsed;
  // GC entries are delivered asynchronously; let them arrive before reading the count.
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  return { heapGrowthBytes: after - before, gcEvents };
}

export async function runHotPath(config: BenchConfig): Promise<HotPathResult> {
  const notes: string[] = [];
  const pairs = config.checkPairs;

  // (a) Backend calls on the acquire/release path.
  const selection = selectBackend(config.backend, {});
  const counts = new Map<string, number>();
  const pool = createPoolOver({ size: config.capacityBytes }, { backend: countingBackend(selection.backend, counts) });
  counts.clear(); // construction's allocate + memset are not the hot path
  for (let k = 0; k < pairs; k++) pool.acquire(FRAME_1080P_NV12).release();
  const backendCalls = [...counts.values()].reduce((a, b) => a + b, 0);
  const callsPerPair = backendCalls / pairs;
  pool.close();
  if (backendCalls > 0) notes.push(`backend calls seen: ${JSON.stringify(Object.fromEntries(counts))}`);

  // (b) Heap over the handle-level path, after warm-up.
  const gc = (globalThis as { gc?: () => void }).gc;
  let heap: HotPathFigures['heap'];
  if (gc === undefined) {
    notes.push('heap check not run: start node with --expose-gc (npm run bench does).');
    heap = notMeasured('start node with --expose-gc');
  } else {
    const engine = new TlsfEngine(capacityGranules(config.capacityBytes));
    const granules = granulesFor(FRAME_1080P_NV12);
    const enginePairs = (n: number): void => {
      for (let k = 0; k < n; k++) {
        const node = engine.allocate(granules);
        engine.free(node, engine.generationOf(node));
      }
    };
    enginePairs(100_000);
    const engineHeap = await heapGrowth(gc, () => enginePairs(pairs));
    const publicPool = createPoolOver({ size: config.capacityBytes }, selection);
    const poolPairs = (n: number): void => {
      for (let k = 0; k < n; k++) publicPool.acquire(FRAME_1080P_NV12).release();
    };
    poolPairs(100_000);
    const poolHeap = await heapGrowth(gc, () => poolPairs(pairs));
    publicPool.close();
    heap = { status: 'measured', engine: engineHeap, pool: poolHeap };
  }
  return {
    id: 'hot-path',
    title: 'Hot-path checks: backend calls per pair, heap over 1M pairs',
    status: 'ok',
    figures: { backendKind: selection.backend.kind, pairs, backendCallsPerPair: callsPerPair, heap },
    notes,
  };
}
