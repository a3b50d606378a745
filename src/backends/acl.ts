// SPDX-License-Identifier: MIT
// The `acl` backend: one acldvppMalloc block on an Ascend device, through the native addon,
// which dlopens the CANN libraries at run time (native/acl_loader.cc says where it looks).
// Creating the backend loads the libraries and calls nothing; allocate() runs aclInit (once per
// process), aclrtSetDevice, aclrtGetMemInfo, acldvppMalloc and one aclrtMemset of the block.
// Every failed ACL call arrives as an AclError; a missing library or symbol as
// BackendUnavailableError. free, memset, write, read and copy (one aclrtMemcpy device to device)
// are native-backend.ts's, shared with host; this file keeps the allocation (with its aclrtMemset)
// and probeAcl().

import { DVPP_MAX_BLOCK_BYTES } from '../constants.js';
import { AclError, BackendUnavailableError } from '../errors.js';
import { invalidMessage } from '../validate.js';
import type { Backend } from './backend.js';
import { type NativeFailure, isNativeFailure, loadAddon } from './native.js';
import { createNativeBackend } from './native-backend.js';

/** Options of {@link createAclBackend}. */
export interface AclBackendConfig {
  /** Ascend device the block is allocated on. @defaultValue `0` */
  readonly deviceId?: number | undefined;
  /**
   * Folder holding `libascendcl.so` (or `libacl_rt.so`) and `libacl_dvpp.so`, looked in first;
   * then `$ASCEND_HOME_PATH/lib64`, `$ASCEND_TOOLKIT_HOME/lib64` and the loader's default search.
   */
  readonly libraryDir?: string | undefined;
}

// The message is the addon's own, which already names the range or the device: no `what` added.
function aclError(failure: NativeFailure): AclError {
  return new AclError(failure.op, failure.error, failure.message, failure.recentErrMsg);
}

/**
 * Creates the acl backend: loads the ACL libraries (no ACL call yet) and reports which files.
 * @throws {BackendUnavailableError} the addon did not load, or no usable ACL library was found;
 * `reason` keeps every place looked at and every dlerror() text.
 * @example
 * ```ts
 * const acl = createAclBackend({ deviceId: 0, libraryDir: '/usr/local/Ascend/ascend-toolkit/latest/lib64' });
 * const block = acl.allocate(256 * 2 ** 20); // one acldvppMalloc
 * acl.free(block);                           // one acldvppFree of the base
 * ```
 */
export function createAclBackend(config: AclBackendConfig = {}): Backend {
  const deviceId = config.deviceId ?? 0;
  const libraryDir = config.libraryDir;
  const load = loadAddon();
  if ('reason' in load) throw new BackendUnavailableError('acl', `the native addon did not load: ${load.reason}`);
  const addon = load.addon;
  const found = addon.aclProbe(libraryDir);
  if ('reason' in found) throw new BackendUnavailableError('acl', found.reason);
  return createNativeBackend(addon, {
    kind: 'acl',
    allocate(size) {
      // Refused before any ACL call: DVPP can address at most 16 GiB per process.
      if (typeof size === 'number' && size > DVPP_MAX_BLOCK_BYTES) {
        throw new RangeError(
          `${invalidMessage('size', `at most ${DVPP_MAX_BLOCK_BYTES} bytes (16 GiB, the DVPP address space of a process)`, size)}`,
        );
      }
      const result = addon.allocateAcl(size, deviceId, libraryDir);
      if ('reason' in result) throw new BackendUnavailableError('acl', result.reason);
      if (isNativeFailure(result)) throw aclError(result);
      // acldvppMalloc memory is not zeroed, and the vendor advises setting it before first use:
      // one aclrtMemset of the whole block keeps the contract. A block that fails it is freed.
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

/** Where the ACL libraries were found, or why none could be used. Loads them; calls nothing. */
export type AclProbe =
  | { readonly runtimePath: string; readonly dvppPath: string; readonly initializedBy: string }
  | { readonly reason: string };

/**
 * Looks for the ACL libraries as {@link createAclBackend} does, without allocating.
 * `initializedBy` is `'by dvpp-pool'`, `'by the application'`, or empty before the first block.
 */
export function probeAcl(libraryDir?: string): AclProbe {
  const load = loadAddon();
  if ('reason' in load) return { reason: `the native addon did not load: ${load.reason}` };
  return load.addon.aclProbe(libraryDir);
}
