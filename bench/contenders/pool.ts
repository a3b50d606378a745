// SPDX-License-Identifier: MIT
// Contender: the public API, pool.acquire(len) / seg.release(). A PoolExhaustedError becomes the
// contract's failure (undefined); V8 charges nothing for the try block when nothing throws. The
// backend kind is the caller's choice ('auto' in the bench: whatever this machine offers).

import { type Pool, type PoolBackendKind, PoolExhaustedError, type Segment, createPool } from '../../src/index.js';
import type { Contender, Instance } from '../../src/trace/replay.js';

/** Drives an existing pool; closing the instance closes the pool. */
export function poolInstance(pool: Pool): Instance<Segment> {
  return {
    alloc: (len) => {
      try {
        return pool.acquire(len);
      } catch (error) {
        if (error instanceof PoolExhaustedError) return undefined;
        throw error;
      }
    },
    free: (segment) => {
      segment.release();
    },
    close: () => {
      pool.close();
    },
  };
}

/** A pool contender over the given backend kind. */
export function poolContender(backend: PoolBackendKind): Contender<Segment> {
  return {
    name: `Pool acquire/release (${backend})`,
    create: (capacityBytes) => poolInstance(createPool({ size: capacityBytes, backend })),
  };
}
