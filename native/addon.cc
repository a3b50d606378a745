// SPDX-License-Identifier: MIT
// Module init: installs the per-environment registry and exports the functions: the blocks'
// eight (the Ascend kinds, acl, himpi and rt, register their two, allocateAcl and aclProbe, here
// too), sharing a block between threads (share, borrow) and the thread table (registerThread,
// threadAlive). None is on the pool's acquire/release path.

#include <napi.h>

#include "acl_functions.h"
#include "functions.h"
#include "registry.h"

namespace dvpp_pool {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  Registry::Install(env);
  exports.Set("allocateHost", Napi::Function::New(env, AllocateHost, "allocateHost"));
  exports.Set("free", Napi::Function::New(env, Free, "free"));
  exports.Set("memset", Napi::Function::New(env, Memset, "memset"));
  exports.Set("write", Napi::Function::New(env, Write, "write"));
  exports.Set("read", Napi::Function::New(env, Read, "read"));
  exports.Set("copy", Napi::Function::New(env, Copy, "copy"));
  exports.Set("allocateAcl", Napi::Function::New(env, AllocateAcl, "allocateAcl"));
  exports.Set("aclProbe", Napi::Function::New(env, AclProbe, "aclProbe"));
  exports.Set("share", Napi::Function::New(env, Share, "share"));
  exports.Set("borrow", Napi::Function::New(env, Borrow, "borrow"));
  exports.Set("registerThread", Napi::Function::New(env, RegisterThread, "registerThread"));
  exports.Set("threadAlive", Napi::Function::New(env, ThreadAlive, "threadAlive"));
  return exports;
}

}  // namespace dvpp_pool

// The macro pastes its argument into an identifier, so it needs an unqualified name.
using dvpp_pool::Init;
NODE_API_MODULE(dvpp_pool, Init)
