// SPDX-License-Identifier: MIT
// The contract between the pool and where its one block of memory comes from
// (mimalloc's prim.h idea). Backends know nothing of segments: they hand out one block and
// touch bytes inside it on request.
//
// Preconditions the pool guarantees on every call (backends still re-check cheaply):
//  - allocate(size): size is a positive safe integer, a multiple of 128;
//  - block is a value this backend's allocate() returned;
//  - 0 <= offset, 0 <= length, offset + length <= block.size, all safe integers;
//  - copy's two ranges never overlap (the pool copies only between distinct live segments).
// Promises a backend makes:
//  - block.base is a multiple of 128 (DVPP_ADDR_ALIGN) and block.size >= the size asked;
//  - allocate() returns zeroed memory: every byte of a fresh block reads 0. The pool relies on it
//    for the vendor's memset-before-use rule and does not zero the block again. A backend zeroes
//    only memory that is not zero already (acl, himpi, rt: one aclrtMemset; anonymous mmap and a new
//    ArrayBuffer are zero pages, and touching them would commit the whole block);
//  - free(block) is idempotent: a second free is a no-op that returns false;
//  - memset/write/read never touch bytes outside [offset, offset + length) of the block, and copy
//    writes no byte outside its destination range; each throws a RangeError (bounds, overlap) or
//    TypeError (wrong block or argument) rather than crash, and then has touched nothing;
//  - copy moves bytes inside the backend (Ascend: one aclrtMemcpy device to device; host: memmove;
//    js: copyWithin), never through a JS buffer;
//  - a failure of the underlying memory system is thrown as a coded DvppPoolError.

/**
 * Where a pool's block comes from: Ascend DVPP memory through V1 `acldvppMalloc` (`acl`) or V2
 * `hi_mpi_dvpp_malloc` (`himpi`), Ascend runtime device memory through `aclrtMalloc` (`rt`),
 * native host memory (`host`), or an ArrayBuffer (`js`).
 */
export type BackendKind = 'acl' | 'himpi' | 'rt' | 'host' | 'js';

/** One block of memory, as a backend hands it out. Opaque to everyone but its backend. */
export interface BackendBlock {
  /** Address of the first byte (a device virtual address for `acl`, `himpi`, `rt`); a multiple of 128. */
  readonly base: bigint;
  /** Usable bytes, at least the size asked for. */
  readonly size: number;
}

/** The memory system under one pool. */
export interface Backend {
  readonly kind: BackendKind;
  /** Allocates one block of `size` bytes, 128-byte aligned, every byte 0. */
  allocate(size: number): BackendBlock;
  /** Frees the block; returns false when it was already freed. */
  free(block: BackendBlock): boolean;
  /** Sets `length` bytes at `offset` to `value & 0xff`. */
  memset(block: BackendBlock, offset: number, length: number, value: number): void;
  /** Copies all bytes of `src` to `offset`. */
  write(block: BackendBlock, offset: number, src: ArrayBufferView): void;
  /** Copies `dst.byteLength` bytes from `offset` into `dst`. */
  read(block: BackendBlock, offset: number, dst: ArrayBufferView): void;
  /**
   * Copies `length` bytes from `[srcOffset, srcOffset + length)` to `[dstOffset, dstOffset + length)`
   * of the same block, inside the backend. Offsets and length are bytes, non-negative safe
   * integers; both ranges lie within the block and do not overlap. Length 0 copies nothing, after
   * the same checks.
   * @throws {TypeError} a block of another backend; on every backend but `js`, an argument that is not a number.
   * @throws {RangeError} a freed block, a bad number, a range outside the block, or overlapping
   * ranges; nothing is copied.
   * @throws {DvppPoolError} the memory system failed (Ascend kinds: an AclError of aclrtMemcpy).
   */
  copy(block: BackendBlock, dstOffset: number, srcOffset: number, length: number): void;
}
