// SPDX-License-Identifier: MIT
// The `host` memory kind: one anonymous mmap. Tries MAP_HUGETLB first (length rounded up to the
// huge page size), falls back to normal pages with madvise(MADV_HUGEPAGE).
// The base is page-aligned, so at least 128-aligned as the Memory contract asks.
#ifndef DVPP_POOL_HOST_MEMORY_H_
#define DVPP_POOL_HOST_MEMORY_H_

#include <cstddef>
#include <memory>

#include "memory.h"

namespace dvpp_pool {

// Maps at least `size` bytes (size > 0). On failure returns nullptr and fills `failure`.
std::unique_ptr<Memory> MapHostMemory(size_t size, Failure* failure);

}  // namespace dvpp_pool

#endif  // DVPP_POOL_HOST_MEMORY_H_
