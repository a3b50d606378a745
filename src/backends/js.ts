// SPDX-License-Identifier: MIT
// The `js` backend: a plain ArrayBuffer, no addon. For tests and development only (`auto` never
// picks it): its addresses are fake. Each block gets its own fake base from one address space
// per JS realm, never reused, with a gap between blocks, so no two blocks' addresses meet (the
// pyACL skin of one pool never mistakes another pool's pointer for one of its own), and every
// address stays below 2^53. Blocks hold at most JS_MAX_BLOCK_BYTES.

import { DVPP_ADDR_ALIGN } from '../constants.js';
import { HostMemoryError } from '../errors.js';
import { invalidMessage, requireViewBytes } from '../validate.js';
import type { Backend, BackendBlock } from './backend.js';

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
}

const blocks = new WeakSet<object>();

function own(block: BackendBlock): JsBlock {
  if (typeof block !== 'object' || block === null || !blocks.has(block)) {
    throw new TypeError(invalidMessage('block', "a block of the 'js' backend", block));
  }
  return block as JsBlock;
}

function live(block: BackendBlock): Uint8Array {
  const bytes = own(block).bytes;
  if (bytes === undefined) throw new RangeError('The block was freed: it has no bytes left to access');
  return bytes;
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
    allocate(size: number): BackendBlock {
      if (!Number.isSafeInteger(size) || size <= 0 || size % DVPP_ADDR_ALIGN !== 0) {
        throw new RangeError(invalidMessage('size', 'positive multiple of 128', size));
      }
      if (size > JS_MAX_BLOCK_BYTES) {
        throw new RangeError(
          invalidMessage('options.size', `at most ${JS_MAX_BLOCK_BYTES} bytes (4 GiB, JS_MAX_BLOCK_BYTES) on the 'js' backend`, size),
        );
      }
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(size);
      } catch (error) {
        // V8's "Array buffer allocation failed": the memory is not there.
        if (!(error instanceof RangeError)) throw error;
        throw new HostMemoryError('new ArrayBuffer', ENOMEM, `the 'js' backend could not allocate ${size} bytes (${error.message})`);
      }
      const block: JsBlock = { base: BigInt(space.take(size)), size, bytes };
      blocks.add(block);
      return block;
    },
    free(block: BackendBlock): boolean {
      const owned = own(block);
      if (owned.bytes === undefined) return false;
      owned.bytes = undefined;
      return true;
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
