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
// Sharing a block with the other threads of the process (share/borrow):
//  - share(block) names the block process-wide in plain, structured-cloneable data (BlockShare);
//  - borrow(share), in any thread (another worker's backend of the same kind, or this one), gives
//    a handle on the same memory: memset/write/read/copy act on it as on the owner's block;
//  - only the owner frees: free(borrowed) throws a TypeError, and a thread's end never frees
//    memory it borrowed; once the owner freed the block (free, its finalizer or its thread's
//    end), every access through a borrowed handle throws a RangeError ("freed by its owner"),
//    and an access already running when the owner frees finishes first (native: the owner's free
//    waits for it), so no access ever touches released memory.

/**
 * Where a pool's block comes from: Ascend DVPP memory through V1 `acldvppMalloc` (`acl`) or V2
 * `hi_mpi_dvpp_malloc` (`himpi`), Ascend runtime device memory through `aclrtMalloc` (`rt`),
 * native host memory (`host`), or an ArrayBuffer (`js`).
 */
export type BackendKind = 'acl' | 'himpi' | 'rt' | 'host' | 'js';

/** Options of {@link Backend.allocate}. */
export interface AllocateOptions {
  /**
   * The block will be shared with other threads ({@link Backend.share}). Only `js` needs to know:
   * its block is then a SharedArrayBuffer, whose byte access is slower (a 1 MiB fill about 5x,
   * a 1 MiB write about 2x, on Node 20 x64), so it is not the default. Native blocks can always
   * be shared. @defaultValue `false`
   */
  readonly shareable?: boolean | undefined;
}

/** One block of memory, as a backend hands it out. Opaque to everyone but its backend. */
export interface BackendBlock {
  /** Address of the first byte (a device virtual address for `acl`, `himpi`, `rt`); a multiple of 128. */
  readonly base: bigint;
  /** Usable bytes, at least the size asked for. */
  readonly size: number;
}

/** What {@link Backend.share} gives on a native backend (`acl`, `himpi`, `rt`, `host`). */
export interface NativeBlockShare {
  readonly kind: Exclude<BackendKind, 'js'>;
  /** The block's id in the addon's process-wide table of shared blocks; never reused. */
  readonly id: number;
  /** The block's base and size, checked again by borrow(). */
  readonly base: bigint;
  readonly size: number;
}

/** What {@link Backend.share} gives on the `js` backend: the block's own SharedArrayBuffer. */
export interface JsBlockShare {
  readonly kind: 'js';
  readonly base: bigint;
  readonly size: number;
  /** The block's bytes (`size` of them). */
  readonly buffer: SharedArrayBuffer;
  /** One Int32: 1 while the owner has not freed the block, 0 from then on. */
  readonly state: SharedArrayBuffer;
}

/**
 * A block named process-wide: plain data that survives `structuredClone` and `postMessage`, for
 * {@link Backend.borrow} in any thread of the process (never another process: DVPP memory is the
 * allocating process's own).
 */
export type BlockShare = NativeBlockShare | JsBlockShare;

/** The memory system under one pool. */
export interface Backend {
  readonly kind: BackendKind;
  /** Allocates one block of `size` bytes, 128-byte aligned, every byte 0. */
  allocate(size: number, options?: AllocateOptions): BackendBlock;
  /**
   * Frees the block; returns false when it was already freed.
   * @throws {TypeError} a borrowed block: only its owner frees it.
   */
  free(block: BackendBlock): boolean;
  /**
   * Names the block process-wide; the same share on every call (a borrowed block gives its
   * owner's).
   * @throws {TypeError} a block of another backend; on `js`, a block not allocated `shareable`.
   * @throws {RangeError} a freed block.
   */
  share(block: BackendBlock): BlockShare;
  /**
   * A handle, in this thread, on the memory of a block another thread (or this one) shared. It
   * is never freed through: it lives until dropped, and reads as freed once its owner freed it.
   * Ascend kinds set the block's device in this thread (aclrtSetDevice) for the handle's life.
   * @throws {TypeError} `share` is not a BlockShare of this backend's kind.
   * @throws {RangeError} the owner already freed the block, or `share` names no block of this
   * process (another copy of the addon's, a forged one).
   * @throws {DvppPoolError} this thread could not be readied for it (an AclError of aclrtSetDevice).
   */
  borrow(share: BlockShare): BackendBlock;
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
