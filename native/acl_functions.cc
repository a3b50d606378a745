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
#include "dvpp_space.h"
#include "functions.h"

namespace dvpp_pool {
namespace {

// The JS names of the allocators, in AllocatorKind order (the backend kinds of src/backends).
constexpr const char* kAllocatorNames[] = {"acl", "himpi", "rt"};

std::string OptionalLibraryDir(Napi::Value value) {
  if (value.IsUndefined()) return "";
  if (!value.IsString()) throw Napi::TypeError::New(value.Env(), Expected("string or undefined", "libraryDir", value));
  return value.As<Napi::String>().Utf8Value();
}

AllocatorKind RequireAllocator(Napi::Value value) {
  const char* what = "'acl', 'himpi' or 'rt'";
  if (!value.IsString()) throw Napi::TypeError::New(value.Env(), Expected(what, "allocator", value));
  const std::string name = value.As<Napi::String>().Utf8Value();
  for (int kind = 0; kind < 3; kind++) {
    if (name == kAllocatorNames[kind]) return static_cast<AllocatorKind>(kind);
  }
  throw Napi::RangeError::New(value.Env(), Expected(what, "allocator", value));
}

Napi::Object Unavailable(Napi::Env env, const std::string& reason) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("reason", reason);
  return object;
}

Napi::Object Refusal(Napi::Env env, uint64_t requested, uint64_t in_use, uint64_t limit) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("requested", Napi::Number::New(env, static_cast<double>(requested)));
  object.Set("inUse", Napi::Number::New(env, static_cast<double>(in_use)));
  object.Set("limit", Napi::Number::New(env, static_cast<double>(limit)));
  return object;
}

}  // namespace

Napi::Value AllocateAcl(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t size = RequireSize(info[0], "size");
  const uint64_t device_id = RequireIndex(info[1], "deviceId");
  if (device_id > INT32_MAX) throw Napi::RangeError::New(env, Expected("device id in [0, 2^31 - 1]", "deviceId", info[1]));
  const std::string library_dir = OptionalLibraryDir(info[2]);
  const AllocatorKind kind = RequireAllocator(info[3]);
  const uint64_t dvpp_limit = RequireSize(info[4], "dvppLimit");

  std::string reason;
  std::shared_ptr<AclLibrary> library = AclLibrary::Load(library_dir, &reason);
  if (!library) return Unavailable(env, reason);
  const DeviceAllocator* allocator = library->Allocator(kind, library_dir, &reason);
  if (allocator == nullptr) return Unavailable(env, reason);
  // Counted before any ACL call and held across the malloc, so two pools cannot pass it together.
  DvppReservation reservation;
  if (allocator->CountsDvppSpace()) {
    const uint64_t limit = DvppReservation::EffectiveLimit(dvpp_limit);
    uint64_t in_use = 0;
    if (!reservation.Reserve(size, limit, &in_use)) return Refusal(env, size, in_use, limit);
  }
  Failure failure;
  std::unique_ptr<Memory> memory =
      AllocateAclMemory(std::move(library), *allocator, static_cast<int32_t>(device_id), size, std::move(reservation),
                        &failure);
  if (!memory) return ToJs(env, failure);
  return Block::New(env, std::move(memory), size);
}

Napi::Value AclProbe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string library_dir = OptionalLibraryDir(info[0]);
  const bool one = !info[1].IsUndefined();
  const AllocatorKind only = one ? RequireAllocator(info[1]) : AllocatorKind::kDvppV1;
  std::string reason;
  std::shared_ptr<AclLibrary> library = AclLibrary::Load(library_dir, &reason);
  if (!library) return Unavailable(env, reason);
  Napi::Object allocators = Napi::Object::New(env);
  for (int kind = 0; kind < 3; kind++) {
    if (one && static_cast<AllocatorKind>(kind) != only) continue;
    std::string why;
    const DeviceAllocator* allocator = library->Allocator(static_cast<AllocatorKind>(kind), library_dir, &why);
    Napi::Object entry = Napi::Object::New(env);
    if (allocator != nullptr) {
      entry.Set("path", allocator->path);
    } else {
      entry.Set("reason", why);
    }
    allocators.Set(kAllocatorNames[kind], entry);
  }
  Napi::Object found = Napi::Object::New(env);
  found.Set("runtimePath", library->RuntimePath());
  found.Set("initializedBy", library->InitializedBy());
  found.Set("allocators", allocators);
  return found;
}

}  // namespace dvpp_pool
