// SPDX-License-Identifier: MIT
// Block lifecycle and JS identity; see block.h.

#include "block.h"

#include <utility>

#include "arguments.h"
#include "registry.h"

namespace dvpp_pool {

Block::Block(Registry* registry, std::unique_ptr<Memory> memory, size_t size)
    : registry_(registry), memory_(std::move(memory)), size_(size) {
  registry_->Add(this);
}

Block::~Block() {
  // The finalizer has no one to report a failed release to.
  if (memory_) memory_->Release();
  registry_->Remove(this);
}

Napi::Object Block::New(Napi::Env env, std::unique_ptr<Memory> memory, size_t size) {
  Registry* registry = Registry::Of(env);
  // Owned here until napi_wrap succeeds, so a throw on the way releases the memory.
  std::unique_ptr<Block> block(new Block(registry, std::move(memory), size));
  const Memory& held = *block->memory_;
  Napi::Object object = Napi::Object::New(env);
  object.DefineProperties({
      Napi::PropertyDescriptor::Value("base", Napi::BigInt::New(env, held.Base()), napi_enumerable),
      Napi::PropertyDescriptor::Value("size", Napi::Number::New(env, static_cast<double>(size)), napi_enumerable),
  });
  NAPI_THROW_IF_FAILED(env, napi_wrap(env, object, block.get(), Finalize, nullptr, nullptr), Napi::Object());
  block.release();
  object.TypeTag(registry->Tag());
  object.Freeze();
  return object;
}

Block* Block::Unwrap(Napi::Value value, const char* name) {
  Napi::Env env = value.Env();
  if (!value.IsObject() || !value.As<Napi::Object>().CheckTypeTag(Registry::Of(env)->Tag())) {
    throw Napi::TypeError::New(env, Expected("a block made by this addon", name, value));
  }
  void* block = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_unwrap(env, value, &block), nullptr);
  return static_cast<Block*>(block);
}

void Block::Finalize(napi_env /*env*/, void* data, void* /*hint*/) { delete static_cast<Block*>(data); }

Memory& Block::Live(Napi::Env env) {
  if (!memory_) throw Napi::RangeError::New(env, "The block was freed: it has no bytes left to access");
  return *memory_;
}

bool Block::Free(Outcome* released) {
  if (!memory_) return false;
  *released = memory_->Release();
  memory_.reset();
  registry_->Remove(this);
  return true;
}

void Block::ReleaseAtExit() {
  if (!memory_) return;
  memory_->Release();
  memory_.reset();
}

}  // namespace dvpp_pool
