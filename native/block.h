// SPDX-License-Identifier: MIT
// Block: the only handle JS gets on native memory. A frozen JS object { base, size }, type-tagged
// with its environment's tag and wrapping one Block, which owns one Memory (any kind, see
// memory.h). Its memory is released exactly once: by an explicit
// Free, by the finalizer when JS drops the block, or by the registry's cleanup hook at exit.
// A borrowed block (Borrow) is a handle of this environment on another block's memory, shared
// through the process-wide table (shared_blocks.h): it owns nothing, is never freed through, and
// reaches the memory only while its owner has not freed it.
#ifndef DVPP_POOL_BLOCK_H_
#define DVPP_POOL_BLOCK_H_

#include <napi.h>

#include <cstddef>
#include <memory>

#include "memory.h"
#include "shared_blocks.h"

namespace dvpp_pool {

class Registry;

class Block {
 public:
  // Wraps `memory` (`size` usable bytes) in a new block object registered with this environment.
  static Napi::Object New(Napi::Env env, std::unique_ptr<Memory> memory, size_t size);
  // A borrowed block object on `shared`'s memory, holding `binding` (may be null) for its life.
  static Napi::Object Borrow(Napi::Env env, std::shared_ptr<SharedBlock> shared, std::unique_ptr<ThreadBinding> binding);
  // The Block behind `value`; a TypeError naming `name` for anything else (a plain object, a
  // Proxy, another addon's object, a primitive). Freed blocks are returned too.
  static Block* Unwrap(Napi::Value value, const char* name);

  ~Block();
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;

  size_t Size() const { return size_; }
  bool Borrowed() const { return borrowed_; }
  // The memory of a block that is not freed, held for one call; a RangeError otherwise (for a
  // borrowed block: once its owner freed it).
  Access Live(Napi::Env env);
  // This block's entry in the shared-block table, made on the owner's first call; a RangeError
  // once the block (or, for a borrowed one, its owner) was freed.
  const SharedBlock& Share(Napi::Env env);
  // Returns false when already freed. Otherwise releases the memory and reports the release's
  // outcome in `released`. Never called on a borrowed block.
  bool Free(Outcome* released);
  // Releases the memory without touching JS: for the cleanup hook at environment exit.
  void ReleaseAtExit();

 private:
  Block(Registry* registry, std::unique_ptr<Memory> memory, size_t size, std::shared_ptr<SharedBlock> shared,
        std::unique_ptr<ThreadBinding> binding);
  static Napi::Object Wrap(Napi::Env env, std::unique_ptr<Block> block, uint64_t base);
  static void Finalize(napi_env env, void* data, void* hint);
  // The owner's, before its memory goes: no borrowed access may still be running.
  void Revoke();

  Registry* const registry_;
  std::unique_ptr<Memory> memory_;  // null once freed; always null in a borrowed block
  const size_t size_;
  const bool borrowed_;
  // The owner's entry once shared; a borrowed block's way to the memory.
  std::shared_ptr<SharedBlock> shared_;
  const std::unique_ptr<ThreadBinding> binding_;  // a borrowed block's, where its kind needs one
};

}  // namespace dvpp_pool

#endif  // DVPP_POOL_BLOCK_H_
