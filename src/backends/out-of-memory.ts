// SPDX-License-Identifier: MIT
// Which backend errors mean "this much memory is not there now", so a smaller block may still be
// had: the growth code halves a new block's size on exactly these. Internal (not exported from
// the package).

import { constants } from 'node:os';
import { ACL_ERROR_RT_MEMORY_ALLOCATION, HI_ERR_SYS_NO_MEM } from '../constants.js';
import { AclError, DvppAddressSpaceError, HostMemoryError } from '../errors.js';
import { ASCEND_MALLOC } from './acl.js';

/** The allocation calls of the host and js backends, as their HostMemoryError names them. */
const HOST_ALLOCATIONS: readonly string[] = ['mmap', 'new ArrayBuffer'];

/**
 * @internal True exactly when `error` says a block allocation found too little memory:
 *  - an AclError of `acldvppMalloc` or `aclrtMalloc` with 207001 (ACL_ERROR_RT_MEMORY_ALLOCATION,
 *    "only used by out of memory"), or of `hi_mpi_dvpp_malloc` with HI_ERR_SYS_NO_MEM
 *    (0xA002800C as hi_s32), the V2 media API's out-of-memory code;
 *  - a DvppAddressSpaceError: the process's DVPP blocks would pass `DVPP_MAX_BLOCK_BYTES`;
 *  - a HostMemoryError with errno ENOMEM of `mmap` (host) or `new ArrayBuffer` (js).
 * False for everything else: another call or code (an aclInit or aclrtSetDevice failure, a
 * misaligned base's 200000, a failed free), argument errors, the js backend's used-up fake
 * address space (`allocate`), and values that are not errors.
 */
export function isOutOfMemory(error: unknown): boolean {
  if (error instanceof DvppAddressSpaceError) return true;
  if (error instanceof AclError) {
    if (error.op === ASCEND_MALLOC.himpi) return error.aclError === HI_ERR_SYS_NO_MEM;
    return (error.op === ASCEND_MALLOC.acl || error.op === ASCEND_MALLOC.rt) && error.aclError === ACL_ERROR_RT_MEMORY_ALLOCATION;
  }
  return error instanceof HostMemoryError && error.errno === constants.errno.ENOMEM && HOST_ALLOCATIONS.includes(error.op);
}
