// SPDX-License-Identifier: MIT
// Segment: write/read/fill bounds (any of its `size` bytes, RangeError past them), read's copy
// semantics and defaults, address maths, and that a released segment refuses byte access.

import { expect, test } from 'vitest';
import { InvalidSegmentError } from '../../../src/errors.js';
import { describeBackends, makePool, silenceLeakWarnings } from '../../helpers/pool-backends.js';

silenceLeakWarnings();

describeBackends('Segment', (kind) => {
  test('write then read round-trips at any offset within size', () => {
    using pool = makePool(kind, 4096);
    using seg = pool.acquire(100); // size 160
    const data = Uint8Array.from({ length: 60 }, (_, i) => i + 1);
    seg.write(data, 100); // reaches byte 159, the last of `size`
    expect(seg.read(100, 60)).toEqual(data);
    seg.write(new Uint16Array([0x0201, 0x0403]));
    expect([...seg.read(0, 4)]).toEqual([1, 2, 3, 4]);
    seg.write(new DataView(new Uint8Array([9, 9]).buffer), 4);
    expect([...seg.read(4, 2)]).toEqual([9, 9]);
  });

  test('read defaults to (0, size - at), as fill does, and returns a new copy', () => {
    using pool = makePool(kind, 4096);
    using seg = pool.acquire(100);
    seg.fill(5);
    const copy = seg.read();
    expect(copy).toBeInstanceOf(Uint8Array);
    expect(copy.length).toBe(seg.size);
    copy[0] = 77;
    expect(seg.read(0, 1)[0]).toBe(5);
    expect(seg.read(0, 0)).toHaveLength(0);
    expect(seg.read(0, seg.length)).toHaveLength(100);
    expect(seg.read(32).length).toBe(128);
    // The review's case: read(100) on a 100-byte request threw (its default length was 100).
    expect(seg.read(100)).toHaveLength(60);
    expect(seg.read(seg.size)).toHaveLength(0);
  });

  test('an `at` past the end names `at`, for read and fill alike', () => {
    using pool = makePool(kind, 4096);
    using seg = pool.acquire(100);
    expect(() => seg.read(161)).toThrow(/for at but received 161/);
    expect(() => seg.fill(0, 161)).toThrow(/for at but received 161/);
  });

  test('fill defaults to the rest of size from at', () => {
    using pool = makePool(kind, 4096);
    using seg = pool.acquire(100);
    seg.fill(1);
    expect(seg.read(0, seg.size).every((b) => b === 1)).toBe(true);
    seg.fill(2, 150);
    expect([...seg.read(148, 12)]).toEqual([1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    seg.fill(3, 10, 2);
    expect([...seg.read(9, 4)]).toEqual([1, 3, 3, 1]);
    seg.fill(255, 0, 1);
    expect(seg.read(0, 1)[0]).toBe(255);
  });

  test('neighbouring segments are untouched by a full-size write', () => {
    using pool = makePool(kind, 4096);
    const a = pool.acquire(100);
    const b = pool.acquire(100);
    b.fill(0);
    a.write(new Uint8Array(a.size).fill(0xff));
    expect(b.read(0, b.size).every((x) => x === 0)).toBe(true);
  });

  test.each([
    ['write past size', (s: ReturnType<ReturnType<typeof makePool>['acquire']>) => s.write(new Uint8Array(161)), RangeError, /outside the segment's 160 bytes/],
    ['write at past size', (s: ReturnType<ReturnType<typeof makePool>['acquire']>) => s.write(new Uint8Array(1), 160), RangeError, /outside/],
    ['write at negative', (s: ReturnType<ReturnType<typeof makePool>['acquire']>) => s.write(new Uint8Array(1), -1), RangeError, /\bat\b.*-1/],
    ['write a non-view', (s: ReturnType<ReturnType<typeof makePool>['acquire']>) => s.write([1, 2] as unknown as Uint8Array), TypeError, /src/],
    ['read past size', (s: ReturnType<ReturnType<typeof makePool>['acquire']>) => s.read(100, 61), RangeError, /outside/],
    ['read at past size', (s: ReturnType<ReturnType<typeof makePool>['acquire']>) => s.read(161), RangeError, /\bat\b/],
    ['read length past size', (s: ReturnType<ReturnType<typeof makePool>['acquire']>) => s.read(61, 100), RangeError, /outside/],
    ['read fractional at', (s: ReturnType<ReturnType<typeof makePool>['acquire']>) => s.read(0.5), RangeError, /\bat\b/],
    ['read string length', (s: ReturnType<ReturnType<typeof makePool>['acquire']>) => s.read(0, '4' as unknown as number), TypeError, /length/],
    ['fill past size', (s: ReturnType<ReturnType<typeof makePool>['acquire']>) => s.fill(0, 0, 161), RangeError, /outside/],
    ['fill at past size', (s: ReturnType<ReturnType<typeof makePool>['acquire']>) => s.fill(0, 161), RangeError, /\bat\b/],
    ['fill value 256', (s: ReturnType<ReturnType<typeof makePool>['acquire']>) => s.fill(256), RangeError, /value/],
    ['fill value -1', (s: ReturnType<ReturnType<typeof makePool>['acquire']>) => s.fill(-1), RangeError, /value/],
    ['fill value 1.5', (s: ReturnType<ReturnType<typeof makePool>['acquire']>) => s.fill(1.5), RangeError, /value/],
  ])('%s throws', (_name, action, type, message) => {
    using pool = makePool(kind, 4096);
    const neighbour = pool.acquire(100);
    neighbour.fill(0x5a);
    using seg = pool.acquire(100);
    seg.fill(0x11);
    expect(() => action(seg)).toThrow(type);
    expect(() => action(seg)).toThrow(message);
    expect(seg.read(0, seg.size).every((b) => b === 0x11)).toBe(true);
    expect(neighbour.read(0, neighbour.size).every((b) => b === 0x5a)).toBe(true);
  });

  test('a released segment refuses write, read and fill', () => {
    using pool = makePool(kind, 4096);
    const seg = pool.acquire(100);
    seg.release();
    expect(() => seg.write(new Uint8Array(1))).toThrow(InvalidSegmentError);
    expect(() => seg.read()).toThrow(InvalidSegmentError);
    expect(() => seg.fill(0)).toThrow(/released already/);
  });

  test('a segment of a closed pool refuses byte access', () => {
    const pool = makePool(kind, 4096);
    const seg = pool.acquire(100);
    pool.close();
    expect(() => seg.read()).toThrow(InvalidSegmentError);
    expect(() => seg.fill(0)).toThrow(/closed/);
  });

  test('released is false while live, true after release', () => {
    using pool = makePool(kind, 4096);
    const seg = pool.acquire(1);
    expect(seg.released).toBe(false);
    seg[Symbol.dispose]();
    expect(seg.released).toBe(true);
    seg[Symbol.dispose](); // no-op on a released segment
    expect(() => seg.release()).toThrow(InvalidSegmentError);
  });

  test('address is baseAddress + offset as a bigint', () => {
    using pool = makePool(kind, 4096);
    pool.acquire(500);
    const seg = pool.acquire(10);
    expect(typeof seg.address).toBe('bigint');
    expect(seg.address - pool.baseAddress).toBe(BigInt(seg.offset));
    expect(seg.address % 128n).toBe(0n);
  });
});

describeBackends('segment byte access with a bad `at` and no length', (kind) => {
  test.each([
    ['a symbol', Symbol('at')],
    ['a bigint', 1n],
    ['a null-prototype object', Object.create(null) as object],
    ['an object with valueOf', { valueOf: () => 4 }],
  ])('read(at) and fill(v, at) with %s name `at` and run no user code', (_name, at) => {
    using pool = makePool(kind, 4096);
    using seg = pool.acquire(100);
    for (const call of [() => seg.read(at as unknown as number), () => seg.fill(0, at as unknown as number)]) {
      expect(call).toThrow(TypeError);
      expect(call).toThrow(/for at but received/);
    }
  });
});

describeBackends('segment.write and a view that lies about its length', (kind) => {
  test('a byteLength getter of the caller cannot make write pass the segment and reach the next one', () => {
    using pool = makePool(kind, 4096);
    using a = pool.acquire(32);
    using b = pool.acquire(32);
    b.fill(7);
    class Liar extends Uint8Array {
      override get byteLength(): number {
        return 1;
      }
    }
    const liar = new Liar(512).fill(0xee);
    expect(() => a.write(liar)).toThrow(/outside the segment's 64 bytes/);
    expect([...b.read(0, 4)]).toEqual([7, 7, 7, 7]);
    const view = new DataView(new ArrayBuffer(512));
    Object.defineProperty(view, 'byteLength', { value: 1 });
    expect(() => a.write(view)).toThrow(/outside the segment's 64 bytes/);
    expect([...b.read(0, 4)]).toEqual([7, 7, 7, 7]);
    pool.validate();
  });
});
