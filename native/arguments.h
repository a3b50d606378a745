// SPDX-License-Identifier: MIT
// Argument checks for every exported function (better-sqlite3's REQUIRE_* idea). Each Require*
// returns the checked value or throws a JS TypeError (wrong type) or RangeError (right type, bad
// value) whose message has validate.ts's shape: "Expected <what> for <name> but received ...".
#ifndef DVPP_POOL_ARGUMENTS_H_
#define DVPP_POOL_ARGUMENTS_H_

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace dvpp_pool {

// "Expected <what> for <name> but received <value> of type <typeof value>". Never runs JS code.
std::string Expected(const char* what, const char* name, Napi::Value value);

// A number that is an integer in [0, 2^53 - 1]: an offset or a length.
uint64_t RequireIndex(Napi::Value value, const char* name);

// A number that is an integer in [1, 2^53 - 1]: a block size.
uint64_t RequireSize(Napi::Value value, const char* name);

// A BigInt in [0, 2^64 - 1]: an address (a block's base), compared, never dereferenced.
uint64_t RequireAddress(Napi::Value value, const char* name);

// Any number; its low 8 bits as JS `value & 0xff` computes them (NaN and infinities give 0).
uint8_t RequireByte(Napi::Value value, const char* name);

// The bytes of a TypedArray or DataView whose buffer is not detached.
struct Bytes {
  uint8_t* data;
  size_t length;
};
Bytes RequireView(Napi::Value value, const char* name);

// RangeError unless [offset, offset + length) lies within [0, size). Cannot overflow.
void RequireRange(Napi::Env env, uint64_t offset, uint64_t length, uint64_t size);

// RangeError when [src, src + length) and [dst, dst + length) share a byte (empty ranges never
// do). Takes RequireIndex values, so nothing overflows.
void RequireDisjoint(Napi::Env env, uint64_t dst, uint64_t src, uint64_t length);

}  // namespace dvpp_pool

#endif  // DVPP_POOL_ARGUMENTS_H_
