// SPDX-License-Identifier: MIT
// Per-environment state (Node-API instance data; the only process-global state is the shared-block
// and thread tables, process-wide by nature): the type tag that marks this environment's blocks,
// the set of blocks whose memory is still held, and the environment's thread id once asked for.
// At environment exit (process exit, worker exit) a cleanup hook ends the thread id (threads.h)
// and releases every block still in the set.
#ifndef DVPP_POOL_REGISTRY_H_
#define DVPP_POOL_REGISTRY_H_

#include <napi.h>

#include <cstdint>
#include <unordered_set>

namespace dvpp_pool {

class Block;

class Registry {
 public:
  // Creates this environment's registry and its cleanup hook. Called once, from module init.
  static void Install(Napi::Env env);
  static Registry* Of(Napi::Env env) { return env.GetInstanceData<Registry>(); }

  // Random per environment, so a block made by another copy of the addon is foreign here.
  const napi_type_tag* Tag() const { return &tag_; }
  void Add(Block* block) { live_.insert(block); }
  void Remove(Block* block) { live_.erase(block); }
  // This environment's id in the thread table, issued on the first call.
  uint32_t ThreadId();

 private:
  Registry();
  static void Cleanup(void* registry);

  napi_type_tag tag_;
  std::unordered_set<Block*> live_;
  uint32_t thread_id_ = 0;  // 0: none issued yet
};

}  // namespace dvpp_pool

#endif  // DVPP_POOL_REGISTRY_H_
