// SPDX-License-Identifier: MIT
// The `js` backend: a plain ArrayBuffer, no addon. For tests and development only (`auto` never
// picks it): its addresses are fake. Each block gets its own fake base from one address space
// per JS realm, never reused, with a gap between blocks, so no two blocks' addresses meet (the
// pyACL skin of one pool never mistakes another pool's pointer for one of its own), and every
// address stays below 2^53. Blocks hold at most JS_MAX_BLOCK_BYTES. A block allocated
// `shareable` is a SharedArrayBuffer plus a one-Int32 state (1 live, 0 freed by its owner) that
// its share carries to other threads; a borrowed block is a view of the same buffer that checks
// the state before each access. Memory the GC owns is never reused under a live view, so an
// access racing the owner's free cannot touch freed memory: it completes or throws.

import { DVPP_ADDR_ALIGN } from '../constants.js';
import { HostMemoryError } from '../errors.js';
import { invalidMessage, requireViewBytes } from '../validate.js';
import type { Backend, BackendBlock, BlockShare, JsBlockShare } from './backend.js';

/**
 * The largest `js` block: 4 GiB (2^32 bytes), the largest typed array Node 20 can make
 * (`buffer.constants.MAX_LENGTH`); newer Node versions allow more, but one limit for all.
 */
export const JS_MAX_BLOCK_BYTES = 2 ** 32;

/** The first fake base handed out: 128-aligned, non-zero, far from 0 and from 2^53. */
export const JS_FIRST_BASE = 0x1000_0000_0000;

/** Blocks start on this boundary and are at least this far apart (a gap no block uses). */
const JS_BLOCK_SPACING = 64 * 1024;

/** errno's ENOMEM: what mmap says when the address space has no room either. */
const ENOMEM = 12;

/**
 * @internal Hands out fake bases: each one 64 KiB-aligned, after the end of the one before plus a
 * 64 KiB gap, never reused; `base + size` stays at most `end` (by default 2^53 - 1, so pyACL's
 * number pointers are exact).
 */
export class FakeAddressSpace {
  #next: number;
  readonly #end: number;

  constructor(first = JS_FIRST_BASE, end = Number.MAX_SAFE_INTEGER) {
    this.#next = first;
    this.#end = end;
  }

  /**
   * The base for a new block of `size` bytes.
   * @throws {HostMemoryError} `ENOMEM` when the space left cannot hold `size` bytes.
   */
  take(size: number): number {
    const base = this.#next;
    if (size > this.#end - base) {
      throw new HostMemoryError(
        'allocate',
        ENOMEM,
        `the fake address space of the 'js' backend is used up: ${size} bytes do not fit below 0x${this.#end.toString(16)} ` +
          `(bases are never reused); use the 'host' backend, or fewer js pools in this process`,
      );
    }
    this.#next = Math.ceil((base + size) / JS_BLOCK_SPACING) * JS_BLOCK_SPACING + JS_BLOCK_SPACING;
    return base;
  }
}

// One space per realm, shared by every loaded copy of the package (as the error brands are).
const SPACE_KEY = Symbol.for('dvpp-pool.js-address-space');
const realm = globalThis as typeof globalThis & { [SPACE_KEY]?: FakeAddressSpace };
const space: FakeAddressSpace = (realm[SPACE_KEY] ??= new FakeAddressSpace());

interface JsBlock extends BackendBlock {
  bytes: Uint8Array | undefined;
  /** A shareable block's share; a borrowed block's too. */
  readonly share: JsBlockShare | undefined;
  /** The share's state: 1 while the owner has not freed the block. */
  readonly state: Int32Array | undefined;
  readonly borrowed: boolean;
}

const LIVE = 1;
const FREED = 0;

const blocks = new WeakSet<object>();

function own(block: BackendBlock): JsBlock {
  if (typeof block !== 'object' || block === null || !blocks.has(block)) {
    throw new TypeError(invalidMessage('block', "a block of the 'js' backend", block));
  }
  return block as JsBlock;
}

function live(block: BackendBlock): Uint8Array {
  const owned = own(block);
  if (owned.borrowed && Atomics.load(owned.state!, 0) === FREED) owned.bytes = undefined;
  const bytes = owned.bytes;
  if (bytes === undefined) {
    // The same words as native/block.cc.
    throw new RangeError(
      owned.borrowed
        ? 'The block was freed by its owner: a borrowed block has no bytes left to access'
        : 'The block was freed: it has no bytes left to access',
    );
  }
  return bytes;
}

function made(size: number, bytes: Uint8Array, base: bigint, share: JsBlockShare | undefined, borrowed: boolean): JsBlock {
  const state = share === undefined ? undefined : new Int32Array(share.state);
  const block: JsBlock = { base, size, bytes, share, state, borrowed };
  blocks.add(block);
  return block;
}

function isJsShare(share: BlockShare): share is JsBlockShare {
  return (
    typeof share === 'object' &&
    share !== null &&
    share.kind === 'js' &&
    share.buffer instanceof SharedArrayBuffer &&
    share.state instanceof SharedArrayBuffer &&
    share.state.byteLength === Int32Array.BYTES_PER_ELEMENT &&
    Number.isSafeInteger(share.size) &&
    share.buffer.byteLength === share.size &&
    typeof share.base === 'bigint'
  );
}

function checkIndex(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(invalidMessage(name, 'non-negative safe integer', value));
  }
}

function checkWithin(block: Uint8Array, offset: number, length: number): void {
  if (offset + length > block.byteLength) {
    throw new RangeError(`Range [${offset}, ${offset + length}) is outside the block of ${block.byteLength} bytes`);
  }
}

function checkRange(block: Uint8Array, offset: number, length: number): void {
  checkIndex('offset', offset);
  checkIndex('length', length);
  checkWithin(block, offset, length);
}

// The same words as native/arguments.cc RequireDisjoint. Ranges of one length overlap exactly
// when their starts are closer than that length; empty ranges never do.
function checkDisjoint(dst: number, src: number, length: number): void {
  if (Math.abs(dst - src) < length) {
    throw new RangeError(`Source [${src}, ${src + length}) and destination [${dst}, ${dst + length}) of the copy overlap`);
  }
}

/** Creates the ArrayBuffer-backed backend. */
export function createJsBackend(): Backend {
  return {
    kind: 'js',
    allocate(size, options) {
      if (!Number.isSafeInteger(size) || size <= 0 || size % DVPP_ADDR_ALIGN !== 0) {
        throw new RangeError(invalidMessage('size', 'positive multiple of 128', size));
      }
      if (size > JS_MAX_BLOCK_BYTES) {
        throw new RangeError(
          invalidMessage('options.size', `at most ${JS_MAX_BLOCK_BYTES} bytes (4 GiB, JS_MAX_BLOCK_BYTES) on the 'js' backend`, size),
        );
      }
      const shareable = options?.shareable === true;
      let buffer: ArrayBuffer | SharedArrayBuffer;
      try {
        buffer = shareable ? new SharedArrayBuffer(size) : new ArrayBuffer(size);
      } catch (error) {
        // V8's "Array buffer allocation failed": the memory is not there.
        if (!(error instanceof RangeError)) throw error;
        throw new HostMemoryError('new ArrayBuffer', ENOMEM, `the 'js' backend could not allocate ${size} bytes (${error.message})`);
      }
      const base = BigInt(space.take(size));
      let share: JsBlockShare | undefined;
      if (buffer instanceof SharedArrayBuffer) {
        share = { kind: 'js', base, size, buffer, state: new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT) };
        Atomics.store(new Int32Array(share.state), 0, LIVE);
      }
      return made(size, new Uint8Array(buffer), base, share, false);
    },
    free(block: BackendBlock): boolean {
      const owned = own(block);
      if (owned.borrowed) throw new TypeError('Only the owner of a shared block frees it: this block was borrowed');
      if (owned.bytes === undefined) return false;
      owned.bytes = undefined;
      if (owned.state !== undefined) Atomics.store(owned.state, 0, FREED);
      return true;
    },
    share(block) {
      const owned = own(block);
      live(block);
      if (owned.share === undefined) {
        throw new TypeError("Expected a 'js' block allocated with { shareable: true } for block: this one is an ArrayBuffer, which no other thread can see");
      }
      return owned.share;
    },
    borrow(share) {
      if (!isJsShare(share)) throw new TypeError(invalidMessage('share', "a BlockShare of a 'js' block", share));
      if (Atomics.load(new Int32Array(share.state), 0) !== LIVE) throw new RangeError('The shared block was freed by its owner');
      return made(share.size, new Uint8Array(share.buffer), share.base, share, true);
    },
    memset(block, offset, length, value) {
      const bytes = live(block);
      checkRange(bytes, offset, length);
      bytes.fill(value & 0xff, offset, offset + length);
    },
    write(block, offset, src) {
      const bytes = live(block);
      const from = requireViewBytes('src', src);
      checkRange(bytes, offset, from.byteLength);
      bytes.set(from, offset);
    },
    read(block, offset, dst) {
      const bytes = live(block);
      const to = requireViewBytes('dst', dst);
      checkRange(bytes, offset, to.byteLength);
      to.set(bytes.subarray(offset, offset + to.byteLength));
    },
    copy(block, dstOffset, srcOffset, length) {
      const bytes = live(block);
      checkIndex('dstOffset', dstOffset);
      checkIndex('srcOffset', srcOffset);
      checkIndex('length', length);
      checkWithin(bytes, dstOffset, length);
      checkWithin(bytes, srcOffset, length);
      checkDisjoint(dstOffset, srcOffset, length);
      bytes.copyWithin(dstOffset, srcOffset, srcOffset + length);
    },
  };
}
