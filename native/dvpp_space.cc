// SPDX-License-Identifier: MIT
// The process-wide DVPP address-space count; see dvpp_space.h.

#include "dvpp_space.h"

#include <atomic>
#include <cstdlib>
#include <utility>

namespace dvpp_pool {
namespace {

// Static storage, constant-initialised: alive before any block and after every one, at exit too.
std::atomic<uint64_t> dvpp_bytes_in_use{0};

}  // namespace

DvppReservation::DvppReservation(DvppReservation&& other) noexcept : bytes_(std::exchange(other.bytes_, 0)) {}

DvppReservation::~DvppReservation() { Release(); }

uint64_t DvppReservation::EffectiveLimit(uint64_t limit) {
  const char* text = std::getenv(kDvppLimitOverride);
  if (text == nullptr || *text == '\0') return limit;
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text, &end, 10);
  // A value that is not a plain number is ignored rather than read as 0 (which would refuse all).
  return *end == '\0' && value < limit ? value : limit;
}

bool DvppReservation::Reserve(uint64_t bytes, uint64_t limit, uint64_t* in_use) {
  uint64_t seen = dvpp_bytes_in_use.load(std::memory_order_relaxed);
  // Compare and swap: two threads near the limit cannot both pass it.
  do {
    if (bytes > limit || seen > limit - bytes) {
      *in_use = seen;
      return false;
    }
  } while (!dvpp_bytes_in_use.compare_exchange_weak(seen, seen + bytes, std::memory_order_relaxed));
  bytes_ += bytes;
  return true;
}

void DvppReservation::Release() {
  if (bytes_ != 0) dvpp_bytes_in_use.fetch_sub(std::exchange(bytes_, 0), std::memory_order_relaxed);
}

}  // namespace dvpp_pool
