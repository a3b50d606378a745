// SPDX-License-Identifier: MIT
// Vendor facts about DVPP memory, each with its source. Every other module takes these
// numbers from here; nothing else in the tree spells them out.

import { invalidMessage, requireSafeInteger } from './validate.js';

/**
 * Segment sizes are rounded up to a multiple of this many bytes.
 * Source: CANN acldvppMalloc / pyACL acl.media.dvpp_malloc, "Restrictions": "m = ALIGN_UP[len,32] + 32"
 * (hiascend.com canncommercial/850 aclcppdevg_03_0323 and aclpythondevg_01_0223).
 */
export const DVPP_SIZE_ALIGN = 32;

/** Bytes added after rounding: `m = ALIGN_UP(len, 32) + 32`. Same source as {@link DVPP_SIZE_ALIGN}. */
export const DVPP_SIZE_PAD = 32;

/**
 * Every segment must start on a 128-byte boundary when DVPP output feeds model inference
 * ("The memory start address must be 128-byte aligned (ALIGN_UP[m,128])", same source).
 * acldvppMalloc itself returns 128-aligned memory, so offsets that are multiples of 128 suffice.
 */
export const DVPP_ADDR_ALIGN = 128;

/**
 * Media data processing can address at most 16 GB per process (Atlas A2/A3 and Atlas inference
 * products; acldvppMalloc and hi_mpi_dvpp_malloc "Restrictions", canncommercial/850
 * aclcppdevg_03_0323 and aclcppdevg_03_0391). The largest pool, and the limit the addon holds
 * the sum of the process's live DVPP blocks (`acl` and `himpi`, not `rt`) to.
 */
export const DVPP_MAX_BLOCK_BYTES = 16 * 2 ** 30;

/** aclError values the pool produces or interprets (acl_base.h / rt_error_codes.h, CANN headers). */
export const ACL_SUCCESS = 0;
/** ACL_ERROR_INVALID_PARAM: a bad argument, e.g. a pointer that is not a live allocation. */
export const ACL_ERROR_INVALID_PARAM = 100000;
/** ACL_ERROR_REPEAT_INITIALIZE: aclInit was already called in this process. */
export const ACL_ERROR_REPEAT_INITIALIZE = 100002;
/** ACL_ERROR_RT_MEMORY_ALLOCATION: out of (huge-page) memory; "only used by out of memory". */
export const ACL_ERROR_RT_MEMORY_ALLOCATION = 207001;

/**
 * hi_s32 codes of the media V2 API (hi_mpi_*), as the signed 32-bit numbers a C caller sees:
 * the "Common Return Codes" table, system module (CANN 8.0, canncommercial/800
 * aclcppdevg_03_1241). hi_mpi_dvpp_malloc's page documents only "0: success, other values:
 * failure" and points to that table; which code a real out-of-memory gives is not stated.
 */
/** HI_ERR_SYS_ILLEGAL_PARAM, 0xA0028003: an invalid parameter. */
export const HI_ERR_SYS_ILLEGAL_PARAM = 0xa0028003 | 0;
/** HI_ERR_SYS_NO_MEM, 0xA002800C: "memory allocation failure due to memory insufficiency". */
export const HI_ERR_SYS_NO_MEM = 0xa002800c | 0;

/** aclrtMemcpyKind values pyACL code passes to acl.rt.memcpy (acl_rt.h, `enum aclrtMemcpyKind`). */
export const ACL_MEMCPY_HOST_TO_HOST = 0;
export const ACL_MEMCPY_HOST_TO_DEVICE = 1;
export const ACL_MEMCPY_DEVICE_TO_HOST = 2;
export const ACL_MEMCPY_DEVICE_TO_DEVICE = 3;

/**
 * `ALIGN_UP(value, k)`: the vendor's `((value - 1) / k + 1) * k` in integers for `value >= 1`,
 * and 0 for 0.
 * @param value - a non-negative safe integer.
 * @param k - a positive safe integer.
 * @throws {TypeError | RangeError} for anything else, naming the argument.
 */
export function alignUp(value: number, k: number): number {
  requireSafeInteger('value', value, 0);
  requireSafeInteger('k', k, 1);
  if (value === 0) return 0;
  const aligned = (Math.floor((value - 1) / k) + 1) * k;
  if (aligned > Number.MAX_SAFE_INTEGER) throw new RangeError(invalidMessage('value', `safe integer whose multiple of ${k} above it is safe too`, value));
  return aligned;
}

/** The largest `len` whose segment size and footprint are still safe integers: 2^53 - 160. */
const MAX_SEGMENT_LEN = 2 ** 53 - 160;

/**
 * Bytes of the segment the vendor requires for a request of `len` bytes:
 * `alignUp(len, 32) + 32`, so `segmentSize(0) === 32`, as acldvppMalloc does.
 * @param len - a non-negative safe integer.
 * @throws {TypeError | RangeError} for anything else.
 */
export function segmentSize(len: number): number {
  requireSafeInteger('len', len, 0);
  if (len > MAX_SEGMENT_LEN) throw new RangeError(invalidMessage('len', `integer in [0, ${MAX_SEGMENT_LEN}]`, len));
  return alignUp(len, DVPP_SIZE_ALIGN) + DVPP_SIZE_PAD;
}

/**
 * Bytes a request of `len` bytes takes from a block: its segment rounded up to the 128-byte
 * address alignment, `alignUp(segmentSize(len), 128)`, since the next segment must start
 * 128-aligned. The least any DVPP-valid allocator sets aside for the request.
 * @param len - a non-negative safe integer.
 * @throws {TypeError | RangeError} for anything else.
 * @example footprint(1920 * 1080 * 3 / 2) // 3110528
 */
export function footprint(len: number): number {
  return alignUp(segmentSize(len), DVPP_ADDR_ALIGN);
}

/** @internal `segmentSize(len)` without the argument checks, for hot paths that validated `len` already. */
export function segmentSizeOf(len: number): number {
  return Math.ceil(len / DVPP_SIZE_ALIGN) * DVPP_SIZE_ALIGN + DVPP_SIZE_PAD;
}

/**
 * @internal `footprint(len) / 128` without the argument checks, for hot paths that validated
 * `len` already: `ceil((len + 32) / 128)`, one division, equal to the formula because 32 divides 128.
 */
export function granulesOf(len: number): number {
  return Math.ceil((len + DVPP_SIZE_PAD) / DVPP_ADDR_ALIGN);
}
