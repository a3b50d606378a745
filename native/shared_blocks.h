// SPDX-License-Identifier: MIT
// Blocks shared between the environments of the process (main thread, worker threads): the
// table id -> SharedBlock behind share() and borrow() (functions.h). Process-global by nature,
// like the thread table (threads.h) and unlike every other state of the addon: a share made in
// one environment is borrowed in another, and each has its own instance data. The owner's Block
// (block.h) registers its memory on share(); a borrowed Block of any environment reaches that
// memory only through an Access from Enter(), and the owner's free, finalizer or exit hook calls
// Revoke() before releasing it: Revoke refuses every later Enter and waits out the accesses in
// flight, so no borrowed access ever touches released memory.
#ifndef DVPP_POOL_SHARED_BLOCKS_H_
#define DVPP_POOL_SHARED_BLOCKS_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>

#include "memory.h"

namespace dvpp_pool {

class SharedBlock;

// One call's hold on a block's memory (Block::Live). For a borrowed block it is an access in
// flight, which the owner's Revoke waits for; empty (false) when the owner already revoked.
class Access {
 public:
  explicit Access(Memory* memory) : memory_(memory), shared_(nullptr) {}
  Access(Access&& other) noexcept;
  Access& operator=(Access&&) = delete;
  Access(const Access&) = delete;
  ~Access();

  explicit operator bool() const { return memory_ != nullptr; }
  Memory* operator->() const { return memory_; }

 private:
  friend class SharedBlock;
  Access(Memory* memory, SharedBlock* shared) : memory_(memory), shared_(shared) {}

  Memory* memory_;
  SharedBlock* shared_;  // set while this access counts as in flight
};

class SharedBlock {
 public:
  // Enters `memory` (owned by its Block; `size` usable bytes) in the table under a new id, never
  // reused in the process (ids count up from 1).
  static std::shared_ptr<SharedBlock> Register(Memory* memory, size_t size);
  // The block shared under `id`, or nullptr when none is: `*freed` then says whether `id` was
  // issued (and its owner has freed the block since) or never named a block.
  static std::shared_ptr<SharedBlock> Find(uint64_t id, bool* freed);

  SharedBlock(uint64_t id, Memory* memory, size_t size);
  SharedBlock(const SharedBlock&) = delete;
  SharedBlock& operator=(const SharedBlock&) = delete;

  uint64_t Id() const { return id_; }
  uint64_t Base() const { return base_; }
  size_t Size() const { return size_; }
  // The memory for one borrowed call, or an empty Access once revoked.
  Access Enter();
  // The owner's, before it releases the memory: takes the block out of the table, refuses every
  // later Enter, and returns once no Access of it is left. Runs at most once.
  void Revoke();

 private:
  friend class Access;
  void Leave();

  const uint64_t id_;
  const uint64_t base_;
  const size_t size_;
  std::mutex mutex_;
  std::condition_variable drained_;
  Memory* memory_;  // null once revoked
  uint64_t in_flight_ = 0;
};

}  // namespace dvpp_pool

#endif  // DVPP_POOL_SHARED_BLOCKS_H_
