// SPDX-License-Identifier: MIT
// Contender for scenario 4, the "before" picture: every request gets a fresh native block from the
// host backend (mmap through the addon) and every free gives it back (munmap), which is what a
// per-frame dvpp_malloc/dvpp_free looks like from Node. The capacity argument is ignored: the
// kernel is the allocator. Throws BackendUnavailableError where the addon cannot load.

import type { Backend, BackendBlock } from '../../src/backends/backend.js';
import { selectBackend } from '../../src/backends/select.js';
import { DVPP_ADDR_ALIGN } from '../../src/constants.js';
import type { Contender, Instance } from '../../src/trace/replay.js';
import { granulesFor } from './granules.js';

/** The host (native) backend; throws when it is not available on this machine. */
export function hostBackend(): Backend {
  return selectBackend('host', {}).backend;
}

/** Allocates and frees through `backend` per request, at the pool's segment footprint. */
export function perRequestInstance(backend: Backend): Instance<BackendBlock> {
  return {
    alloc: (len) => backend.allocate(granulesFor(len) * DVPP_ADDR_ALIGN),
    free: (block) => {
      backend.free(block);
    },
  };
}

export const nativePerRequestContender: Contender<BackendBlock> = {
  name: 'native block per request (host backend: mmap/munmap)',
  create: () => perRequestInstance(hostBackend()),
};
