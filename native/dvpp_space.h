// SPDX-License-Identifier: MIT
// The process-wide count of DVPP address space: the bytes of every live acldvppMalloc and
// hi_mpi_dvpp_malloc block of this addon, whichever pool, environment or worker thread holds it
// (aclrtMalloc memory is not DVPP memory and is not counted). The vendor lets media data
// processing address at most 16 GB per process; the limit itself comes from the caller
// (DVPP_MAX_BLOCK_BYTES in src/constants.ts, the one home of that figure), so a block that would
// take the count past it is refused before any vendor call. The count is one std::atomic of this
// DSO: every environment of the process shares it (the addon is never unloaded, -z nodelete), but
// a second copy of the package, a second .node file, has a count of its own.
#ifndef DVPP_POOL_DVPP_SPACE_H_
#define DVPP_POOL_DVPP_SPACE_H_

#include <cstdint>

namespace dvpp_pool {

// Tests only: $DVPP_POOL_TEST_DVPP_LIMIT (bytes) lowers the limit, never raises it, so a test
// can reach it without 16 GiB. Read at each counted allocation.
constexpr const char* kDvppLimitOverride = "DVPP_POOL_TEST_DVPP_LIMIT";

// Bytes of the process's DVPP address space held for one block. Moves, never copies. Holds
// nothing until Reserve succeeds, and gives its bytes back when destroyed unless Keep() ran.
class DvppReservation {
 public:
  DvppReservation() = default;
  DvppReservation(DvppReservation&& other) noexcept;
  DvppReservation& operator=(DvppReservation&&) = delete;
  DvppReservation(const DvppReservation&) = delete;
  ~DvppReservation();

  // The limit in force: `limit`, or the override when that is set and smaller.
  static uint64_t EffectiveLimit(uint64_t limit);
  // Counts `bytes` unless the count would pass `limit` (an EffectiveLimit). On refusal counts
  // nothing, returns false and sets `in_use` to the count it saw.
  bool Reserve(uint64_t bytes, uint64_t limit, uint64_t* in_use);
  // Gives the bytes back now (the block was freed).
  void Release();
  // Leaves the bytes counted for the rest of the process: the vendor's free failed, so the
  // address space may still be taken.
  void Keep() { bytes_ = 0; }

 private:
  uint64_t bytes_ = 0;
};

}  // namespace dvpp_pool

#endif  // DVPP_POOL_DVPP_SPACE_H_
