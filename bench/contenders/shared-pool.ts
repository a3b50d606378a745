// SPDX-License-Identifier: MIT
// Contender of scenario 8 (issue 15): the public pool created with `shared: true`, driven by the
// same poolInstance (src/cli/pool-contender.ts) as the plain pool's PoolContender, with no thread
// attached: what the lock, the shared figures and the range records cost one thread.

import { poolInstance } from '../../src/cli/pool-contender.js';
import { type PoolBackendKind, type Segment, createPool } from '../../src/index.js';
import type { Contender } from '../../src/trace/replay.js';

/** Fresh shared pools of `backend`, driven through tryAcquire/release. */
export function sharedPoolContender(backend: PoolBackendKind): Contender<Segment> {
  return {
    name: `Pool tryAcquire/release (${backend}), shared`,
    create: (capacityBytes) => poolInstance(createPool({ size: capacityBytes, shared: true, backend })),
  };
}
