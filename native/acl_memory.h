// SPDX-License-Identifier: MIT
// The `acl` memory kind: one acldvppMalloc block on one Ascend device. Allocation runs
// aclInit (once per process), aclrtSetDevice and aclrtGetMemInfo, then acldvppMalloc; release
// runs acldvppFree of the base (never of an inner address) and then aclrtResetDevice. memset goes
// through aclrtMemset, and copies through aclrtMemcpy (host to device, device to host, and device
// to device inside the block); there is no host pointer to device memory.
#ifndef DVPP_POOL_ACL_MEMORY_H_
#define DVPP_POOL_ACL_MEMORY_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "acl_loader.h"
#include "memory.h"

namespace dvpp_pool {

// Allocates `size` bytes (size > 0) of DVPP memory on `device_id`. On failure returns nullptr and
// fills `failure` with the ACL function that failed, its aclError and a message that, for
// acldvppMalloc, includes the free/total huge-page figures aclrtGetMemInfo reported. A base that
// is not a multiple of 128 (memory.h's contract) is freed and reported as acldvppMalloc failing
// with ACL_ERROR_BAD_ALLOC (200000), the address in the message.
std::unique_ptr<Memory> AllocateAclMemory(std::shared_ptr<AclLibrary> library, int32_t device_id, size_t size,
                                          Failure* failure);

}  // namespace dvpp_pool

#endif  // DVPP_POOL_ACL_MEMORY_H_
