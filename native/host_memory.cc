// SPDX-License-Identifier: MIT
// The `host` memory kind over mmap/munmap; see host_memory.h. Plain C++, no JS types.

#include "host_memory.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <utility>

namespace dvpp_pool {
namespace {

constexpr uintptr_t kAddrAlign = 128;  // DVPP_ADDR_ALIGN in src/constants.ts

class HostMemory final : public Memory {
 public:
  HostMemory(void* base, size_t mapped, bool huge_pages, std::string how)
      : base_(static_cast<uint8_t*>(base)), mapped_(mapped), huge_pages_(huge_pages), how_(std::move(how)) {}

  const char* Kind() const override { return "host"; }
  uint64_t Base() const override { return reinterpret_cast<uintptr_t>(base_); }
  bool HugePages() const override { return huge_pages_; }
  std::string Describe() const override { return how_; }
  void* HostPointer() const override { return base_; }

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
  // memmove, not memcpy: the JS view may lie over this very block (hostBuffer).
  Outcome Write(size_t offset, const void* src, size_t length) override {
    if (length != 0) std::memmove(base_ + offset, src, length);
    return std::nullopt;
  }
  Outcome Read(size_t offset, void* dst, size_t length) override {
    if (length != 0) std::memmove(dst, base_ + offset, length);
    return std::nullopt;
  }

 private:
  uint8_t* const base_;
  const size_t mapped_;  // munmap needs the mapped length, which may exceed the block's size
  const bool huge_pages_;
  const std::string how_;
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
  std::string hugetlb_note;
#ifdef MAP_HUGETLB
  // Explicit huge pages only pay off for blocks of at least one huge page; the tail is rounded up
  // because munmap of a hugetlb mapping needs a whole number of huge pages.
  const size_t huge = HugePageSize();
  if (huge != 0 && size >= huge && size <= SIZE_MAX - huge) {
    const size_t mapped = (size + huge - 1) / huge * huge;
    if (void* base = MapAnonymous(mapped, MAP_HUGETLB)) {
      return std::make_unique<HostMemory>(base, mapped, true,
                                          "mmap MAP_HUGETLB, " + std::to_string(huge / 1024) + " KiB huge pages");
    }
    hugetlb_note = std::string(" (MAP_HUGETLB: ") + std::strerror(errno) + ")";
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
  std::string how = "mmap, normal pages";
#ifdef MADV_HUGEPAGE
  how = madvise(base, size, MADV_HUGEPAGE) == 0
            ? "mmap, transparent huge pages advised"
            : how + " (madvise MADV_HUGEPAGE: " + std::strerror(errno) + ")";
#endif
  return std::make_unique<HostMemory>(base, size, false, how + hugetlb_note);
}

}  // namespace dvpp_pool
