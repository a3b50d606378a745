// SPDX-License-Identifier: MIT
// Per-environment state (Node-API instance data; no mutable C++ globals): the type tag that marks
// this environment's blocks and the set of blocks whose memory is still held. At environment exit
// (process exit, worker exit) a cleanup hook releases every block still in the set.
#ifndef DVPP_POOL_REGISTRY_H_
#define DVPP_POOL_REGISTRY_H_

#include <napi.h>

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

 private:
  Registry();
  static void Cleanup(void* registry);

  napi_type_tag tag_;
  std::unordered_set<Block*> live_;
};

}  // namespace dvpp_pool

#endif  // DVPP_POOL_REGISTRY_H_
