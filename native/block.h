// SPDX-License-Identifier: MIT
// Block: the only handle JS gets on native memory. A frozen JS object { base, size }, type-tagged
// with its environment's tag and wrapping one Block, which owns one Memory (any kind, see
// memory.h). Its memory is released exactly once: by an explicit
// Free, by the finalizer when JS drops the block, or by the registry's cleanup hook at exit.
#ifndef DVPP_POOL_BLOCK_H_
#define DVPP_POOL_BLOCK_H_

#include <napi.h>

#include <cstddef>
#include <memory>

#include "memory.h"

namespace dvpp_pool {

class Registry;

class Block {
 public:
  // Wraps `memory` (`size` usable bytes) in a new block object registered with this environment.
  static Napi::Object New(Napi::Env env, std::unique_ptr<Memory> memory, size_t size);
  // The Block behind `value`; a TypeError naming `name` for anything else (a plain object, a
  // Proxy, another addon's object, a primitive). Freed blocks are returned too.
  static Block* Unwrap(Napi::Value value, const char* name);

  ~Block();
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;

  size_t Size() const { return size_; }
  // The memory of a block that is not freed; a RangeError otherwise.
  Memory& Live(Napi::Env env);
  // Returns false when already freed. Otherwise releases the memory and reports the release's
  // outcome in `released`.
  bool Free(Outcome* released);
  // Releases the memory without touching JS: for the cleanup hook at environment exit.
  void ReleaseAtExit();

 private:
  Block(Registry* registry, std::unique_ptr<Memory> memory, size_t size);
  static void Finalize(napi_env env, void* data, void* hint);

  Registry* const registry_;
  std::unique_ptr<Memory> memory_;  // null once freed
  const size_t size_;
};

}  // namespace dvpp_pool

#endif  // DVPP_POOL_BLOCK_H_
