// SPDX-License-Identifier: MIT
// The pyACL skin: `acl.media.dvpp_malloc/dvpp_free` and `acl.rt.memset` with Python's calling
// convention (out-values first, aclError last, pointers as plain numbers) over one pool, so code
// ported from Python keeps its shape. Every call returns an aclError instead of throwing; only an
// argument of the wrong JS type throws TypeError. snake_case lives in this file only.

import { ACL_ERROR_INVALID_PARAM, ACL_ERROR_RT_MEMORY_ALLOCATION, ACL_SUCCESS, segmentSize } from '../constants.js';
import { AclError } from '../errors.js';
import { Pool, coreOf } from '../pool/pool.js';
import type { Segment } from '../pool/segment.js';
import { invalidMessage } from '../validate.js';
import { SegmentLookup } from './segment-lookup.js';

/** `acl.media` of pyACL over a pool. */
export interface AclCompatMedia {
  /**
   * `dev_ptr, ret = acl.media.dvpp_malloc(size)`: a segment of `ALIGN_UP(size, 32) + 32` bytes
   * (size 0 gives 32), 128-byte aligned. Returns `[0, 207001]` when the pool has no room (also
   * for a size above its capacity), `[0, 100000]` for a size that is not a non-negative safe
   * integer or a closed pool.
   * @throws {TypeError} `size` is not a number.
   */
  dvpp_malloc(size: number): [devPtr: number, ret: number];
  /**
   * `ret = acl.media.dvpp_free(dev_ptr)`: releases the live segment that starts at `devPtr` (one
   * from `dvpp_malloc` or from `pool.acquire`). O(1) while the pool is used through the skin
   * alone; the first call after the pool changed outside it (`pool.acquire`, `release`, `reset`)
   * rebuilds the skin's index in O(live segments). Returns 100000 without touching the pool
   * for a pointer that is not a live segment's start: a double free, an address inside a
   * segment, a foreign pointer, or any pointer once the pool is closed.
   * @throws {TypeError} `devPtr` is not a number.
   */
  dvpp_free(devPtr: number): number;
}

/** `acl.rt` of pyACL over a pool. */
export interface AclCompatRt {
  /**
   * `ret = acl.rt.memset(dev_ptr, max_count, value, count)`: sets `count` bytes at `devPtr` to
   * the low 8 bits of `value`, as C's memset does. Returns 100000 when `count > maxCount`, when
   * `[devPtr, devPtr + count)` leaves the live segment that contains `devPtr`, for a value that
   * is not a safe integer, or on a closed pool; the backend's aclError when its memset fails.
   * @throws {TypeError} an argument is not a number.
   */
  memset(devPtr: number, maxCount: number, value: number, count: number): number;
}

/** What {@link createAclCompat} returns: the `acl` module's shape, over one pool. */
export interface AclCompat {
  readonly media: AclCompatMedia;
  readonly rt: AclCompatRt;
}

/**
 * Wraps `pool` in pyACL's calling convention. Addresses are JS numbers, so the pool's whole
 * range must be exact: `baseAddress + capacity` must be below 2^53 (checked here, once).
 * @throws {TypeError} `pool` is not a Pool.
 * @throws {RangeError} the pool's addresses do not fit in a safe integer.
 * @example
 * ```ts
 * const acl = createAclCompat(createPool({ size: 1 << 30 }));
 * const [devPtr, ret] = acl.media.dvpp_malloc(1920 * 1080 * 3 / 2);
 * if (ret === 0) acl.rt.memset(devPtr, 1920 * 1080 * 3 / 2, 0, 1920 * 1080 * 3 / 2);
 * acl.media.dvpp_free(devPtr);
 * ```
 */
export function createAclCompat(pool: Pool): AclCompat {
  if (!(pool instanceof Pool)) throw new TypeError(invalidMessage('pool', 'a Pool', pool));
  const end = pool.baseAddress + BigInt(pool.capacity);
  if (end > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(
      `The pool's addresses end at 0x${end.toString(16)}, beyond 2^53: pyACL pointers are numbers and would lose bits`,
    );
  }
  const base = Number(pool.baseAddress);
  const core = coreOf(pool);
  const lookup = new SegmentLookup(core);
  // dvpp_malloc(0) is a 32-byte segment, but the pool's smallest request is 1 byte (64 bytes).
  const zeroSized = new WeakSet<Segment>();

  function requireNumber(name: string, value: unknown): asserts value is number {
    if (typeof value !== 'number') throw new TypeError(invalidMessage(name, 'number', value));
  }

  // Offset of `devPtr` from the base, or -1 when it cannot be an address in the block.
  function offsetOf(devPtr: number): number {
    if (!Number.isSafeInteger(devPtr) || devPtr < base || devPtr >= base + pool.capacity) return -1;
    return devPtr - base;
  }

  // The live segment containing `offset`: O(1) at a segment's start, O(log32 capacity) inside one.
  function containing(offset: number): Segment | undefined {
    return lookup.at(offset) ?? lookup.containing(offset);
  }

  const media: AclCompatMedia = {
    dvpp_malloc(size) {
      requireNumber('size', size);
      if (pool.closed || !Number.isSafeInteger(size) || size < 0) return [0, ACL_ERROR_INVALID_PARAM];
      let segment: Segment | undefined;
      try {
        segment = pool.tryAcquire(Math.max(size, 1));
      } catch (error) {
        // zeroOnAcquire pools memset on acquire; a failing ACL memset is a return code here.
        if (error instanceof AclError) return [0, error.aclError];
        throw error;
      }
      if (segment === undefined) return [0, ACL_ERROR_RT_MEMORY_ALLOCATION];
      lookup.acquired(segment);
      if (size === 0) zeroSized.add(segment);
      return [base + segment.offset, ACL_SUCCESS];
    },
    dvpp_free(devPtr) {
      requireNumber('devPtr', devPtr);
      const offset = offsetOf(devPtr);
      const segment = offset < 0 ? undefined : lookup.at(offset);
      if (segment === undefined) return ACL_ERROR_INVALID_PARAM;
      pool.release(segment);
      lookup.released(segment);
      return ACL_SUCCESS;
    },
  };

  const rt: AclCompatRt = {
    memset(devPtr, maxCount, value, count) {
      requireNumber('devPtr', devPtr);
      requireNumber('maxCount', maxCount);
      requireNumber('value', value);
      requireNumber('count', count);
      if (pool.closed || !Number.isSafeInteger(value)) return ACL_ERROR_INVALID_PARAM;
      if (!Number.isSafeInteger(maxCount) || !Number.isSafeInteger(count) || count < 0 || count > maxCount) {
        return ACL_ERROR_INVALID_PARAM;
      }
      const offset = offsetOf(devPtr);
      const segment = offset < 0 ? undefined : containing(offset);
      if (segment === undefined) return ACL_ERROR_INVALID_PARAM;
      const size = zeroSized.has(segment) ? segmentSize(0) : segment.size;
      if (offset + count > segment.offset + size) return ACL_ERROR_INVALID_PARAM;
      try {
        // `value & 0xff` is C's conversion to unsigned char for every safe integer.
        core.memset(offset, count, value & 0xff);
      } catch (error) {
        if (error instanceof AclError) return error.aclError;
        throw error;
      }
      return ACL_SUCCESS;
    },
  };

  return Object.freeze({ media: Object.freeze(media), rt: Object.freeze(rt) });
}
