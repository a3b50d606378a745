// SPDX-License-Identifier: MIT
// Argument checks; see arguments.h.

#include "arguments.h"

#include <cmath>
#include <string>

namespace dvpp_pool {
namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;  // Number.MAX_SAFE_INTEGER, 2^53 - 1

const char* TypeOf(napi_valuetype type) {
  switch (type) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "boolean";
    case napi_number: return "number";
    case napi_string: return "string";
    case napi_symbol: return "symbol";
    case napi_function: return "function";
    case napi_external: return "external";
    case napi_bigint: return "bigint";
    default: return "object";
  }
}

// Renders primitives the way JS prints them; objects are never converted, since a Proxy or a
// toString() could run user code or throw here.
std::string Render(Napi::Value value) {
  switch (value.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return value.As<Napi::Boolean>().Value() ? "true" : "false";
    case napi_number: return value.ToString().Utf8Value();
    case napi_bigint: return value.ToString().Utf8Value() + "n";
    case napi_string: {
      std::string text = value.As<Napi::String>().Utf8Value();
      return "\"" + (text.size() > 40 ? text.substr(0, 40) + "..." : text) + "\"";
    }
    case napi_symbol: return "a symbol";
    case napi_function: return "a function";
    default: return "an object";
  }
}

double RequireInteger(Napi::Value value, const char* name, double min, const char* what) {
  if (!value.IsNumber()) throw Napi::TypeError::New(value.Env(), Expected(what, name, value));
  const double number = value.As<Napi::Number>().DoubleValue();
  // Written so that NaN fails every comparison and lands in the error.
  if (!(number >= min && number <= kMaxSafeInteger && std::trunc(number) == number)) {
    throw Napi::RangeError::New(value.Env(), Expected(what, name, value));
  }
  return number;
}

}  // namespace

std::string Expected(const char* what, const char* name, Napi::Value value) {
  return std::string("Expected ") + what + " for " + name + " but received " + Render(value) + " of type " +
         TypeOf(value.Type());
}

uint64_t RequireIndex(Napi::Value value, const char* name) {
  return static_cast<uint64_t>(RequireInteger(value, name, 0, "non-negative safe integer"));
}

uint64_t RequireSize(Napi::Value value, const char* name) {
  return static_cast<uint64_t>(RequireInteger(value, name, 1, "positive safe integer"));
}

uint64_t RequireAddress(Napi::Value value, const char* name) {
  if (!value.IsBigInt()) throw Napi::TypeError::New(value.Env(), Expected("bigint", name, value));
  bool lossless = false;
  const uint64_t address = value.As<Napi::BigInt>().Uint64Value(&lossless);
  if (!lossless) throw Napi::RangeError::New(value.Env(), Expected("bigint in [0, 2^64 - 1]", name, value));
  return address;
}

uint8_t RequireByte(Napi::Value value, const char* name) {
  if (!value.IsNumber()) throw Napi::TypeError::New(value.Env(), Expected("number", name, value));
  return static_cast<uint8_t>(value.As<Napi::Number>().Int32Value());
}

Bytes RequireView(Napi::Value value, const char* name) {
  napi_env env = value.Env();
  void* data = nullptr;
  size_t length = 0;
  size_t offset = 0;
  napi_value buffer = nullptr;
  if (value.IsTypedArray()) {
    const Napi::TypedArray array = value.As<Napi::TypedArray>();
    length = array.ByteLength();
    NAPI_THROW_IF_FAILED(env, napi_get_typedarray_info(env, value, nullptr, nullptr, &data, &buffer, &offset), Bytes());
  } else if (value.IsDataView()) {
    NAPI_THROW_IF_FAILED(env, napi_get_dataview_info(env, value, &length, &data, &buffer, &offset), Bytes());
  } else {
    throw Napi::TypeError::New(env, Expected("a TypedArray or DataView", name, value));
  }
  // A SharedArrayBuffer is never detached and never shrinks; only an ArrayBuffer needs these checks.
  const Napi::Value backing(env, buffer);
  if (backing.IsArrayBuffer()) {
    Napi::ArrayBuffer array_buffer = backing.As<Napi::ArrayBuffer>();
    if (array_buffer.IsDetached()) {
      throw Napi::TypeError::New(env, Expected("a TypedArray or DataView over a buffer that is not detached", name, value));
    }
    // A view over a resizable buffer that shrank reports its old extent on some engines.
    const size_t available = array_buffer.ByteLength();
    if (offset > available || length > available - offset) {
      throw Napi::RangeError::New(env, std::string("The view given for ") + name + " reaches past the end of its buffer");
    }
  }
  return Bytes{static_cast<uint8_t*>(data), length};
}

void RequireRange(Napi::Env env, uint64_t offset, uint64_t length, uint64_t size) {
  if (offset > size || length > size - offset) {
    throw Napi::RangeError::New(env, "Range [" + std::to_string(offset) + ", " + std::to_string(offset + length) +
                                         ") is outside the block of " + std::to_string(size) + " bytes");
  }
}

void RequireDisjoint(Napi::Env env, uint64_t dst, uint64_t src, uint64_t length) {
  // Two ranges of one length overlap exactly when their starts are closer than that length.
  const uint64_t distance = dst > src ? dst - src : src - dst;
  if (length > distance) {
    // Offsets and lengths are at most 2^53 - 1 (RequireIndex), so these ends cannot wrap.
    throw Napi::RangeError::New(env, "Source [" + std::to_string(src) + ", " + std::to_string(src + length) +
                                         ") and destination [" + std::to_string(dst) + ", " +
                                         std::to_string(dst + length) + ") of the copy overlap");
  }
}

}  // namespace dvpp_pool
