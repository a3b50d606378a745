// SPDX-License-Identifier: MIT
// C++ TLSF-class offset allocator: OffsetAllocator's published design (256 bins as an 8-bit float
// of the size, a 32-bit top bitmap over 8-bit leaf bitmaps, O(1) allocate and free with
// neighbour coalescing, a preallocated node array with a free-node stack), written independently
// from that description as the bench's same-machine anchor. Sizes and offsets are in caller units
// (the bench uses 128-byte units); allocate() returns offset NO_SPACE when nothing fits.
#pragma once

#include <cstdint>
#include <vector>

namespace anchor {

constexpr uint32_t NO_SPACE = 0xffffffffu;

struct Allocation {
  uint32_t offset = NO_SPACE;
  uint32_t node = NO_SPACE;
};

class OffsetAllocator {
 public:
  OffsetAllocator(uint32_t size, uint32_t maxAllocs);
  Allocation allocate(uint32_t size);
  void free(Allocation allocation);

 private:
  struct Node {
    uint32_t offset;
    uint32_t size;
    uint32_t binPrev;
    uint32_t binNext;
    uint32_t physPrev;
    uint32_t physNext;
    bool used;
  };

  void fileFree(uint32_t index);
  void unfileFree(uint32_t index);

  uint32_t topBits_ = 0;
  uint8_t leafBits_[32] = {};
  uint32_t binHead_[256];
  std::vector<Node> nodes_;
  std::vector<uint32_t> spare_;  // free-node stack
};

// 8-bit float bin of a size: 3 mantissa bits below the leading one, the exponent above them.
// Sizes below 8 are their own bin. roundUp=true gives the smallest bin whose every range fits.
uint32_t binOf(uint32_t size, bool roundUp);
// Smallest size a bin holds.
uint64_t binFloor(uint32_t bin);

}  // namespace anchor
