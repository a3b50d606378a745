// SPDX-License-Identifier: MIT
// The `js` backend: a plain ArrayBuffer, no addon. For machines where the addon cannot be
// built or loaded, and for tests. Addresses are fake but stable: a fixed 128-aligned base.

import { DVPP_ADDR_ALIGN } from '../constants.js';
import { invalidMessage } from '../validate.js';
import type { Backend, BackendBlock } from './backend.js';

/** The fake address of every `js` block: 128-aligned, non-zero, far below 2^53. */
export const JS_FAKE_BASE = 0x1000_0000_0000n;

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

function checkRange(block: Uint8Array, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError(invalidMessage('offset', 'non-negative safe integer', offset));
  }
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new RangeError(invalidMessage('length', 'non-negative safe integer', length));
  }
  if (offset + length > block.byteLength) {
    throw new RangeError(`Range [${offset}, ${offset + length}) is outside the block of ${block.byteLength} bytes`);
  }
}

function bytesOf(view: ArrayBufferView, name: string): Uint8Array {
  if (!ArrayBuffer.isView(view)) throw new TypeError(invalidMessage(name, 'an ArrayBufferView', view));
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** Creates the ArrayBuffer-backed backend. */
export function createJsBackend(): Backend {
  return {
    kind: 'js',
    describe: () => 'ArrayBuffer (no native addon)',
    allocate(size: number): BackendBlock {
      if (!Number.isSafeInteger(size) || size <= 0 || size % DVPP_ADDR_ALIGN !== 0) {
        throw new RangeError(invalidMessage('size', 'positive multiple of 128', size));
      }
      const block: JsBlock = { base: JS_FAKE_BASE, size, bytes: new Uint8Array(size) };
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
      const from = bytesOf(src, 'src');
      checkRange(bytes, offset, from.byteLength);
      bytes.set(from, offset);
    },
    read(block, offset, dst) {
      const bytes = live(block);
      const to = bytesOf(dst, 'dst');
      checkRange(bytes, offset, to.byteLength);
      to.set(bytes.subarray(offset, offset + to.byteLength));
    },
    hostView(block) {
      return own(block).bytes;
    },
  };
}
