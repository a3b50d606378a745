// SPDX-License-Identifier: MIT
// What a trace asks of any allocator: op counts and the peak of live bytes, where a request of
// `len` bytes costs its footprint alignUp(alignUp(len, 32) + 32, 128), the least any
// DVPP-valid allocator must set aside. Peak live is the denominator of the fragmentation figure.

import { footprint } from '../constants.js';
import { OP_ALLOC, type Trace } from './format.js';

export interface TraceStats {
  readonly allocs: number;
  readonly frees: number;
  /** Largest sum of live footprints at any point of the trace. */
  readonly peakLiveBytes: number;
  /** Largest number of live allocations at any point. */
  readonly peakLiveCount: number;
  /** Allocations never freed. */
  readonly liveAtEnd: number;
  /** Sum of requested lengths over all allocs. */
  readonly requestedBytes: number;
}

/** Walks a (valid) trace once. */
export function traceStats(trace: Trace): TraceStats {
  const { nOps, nIds, ops } = trace;
  const sizeOf = new Float64Array(nIds);
  let allocs = 0;
  let live = 0;
  let liveBytes = 0;
  let peakLiveBytes = 0;
  let peakLiveCount = 0;
  let requestedBytes = 0;
  for (let i = 0; i < nOps; i++) {
    const id = ops[i * 3 + 1] ?? 0;
    if (ops[i * 3] === OP_ALLOC) {
      const len = ops[i * 3 + 2] ?? 0;
      const bytes = footprint(len);
      sizeOf[id] = bytes;
      allocs++;
      requestedBytes += len;
      live++;
      liveBytes += bytes;
      if (liveBytes > peakLiveBytes) peakLiveBytes = liveBytes;
      if (live > peakLiveCount) peakLiveCount = live;
    } else {
      live--;
      liveBytes -= sizeOf[id] ?? 0;
    }
  }
  return { allocs, frees: nOps - allocs, peakLiveBytes, peakLiveCount, liveAtEnd: live, requestedBytes };
}
