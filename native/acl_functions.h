// SPDX-License-Identifier: MIT
// The two JS entry points of the acl kind, registered in addon.cc. A missing or unusable ACL
// library is an expected outcome, returned as { reason } (the loader's text, every dlerror kept);
// a failed ACL call is returned as the { op, error, message, recentErrMsg? } of ToJs; bad
// arguments throw TypeError/RangeError. dlopen runs here, never at module load.
#ifndef DVPP_POOL_ACL_FUNCTIONS_H_
#define DVPP_POOL_ACL_FUNCTIONS_H_

#include <napi.h>

namespace dvpp_pool {

// allocateAcl(size, deviceId, libraryDir?) -> block | failure | { reason }
Napi::Value AllocateAcl(const Napi::CallbackInfo& info);
// aclProbe(libraryDir?) -> { runtimePath, dvppPath, initializedBy } | { reason }; loads, never inits.
Napi::Value AclProbe(const Napi::CallbackInfo& info);

}  // namespace dvpp_pool

#endif  // DVPP_POOL_ACL_FUNCTIONS_H_
