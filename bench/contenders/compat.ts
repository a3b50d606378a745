// SPDX-License-Identifier: MIT
// Contender: the pyACL drop-in over a pool, `[devPtr, ret] = acl.media.dvpp_malloc(size)` and
// `ret = acl.media.dvpp_free(devPtr)`. Handle = devPtr (a number, as in Python); any non-zero ret
// from dvpp_malloc is the contract's failure.

import { ACL_SUCCESS } from '../../src/constants.js';
import { createAclCompat } from '../../src/compat/pyacl.js';
import { type Pool, type PoolBackendKind, createPool } from '../../src/index.js';
import type { Contender, Instance } from '../../src/trace/replay.js';

/** Drives `pool` through the pyACL skin; closing the instance closes the pool. */
export function compatInstance(pool: Pool): Instance<number> {
  const { media } = createAclCompat(pool);
  return {
    alloc: (len) => {
      const [devPtr, ret] = media.dvpp_malloc(len);
      return ret === ACL_SUCCESS ? devPtr : undefined;
    },
    free: (devPtr) => {
      media.dvpp_free(devPtr);
    },
    close: () => {
      pool.close();
    },
  };
}

/** A compat contender over the given backend kind. */
export function compatContender(backend: PoolBackendKind): Contender<number> {
  return {
    name: `pyACL dvpp_malloc/dvpp_free (${backend})`,
    create: (capacityBytes) => compatInstance(createPool({ size: capacityBytes, backend })),
  };
}
