// SPDX-License-Identifier: MIT
// The `host` memory kind over mmap/munmap; see host_memory.h. Plain C++, no JS types.

#include "host_memory.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>

namespace dvpp_pool {
namespace {

constexpr uintptr_t kAddrAlign = 128;  // DVPP_ADDR_ALIGN in src/constants.ts

class HostMemory final : public Memory {
 public:
  HostMemory(void* base, size_t mapped) : base_(static_cast<uint8_t*>(base)), mapped_(mapped) {}

  uint64_t Base() const override { return reinterpret_cast<uintptr_t>(base_); }

  Outcome Release() override {
    if (munmap(base_, mapped_) != 0) return Failure{"munmap", errno, std::strerror(errno)};
    return std::nullopt;
  }
  // Zero lengths return first, as the acl kind does: an empty view's data pointer may be null,
  // and passing null to memmove is undefined even for 0 bytes.
  Outcome Memset(size_t offset, size_t length, uint8_t value) override {
    if (length != 0) std::memset(base_ + offset, value, length);
    return std::nullopt;
  }
  // memmove, not memcpy: it costs nothing here and stays right should a view ever overlap the block.
  Outcome Write(size_t offset, const void* src, size_t length) override {
    if (length != 0) std::memmove(base_ + offset, src, length);
    return std::nullopt;
  }
  Outcome Read(size_t offset, void* dst, size_t length) override {
    if (length != 0) std::memmove(dst, base_ + offset, length);
    return std::nullopt;
  }
  // The ranges are disjoint (checked in functions.cc), so memcpy would do; memmove stays right
  // even if that check ever went.
  Outcome Copy(size_t dst_offset, size_t src_offset, size_t length) override {
    if (length != 0) std::memmove(base_ + dst_offset, base_ + src_offset, length);
    return std::nullopt;
  }

 private:
  uint8_t* const base_;
  const size_t mapped_;  // munmap needs the mapped length, which may exceed the block's size
};

// The default huge page size in bytes from /proc/meminfo, or 0 where there is none.
size_t HugePageSize() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  size_t kib = 0;
  while (meminfo >> key) {
    if (key == "Hugepagesize:" && meminfo >> kib) return kib * 1024;
    meminfo.ignore(SIZE_MAX, '\n');
  }
  return 0;
}

void* MapAnonymous(size_t length, int extra_flags) {
  void* base = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | extra_flags, -1, 0);
  return base == MAP_FAILED ? nullptr : base;
}

}  // namespace

std::unique_ptr<Memory> MapHostMemory(size_t size, Failure* failure) {
#ifdef MAP_HUGETLB
  // Explicit huge pages only pay off for blocks of at least one huge page; the tail is rounded up
  // because munmap of a hugetlb mapping needs a whole number of huge pages.
  const size_t huge = HugePageSize();
  if (huge != 0 && size >= huge && size <= SIZE_MAX - huge) {
    const size_t mapped = (size + huge - 1) / huge * huge;
    if (void* base = MapAnonymous(mapped, MAP_HUGETLB)) return std::make_unique<HostMemory>(base, mapped);
    // No free huge pages (the usual case): normal pages below.
  }
#endif
  void* base = MapAnonymous(size, 0);
  if (base == nullptr) {
    *failure = Failure{"mmap", errno, std::strerror(errno)};
    return nullptr;
  }
  if (reinterpret_cast<uintptr_t>(base) % kAddrAlign != 0) {  // mmap is page-aligned; never expected
    munmap(base, size);
    *failure = Failure{"mmap", EINVAL, "mmap returned a base that is not 128-byte aligned"};
    return nullptr;
  }
#ifdef MADV_HUGEPAGE
  // Advice only: a kernel without transparent huge pages refuses it, and normal pages serve.
  madvise(base, size, MADV_HUGEPAGE);
#endif
  return std::make_unique<HostMemory>(base, size);
}

}  // namespace dvpp_pool
