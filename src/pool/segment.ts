// SPDX-License-Identifier: MIT
// Segment: the handle `pool.acquire` returns. One is made per acquire, so it holds five fields
// (its block, its engine node, offset in the block, length, tag) and computes the rest on read
// (size, pool, address, blockIndex): a smaller object is most of what the public API costs over the engine
// (docs/benchmarks.md). It owns nothing: liveness is the core's answer to "is this object the one
// registered at its node?", which no stale, foreign or reset handle can pass, so no generation
// is kept. Every field is #private behind a getter: byte access and the pyACL skin trust
// `offset` and `length`, so no caller may rewrite them. The core reads the node, block and core
// through segmentNode(), segmentBlock() and segmentCore(). Byte access is bounds-checked here against `size` and goes
// through the core's backend.

import { segmentSizeOf } from '../constants.js';
import { numberError, requireViewBytes } from '../validate.js';
import type { PoolBlock } from './block.js';
import type { PoolCore } from './core.js';
import type { SharedSegment } from './shared-sync.js';
import type { Pool } from './pool.js';

/** The engine node of `value` when it is a Segment, else -1. Never throws, runs no user code. */
export let segmentNode: (value: unknown) => number;
/** The core a Segment was made with. Runs no user code. */
export let segmentCore: (segment: Segment) => PoolCore;
export let segmentBlock: (segment: Segment) => PoolBlock;
/**
 * What a Segment was made with, read from its #private fields: the pool's own code reads these,
 * never the public getters, which a caller can shadow with `Object.defineProperty(seg, ...)`.
 */
export let segmentOffset: (segment: Segment) => number;
export let segmentLength: (segment: Segment) => number;
export let segmentTag: (segment: Segment) => string | undefined;

/** The token only {@link newSegment} has: `seg.constructor` reaches the class, but cannot make one. */
const MINT: unique symbol = Symbol('dvpp-pool Segment');

/** Makes the Segment of a newly allocated range; only the pool core calls it. */
export function newSegment(block: PoolBlock, node: number, offset: number, length: number, tag: string | undefined): Segment {
  return new Segment(MINT, block, node, offset, length, tag);
}

/**
 * Checks `[at, at + length)` against the segment and returns the length; an omitted length runs
 * to the segment's end. `at` is checked before the default is computed from it, so no arithmetic
 * ever touches an unchecked value (a symbol, a bigint or an object with valueOf).
 */
function checkRange(segment: Segment, at: number, length: number | undefined): number {
  const size = segment.size;
  if (!Number.isSafeInteger(at) || at < 0 || at > size) throw numberError('at', `integer in [0, ${size}]`, at);
  if (length === undefined) return size - at;
  if (!Number.isSafeInteger(length) || length < 0) throw numberError('length', 'non-negative safe integer', length);
  if (at + length > size) {
    throw new RangeError(`Range [${at}, ${at + length}) is outside the segment's ${size} bytes`);
  }
  return length;
}

/**
 * A range of a pool's block, from `pool.acquire(len)`. `size` bytes are usable, starting at
 * `offset` (a multiple of 128) from the block's base. Release it once with `release()`, or let
 * `using` do it.
 *
 * @example
 * ```ts
 * using seg = pool.acquire(1920 * 1080 * 3 / 2, { tag: 'vdec ch0' });
 * seg.write(frame);
 * decoder.output(seg.address, seg.size);
 * ```
 */
export class Segment {
  readonly #block: PoolBlock;
  readonly #node: number;
  readonly #offset: number;
  readonly #length: number;
  readonly #tag: string | undefined;

  static {
    segmentNode = (value) => (typeof value === 'object' && value !== null && #node in value ? value.#node : -1);
    segmentCore = (segment) => segment.#block.core;
    segmentBlock = (segment) => segment.#block;
    segmentOffset = (segment) => segment.#offset;
    segmentLength = (segment) => segment.#length;
    segmentTag = (segment) => segment.#tag;
  }

  /**
   * @internal Only a pool's core creates segments.
   * @throws {TypeError} always, for any caller but the pool (the class is reachable as `seg.constructor`).
   */
  constructor(mint: typeof MINT, block: PoolBlock, node: number, offset: number, length: number, tag: string | undefined) {
    if (mint !== MINT) throw new TypeError('A Segment comes from pool.acquire, tryAcquire, acquireAsync or a scope; it cannot be constructed');
    this.#block = block;
    this.#node = node;
    this.#offset = offset;
    this.#length = length;
    this.#tag = tag;
  }

  // The getters are total: read through an object that merely inherits from a Segment (as
  // `Object.create(seg)` does), they answer undefined instead of throwing the brand check's error.

  /** Bytes from the block's base to the first byte; a multiple of 128. */
  get offset(): number {
    return #offset in this ? this.#offset : (undefined as never);
  }

  /** Bytes asked for (`len` of `acquire`). */
  get length(): number {
    return #length in this ? this.#length : (undefined as never);
  }

  /** The tag given to `acquire`, or undefined. */
  get tag(): string | undefined {
    return #tag in this ? this.#tag : undefined;
  }

  /** The pool this segment belongs to. */
  get pool(): Pool {
    return #block in this ? this.#block.core.pool : (undefined as never);
  }

  /** Usable bytes: `segmentSize(length)`, i.e. `alignUp(length, 32) + 32`. */
  get size(): number {
    return #length in this ? segmentSizeOf(this.#length) : (undefined as never);
  }

  /** The slot of the segment's block in its pool: 0 for the first block (a pool that never grew has only that one). */
  get blockIndex(): number {
    return #block in this ? this.#block.index : (undefined as never);
  }

  /** Absolute address of the first byte: its block's base + `BigInt(offset)` (`pool.baseAddress + BigInt(offset)` in the first block). */
  get address(): bigint {
    return #block in this ? this.#block.base + BigInt(this.#offset) : (undefined as never);
  }

  /** True once this segment was released, reset away, or its pool closed. */
  get released(): boolean {
    return #block in this ? this.#block.core.liveNode(this) < 0 : (undefined as never);
  }

  /**
   * Copies all bytes of `src` into the segment, starting `at` bytes in.
   * @throws {TypeError} `src` is not an ArrayBufferView.
   * @throws {RangeError} `at` is not a non-negative safe integer, or the bytes pass `size`.
   * @throws {InvalidSegmentError} the segment is no longer live.
   */
  write(src: ArrayBufferView, at = 0): void {
    const core = this.#block.core;
    core.requireLive(this, 'write to');
    // The bytes are read through the platform's own getters and handed on as checked, so a
    // byteLength getter of the caller's cannot make the check see fewer bytes than get copied.
    const bytes = requireViewBytes('src', src);
    checkRange(this, at, bytes.byteLength);
    core.write(this.#block, this.#offset + at, bytes);
  }

  /**
   * Copies `length` bytes starting `at` bytes in into a new `Uint8Array`. Like `fill`, it runs
   * to the segment's end unless `length` says otherwise (`read(0, seg.length)` for the bytes asked for).
   * @param at - bytes from the segment's start. @defaultValue `0`
   * @param length - bytes to copy. @defaultValue `size - at`
   * @throws {RangeError} `at` or `length` is not a non-negative safe integer, or the range passes `size`.
   * @throws {InvalidSegmentError} the segment is no longer live.
   */
  read(at = 0, length?: number): Uint8Array {
    const core = this.#block.core;
    core.requireLive(this, 'read from');
    const count = checkRange(this, at, length);
    const copy = new Uint8Array(count);
    core.read(this.#block, this.#offset + at, copy);
    return copy;
  }

  /**
   * Sets `length` bytes starting `at` bytes in to `value`.
   * @param value - a byte, an integer in `[0, 255]`.
   * @param at - bytes from the segment's start. @defaultValue `0`
   * @param length - bytes to set. @defaultValue `size - at`
   * @throws {RangeError} a value outside `[0, 255]`, a bad `at`/`length`, or a range past `size`.
   * @throws {InvalidSegmentError} the segment is no longer live.
   */
  fill(value: number, at = 0, length?: number): void {
    const core = this.#block.core;
    core.requireLive(this, 'fill');
    if (!Number.isInteger(value) || value < 0 || value > 255) throw numberError('value', 'integer in [0, 255]', value);
    const count = checkRange(this, at, length);
    core.memset(this.#block, this.#offset + at, count, value);
  }

  /**
   * Returns the segment's range to its pool; same as `pool.release(this)`.
   * @throws {InvalidSegmentError} released already, reset away, or its pool is closed.
   */
  release(): void {
    this.#block.core.release(this);
  }

  /**
   * A structured-cloneable value naming this segment, for `pool.adopt()` in another thread of a
   * shared pool (post it to a worker). The segment stays this thread's too: whichever thread
   * releases the range first releases it for all.
   * @throws {InvalidSegmentError} the segment is not live.
   * @throws {TypeError} its pool is not shared.
   */
  toShared(): SharedSegment {
    const core = this.#block.core;
    core.requireLive(this, 'share');
    const shared = core.shared;
    if (shared === undefined) throw new TypeError('Cannot share the segment: its pool was not created with shared: true');
    return shared.toShared(this);
  }

  /** Releases the segment if it is still live; does nothing otherwise (so `using` plus an explicit release is fine). */
  [Symbol.dispose](): void {
    const core = this.#block.core;
    if (core.liveNode(this) >= 0) core.release(this);
  }
}
