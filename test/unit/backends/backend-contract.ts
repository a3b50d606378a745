// SPDX-License-Identifier: MIT
// The Backend contract (src/backends/backend.ts) as one suite, run against every backend by
// js.test.ts and test/native/host-backend.test.ts. Not a test file itself: it exports the suite.

import { afterEach, describe, expect, it } from 'vitest';
import type { AllocateOptions, Backend, BackendBlock } from '../../../src/backends/backend.js';

/** A block made by some other backend, and how to give it back. */
export interface ForeignBlock {
  readonly block: BackendBlock;
  release(): void;
}

const SIZE = 64 * 1024;

/** Registers the contract suite for the backend `create()` makes; `foreign()` gives another backend's block. */
export function backendContract(name: string, create: () => Backend, foreign: () => ForeignBlock): void {
  describe(`Backend contract: ${name}`, () => {
    const live: BackendBlock[] = [];
    let backend: Backend;

    function allocate(size = SIZE, options?: AllocateOptions): BackendBlock {
      backend = create();
      const block = backend.allocate(size, options);
      live.push(block);
      return block;
    }

    afterEach(() => {
      for (const block of live.splice(0)) backend.free(block);
    });

    it('hands out a 128-aligned block of at least the size asked', () => {
      const block = allocate();
      expect(typeof block.base).toBe('bigint');
      expect(block.base % 128n).toBe(0n);
      expect(block.base).toBeGreaterThan(0n);
      expect(block.size).toBeGreaterThanOrEqual(SIZE);
      expect(backend.kind).toBe(name);
    });

    it.each([0, 1, 127, 128, 4095, SIZE - 16])('round-trips memset, write and read at offset %i', (offset) => {
      const block = allocate();
      backend.memset(block, offset, 16, 0xab);
      const bytes = new Uint8Array(16);
      backend.read(block, offset, bytes);
      expect([...bytes]).toEqual(new Array(16).fill(0xab));
      const pattern = Uint8Array.from({ length: 16 }, (_, i) => (offset + i * 7) & 0xff);
      backend.write(block, offset, pattern);
      backend.read(block, offset, bytes);
      expect(bytes).toEqual(pattern);
    });

    it('reaches the last byte and accepts empty ranges at the end', () => {
      const block = allocate();
      backend.write(block, block.size - 1, Uint8Array.of(0x5a));
      const last = new Uint8Array(1);
      backend.read(block, block.size - 1, last);
      expect(last[0]).toBe(0x5a);
      expect(() => backend.memset(block, block.size, 0, 1)).not.toThrow();
      expect(() => backend.read(block, block.size, new Uint8Array(0))).not.toThrow();
    });

    it('uses the low 8 bits of the memset value', () => {
      const block = allocate();
      const byte = new Uint8Array(1);
      for (const [value, expected] of [[0x1ff, 0xff], [-1, 0xff], [256, 0], [0x12345678, 0x78]] as const) {
        backend.memset(block, 8, 1, value);
        backend.read(block, 8, byte);
        expect(byte[0]).toBe(expected);
      }
    });

    it('copies only the bytes of a view, whatever its type and offset', () => {
      const block = allocate();
      backend.memset(block, 0, 64, 0);
      const source = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
      backend.write(block, 16, new DataView(source.buffer, 2, 4));
      backend.write(block, 32, new Uint16Array(source.buffer, 4, 2));
      const out = new Uint8Array(48);
      backend.read(block, 0, out);
      expect([...out.subarray(15, 21)]).toEqual([0, 3, 4, 5, 6, 0]);
      expect([...out.subarray(31, 37)]).toEqual([0, 5, 6, 7, 8, 0]);
      const into = new Uint8Array(8);
      backend.read(block, 16, new DataView(into.buffer, 2, 4));
      expect([...into]).toEqual([0, 0, 3, 4, 5, 6, 0, 0]);
    });

    it('rejects ranges that leave the block', () => {
      const block = allocate();
      expect(() => backend.memset(block, block.size - 1, 2, 0)).toThrow(RangeError);
      expect(() => backend.memset(block, block.size + 1, 0, 0)).toThrow(RangeError);
      expect(() => backend.write(block, block.size - 3, new Uint8Array(4))).toThrow(RangeError);
      expect(() => backend.read(block, block.size, new Uint8Array(1))).toThrow(RangeError);
    });

    it('refuses a view over a detached buffer with a TypeError naming it, on write and read', () => {
      const block = allocate();
      const buffer = new ArrayBuffer(8);
      const view = new Uint8Array(buffer);
      structuredClone(buffer, { transfer: [buffer] });
      expect(() => backend.write(block, 0, view)).toThrow(/Expected a TypedArray or DataView over a buffer that is not detached for src/);
      expect(() => backend.read(block, 0, view)).toThrow(/Expected a TypedArray or DataView over a buffer that is not detached for dst/);
    });

    it.each([-1, Number.NaN, 1.5, Number.POSITIVE_INFINITY, 2 ** 53, 2 ** 53 + 2, -0.5])('rejects offset and length %s', (bad) => {
      const block = allocate();
      expect(() => backend.memset(block, bad, 1, 0)).toThrow(RangeError);
      expect(() => backend.memset(block, 0, bad, 0)).toThrow(RangeError);
      expect(() => backend.write(block, bad, new Uint8Array(1))).toThrow(RangeError);
      expect(() => backend.read(block, bad, new Uint8Array(1))).toThrow(RangeError);
    });

    /** Every byte of the block, to show a refused copy changed none. */
    function bytesOf(block: BackendBlock): Uint8Array {
      const bytes = new Uint8Array(block.size);
      backend.read(block, 0, bytes);
      return bytes;
    }

    /** A block whose every byte differs from its neighbours', so a copy's every byte shows. */
    function patterned(): BackendBlock {
      const block = allocate();
      backend.write(block, 0, Uint8Array.from({ length: block.size }, (_, i) => (i * 31 + (i >> 8)) & 0xff));
      return block;
    }

    it.each([
      ['forwards', 256, 0, 64],
      ['backwards', 0, 256, 64],
      ['to the range right after the source', 4096, 4032, 64],
      ['to the range right before the source', 4032, 4096, 64],
      ['one byte to the last byte', SIZE - 1, 0, 1],
      ['half the block onto the other half', SIZE / 2, 0, SIZE / 2],
    ])('copies %s (dst %i, src %i, %i bytes), leaving every other byte as it was', (_how, dst, src, length) => {
      const block = patterned();
      const expected = bytesOf(block);
      expected.copyWithin(dst, src, src + length);
      expect(backend.copy(block, dst, src, length)).toBeUndefined();
      expect(bytesOf(block)).toEqual(expected);
    });

    it('copies nothing for length 0, but still checks both offsets', () => {
      const block = patterned();
      const before = bytesOf(block);
      for (const [dst, src] of [[0, 0], [128, 128], [block.size, 0], [0, block.size], [block.size, block.size]] as const) {
        expect(backend.copy(block, dst, src, 0)).toBeUndefined();
      }
      expect(() => backend.copy(block, block.size + 1, 0, 0)).toThrow(RangeError);
      expect(() => backend.copy(block, 0, block.size + 1, 0)).toThrow(RangeError);
      expect(() => backend.copy(block, -1, 0, 0)).toThrow(RangeError);
      expect(() => backend.copy(block, 0, Number.NaN, 0)).toThrow(RangeError);
      expect(bytesOf(block)).toEqual(before);
    });

    it.each([
      ['the same range', 64, 64, 64],
      ['a destination one byte ahead', 65, 64, 64],
      ['a destination one byte behind', 63, 64, 64],
      ['a destination that ends one byte into the source', 1, 64, 64],
      ['a source that ends one byte into the destination', 64, 1, 64],
      ['one byte onto itself', 0, 0, 1],
    ])('refuses overlapping ranges (%s) with a RangeError, copying nothing', (_how, dst, src, length) => {
      const block = patterned();
      const before = bytesOf(block);
      expect(() => backend.copy(block, dst, src, length)).toThrow(RangeError);
      expect(() => backend.copy(block, dst, src, length)).toThrow(/^Source \[\d+, \d+\) and destination \[\d+, \d+\) of the copy overlap$/);
      expect(bytesOf(block)).toEqual(before);
    });

    it('refuses a copy whose source or destination leaves the block, copying nothing', () => {
      const block = patterned();
      const before = bytesOf(block);
      const max = Number.MAX_SAFE_INTEGER;
      for (const [dst, src, length] of [
        [block.size - 1, 0, 2],
        [0, block.size - 1, 2],
        [block.size, 0, 1],
        [0, block.size, 1],
        [0, block.size / 2, block.size / 2 + 1],
        [max, 0, 1],
        [0, max, 1],
        [0, 128, max],
        [max, max, max],
      ] as const) {
        expect(() => backend.copy(block, dst, src, length), `copy(${dst}, ${src}, ${length})`).toThrow(/^Range \[\d+, \d+\) is outside the block of \d+ bytes$/);
      }
      expect(bytesOf(block)).toEqual(before);
    });

    it.each([-1, Number.NaN, 1.5, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 53, 2 ** 64, -0.5])(
      'refuses copy offsets and length %s with a RangeError naming the argument, copying nothing',
      (bad) => {
        const block = patterned();
        const before = bytesOf(block);
        expect(() => backend.copy(block, bad, 0, 1)).toThrow(/^Expected non-negative safe integer for dstOffset but received /);
        expect(() => backend.copy(block, 128, bad, 1)).toThrow(/^Expected non-negative safe integer for srcOffset but received /);
        expect(() => backend.copy(block, 128, 0, bad)).toThrow(/^Expected non-negative safe integer for length but received /);
        for (const call of [() => backend.copy(block, bad, 0, 1), () => backend.copy(block, 128, bad, 1), () => backend.copy(block, 128, 0, bad)]) {
          expect(call).toThrow(RangeError);
        }
        expect(bytesOf(block)).toEqual(before);
      },
    );

    it('refuses copy arguments that are not numbers (TypeError or RangeError), copying nothing', () => {
      const block = patterned();
      const before = bytesOf(block);
      for (const bad of ['128', 128n, undefined, null, {}, [128]]) {
        for (const call of [
          () => backend.copy(block, bad as number, 0, 1),
          () => backend.copy(block, 128, bad as number, 1),
          () => backend.copy(block, 128, 0, bad as number),
        ]) {
          let error: unknown;
          try {
            call();
          } catch (caught) {
            error = caught;
          }
          expect(error instanceof TypeError || error instanceof RangeError, String(error)).toBe(true);
        }
      }
      expect(bytesOf(block)).toEqual(before);
    });

    it('rejects a block it did not make', () => {
      allocate();
      const plain = { base: 0x1000n, size: SIZE };
      const other = foreign();
      try {
        for (const block of [plain, other.block]) {
          expect(() => backend.memset(block, 0, 1, 0)).toThrow(TypeError);
          expect(() => backend.write(block, 0, new Uint8Array(1))).toThrow(TypeError);
          expect(() => backend.read(block, 0, new Uint8Array(1))).toThrow(TypeError);
          expect(() => backend.copy(block, 128, 0, 1)).toThrow(TypeError);
          expect(() => backend.free(block)).toThrow(TypeError);
        }
      } finally {
        other.release();
      }
    });

    it('frees once: a second free returns false', () => {
      const block = allocate();
      expect(backend.free(block)).toBe(true);
      expect(backend.free(block)).toBe(false);
    });

    it('refuses access after free', () => {
      const block = allocate();
      backend.free(block);
      expect(() => backend.memset(block, 0, 1, 0)).toThrow(/freed/);
      expect(() => backend.write(block, 0, new Uint8Array(1))).toThrow(/freed/);
      expect(() => backend.read(block, 0, new Uint8Array(1))).toThrow(/freed/);
      expect(() => backend.copy(block, 128, 0, 1)).toThrow(/freed/);
      expect(() => backend.copy(block, 0, 0, 0)).toThrow(/freed/);
    });

    it('shares a block: the same plain share on every call, borrowed here on the same memory', () => {
      const block = allocate(SIZE, { shareable: true });
      const share = backend.share(block);
      expect(share).toEqual(backend.share(block));
      expect(structuredClone(share)).toEqual(share);
      expect(share).toMatchObject({ kind: name, base: block.base, size: block.size });
      const borrowed = create().borrow(structuredClone(share));
      expect({ base: borrowed.base, size: borrowed.size }).toEqual({ base: block.base, size: block.size });
      expect(backend.share(borrowed)).toEqual(share);
      backend.write(block, 128, Uint8Array.of(1, 2, 3));
      backend.memset(borrowed, 256, 2, 9);
      backend.copy(borrowed, 512, 128, 3);
      const seen = new Uint8Array(3);
      backend.read(borrowed, 128, seen);
      expect([...seen]).toEqual([1, 2, 3]);
      backend.read(block, 256, seen);
      expect([...seen]).toEqual([9, 9, 0]);
      backend.read(block, 512, seen);
      expect([...seen]).toEqual([1, 2, 3]);
    });

    it('frees a shared block only through its owner; the borrowed handle then reads as freed by its owner', () => {
      const block = allocate(SIZE, { shareable: true });
      const borrowed = backend.borrow(backend.share(block));
      expect(() => backend.free(borrowed)).toThrow(new TypeError('Only the owner of a shared block frees it: this block was borrowed'));
      backend.read(block, 0, new Uint8Array(1));
      expect(backend.free(block)).toBe(true);
      const freed = /^The block was freed by its owner/;
      expect(() => backend.memset(borrowed, 0, 1, 0)).toThrow(RangeError);
      expect(() => backend.memset(borrowed, 0, 1, 0)).toThrow(freed);
      expect(() => backend.write(borrowed, 0, new Uint8Array(1))).toThrow(freed);
      expect(() => backend.read(borrowed, 0, new Uint8Array(1))).toThrow(freed);
      expect(() => backend.copy(borrowed, 128, 0, 1)).toThrow(freed);
      expect(() => backend.share(borrowed)).toThrow(RangeError);
      expect(() => backend.share(block)).toThrow(RangeError);
    });

    it.runIf(name === 'js')('shares only a block allocated shareable', () => {
      const block = allocate();
      expect(() => backend.share(block)).toThrow(/allocated with \{ shareable: true \}/);
    });

    it('refuses to borrow a share of another kind, a forged share, or one whose block was freed', () => {
      const block = allocate(SIZE, { shareable: true });
      const share = backend.share(block);
      const otherKind = name === 'js' ? { kind: 'host', id: 1, base: block.base, size: block.size } : { ...share, kind: 'js' };
      expect(() => backend.borrow(otherKind as never)).toThrow(TypeError);
      expect(() => backend.borrow(null as never)).toThrow(TypeError);
      expect(() => backend.borrow({ ...share, size: share.size + 128 })).toThrow(name === 'js' ? TypeError : RangeError);
      backend.free(block);
      expect(() => backend.borrow(share)).toThrow(/freed by its owner/);
    });

    it('has exactly the members of the Backend contract', () => {
      allocate();
      expect(Object.keys(backend).sort()).toEqual(['allocate', 'borrow', 'copy', 'free', 'kind', 'memset', 'read', 'share', 'write']);
    });
  });
}
