// SPDX-License-Identifier: MIT
// The exported functions; see functions.h. Each one checks every argument before touching memory,
// and memset/write/read/copy dispatch through the block's Memory, so they serve every kind. Their
// Access (Block::Live) lasts one expression, the memory call alone: no JS runs, and no error is
// made, while a borrowed block holds its owner's free back.

#include "functions.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>

#include "arguments.h"
#include "block.h"
#include "host_memory.h"
#include "registry.h"
#include "shared_blocks.h"
#include "threads.h"

namespace dvpp_pool {
namespace {

static_assert(std::numeric_limits<size_t>::max() >= (uint64_t{1} << 53), "sizes up to 2^53 must fit size_t");

Napi::Value Result(Napi::Env env, const Outcome& outcome) {
  return outcome ? Napi::Value(ToJs(env, *outcome)) : env.Undefined();
}

}  // namespace

Napi::Object ToJs(Napi::Env env, const Failure& failure) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("op", failure.op);
  object.Set("error", Napi::Number::New(env, static_cast<double>(failure.error)));
  object.Set("message", failure.message);
  if (!failure.recent_err_msg.empty()) object.Set("recentErrMsg", failure.recent_err_msg);
  return object;
}

Napi::Value AllocateHost(const Napi::CallbackInfo& info) {
  const size_t size = RequireSize(info[0], "size");
  Failure failure;
  std::unique_ptr<Memory> memory = MapHostMemory(size, &failure);
  if (!memory) return ToJs(info.Env(), failure);
  return Block::New(info.Env(), std::move(memory), size);
}

Napi::Value Free(const Napi::CallbackInfo& info) {
  Block* block = Block::Unwrap(info[0], "block");
  if (block->Borrowed()) {
    throw Napi::TypeError::New(info.Env(), "Only the owner of a shared block frees it: this block was borrowed");
  }
  Outcome released;
  if (!block->Free(&released)) return Napi::Boolean::New(info.Env(), false);
  return released ? Napi::Value(ToJs(info.Env(), *released)) : Napi::Boolean::New(info.Env(), true);
}

Napi::Value Memset(const Napi::CallbackInfo& info) {
  Block* block = Block::Unwrap(info[0], "block");
  const uint64_t offset = RequireIndex(info[1], "offset");
  const uint64_t length = RequireIndex(info[2], "length");
  const uint8_t value = RequireByte(info[3], "value");
  RequireRange(info.Env(), offset, length, block->Size());
  const Outcome outcome = block->Live(info.Env())->Memset(offset, length, value);
  return Result(info.Env(), outcome);
}

Napi::Value Write(const Napi::CallbackInfo& info) {
  Block* block = Block::Unwrap(info[0], "block");
  const uint64_t offset = RequireIndex(info[1], "offset");
  const Bytes src = RequireView(info[2], "src");
  RequireRange(info.Env(), offset, src.length, block->Size());
  const Outcome outcome = block->Live(info.Env())->Write(offset, src.data, src.length);
  return Result(info.Env(), outcome);
}

Napi::Value Read(const Napi::CallbackInfo& info) {
  Block* block = Block::Unwrap(info[0], "block");
  const uint64_t offset = RequireIndex(info[1], "offset");
  const Bytes dst = RequireView(info[2], "dst");
  RequireRange(info.Env(), offset, dst.length, block->Size());
  const Outcome outcome = block->Live(info.Env())->Read(offset, dst.data, dst.length);
  return Result(info.Env(), outcome);
}

Napi::Value Copy(const Napi::CallbackInfo& info) {
  Block* block = Block::Unwrap(info[0], "block");
  const uint64_t dst_offset = RequireIndex(info[1], "dstOffset");
  const uint64_t src_offset = RequireIndex(info[2], "srcOffset");
  const uint64_t length = RequireIndex(info[3], "length");
  RequireRange(info.Env(), dst_offset, length, block->Size());
  RequireRange(info.Env(), src_offset, length, block->Size());
  RequireDisjoint(info.Env(), dst_offset, src_offset, length);
  const Outcome outcome = block->Live(info.Env())->Copy(dst_offset, src_offset, length);
  return Result(info.Env(), outcome);
}

Napi::Value Share(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const SharedBlock& shared = Block::Unwrap(info[0], "block")->Share(env);
  Napi::Object share = Napi::Object::New(env);
  share.Set("id", Napi::Number::New(env, static_cast<double>(shared.Id())));
  share.Set("base", Napi::BigInt::New(env, shared.Base()));
  share.Set("size", Napi::Number::New(env, static_cast<double>(shared.Size())));
  return share;
}

Napi::Value Borrow(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const uint64_t id = RequireIndex(info[0], "id");
  const uint64_t base = RequireAddress(info[1], "base");
  const uint64_t size = RequireSize(info[2], "size");
  bool freed = false;
  std::shared_ptr<SharedBlock> shared = SharedBlock::Find(id, &freed);
  if (!shared) {
    throw Napi::RangeError::New(env, freed ? "The shared block " + std::to_string(id) + " was freed by its owner"
                                           : "No block was shared under id " + std::to_string(id));
  }
  // Another copy of the addon has a table of its own, where the same id names another block.
  if (shared->Base() != base || shared->Size() != size) {
    throw Napi::RangeError::New(env, "The shared block " + std::to_string(id) + " is not the block of that share (base " +
                                         "or size differ): the share comes from another copy of the addon");
  }
  Outcome failure;
  std::unique_ptr<ThreadBinding> binding;
  {
    const Access memory = shared->Enter();
    if (!memory) throw Napi::RangeError::New(env, "The shared block " + std::to_string(id) + " was freed by its owner");
    binding = memory->BindThread(&failure);
  }
  if (failure) return ToJs(env, *failure);
  return Block::Borrow(env, std::move(shared), std::move(binding));
}

Napi::Value RegisterThread(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), Registry::Of(info.Env())->ThreadId());
}

Napi::Value ThreadAlive(const Napi::CallbackInfo& info) {
  const uint64_t id = RequireIndex(info[0], "id");
  bool issued = false;
  const bool alive = id <= UINT32_MAX && ThreadAlive(static_cast<uint32_t>(id), &issued);
  if (!issued) throw Napi::RangeError::New(info.Env(), Expected("an id registerThread returned", "id", info[0]));
  return Napi::Boolean::New(info.Env(), alive);
}

}  // namespace dvpp_pool
