// SPDX-License-Identifier: MIT
// The two JS entry points of the Ascend kinds (`acl`, `himpi`, `rt`), registered in addon.cc. A
// missing or unusable ACL library is an expected outcome, returned as { reason } (the loader's
// text, every dlerror kept); a DVPP block the process's address space cannot take is returned as
// { requested, inUse, limit } before any ACL call (dvpp_space.h); a failed ACL call is returned as
// the { op, error, message, recentErrMsg? } of ToJs; bad arguments throw TypeError/RangeError.
// dlopen runs here, never at module load.
#ifndef DVPP_POOL_ACL_FUNCTIONS_H_
#define DVPP_POOL_ACL_FUNCTIONS_H_

#include <napi.h>

namespace dvpp_pool {

// allocateAcl(size, deviceId, libraryDir, allocator, dvppLimit) -> block | failure | { reason } |
// { requested, inUse, limit }. `allocator` is 'acl' (acldvppMalloc), 'himpi' (hi_mpi_dvpp_malloc)
// or 'rt' (aclrtMalloc); `dvppLimit` is the DVPP address space of the process in bytes, which
// the two DVPP allocators count against (rt does not).
Napi::Value AllocateAcl(const Napi::CallbackInfo& info);
// aclProbe(libraryDir?, allocator?) -> { runtimePath, initializedBy, allocators } | { reason }:
// `allocators` maps the allocator named (every one when none is) to { path } or { reason }.
// Loads libraries, never calls ACL.
Napi::Value AclProbe(const Napi::CallbackInfo& info);

}  // namespace dvpp_pool

#endif  // DVPP_POOL_ACL_FUNCTIONS_H_
