// SPDX-License-Identifier: MIT
// The options of createPool() and of acquire/acquireAsync: their types, defaults and checks.
// createPool's options are parsed once, strictly (an unknown key or a bad value throws a
// TypeError/RangeError naming `options.<key>`); acquire's are checked on every call, so that
// check allocates nothing and builds a message only when it fails.

import { type PoolBackendKind, parseBackendChoice } from '../backends/select.js';
import { DVPP_ADDR_ALIGN, DVPP_MAX_BLOCK_BYTES } from '../constants.js';
import {
  invalidMessage,
  numberError,
  rejectUnknownKeys,
  requireOptions,
  requireSafeInteger,
  requireString,
} from '../validate.js';
import { isAbortSignal } from './abort-signal.js';
import type { ExhaustedReport } from './exhausted.js';

/** Options of {@link createPool}. */
export interface PoolOptions {
  /**
   * Bytes of the first block, required. Rounded down to a multiple of 128; at least 128, at most
   * 16 GiB (`DVPP_MAX_BLOCK_BYTES`, the DVPP per-process limit).
   */
  size: number;
  /**
   * Most bytes all blocks may hold together: past `size`, the pool grows when an acquire fits no
   * block. Rounded down to a multiple of 128; in `[size, 2^53)`.
   * @defaultValue `size` (no growth)
   */
  maxSize?: number | undefined;
  /**
   * Bytes of each block growth adds (a larger request gets a block of its own footprint).
   * Rounded down to a multiple of 128; in `[128, 16 GiB]`.
   * @defaultValue `size`
   */
  growBy?: number | undefined;
  /**
   * When the first block of `size` cannot be had (out of memory), halve the request down to this
   * many bytes instead of failing. Rounded down to a multiple of 128; in `[128, size]`.
   * @defaultValue `size` (no halving: createPool fails)
   */
  minSize?: number | undefined;
  /**
   * Give a block other than the first back to the backend once it has been empty this many
   * milliseconds (an unref'd timer). An integer in `[0, 2147483647]`.
   * @defaultValue none (only `pool.trim()` gives blocks back)
   */
  trimAfterMs?: number | undefined;
  /**
   * Where the block comes from.
   * @defaultValue `'auto'`
   */
  backend?: PoolBackendKind | undefined;
  /**
   * Ascend device id, used by the Ascend backends (`acl`, `himpi`, `rt`, and `auto` when it tries `acl`).
   * @defaultValue `0`
   */
  deviceId?: number | undefined;
  /** Options of the Ascend backends (`acl`, `himpi`, `rt`). */
  acl?: AclBackendOptions | undefined;
  /**
   * Zero every segment's `size` bytes on every acquire (one backend memset per acquire).
   * @defaultValue `false`
   */
  zeroOnAcquire?: boolean | undefined;
  /**
   * Start a recording as the pool is created (`true`: with the defaults), as `pool.startRecording(record)` would.
   * @defaultValue `false`
   */
  record?: boolean | RecordingOptions | undefined;
  /**
   * Called, synchronously, each time an acquire finds no room: `acquire` (before it throws
   * `PoolExhaustedError`), `tryAcquire` (before it returns `undefined`), a scope's, pyACL's
   * `dvpp_malloc`, and an `acquireAsync` that times out (before it rejects). It gets the
   * operation, `len`, `pool.summary()`'s text and a snapshot of that moment. Not called again
   * while it runs; what it throws is reported as a process warning, never thrown at the acquire.
   * @defaultValue none
   */
  onExhausted?: ((report: ExhaustedReport) => void) | undefined;
  /**
   * Keep the pool's state in SharedArrayBuffers so that worker threads can use it too:
   * `pool.share()` gives a descriptor to post, `attachPool(descriptor)` a Pool on the same memory
   * in the thread that gets it. A shared pool does not grow (`maxSize` must be `size` or absent).
   * @defaultValue `false`
   */
  shared?: boolean | undefined;
}

/** Options of `pool.startRecording` and of createPool's `record`. */
export interface RecordingOptions {
  /**
   * Events kept: once the ring holds this many, each new event overwrites the oldest (counted in
   * `dropped`). An integer in `[1, 33554432]` (2^25); the ring takes 33 bytes per event kept, growing as it fills.
   * @defaultValue `1000000`
   */
  maxEvents?: number | undefined;
  /**
   * Keep up to 8 frames of the caller's JS stack with each acquire and wait.
   * @defaultValue `false`
   */
  stacks?: boolean | undefined;
}

/** Options of the Ascend backends (`acl`, `himpi`, `rt`). */
export interface AclBackendOptions {
  /** Folder holding `libascendcl.so` (and `libacl_dvpp.so` / `libacl_dvpp_mpi.so`); by default the loader's search path (`LD_LIBRARY_PATH`). */
  libraryDir?: string | undefined;
}

/** Options of `pool.acquire` and `pool.tryAcquire`. */
export interface AcquireOptions {
  /** A label kept for snapshots and leak reports, e.g. `'vdec ch0'`. */
  tag?: string | undefined;
  /**
   * Zero the segment's `size` bytes before returning it (one backend memset).
   * @defaultValue `false`, or the pool's `zeroOnAcquire`
   */
  zero?: boolean | undefined;
}

/** Options of `pool.acquireAsync`: those of `acquire`, plus how long to wait. */
export interface AcquireAsyncOptions extends AcquireOptions {
  /** Aborting it rejects the wait with `signal.reason`; an aborted signal rejects at once. */
  signal?: AbortSignal | undefined;
  /**
   * Milliseconds to wait before rejecting with `AcquireTimeoutError`; an integer in
   * `[0, 2147483647]` (setTimeout's range). A pending timeout keeps the event loop alive.
   * @defaultValue no timeout
   */
  timeoutMs?: number | undefined;
  /**
   * Which waiters are served first: the highest priority, then arrival order within one priority.
   * A waiter that does not fit yet holds back the waiters of its own and lower priorities only,
   * and a call of a higher priority than every waiter is served at once when it fits. Give later
   * pipeline stages higher priorities (docs/api.md, "Designing a pipeline"). A safe integer.
   * @defaultValue `0`
   */
  priority?: number | undefined;
}

/** createPool's options after parsing: every default filled in. */
export interface ParsedPoolOptions {
  /** Bytes of the first block. */
  readonly capacity: number;
  /** The least the first block may be, halving on out-of-memory; `capacity` for no halving. */
  readonly minCapacity: number;
  /** Undefined when not given: the pool does not grow past its first block (whatever size that got). */
  readonly maxSize: number | undefined;
  readonly growBy: number;
  readonly trimAfterMs: number | undefined;
  readonly backend: PoolBackendKind;
  readonly deviceId: number;
  readonly libraryDir: string | undefined;
  readonly zeroOnAcquire: boolean;
  /** The recording to start with the pool, if any. */
  readonly record: ParsedRecordingOptions | undefined;
  readonly onExhausted: ((report: ExhaustedReport) => void) | undefined;
  readonly shared: boolean;
}

/** Recording options after parsing. */
export interface ParsedRecordingOptions {
  readonly maxEvents: number;
  readonly stacks: boolean;
}

const POOL_KEYS = ['size', 'maxSize', 'growBy', 'minSize', 'trimAfterMs', 'backend', 'deviceId', 'acl', 'zeroOnAcquire', 'record', 'onExhausted', 'shared'] as const;
const ACL_KEYS = ['libraryDir'] as const;
const RECORDING_KEYS = ['maxEvents', 'stacks'] as const;
/** The default ring: about 33 MB once full. */
export const DEFAULT_MAX_EVENTS = 1_000_000;
/** The largest ring: about 1.1 GB of typed arrays. */
export const MAX_RECORDING_EVENTS = 2 ** 25;
/** setTimeout clamps larger delays to 1 ms (with a warning), so they are refused instead. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

const alignDown = (bytes: number): number => bytes - (bytes % DVPP_ADDR_ALIGN);

/** A byte count in `[min, max]` (before rounding down to a multiple of 128), rounded down; undefined when absent. */
function optionalBytes(name: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw numberError(name, `integer number of bytes in [${min}, ${max}]`, value);
  }
  return alignDown(value);
}

function optionalBoolean(name: string, value: unknown): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw new TypeError(invalidMessage(name, 'boolean', value));
  return value;
}

/**
 * Parses createPool's options.
 * @throws {TypeError} a missing `size`, an unknown key or a value of the wrong type.
 * @throws {RangeError} a value of the right type out of range.
 */
export function parsePoolOptions(input: unknown): ParsedPoolOptions {
  if (input === undefined) throw new TypeError(invalidMessage('options', 'an options object with a size', input));
  const options = requireOptions('options', input);
  rejectUnknownKeys('options', options, POOL_KEYS);

  const size = options['size'];
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < DVPP_ADDR_ALIGN || size > DVPP_MAX_BLOCK_BYTES) {
    throw numberError('options.size', `integer number of bytes in [${DVPP_ADDR_ALIGN}, ${DVPP_MAX_BLOCK_BYTES}]`, size);
  }

  const capacity = alignDown(size);
  const maxSize = optionalBytes('options.maxSize', options['maxSize'], capacity, Number.MAX_SAFE_INTEGER);
  const growBy = optionalBytes('options.growBy', options['growBy'], DVPP_ADDR_ALIGN, DVPP_MAX_BLOCK_BYTES) ?? capacity;
  const minCapacity = optionalBytes('options.minSize', options['minSize'], DVPP_ADDR_ALIGN, size) ?? capacity;
  const trimAfterMs = options['trimAfterMs'];
  if (trimAfterMs !== undefined && (typeof trimAfterMs !== 'number' || !Number.isSafeInteger(trimAfterMs) || trimAfterMs < 0 || trimAfterMs > MAX_TIMEOUT_MS)) {
    throw numberError('options.trimAfterMs', `integer number of milliseconds in [0, ${MAX_TIMEOUT_MS}]`, trimAfterMs);
  }

  const shared = optionalBoolean('options.shared', options['shared']) ?? false;
  if (shared && maxSize !== undefined && maxSize !== capacity) {
    // A shared pool's blocks would have to be allocated by whichever thread grows it, and every
    // other thread would have to map them: it stays one block (docs/architecture.md, "Shared pools").
    throw new RangeError(`options.maxSize ${String(options['maxSize'])} cannot go with shared: true: a shared pool does not grow; give it the size it needs`);
  }

  const backend = parseBackendChoice('options.backend', options['backend'] ?? 'auto');

  const deviceIdOption = options['deviceId'];
  const deviceId = deviceIdOption === undefined ? 0 : requireSafeInteger('options.deviceId', deviceIdOption, 0);

  const acl = requireOptions('options.acl', options['acl']);
  rejectUnknownKeys('options.acl', acl, ACL_KEYS);
  const libraryDirOption = acl['libraryDir'];
  const libraryDir = libraryDirOption === undefined ? undefined : requireString('options.acl.libraryDir', libraryDirOption);

  return {
    capacity,
    minCapacity,
    maxSize,
    growBy,
    trimAfterMs: trimAfterMs as number | undefined,
    backend,
    deviceId,
    libraryDir,
    zeroOnAcquire: optionalBoolean('options.zeroOnAcquire', options['zeroOnAcquire']) ?? false,
    record: parseRecordOption(options['record']),
    onExhausted: optionalFunction('options.onExhausted', options['onExhausted']),
    shared,
  };
}

function optionalFunction<F>(name: string, value: unknown): F | undefined {
  if (value !== undefined && typeof value !== 'function') throw new TypeError(invalidMessage(name, 'function', value));
  return value as F | undefined;
}

/** createPool's `record`: false or absent for none, true for the defaults, or recording options. */
function parseRecordOption(record: unknown): ParsedRecordingOptions | undefined {
  if (record === undefined || record === false) return undefined;
  return parseRecordingOptions('options.record', record === true ? undefined : record);
}

/**
 * Parses the options of a recording; `name` is how messages call them.
 * @throws {TypeError} not an object, an unknown key, or a value of the wrong type.
 * @throws {RangeError} `maxEvents` out of `[1, MAX_RECORDING_EVENTS]`.
 */
export function parseRecordingOptions(name: string, input: unknown): ParsedRecordingOptions {
  const options = requireOptions(name, input);
  rejectUnknownKeys(name, options, RECORDING_KEYS);
  const maxEventsOption = options['maxEvents'];
  if (
    maxEventsOption !== undefined &&
    (typeof maxEventsOption !== 'number' || !Number.isSafeInteger(maxEventsOption) || maxEventsOption < 1 || maxEventsOption > MAX_RECORDING_EVENTS)
  ) {
    throw numberError(`${name}.maxEvents`, `integer number of events in [1, ${MAX_RECORDING_EVENTS}]`, maxEventsOption);
  }
  return {
    maxEvents: maxEventsOption ?? DEFAULT_MAX_EVENTS,
    stacks: optionalBoolean(`${name}.stacks`, options['stacks']) ?? false,
  };
}

/**
 * Checks that acquire's `options` is an object holding only known keys. Reads no value: each
 * option is read exactly once by the caller, then checked by its own function below, so a getter
 * cannot show one value to the check and another to the pool.
 * `asyncKeys` also admits `signal`, `timeoutMs` and `priority`.
 * @throws {TypeError} a non-object or an unknown key.
 */
export function checkAcquireKeys(input: unknown, asyncKeys: boolean): asserts input is AcquireAsyncOptions {
  if (typeof input !== 'object' || input === null) {
    throw new TypeError(invalidMessage('options', 'an options object', input));
  }
  // for-in walks the few own keys without building an array, unlike Object.keys.
  for (const key in input) {
    if (key === 'tag' || key === 'zero') continue;
    if (asyncKeys && (key === 'signal' || key === 'timeoutMs' || key === 'priority')) continue;
    const known = asyncKeys ? 'tag, zero, signal, timeoutMs, priority' : 'tag, zero';
    throw new TypeError(`Unknown option options.${key}; known options are: ${known}`);
  }
}

/** The `tag` option as read once. @throws {TypeError} not a string. */
export function acquireTag(tag: unknown): string | undefined {
  if (tag !== undefined && typeof tag !== 'string') throw new TypeError(invalidMessage('options.tag', 'string', tag));
  return tag;
}

/** The `zero` option as read once: true only when it is `true`. @throws {TypeError} not a boolean. */
export function acquireZero(zero: unknown): boolean {
  return optionalBoolean('options.zero', zero) === true;
}

/** The `signal` option as read once. @throws {TypeError} not a real AbortSignal. */
export function waitSignal(signal: unknown): AbortSignal | undefined {
  if (signal !== undefined && !isAbortSignal(signal)) {
    throw new TypeError(invalidMessage('options.signal', 'an AbortSignal', signal));
  }
  return signal;
}

/**
 * The `timeoutMs` option as read once.
 * @throws {TypeError} not a number.
 * @throws {RangeError} not an integer in `[0, 2147483647]`.
 */
export function waitTimeout(timeoutMs: unknown): number | undefined {
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !Number.isSafeInteger(timeoutMs) || timeoutMs < 0 || timeoutMs > MAX_TIMEOUT_MS)) {
    throw numberError('options.timeoutMs', `integer number of milliseconds in [0, ${MAX_TIMEOUT_MS}]`, timeoutMs);
  }
  return timeoutMs;
}

/** The `priority` option as read once: 0 when absent. @throws {TypeError | RangeError} not a safe integer. */
export function waitPriority(priority: unknown): number {
  if (priority === undefined) return 0;
  if (typeof priority !== 'number' || !Number.isSafeInteger(priority)) throw numberError('options.priority', 'safe integer', priority);
  return priority;
}
