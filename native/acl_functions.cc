// SPDX-License-Identifier: MIT
// allocateAcl and aclProbe; see acl_functions.h.

#include "acl_functions.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "acl_loader.h"
#include "acl_memory.h"
#include "arguments.h"
#include "block.h"
#include "functions.h"

namespace dvpp_pool {
namespace {

std::string OptionalLibraryDir(Napi::Value value) {
  if (value.IsUndefined()) return "";
  if (!value.IsString()) throw Napi::TypeError::New(value.Env(), Expected("string or undefined", "libraryDir", value));
  return value.As<Napi::String>().Utf8Value();
}

Napi::Object Unavailable(Napi::Env env, const std::string& reason) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("reason", reason);
  return object;
}

}  // namespace

Napi::Value AllocateAcl(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t size = RequireSize(info[0], "size");
  const uint64_t device_id = RequireIndex(info[1], "deviceId");
  if (device_id > INT32_MAX) throw Napi::RangeError::New(env, Expected("device id in [0, 2^31 - 1]", "deviceId", info[1]));
  const std::string library_dir = OptionalLibraryDir(info[2]);

  std::string reason;
  std::shared_ptr<AclLibrary> library = AclLibrary::Load(library_dir, &reason);
  if (!library) return Unavailable(env, reason);
  Failure failure;
  std::unique_ptr<Memory> memory = AllocateAclMemory(std::move(library), static_cast<int32_t>(device_id), size, &failure);
  if (!memory) return ToJs(env, failure);
  return Block::New(env, std::move(memory), size);
}

Napi::Value AclProbe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string reason;
  std::shared_ptr<AclLibrary> library = AclLibrary::Load(OptionalLibraryDir(info[0]), &reason);
  if (!library) return Unavailable(env, reason);
  Napi::Object found = Napi::Object::New(env);
  found.Set("runtimePath", library->RuntimePath());
  found.Set("dvppPath", library->DvppPath());
  found.Set("initializedBy", library->InitializedBy());
  return found;
}

}  // namespace dvpp_pool
