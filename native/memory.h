// SPDX-License-Identifier: MIT
// The seam between a block and the memory system under it. A Block owns one Memory and calls it
// only with ranges it has already checked against the block's size, and calls Release() once.
// No JS types here: a memory kind is plain C++ (mmap for `host`; acldvppMalloc for `acl`).
//
// Adding a kind, as acl_memory.{h,cc} and acl_functions.{h,cc} added `acl` beside `host`:
// implement Memory in native/<kind>_memory.{h,cc} (refusing a base that is not a multiple of
// 128), write a JS entry point that builds one and hands it to Block::New (block.h; see
// AllocateHost in functions.cc), and register that entry point in addon.cc. Block,
// free/memset/write/read/copy stay as they are.
#ifndef DVPP_POOL_MEMORY_H_
#define DVPP_POOL_MEMORY_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace dvpp_pool {

// An expected failure of the memory system: the call that failed, its own error number
// (errno for host, aclError for acl), readable text, and the library's own last-error text where
// it keeps one (aclGetRecentErrMsg). Crosses to JS as { op, error, message, recentErrMsg? }.
struct Failure {
  std::string op;
  int64_t error = 0;
  std::string message;
  std::string recent_err_msg = {};
};

using Outcome = std::optional<Failure>;

// What a thread other than the allocating one holds while it may reach the memory through a
// borrowed block (shared_blocks.h): acl, himpi and rt set the block's device in that thread, as
// aclrtMemset/aclrtMemcpy need the device's context bound to the calling thread. Destroyed on
// that thread, possibly after the memory was released, so it never refers to the Memory.
class ThreadBinding {
 public:
  virtual ~ThreadBinding() = default;
};

class Memory {
 public:
  virtual ~Memory() = default;
  // Address of the first byte (a device virtual address for acl); a multiple of 128, which each
  // kind guarantees at allocation (mmap gives whole pages; AllocateAclMemory checks it).
  virtual uint64_t Base() const = 0;
  // Gives the memory back. Called exactly once; no other call follows it.
  virtual Outcome Release() = 0;
  virtual Outcome Memset(size_t offset, size_t length, uint8_t value) = 0;
  // `src`/`dst` are host memory: a JS view's bytes.
  virtual Outcome Write(size_t offset, const void* src, size_t length) = 0;
  virtual Outcome Read(size_t offset, void* dst, size_t length) = 0;
  // Copies `length` bytes from `src_offset` to `dst_offset` inside this memory, without a trip
  // through host memory where the kind can (acl: device to device). The two ranges never overlap.
  virtual Outcome Copy(size_t dst_offset, size_t src_offset, size_t length) = 0;
  // Readies the calling thread for Memset/Write/Read/Copy of a borrowed block. nullptr with
  // `failure` untouched where the kind needs nothing (host); nullptr and `failure` set on failure.
  virtual std::unique_ptr<ThreadBinding> BindThread(Outcome* /*failure*/) { return nullptr; }
};

}  // namespace dvpp_pool

#endif  // DVPP_POOL_MEMORY_H_
