// SPDX-License-Identifier: MIT
// The public pool as a replay contender (src/trace/replay.ts), shared by `dvpp-pool replay` and
// bench/: alloc is pool.tryAcquire(len) (undefined when there is no room: the contract's
// failure), free is pool.release(segment). It lives in cli/ because trace/ may not import pool/
// (docs/architecture.md) and cli/ is the one layer that sees both.

import type { BackendKind } from '../backends/backend.js';
import type { PoolBackendKind } from '../backends/select.js';
import { type Pool, createPool } from '../pool/pool.js';
import type { Segment } from '../pool/segment.js';
import type { Contender, Instance } from '../trace/replay.js';

/** Drives an existing pool through its public acquire/release; closing the instance closes the pool. */
export function poolInstance(pool: Pool): Instance<Segment> {
  return {
    alloc: (len) => pool.tryAcquire(len),
    free: (segment) => {
      pool.release(segment);
    },
    close: () => {
      pool.close();
    },
  };
}

/** Fresh pools of one backend choice, each driven by {@link poolInstance}. */
export class PoolContender implements Contender<Segment> {
  readonly name: string;
  /** The kind the pools got (what `auto` resolved to), once one was created. */
  kind: BackendKind | undefined;
  readonly #backend: PoolBackendKind;

  constructor(backend: PoolBackendKind) {
    this.name = `Pool tryAcquire/release (${backend})`;
    this.#backend = backend;
  }

  create(capacityBytes: number): Instance<Segment> {
    const pool = createPool({ size: capacityBytes, backend: this.#backend });
    this.kind = pool.backend.kind;
    return poolInstance(pool);
  }
}
