// SPDX-License-Identifier: MIT
// The one Backend over the native addon, shared by the `host` and the Ascend (`acl`, `himpi`,
// `rt`) backends. The addon checks arguments, bounds and foreign blocks in C++ (TypeError/RangeError) and dispatches free, memset,
// write, read and copy to the block's own memory, so only two things differ by kind, and each
// kind's file hands them in: how a block is made (its allocate function over the addon), and which
// coded error an expected failure of its memory system ({ op, error, message }) becomes.

import type { DvppPoolError } from '../errors.js';
import { invalidMessage } from '../validate.js';
import type { Backend, BackendBlock, BackendKind, BlockShare, NativeBlockShare } from './backend.js';
import { type DvppPoolAddon, type NativeBlock, type NativeFailure, isNativeFailure } from './native.js';

/** What one memory kind of the addon adds to {@link createNativeBackend}. */
export interface NativeKind {
  readonly kind: Exclude<BackendKind, 'js'>;
  /** One block of `size` bytes, 128-byte aligned, every byte 0; throws when there is none. */
  allocate(size: number): NativeBlock;
  /** The coded error `failure` becomes; `what` says what the backend was doing ("write at offset 128"). */
  error(failure: NativeFailure, what: string): DvppPoolError;
}

/**
 * A Backend whose blocks come from `own.allocate` and whose bytes go through `addon`; host.ts and
 * acl.ts are its two callers.
 */
export function createNativeBackend(addon: DvppPoolAddon, own: NativeKind): Backend {
  const { kind, error } = own;
  // The addon recognises its blocks by type tag; anything else it rejects with a TypeError.
  const native = (block: BackendBlock): NativeBlock => block as NativeBlock;
  return {
    kind,
    // Every native block can be shared: `shareable` changes nothing here.
    allocate: (size) => own.allocate(size),
    free(block) {
      // The addon forgets the block before reporting, so a failed release is never retried.
      const freed = addon.free(native(block));
      if (isNativeFailure(freed)) throw error(freed, `freeing ${block.size} bytes`);
      return freed;
    },
    memset(block, offset, length, value) {
      const failure = addon.memset(native(block), offset, length, value);
      if (failure !== undefined) throw error(failure, `memset of ${length} bytes at offset ${offset}`);
    },
    write(block, offset, src) {
      const failure = addon.write(native(block), offset, src);
      if (failure !== undefined) throw error(failure, `write at offset ${offset}`);
    },
    read(block, offset, dst) {
      const failure = addon.read(native(block), offset, dst);
      if (failure !== undefined) throw error(failure, `read at offset ${offset}`);
    },
    copy(block, dstOffset, srcOffset, length) {
      const failure = addon.copy(native(block), dstOffset, srcOffset, length);
      if (failure !== undefined) throw error(failure, `copy of ${length} bytes from offset ${srcOffset} to offset ${dstOffset}`);
    },
    share: (block) => ({ kind, ...addon.share(native(block)) }),
    borrow(share: BlockShare) {
      // The addon checks id, base and size; the kind is only known here.
      if (typeof share !== 'object' || share === null || share.kind !== kind) {
        throw new TypeError(invalidMessage('share', `a BlockShare of a '${kind}' block`, share));
      }
      const { id, base, size } = share as NativeBlockShare;
      const borrowed = addon.borrow(id, base, size);
      if (isNativeFailure(borrowed)) throw error(borrowed, `borrowing the shared block ${id}`);
      return borrowed;
    },
  };
}
