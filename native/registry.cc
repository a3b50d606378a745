// SPDX-License-Identifier: MIT
// Per-environment state; see registry.h.

#include "registry.h"

#include <random>
#include <utility>

#include "block.h"
#include "threads.h"

namespace dvpp_pool {

Registry::Registry() {
  std::random_device random;
  std::uniform_int_distribution<uint64_t> word;
  tag_ = {word(random), word(random)};
}

void Registry::Install(Napi::Env env) {
  auto* registry = new Registry();
  env.SetInstanceData(registry);
  // Hooks run before Node-API finalizes wrapped objects and instance data, so every Block is
  // still alive here; finalizers that run later find their memory already released.
  NAPI_THROW_IF_FAILED_VOID(env, napi_add_env_cleanup_hook(env, Cleanup, registry));
}

uint32_t Registry::ThreadId() {
  if (thread_id_ == 0) thread_id_ = RegisterThreadId();
  return thread_id_;
}

void Registry::Cleanup(void* data) {
  auto* registry = static_cast<Registry*>(data);
  // First: no JS runs in this environment any more, whatever the releases below take.
  EndThread(registry->thread_id_);
  const std::unordered_set<Block*> live = std::move(registry->live_);
  registry->live_.clear();
  for (Block* block : live) block->ReleaseAtExit();
}

}  // namespace dvpp_pool
