// SPDX-License-Identifier: MIT
// The JS entry points of the host kind, of every block (sharing included) and of the thread
// table. Expected failures of the memory system come back as a { op, error, message } object
// (see ToJs); bad arguments, foreign objects and freed blocks throw TypeError/RangeError. The acl kind adds allocateAcl and aclProbe in its
// own native/acl_*.{h,cc} files, using ToJs from here and Block::New from block.h.
#ifndef DVPP_POOL_FUNCTIONS_H_
#define DVPP_POOL_FUNCTIONS_H_

#include <napi.h>

#include "memory.h"

namespace dvpp_pool {

// { op, error, message, recentErrMsg? }: how an expected failure of a memory system reaches JS.
Napi::Object ToJs(Napi::Env env, const Failure& failure);

// allocateHost(size) -> block | failure
Napi::Value AllocateHost(const Napi::CallbackInfo& info);
// free(block) -> boolean | failure; false when the block was already freed; a TypeError for a
// borrowed block (only its owner frees it).
Napi::Value Free(const Napi::CallbackInfo& info);
// memset(block, offset, length, value) -> undefined | failure; sets bytes to `value & 0xff`.
Napi::Value Memset(const Napi::CallbackInfo& info);
// write(block, offset, src) -> undefined | failure; copies all of the view `src` to `offset`.
Napi::Value Write(const Napi::CallbackInfo& info);
// read(block, offset, dst) -> undefined | failure; fills the view `dst` from `offset`.
Napi::Value Read(const Napi::CallbackInfo& info);
// copy(block, dstOffset, srcOffset, length) -> undefined | failure; copies `length` bytes from
// `srcOffset` to `dstOffset` of the block, inside the memory kind; the two ranges must not overlap.
Napi::Value Copy(const Napi::CallbackInfo& info);
// share(block) -> { id, base, size }: the block's entry in the process-wide table
// (shared_blocks.h), the same for every call; RangeError for a freed block. A borrowed block
// gives its owner's entry.
Napi::Value Share(const Napi::CallbackInfo& info);
// borrow(id, base, size) -> block | failure: a borrowed block of this environment on the memory
// of the share { id, base, size } (any environment's). RangeError when that block was freed by
// its owner, never shared, or is not the one of base and size; a failure when the calling
// thread cannot be readied for it (acl: aclrtSetDevice).
Napi::Value Borrow(const Napi::CallbackInfo& info);
// registerThread() -> number: this environment's id in the thread table (threads.h), the same
// for every call in it; never 0.
Napi::Value RegisterThread(const Napi::CallbackInfo& info);
// threadAlive(id) -> boolean: false once the environment of `id` ended; RangeError for an id
// registerThread never returned.
Napi::Value ThreadAlive(const Napi::CallbackInfo& info);

}  // namespace dvpp_pool

#endif  // DVPP_POOL_FUNCTIONS_H_
