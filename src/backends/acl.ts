// SPDX-License-Identifier: MIT
// The Ascend backends, one per device allocator, through the native addon, which dlopens the
// CANN libraries at run time (native/acl_loader.cc says where it looks):
//   `acl`    acldvppMalloc / acldvppFree (DVPP V1, libacl_dvpp.so);
//   `himpi`  hi_mpi_dvpp_malloc / hi_mpi_dvpp_free (DVPP V2, libacl_dvpp_mpi.so);
//   `rt`     aclrtMalloc(ACL_MEM_MALLOC_HUGE_FIRST) / aclrtFree (runtime device memory).
// Creating a backend loads the runtime and its allocator's library and calls nothing; allocate()
// runs aclInit (once per process), aclrtSetDevice, aclrtGetMemInfo, the malloc and one aclrtMemset
// of the block. `acl` and `himpi` blocks count against the process's DVPP address space in the
// addon (DvppAddressSpaceError past it); `rt` blocks do not. Every failed ACL call arrives as an
// AclError; a missing library or symbol as BackendUnavailableError. free, memset, write, read and
// copy (one aclrtMemcpy device to device) are native-backend.ts's, shared with host; this file
// keeps the allocation (with its aclrtMemset) and probeAcl().

import { DVPP_MAX_BLOCK_BYTES } from '../constants.js';
import { AclError, BackendUnavailableError, DvppAddressSpaceError } from '../errors.js';
import type { Backend } from './backend.js';
import { type AclLibraryProbe, type AscendAllocator, type NativeFailure, isNativeFailure, loadAddon } from './native.js';
import { createNativeBackend } from './native-backend.js';

/** The malloc each Ascend backend calls: the `op` of the AclError it throws when that fails. */
export const ASCEND_MALLOC: Readonly<Record<AscendAllocator, string>> = Object.freeze({
  acl: 'acldvppMalloc',
  himpi: 'hi_mpi_dvpp_malloc',
  rt: 'aclrtMalloc',
});

/** Options of {@link createAscendBackend}. */
export interface AclBackendConfig {
  /** Ascend device the block is allocated on. @defaultValue `0` */
  readonly deviceId?: number | undefined;
  /**
   * Folder holding `libascendcl.so` (or `libacl_rt.so`) and the allocator's library
   * (`libacl_dvpp.so`, `libacl_dvpp_mpi.so`), looked in first; then `$ASCEND_HOME_PATH/lib64`,
   * `$ASCEND_TOOLKIT_HOME/lib64` and the loader's default search.
   */
  readonly libraryDir?: string | undefined;
}

// The message is the addon's own, which already names the range or the device: no `what` added.
function aclError(failure: NativeFailure): AclError {
  return new AclError(failure.op, failure.error, failure.message, failure.recentErrMsg);
}

/**
 * Creates the Ascend backend of `kind`: loads the ACL runtime and the allocator's library (no
 * ACL call yet).
 * @throws {BackendUnavailableError} the addon did not load, or no usable ACL library or
 * allocator was found; `reason` keeps every place looked at and every dlerror() text.
 * @example
 * ```ts
 * const himpi = createAscendBackend('himpi', { deviceId: 0 });
 * const block = himpi.allocate(256 * 2 ** 20); // one hi_mpi_dvpp_malloc
 * himpi.free(block);                           // one hi_mpi_dvpp_free of the base
 * ```
 */
export function createAscendBackend(kind: AscendAllocator, config: AclBackendConfig = {}): Backend {
  const deviceId = config.deviceId ?? 0;
  const libraryDir = config.libraryDir;
  const load = loadAddon();
  if ('reason' in load) throw new BackendUnavailableError(kind, `the native addon did not load: ${load.reason}`);
  const addon = load.addon;
  const found = addon.aclProbe(libraryDir, kind);
  if ('reason' in found) throw new BackendUnavailableError(kind, found.reason);
  const allocator = found.allocators[kind];
  if (allocator !== undefined && 'reason' in allocator) throw new BackendUnavailableError(kind, allocator.reason);
  return createNativeBackend(addon, {
    kind,
    allocate(size) {
      const result = addon.allocateAcl(size, deviceId, libraryDir, kind, DVPP_MAX_BLOCK_BYTES);
      if ('reason' in result) throw new BackendUnavailableError(kind, result.reason);
      if ('inUse' in result) throw new DvppAddressSpaceError(result.requested, result.inUse, result.limit);
      if (isNativeFailure(result)) throw aclError(result);
      // Device memory is not zeroed, and the vendor advises setting it before first use: one
      // aclrtMemset of the whole block keeps the contract. A block that fails it is freed.
      const zeroed = addon.memset(result, 0, result.size, 0);
      if (zeroed !== undefined) {
        addon.free(result);
        throw aclError(zeroed);
      }
      return result;
    },
    error: aclError,
  });
}

/** {@link createAscendBackend} of kind `acl` (acldvppMalloc). */
export function createAclBackend(config: AclBackendConfig = {}): Backend {
  return createAscendBackend('acl', config);
}

/** Where the ACL libraries were found, or why none could be used. Loads them; calls nothing. */
export type AclProbe = AclLibraryProbe | { readonly reason: string };

/**
 * Looks for the ACL runtime and the three allocators as {@link createAscendBackend} does, without
 * allocating: `allocators.acl`, `.himpi` and `.rt` each hold the file their functions came from,
 * or why they cannot be used. `initializedBy` is `'by dvpp-pool'`, `'by the application'`, or
 * empty before the first block.
 */
export function probeAcl(libraryDir?: string): AclProbe {
  const load = loadAddon();
  if ('reason' in load) return { reason: `the native addon did not load: ${load.reason}` };
  return load.addon.aclProbe(libraryDir);
}
