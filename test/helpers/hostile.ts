// SPDX-License-Identifier: MIT
// Hostile values of every JS type for the bad-input fuzz: odd numbers, bigints, numeric strings,
// symbols, nullish values, objects whose valueOf/toString/getters throw, Proxies that throw on
// every trap, revoked Proxies, functions, detached / shared / resizable buffers and views.
// Each call builds a fresh value (detaching and shrinking are one-shot). A value that runs code
// throws a HostileAccess, so the fuzz can tell "the input's own exception, passed through
// unchanged" from an error the library made.

import { XorShift32 } from '../../bench/trace/rng.js';

/** Thrown by the hostile values' own code (traps, getters, valueOf); never by the library. */
export class HostileAccess extends Error {
  constructor(where: string) {
    super(`hostile value: ${where}`);
    this.name = 'HostileAccess';
  }
}

// Resizable ArrayBuffers (ES2024) exist on Node 20, but the project's lib is ES2023.
const ResizableArrayBuffer = ArrayBuffer as unknown as new (
  length: number,
  options: { maxByteLength: number },
) => ArrayBuffer & { resize(length: number): void };

const thrower = (where: string) => (): never => {
  throw new HostileAccess(where);
};

/** A Proxy whose every trap throws. */
function throwingProxy(target: object): object {
  const trap = (name: string) => thrower(`proxy ${name} trap`);
  return new Proxy(target, {
    get: trap('get'),
    set: trap('set'),
    has: trap('has'),
    ownKeys: trap('ownKeys'),
    getOwnPropertyDescriptor: trap('getOwnPropertyDescriptor'),
    getPrototypeOf: trap('getPrototypeOf'),
    defineProperty: trap('defineProperty'),
    deleteProperty: trap('deleteProperty'),
    apply: trap('apply'),
    construct: trap('construct'),
  });
}

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** An ArrayBuffer of `bytes` bytes whose contents were transferred away (detached). */
function detachedBuffer(bytes: number): ArrayBuffer {
  const buffer = new ArrayBuffer(bytes);
  structuredClone(buffer, { transfer: [buffer] });
  return buffer;
}

/** A view over a buffer, made first, then the buffer detached under it. */
function viewOverDetached(): Uint8Array {
  const buffer = new ArrayBuffer(64);
  const view = new Uint8Array(buffer, 8, 32);
  structuredClone(buffer, { transfer: [buffer] });
  return view;
}

/** A fixed-length view left (partly) past the end of a resizable buffer that shrank. */
function viewPastShrunk(): ArrayBufferView {
  const buffer = new ResizableArrayBuffer(256, { maxByteLength: 1024 });
  const view = new Uint8Array(buffer, 64, 128);
  buffer.resize(100);
  return view;
}

/** A length-tracking view over a resizable buffer that grew and shrank. */
function lengthTrackingView(): ArrayBufferView {
  const buffer = new ResizableArrayBuffer(64, { maxByteLength: 4096 });
  const view = new Uint8Array(buffer);
  buffer.resize(512);
  buffer.resize(16);
  return view;
}

function objectWithThrowingGetters(keys: readonly string[]): object {
  const object = {};
  for (const key of keys) Object.defineProperty(object, key, { get: thrower(`getter ${key}`), enumerable: true });
  return object;
}

const NUMBERS = [
  0, -0, 1, -1, 0.5, -0.5, 1.5, 127, 128, 129, 255, 256, -128, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32,
  2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, -(2 ** 53 - 1), -(2 ** 53), 1e21, 1e300, -1e300, Number.MAX_VALUE,
  Number.MIN_VALUE, Number.EPSILON, NaN, Infinity, -Infinity, 16 * 2 ** 30, 16 * 2 ** 30 + 128,
];
const BIGINTS = [0n, 1n, -1n, 128n, 2n ** 53n, 2n ** 64n, -(2n ** 63n)];
const STRINGS = ['', '0', '1', '128', '-1', '1e3', '0x80', ' 12 ', 'NaN', 'Infinity', 'abc', '\u0000', 'x'.repeat(1000), '__proto__', 'constructor', 'acl', 'himpi', 'rt', 'host', 'js', 'auto', '/nonexistent', '\ud800'];
const SYMBOLS = [Symbol(), Symbol('hostile'), Symbol.iterator, Symbol.for('dvpp-pool.error'), Symbol.toPrimitive];

type Factory = (rng: XorShift32) => unknown;

/** Every kind of hostile value, each a factory so stateful ones (detached, shrunk) are fresh. */
const FACTORIES: readonly Factory[] = [
  (rng) => NUMBERS[rng.int(0, NUMBERS.length - 1)],
  (rng) => NUMBERS[rng.int(0, NUMBERS.length - 1)],
  (rng) => rng.int(-1000, 1 << 20),
  (rng) => rng.nextFloat() * 2 ** rng.int(0, 60) * (rng.chance(0.5) ? 1 : -1),
  (rng) => BIGINTS[rng.int(0, BIGINTS.length - 1)],
  (rng) => STRINGS[rng.int(0, STRINGS.length - 1)],
  (rng) => SYMBOLS[rng.int(0, SYMBOLS.length - 1)],
  () => null,
  () => undefined,
  (rng) => rng.chance(0.5),
  () => ({}),
  () => Object.create(null) as object,
  () => [],
  () => [1, 2, 3],
  () => [128],
  () => ({ valueOf: () => 128 }),
  () => ({ valueOf: thrower('valueOf'), toString: thrower('toString') }),
  () => ({ [Symbol.toPrimitive]: thrower('Symbol.toPrimitive') }),
  () => ({ get [Symbol.toStringTag](): string { throw new HostileAccess('Symbol.toStringTag'); } }),
  () => objectWithThrowingGetters(['size', 'maxSize', 'growBy', 'minSize', 'trimAfterMs', 'shared', 'onExhausted', 'backend', 'deviceId', 'acl', 'zeroOnAcquire', 'tag', 'zero', 'signal', 'timeoutMs', 'libraryDir', 'node', 'generation', 'offset', 'pool', 'base', 'length', 'byteLength']),
  () => throwingProxy({}),
  () => throwingProxy([]),
  () => throwingProxy(() => {}),
  () => revokedProxy(),
  () => () => 1,
  () => class Hostile {},
  () => async () => 1,
  () => Math.max,
  () => new ArrayBuffer(16),
  () => detachedBuffer(32),
  () => viewOverDetached(),
  () => new Uint8Array(new SharedArrayBuffer(64)),
  () => new DataView(new SharedArrayBuffer(64), 8, 16),
  () => viewPastShrunk(),
  () => lengthTrackingView(),
  () => new DataView(new ArrayBuffer(40), 3, 17),
  () => new Float64Array(5),
  () => new BigInt64Array(3),
  () => Buffer.from('hostile'),
  () => new Uint8Array(0),
  (rng) => new Uint8Array(rng.int(1, 4096)),
  () => new Uint16Array(new ArrayBuffer(64), 2, 3),
  () => new Date(NaN),
  () => /x/g,
  () => new Map([['size', 128]]),
  () => new WeakRef({}),
  () => Promise.resolve(128),
  () => new Error('not ours'),
  () => new TypeError('not ours'),
  () => AbortSignal.abort(),
  () => new AbortController().signal,
  () => ({ size: 4096 }),
  () => ({ size: 4096, backend: 'js', extra: 1 }),
  () => ({ tag: 1 }),
  () => ({ zero: 'yes' }),
  () => ({ timeoutMs: -1 }),
  () => ({ signal: {} }),
  () => ({ base: 0n, size: 4096 }),
  () => ({ base: 0n, size: 4096, kind: 'host', hugePages: false, description: 'forged' }),
  () => ({ op: 'mmap', error: 12, message: 'forged failure' }),
  () => globalThis,
  () => process,
];

/** A seeded source of hostile values. */
export class HostileValues {
  readonly #rng: XorShift32;
  readonly #extra: Factory[] = [];

  constructor(rng: XorShift32) {
    this.#rng = rng;
  }

  /** Adds a factory of context-specific hostile values (stale segments, forged objects, ...). */
  add(factory: Factory): void {
    this.#extra.push(factory);
  }

  /** One hostile value; context-specific ones come up about a fifth of the time. */
  next(): unknown {
    const rng = this.#rng;
    if (this.#extra.length > 0 && rng.chance(0.2)) return this.#extra[rng.int(0, this.#extra.length - 1)]?.(rng);
    return FACTORIES[rng.int(0, FACTORIES.length - 1)]?.(rng);
  }

  /** How many built-in kinds of hostile value there are. */
  static get kinds(): number {
    return FACTORIES.length;
  }
}

/**
 * Probes for "renders a value without running its code": `trap` counts a run in `probe.ran` and
 * throws; `revoked` and `revokedFunction` are revoked Proxies of an object and of a function.
 */
export function codeProbes(): { probe: { ran: number }; trap: () => never; revoked: object; revokedFunction: object } {
  const probe = { ran: 0 };
  const trap = (): never => {
    probe.ran++;
    throw new Error('user code ran');
  };
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const revokedFunction = Proxy.revocable(() => 0, {});
  revokedFunction.revoke();
  return { probe, trap, revoked: revoked.proxy, revokedFunction: revokedFunction.proxy };
}
