// SPDX-License-Identifier: MIT
// Argument guards for the public API. One message shape everywhere (sharp's lib/is.mjs):
// "Expected <what> for <name> but received <value> of type <type>".

import { types } from 'node:util';

/**
 * The platform's own getter of `key` on `prototype`, captured once so that a getter a caller puts
 * on an object (or its class) never runs in its place.
 * @throws {Error} at load, on a platform without that accessor.
 */
export function builtinGetter(prototype: object, key: PropertyKey): (this: unknown) => unknown {
  const getter = Object.getOwnPropertyDescriptor(prototype, key)?.get;
  if (getter === undefined) throw new Error(`This platform has no built-in ${String(key)} accessor; dvpp-pool needs Node.js 20 or later`);
  return getter as (this: unknown) => unknown;
}

const TYPED_ARRAY_PROTOTYPE = Object.getPrototypeOf(Uint8Array.prototype) as object;
// The one built-in Symbol.toStringTag accessor (%TypedArray%.prototype's): it runs no user code.
const TYPED_ARRAY_TAG = builtinGetter(TYPED_ARRAY_PROTOTYPE, Symbol.toStringTag);

/**
 * True for a Proxy that was revoked (or wraps one). Array.isArray is the one probe of a Proxy that
 * runs none of its handler's code: it only throws when the Proxy was revoked, so the try/catch
 * below can catch nothing else.
 */
function isRevokedProxy(value: object): boolean {
  if (!types.isProxy(value)) return false;
  try {
    Array.isArray(value);
    return false;
  } catch {
    return true;
  }
}

/**
 * The tag of `Object.prototype.toString` for an object that is not a Proxy, or undefined when
 * reading it could run the value's code: a Proxy in its prototype chain, or a Symbol.toStringTag
 * accessor other than the built-in one of typed arrays. Walking the chain with getPrototypeOf and
 * getOwnPropertyDescriptor runs no user code once each object on it is known not to be a Proxy.
 */
function plainTag(value: object): string | undefined {
  for (let object: object | null = value; object !== null; object = Object.getPrototypeOf(object)) {
    if (types.isProxy(object)) return undefined;
    const tag = Object.getOwnPropertyDescriptor(object, Symbol.toStringTag);
    if (tag !== undefined && !('value' in tag) && tag.get !== TYPED_ARRAY_TAG) return undefined;
  }
  return Object.prototype.toString.call(value);
}

/**
 * Renders a received value for an error message. Total: it never throws and never runs the
 * value's code (no getters, Proxy traps, valueOf or toString), whatever the input.
 */
export function describe(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'bigint':
      return `${value}n`;
    case 'symbol':
      // String() of a symbol is its descriptive string; it reads nothing (value.toString() would
      // look the method up on Symbol.prototype).
      return String(value);
    case 'function': {
      if (types.isProxy(value)) return isRevokedProxy(value) ? 'a revoked Proxy of a function' : 'a Proxy of a function';
      const name = Object.getOwnPropertyDescriptor(value, 'name')?.value as unknown;
      return `function ${typeof name === 'string' && name !== '' ? name : '(anonymous)'}`;
    }
    case 'object': {
      if (value === null) return 'null';
      if (types.isProxy(value)) return isRevokedProxy(value) ? 'a revoked Proxy' : 'a Proxy';
      if (Array.isArray(value)) return `array of length ${value.length}`;
      const tag = plainTag(value);
      return tag === undefined ? 'an object whose description would run its code' : `object ${tag}`;
    }
    default:
      return String(value);
  }
}

/** The message of every argument error: names the argument, what it needs and what it got. */
export function invalidMessage(name: string, expected: string, actual: unknown): string {
  const type = actual === null ? 'null' : typeof actual;
  return `Expected ${expected} for ${name} but received ${describe(actual)} of type ${type}`;
}

/** A `TypeError` when `value` is not a number, a `RangeError` when it is but breaks the rule. */
export function numberError(name: string, expected: string, value: unknown): TypeError | RangeError {
  const message = invalidMessage(name, expected, value);
  return typeof value === 'number' ? new RangeError(message) : new TypeError(message);
}

/** Throws unless `value` is an integer in `[min, Number.MAX_SAFE_INTEGER]`; returns it typed. */
export function requireSafeInteger(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    const what = min === 0 ? 'non-negative safe integer' : min === 1 ? 'positive safe integer' : `safe integer >= ${min}`;
    throw numberError(name, what, value);
  }
  return value;
}

/** Throws a `TypeError` unless `value` is a string. */
export function requireString(name: string, value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(invalidMessage(name, 'string', value));
  return value;
}

/**
 * Throws a `TypeError` unless `value` is a plain object (or undefined, when optional). A revoked
 * Proxy is refused here too: it has no options to read, and Array.isArray would throw V8's error.
 */
export function requireOptions(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || isRevokedProxy(value) || Array.isArray(value)) {
    throw new TypeError(invalidMessage(name, 'an options object', value));
  }
  return value as Record<string, unknown>;
}

/** Throws a `TypeError` naming the first key of `options` that is not in `known`. */
export function rejectUnknownKeys(name: string, options: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new TypeError(`Unknown option ${name}.${key}; known options are: ${known.join(', ')}`);
    }
  }
}

// A view's buffer, offset and length, read through the built-in getters (captured at load), so
// a getter the caller defined on the view or its class never runs. None of them throws for a
// TypedArray; a DataView's offset and length getters throw once its bytes are out of bounds.
interface ViewFields {
  readonly buffer: (this: unknown) => unknown;
  readonly offset: (this: unknown) => unknown;
  readonly length: (this: unknown) => unknown;
}

function viewFields(proto: object): ViewFields {
  return { buffer: builtinGetter(proto, 'buffer'), offset: builtinGetter(proto, 'byteOffset'), length: builtinGetter(proto, 'byteLength') };
}

const TYPED_ARRAY_FIELDS = viewFields(TYPED_ARRAY_PROTOTYPE);
const DATA_VIEW_FIELDS = viewFields(DataView.prototype);
// %TypedArray%.prototype.at validates its receiver first: a TypeError when the view is detached
// or out of bounds (past the end of a resizable buffer that shrank), where the getters report 0.
const typedArrayAt = Uint8Array.prototype.at;

/** True for an ArrayBuffer whose contents were transferred away; a SharedArrayBuffer never is. */
function isDetached(buffer: ArrayBufferLike): boolean {
  if (types.isSharedArrayBuffer(buffer)) return false;
  try {
    // An empty view at offset 0 fits every buffer, so constructing one fails only when detached.
    new Uint8Array(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/**
 * A `Uint8Array` over the bytes of `view`, a TypedArray or DataView, refused with the messages of
 * the host backend's RequireView (native/arguments.cc): a `TypeError` naming `name` when it is not
 * a view or its buffer is detached, a `RangeError` when its bytes lie past the end of a resizable
 * buffer that shrank. Runs none of the caller's code (no getter of the view or its class).
 */
export function requireViewBytes(name: string, view: unknown): Uint8Array {
  if (!ArrayBuffer.isView(view)) throw new TypeError(invalidMessage(name, 'an ArrayBufferView', view));
  const dataView = types.isDataView(view);
  const fields = dataView ? DATA_VIEW_FIELDS : TYPED_ARRAY_FIELDS;
  const buffer = fields.buffer.call(view) as ArrayBufferLike;
  let offset: number;
  let length: number;
  try {
    // Built-ins only, so what throws here is the platform's own check of the view, never user
    // code: the view is detached, or out of bounds.
    if (!dataView) typedArrayAt.call(view as Uint8Array, 0);
    offset = fields.offset.call(view) as number;
    length = fields.length.call(view) as number;
  } catch {
    if (isDetached(buffer)) {
      throw new TypeError(invalidMessage(name, 'a TypedArray or DataView over a buffer that is not detached', view));
    }
    throw new RangeError(`The view given for ${name} reaches past the end of its buffer`);
  }
  return new Uint8Array(buffer, offset, length);
}
