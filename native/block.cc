// SPDX-License-Identifier: MIT
// Block lifecycle and JS identity; see block.h.

#include "block.h"

#include <utility>

#include "arguments.h"
#include "registry.h"

namespace dvpp_pool {
namespace {

constexpr const char* kFreedByOwner = "The block was freed by its owner: a borrowed block has no bytes left to access";

}  // namespace

Block::Block(Registry* registry, std::unique_ptr<Memory> memory, size_t size, std::shared_ptr<SharedBlock> shared,
             std::unique_ptr<ThreadBinding> binding)
    : registry_(registry),
      memory_(std::move(memory)),
      size_(size),
      borrowed_(memory_ == nullptr),
      shared_(std::move(shared)),
      binding_(std::move(binding)) {
  // A borrowed block holds no memory, so the exit hook has nothing to release for it.
  if (!borrowed_) registry_->Add(this);
}

Block::~Block() {
  // The finalizer has no one to report a failed release to.
  if (memory_) {
    Revoke();
    memory_->Release();
  }
  registry_->Remove(this);
}

Napi::Object Block::New(Napi::Env env, std::unique_ptr<Memory> memory, size_t size) {
  const uint64_t base = memory->Base();
  // Owned here until napi_wrap succeeds, so a throw on the way releases the memory.
  return Wrap(env, std::unique_ptr<Block>(new Block(Registry::Of(env), std::move(memory), size, nullptr, nullptr)), base);
}

Napi::Object Block::Borrow(Napi::Env env, std::shared_ptr<SharedBlock> shared, std::unique_ptr<ThreadBinding> binding) {
  const uint64_t base = shared->Base();
  const size_t size = shared->Size();
  return Wrap(env,
              std::unique_ptr<Block>(new Block(Registry::Of(env), nullptr, size, std::move(shared), std::move(binding))),
              base);
}

Napi::Object Block::Wrap(Napi::Env env, std::unique_ptr<Block> block, uint64_t base) {
  Napi::Object object = Napi::Object::New(env);
  object.DefineProperties({
      Napi::PropertyDescriptor::Value("base", Napi::BigInt::New(env, base), napi_enumerable),
      Napi::PropertyDescriptor::Value("size", Napi::Number::New(env, static_cast<double>(block->size_)), napi_enumerable),
  });
  NAPI_THROW_IF_FAILED(env, napi_wrap(env, object, block.get(), Finalize, nullptr, nullptr), Napi::Object());
  block.release();
  object.TypeTag(Registry::Of(env)->Tag());
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

Access Block::Live(Napi::Env env) {
  if (borrowed_) {
    Access access = shared_->Enter();
    if (!access) throw Napi::RangeError::New(env, kFreedByOwner);
    return access;
  }
  if (!memory_) throw Napi::RangeError::New(env, "The block was freed: it has no bytes left to access");
  return Access(memory_.get());
}

const SharedBlock& Block::Share(Napi::Env env) {
  // Live() throws for a freed block; the access ends before the entry is handed out.
  Live(env);
  if (!shared_) shared_ = SharedBlock::Register(memory_.get(), size_);
  return *shared_;
}

void Block::Revoke() {
  if (shared_) shared_->Revoke();
}

bool Block::Free(Outcome* released) {
  if (!memory_) return false;
  Revoke();
  *released = memory_->Release();
  memory_.reset();
  registry_->Remove(this);
  return true;
}

void Block::ReleaseAtExit() {
  if (!memory_) return;
  Revoke();
  memory_->Release();
  memory_.reset();
}

}  // namespace dvpp_pool
