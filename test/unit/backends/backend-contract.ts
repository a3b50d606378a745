// SPDX-License-Identifier: MIT
// The Backend contract (src/backends/backend.ts) as one suite, run against every backend by
// js.test.ts and test/native/host-backend.test.ts. Not a test file itself: it exports the suite.

import { afterEach, describe, expect, it } from 'vitest';
import type { Backend, BackendBlock } from '../../../src/backends/backend.js';

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

    function allocate(size = SIZE): BackendBlock {
      backend = create();
      const block = backend.allocate(size);
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

    it('rejects a block it did not make', () => {
      allocate();
      const plain = { base: 0x1000n, size: SIZE };
      const other = foreign();
      try {
        for (const block of [plain, other.block]) {
          expect(() => backend.memset(block, 0, 1, 0)).toThrow(TypeError);
          expect(() => backend.write(block, 0, new Uint8Array(1))).toThrow(TypeError);
          expect(() => backend.read(block, 0, new Uint8Array(1))).toThrow(TypeError);
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
    });

    it('has exactly the members of the Backend contract', () => {
      allocate();
      expect(Object.keys(backend).sort()).toEqual(['allocate', 'free', 'kind', 'memset', 'read', 'write']);
    });
  });
}
