// SPDX-License-Identifier: MIT
// The pyACL skin: `acl.media.dvpp_malloc/dvpp_free` (DVPP V1), `acl.himpi.dvpp_malloc/dvpp_free`
// (DVPP V2) and `acl.rt.memset/memcpy` with Python's calling convention (out-values first, the
// error code last, device pointers as plain numbers) over one pool, so code ported from Python
// keeps its shape. V1 calls return aclError codes, V2 calls hi_s32 ones. Every call returns an aclError instead of
// throwing; only an argument of the wrong JS type throws TypeError, and a call that reaches the
// backend from a forked child throws ForkedProcessError, as the pool's own calls do. snake_case lives in this file
// only. JavaScript has no host pointers: the host side of a memcpy is an ArrayBufferView.

import {
  ACL_ERROR_INVALID_PARAM,
  ACL_ERROR_RT_MEMORY_ALLOCATION,
  ACL_MEMCPY_DEVICE_TO_DEVICE,
  ACL_MEMCPY_DEVICE_TO_HOST,
  ACL_MEMCPY_HOST_TO_DEVICE,
  ACL_MEMCPY_HOST_TO_HOST,
  ACL_SUCCESS,
  HI_ERR_SYS_ILLEGAL_PARAM,
  HI_ERR_SYS_NO_MEM,
  segmentSize,
} from '../constants.js';
import { AclError, DvppPoolError } from '../errors.js';
import { Pool, coreOf } from '../pool/pool.js';
import type { PoolBlock } from '../pool/block.js';
import { type Segment, segmentLength, segmentOffset } from '../pool/segment.js';
import { invalidMessage, rejectUnknownKeys, requireOptions, requireString, requireViewBytes } from '../validate.js';
import { type LookupBlock, SegmentLookup, addressable } from './segment-lookup.js';

/** `acl.media` of pyACL over a pool. */
export interface AclCompatMedia {
  /**
   * `dev_ptr, ret = acl.media.dvpp_malloc(size)`: a segment of `ALIGN_UP(size, 32) + 32` bytes
   * (size 0 gives 32), 128-byte aligned, in any block of the pool (it grows as `acquire` does).
   * Returns `[0, 207001]` when the pool has no room and may not grow (also for a size above what
   * it can hold, and when the segment would land in a grown block whose addresses pass 2^53),
   * `[0, 100000]` for a size that is not a non-negative safe integer or a closed pool.
   * @throws {TypeError} `size` is not a number.
   */
  dvpp_malloc(size: number): [devPtr: number, ret: number];
  /**
   * `ret = acl.media.dvpp_free(dev_ptr)`: releases the live segment that starts at `devPtr` (one
   * from `dvpp_malloc` or from `pool.acquire`), in any block. O(blocks) while the pool is used
   * through the skin alone (the first block is tried first); the first call after the pool
   * changed outside it (`pool.acquire`, `release`, `reset`, a grow, a trim) rebuilds the skin's
   * index in O(blocks + live segments). Returns 100000 without touching the pool
   * for a pointer that is not a live segment's start: a double free, an address inside a
   * segment, a foreign pointer, or any pointer once the pool is closed.
   * @throws {TypeError} `devPtr` is not a number.
   */
  dvpp_free(devPtr: number): number;
}

/** `acl.himpi` of pyACL over a pool: DVPP V2's allocation calls, with its hi_s32 return codes. */
export interface AclCompatHimpi {
  /**
   * `dev_ptr, ret = acl.himpi.dvpp_malloc(dev_id, size)`: as `acl.media.dvpp_malloc(size)`, with
   * V2's codes: `[0, HI_ERR_SYS_NO_MEM]` when the pool has no room, `[0, HI_ERR_SYS_ILLEGAL_PARAM]`
   * for a size that is not a non-negative safe integer or a closed pool. `devId` is not used: the
   * vendor documents it as reserved (the memory is the pool's, on the pool's device).
   * @throws {TypeError} `devId` or `size` is not a number.
   */
  dvpp_malloc(devId: number, size: number): [devPtr: number, ret: number];
  /**
   * `ret = acl.himpi.dvpp_free(dev_ptr)`: as `acl.media.dvpp_free(devPtr)`, returning
   * `HI_ERR_SYS_ILLEGAL_PARAM` for a pointer that is not a live segment's start.
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
  /**
   * `ret = acl.rt.memcpy(dst, dest_max, src, count, kind)`: copies `count` bytes from `src` to
   * `dst`. A device side is a pointer into a live segment of the pool (any address inside it; the
   * `count` bytes must stay inside that segment), a host side an ArrayBufferView. `kind` says
   * which is which: 0 `ACL_MEMCPY_HOST_TO_HOST` (view to view), 1 `HOST_TO_DEVICE` (view to
   * pointer), 2 `DEVICE_TO_HOST` (pointer to view), 3 `DEVICE_TO_DEVICE` (pointer to pointer,
   * done by the backend: `aclrtMemcpy` kind 3 on acl, memmove on host, no copy through JS).
   * Returns 100000 when `count > destMax`, when a side holds fewer than `count` bytes, for a
   * pointer outside every live segment, for a side of the wrong sort for `kind` (a view where a
   * pointer belongs, or the reverse), for overlapping device ranges, for a `kind` other than 0-3
   * and on a closed pool; the backend's aclError when its copy fails. `count` 0 copies nothing.
   * @throws {TypeError} `destMax`, `count` or `kind` is not a number, or `dst`/`src` is neither a
   * number nor an ArrayBufferView.
   */
  memcpy(dst: number | ArrayBufferView, destMax: number, src: number | ArrayBufferView, count: number, kind: number): number;
}

/** The codes a media version's dvpp_malloc/dvpp_free return for a bad argument and for no room. */
interface MediaCodes {
  readonly invalid: number;
  readonly noRoom: number;
}
/** A device side of a call: the block and the offset in it. */
interface DeviceRange {
  readonly block: PoolBlock;
  readonly offset: number;
}

const V1_CODES: MediaCodes = { invalid: ACL_ERROR_INVALID_PARAM, noRoom: ACL_ERROR_RT_MEMORY_ALLOCATION };
const V2_CODES: MediaCodes = { invalid: HI_ERR_SYS_ILLEGAL_PARAM, noRoom: HI_ERR_SYS_NO_MEM };

/** Options of {@link createAclCompat}. */
export interface AclCompatOptions {
  /**
   * Tag of every segment the skin allocates, as `acquire`'s `tag`: its segments show under it in
   * stats, snapshots and the leak warning. @defaultValue untagged
   */
  readonly tag?: string | undefined;
}

/** What {@link createAclCompat} returns: the `acl` module's shape, over one pool. */
export interface AclCompat {
  readonly media: AclCompatMedia;
  /** For code written against DVPP V2; use it over a pool of backend `himpi`. */
  readonly himpi: AclCompatHimpi;
  readonly rt: AclCompatRt;
  /**
   * The live Segment holding the byte at `devPtr` (any address inside it, from `dvpp_malloc` or
   * `pool.acquire`, in any block), or undefined. O(blocks + log32 block capacity).
   * @throws {TypeError} `devPtr` is not a number.
   */
  segmentOf(devPtr: number): Segment | undefined;
}

/**
 * Wraps `pool` in pyACL's calling convention. `media` and `himpi` differ only in their return
 * codes: both carve segments from the pool, whatever its backend (V2 code belongs on a `himpi`
 * pool, V1 code on an `acl` one). Addresses are JS numbers, so they must be exact: the first block's end must be below 2^53 (checked here); a grown block past it gets no dvpp_malloc (no room) and no lookup.
 * @param options - `tag` (default: untagged) for every allocation of the skin.
 * @throws {TypeError} `pool` is not a Pool, or a bad option (named `options.<key>`).
 * @throws {RangeError} the first block's addresses do not fit in a safe integer.
 * @example
 * ```ts
 * const acl = createAclCompat(createPool({ size: 1 << 30 }));
 * const [devPtr, ret] = acl.media.dvpp_malloc(1920 * 1080 * 3 / 2);
 * if (ret === 0) acl.rt.memset(devPtr, 1920 * 1080 * 3 / 2, 0, 1920 * 1080 * 3 / 2);
 * acl.media.dvpp_free(devPtr);
 * ```
 */
export function createAclCompat(pool: Pool, options: AclCompatOptions = {}): AclCompat {
  if (!(pool instanceof Pool)) throw new TypeError(invalidMessage('pool', 'a Pool', pool));
  const parsed = requireOptions('options', options);
  rejectUnknownKeys('options', parsed, ['tag']);
  const tagValue = parsed['tag'];
  const acquireOptions = tagValue === undefined ? undefined : { tag: requireString('options.tag', tagValue) };
  // The core's own first block, never the Pool's public properties; a grown block is checked as it appears (SegmentLookup).
  const core = coreOf(pool);
  if (!addressable(core.first)) {
    const last = core.first.base + BigInt(core.first.capacity);
    throw new RangeError(
      `The pool's addresses end at 0x${last.toString(16)}, beyond 2^53: pyACL pointers are numbers and would lose bits`,
    );
  }
  const lookup = new SegmentLookup(core);
  // dvpp_malloc(0) is a 32-byte segment, but the pool's smallest request is 1 byte (64 bytes).
  const zeroSized = new WeakSet<Segment>();

  function requireNumber(name: string, value: unknown): asserts value is number {
    if (typeof value !== 'number') throw new TypeError(invalidMessage(name, 'number', value));
  }

  // The live segment holding the byte at `devPtr`, with its block's entry.
  function containing(devPtr: number): { readonly entry: LookupBlock; readonly segment: Segment } | undefined {
    const entry = lookup.blockAt(devPtr);
    const segment = entry === undefined ? undefined : lookup.containing(entry, devPtr - entry.base);
    return segment === undefined ? undefined : { entry: entry as LookupBlock, segment };
  }

  // `[devPtr, devPtr + count)`'s block and offset in it when those bytes lie inside one live segment.
  function deviceRange(devPtr: number, count: number): DeviceRange | undefined {
    const found = containing(devPtr);
    if (found === undefined) return undefined;
    const offset = devPtr - found.entry.base;
    const size = segmentSize(zeroSized.has(found.segment) ? 0 : segmentLength(found.segment));
    return offset + count <= segmentOffset(found.segment) + size ? { block: found.entry.block, offset } : undefined;
  }

  function requirePointerOrView(name: string, value: unknown): asserts value is number | ArrayBufferView {
    if (typeof value !== 'number' && !ArrayBuffer.isView(value)) throw new TypeError(invalidMessage(name, 'a number or an ArrayBufferView', value));
  }

  // The first `count` bytes of a host view, or undefined for a pointer, a detached view or one too short.
  function hostBytes(side: number | ArrayBufferView, name: string, count: number): Uint8Array | undefined {
    if (typeof side === 'number') return undefined;
    let bytes: Uint8Array;
    try {
      bytes = requireViewBytes(name, side);
    } catch {
      return undefined;
    }
    return count <= bytes.byteLength ? bytes.subarray(0, count) : undefined;
  }

  // A device side's block and offset, or undefined for a view or a range outside every live segment.
  function deviceSide(side: number | ArrayBufferView, count: number): DeviceRange | undefined {
    return typeof side === 'number' ? deviceRange(side, count) : undefined;
  }

  // Runs a backend call; a failing ACL call is its aclError, as pyACL returns it.
  function viaBackend(call: () => void): number {
    try {
      call();
    } catch (error) {
      if (error instanceof AclError) return error.aclError;
      throw error;
    }
    return ACL_SUCCESS;
  }

  // dvpp_malloc and dvpp_free of both media versions; only the codes they return differ.
  function dvppMalloc(size: number, codes: MediaCodes): [devPtr: number, ret: number] {
    requireNumber('size', size);
    if (core.closed || !Number.isSafeInteger(size) || size < 0) return [0, codes.invalid];
    let segment: Segment | undefined;
    try {
      segment = core.acquireNow('dvpp_malloc', Math.max(size, 1), acquireOptions);
    } catch (error) {
      // A failing ACL memset (zeroOnAcquire) or growth is its return code here; any other failure
      // of the pool's memory system (a growth the backend refused otherwise) is no room.
      if (error instanceof AclError) return [0, error.aclError];
      if (error instanceof DvppPoolError) return [0, codes.noRoom];
      throw error;
    }
    if (segment === undefined) return [0, codes.noRoom];
    const entry = lookup.acquired(segment);
    if (entry === undefined) {
      // A grown block past 2^53 has no exact pointer to give: it is no room, for this skin.
      core.release(segment);
      lookup.released(segment);
      core.noteNoRoom('dvpp_malloc', Math.max(size, 1), acquireOptions?.tag);
      return [0, codes.noRoom];
    }
    if (size === 0) zeroSized.add(segment);
    return [entry.base + segmentOffset(segment), ACL_SUCCESS];
  }

  function dvppFree(devPtr: number, codes: MediaCodes): number {
    requireNumber('devPtr', devPtr);
    const entry = lookup.blockAt(devPtr);
    const segment = entry === undefined ? undefined : lookup.at(entry, devPtr - entry.base);
    if (segment === undefined) return codes.invalid;
    core.release(segment);
    lookup.released(segment);
    return ACL_SUCCESS;
  }

  const media: AclCompatMedia = {
    dvpp_malloc: (size) => dvppMalloc(size, V1_CODES),
    dvpp_free: (devPtr) => dvppFree(devPtr, V1_CODES),
  };

  const himpi: AclCompatHimpi = {
    dvpp_malloc(devId, size) {
      requireNumber('devId', devId);
      return dvppMalloc(size, V2_CODES);
    },
    dvpp_free: (devPtr) => dvppFree(devPtr, V2_CODES),
  };

  const rt: AclCompatRt = {
    memset(devPtr, maxCount, value, count) {
      requireNumber('devPtr', devPtr);
      requireNumber('maxCount', maxCount);
      requireNumber('value', value);
      requireNumber('count', count);
      if (core.closed || !Number.isSafeInteger(value)) return ACL_ERROR_INVALID_PARAM;
      if (!Number.isSafeInteger(maxCount) || !Number.isSafeInteger(count) || count < 0 || count > maxCount) {
        return ACL_ERROR_INVALID_PARAM;
      }
      const range = deviceRange(devPtr, count);
      if (range === undefined) return ACL_ERROR_INVALID_PARAM;
      // `value & 0xff` is C's conversion to unsigned char for every safe integer.
      return viaBackend(() => core.memset(range.block, range.offset, count, value & 0xff));
    },
    memcpy(dst, destMax, src, count, kind) {
      requirePointerOrView('dst', dst);
      requireNumber('destMax', destMax);
      requirePointerOrView('src', src);
      requireNumber('count', count);
      requireNumber('kind', kind);
      if (core.closed || !Number.isSafeInteger(destMax) || !Number.isSafeInteger(count) || count < 0 || count > destMax) {
        return ACL_ERROR_INVALID_PARAM;
      }
      switch (kind) {
        case ACL_MEMCPY_HOST_TO_HOST: {
          const to = hostBytes(dst, 'dst', count);
          const from = hostBytes(src, 'src', count);
          if (to === undefined || from === undefined) return ACL_ERROR_INVALID_PARAM;
          to.set(from);
          return ACL_SUCCESS;
        }
        case ACL_MEMCPY_HOST_TO_DEVICE: {
          const to = deviceSide(dst, count);
          const from = hostBytes(src, 'src', count);
          if (to === undefined || from === undefined) return ACL_ERROR_INVALID_PARAM;
          return viaBackend(() => core.write(to.block, to.offset, from));
        }
        case ACL_MEMCPY_DEVICE_TO_HOST: {
          const to = hostBytes(dst, 'dst', count);
          const from = deviceSide(src, count);
          if (to === undefined || from === undefined) return ACL_ERROR_INVALID_PARAM;
          return viaBackend(() => core.read(from.block, from.offset, to));
        }
        case ACL_MEMCPY_DEVICE_TO_DEVICE: {
          const to = deviceSide(dst, count);
          const from = deviceSide(src, count);
          if (to === undefined || from === undefined) return ACL_ERROR_INVALID_PARAM;
          if (to.block === from.block && to.offset < from.offset + count && from.offset < to.offset + count && count > 0) return ACL_ERROR_INVALID_PARAM;
          return viaBackend(() => core.copy(to.block, to.offset, from.block, from.offset, count));
        }
        default:
          return ACL_ERROR_INVALID_PARAM;
      }
    },
  };

  function segmentOf(devPtr: number): Segment | undefined {
    requireNumber('devPtr', devPtr);
    return containing(devPtr)?.segment;
  }

  return Object.freeze({ media: Object.freeze(media), himpi: Object.freeze(himpi), rt: Object.freeze(rt), segmentOf });
}
