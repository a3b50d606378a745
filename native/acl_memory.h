// SPDX-License-Identifier: MIT
// The Ascend memory kinds (`acl`, `himpi`, `rt`): one block of one device allocator
// (acldvppMalloc, hi_mpi_dvpp_malloc or aclrtMalloc; acl_loader.h) on one Ascend device.
// Allocation runs aclInit (once per process), aclrtSetDevice and aclrtGetMemInfo, then the
// allocator's malloc; release runs its free of the base (never of an inner address) and then
// aclrtResetDevice. memset goes through aclrtMemset, and copies through aclrtMemcpy (host to
// device, device to host, and device to device inside the block) for all three; there is no host
// pointer to device memory. A thread that borrows the block (shared_blocks.h) runs its own
// aclrtSetDevice of the block's device first, and aclrtResetDevice when its handle goes.
#ifndef DVPP_POOL_ACL_MEMORY_H_
#define DVPP_POOL_ACL_MEMORY_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "acl_loader.h"
#include "dvpp_space.h"
#include "memory.h"

namespace dvpp_pool {

// Allocates `size` bytes (size > 0) from `allocator` (one of `library`'s) on `device_id`. The
// block keeps `reservation` (empty for aclrtMalloc) and gives it back when its free succeeds.
// On failure returns nullptr, gives the reservation back and fills `failure` with the function
// that failed, its code (an aclError; hi_s32 for hi_mpi_dvpp_malloc) and a message that, for the
// malloc, includes the free/total huge-page figures aclrtGetMemInfo reported. A base that is not
// a multiple of 128 (memory.h's contract) is freed and reported as the malloc failing with
// ACL_ERROR_BAD_ALLOC (200000, dvpp-pool's own code for it), the address in the message.
std::unique_ptr<Memory> AllocateAclMemory(std::shared_ptr<AclLibrary> library, const DeviceAllocator& allocator,
                                          int32_t device_id, size_t size, DvppReservation reservation,
                                          Failure* failure);

}  // namespace dvpp_pool

#endif  // DVPP_POOL_ACL_MEMORY_H_
