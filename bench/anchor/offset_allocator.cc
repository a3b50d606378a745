// SPDX-License-Identifier: MIT
// Implementation of offset_allocator.h. allocate: search the bins from round-up(size) with ctz on
// the leaf then the top bitmap, take the head range, file the split remainder by round-down.
// free: merge with free physical neighbours in O(1), file the result by round-down. Written from
// the design's description only (suballocators.md §1.1), not from OffsetAllocator's source.

#include "offset_allocator.h"

namespace anchor {

namespace {
constexpr uint32_t kMantissaBits = 3;
constexpr uint32_t kMantissaMask = (1u << kMantissaBits) - 1;
constexpr uint32_t kNone = NO_SPACE;
}  // namespace

uint32_t binOf(uint32_t size, bool roundUp) {
  if (size <= kMantissaMask) return size;
  const uint32_t lead = 31 - static_cast<uint32_t>(__builtin_clz(size));
  const uint32_t shift = lead - kMantissaBits;
  const uint32_t bin = ((shift + 1) << kMantissaBits) | ((size >> shift) & kMantissaMask);
  // Dropped low bits mean the size lies above the bin floor: the next bin is the first that fits.
  const bool inexact = (size & ((1u << shift) - 1)) != 0;
  return roundUp && inexact ? bin + 1 : bin;
}

uint64_t binFloor(uint32_t bin) {
  if (bin <= kMantissaMask) return bin;
  const uint32_t exponent = bin >> kMantissaBits;
  return static_cast<uint64_t>((bin & kMantissaMask) | (1u << kMantissaBits)) << (exponent - 1);
}

OffsetAllocator::OffsetAllocator(uint32_t size, uint32_t maxAllocs) : nodes_(maxAllocs) {
  for (uint32_t& head : binHead_) head = kNone;
  spare_.reserve(maxAllocs);
  // Pushed in reverse so that node 0 is handed out first.
  for (uint32_t i = maxAllocs; i > 0; i--) spare_.push_back(i - 1);
  if (size == 0 || spare_.empty()) return;
  const uint32_t index = spare_.back();
  spare_.pop_back();
  nodes_[index] = Node{0, size, kNone, kNone, kNone, kNone, false};
  fileFree(index);
}

void OffsetAllocator::fileFree(uint32_t index) {
  Node& node = nodes_[index];
  const uint32_t bin = binOf(node.size, false);
  node.binPrev = kNone;
  node.binNext = binHead_[bin];
  if (node.binNext != kNone) nodes_[node.binNext].binPrev = index;
  binHead_[bin] = index;
  leafBits_[bin >> kMantissaBits] |= static_cast<uint8_t>(1u << (bin & kMantissaMask));
  topBits_ |= 1u << (bin >> kMantissaBits);
}

void OffsetAllocator::unfileFree(uint32_t index) {
  const Node& node = nodes_[index];
  if (node.binPrev != kNone) {
    nodes_[node.binPrev].binNext = node.binNext;
  } else {
    const uint32_t bin = binOf(node.size, false);
    binHead_[bin] = node.binNext;
    if (node.binNext == kNone) {
      const uint32_t top = bin >> kMantissaBits;
      leafBits_[top] &= static_cast<uint8_t>(~(1u << (bin & kMantissaMask)));
      if (leafBits_[top] == 0) topBits_ &= ~(1u << top);
    }
  }
  if (node.binNext != kNone) nodes_[node.binNext].binPrev = node.binPrev;
}

Allocation OffsetAllocator::allocate(uint32_t size) {
  // A split may need a second node; refusing early keeps allocate from failing half-way.
  if (spare_.empty()) return {};
  const uint32_t minBin = binOf(size, true);
  const uint32_t minTop = minBin >> kMantissaBits;
  uint32_t bin = kNone;
  const uint32_t sameTop = leafBits_[minTop] & (~0u << (minBin & kMantissaMask));
  if (sameTop != 0) {
    bin = (minTop << kMantissaBits) | static_cast<uint32_t>(__builtin_ctz(sameTop));
  } else {
    const uint32_t higher = minTop == 31 ? 0 : topBits_ & (~0u << (minTop + 1));
    if (higher == 0) return {};
    const uint32_t top = static_cast<uint32_t>(__builtin_ctz(higher));
    bin = (top << kMantissaBits) | static_cast<uint32_t>(__builtin_ctz(leafBits_[top]));
  }

  const uint32_t index = binHead_[bin];
  unfileFree(index);
  Node& node = nodes_[index];
  node.used = true;
  const uint32_t remainder = node.size - size;
  node.size = size;
  if (remainder > 0) {
    const uint32_t rest = spare_.back();
    spare_.pop_back();
    nodes_[rest] = Node{node.offset + size, remainder, kNone, kNone, index, node.physNext, false};
    if (node.physNext != kNone) nodes_[node.physNext].physPrev = rest;
    node.physNext = rest;
    fileFree(rest);
  }
  return {node.offset, index};
}

void OffsetAllocator::free(Allocation allocation) {
  const uint32_t index = allocation.node;
  Node& node = nodes_[index];
  const uint32_t prev = node.physPrev;
  if (prev != kNone && !nodes_[prev].used) {
    unfileFree(prev);
    node.offset = nodes_[prev].offset;
    node.size += nodes_[prev].size;
    node.physPrev = nodes_[prev].physPrev;
    if (node.physPrev != kNone) nodes_[node.physPrev].physNext = index;
    spare_.push_back(prev);
  }
  const uint32_t next = node.physNext;
  if (next != kNone && !nodes_[next].used) {
    unfileFree(next);
    node.size += nodes_[next].size;
    node.physNext = nodes_[next].physNext;
    if (node.physNext != kNone) nodes_[node.physNext].physPrev = index;
    spare_.push_back(next);
  }
  node.used = false;
  fileFree(index);
}

}  // namespace anchor
