// SPDX-License-Identifier: MIT
// encodePickle against Python's own pickle module: every kind of value it writes is loaded by
// python3 and must come back with the same value and Python type (ints of every width, exactly,
// big and negative ones included; unicode beyond the BMP; nested containers; big batches).

import { describe, expect, it } from 'vitest';
import { encodePickle, type PickleValue } from '../../../src/trace/pickle.js';
import { pythonSkipReason, pythonUnpickle } from '../../helpers/python-pickle.js';

const roundTrip = (value: PickleValue): unknown => pythonUnpickle(encodePickle(value));

describe.skipIf(pythonSkipReason !== undefined)(`encodePickle, read by Python's pickle${pythonSkipReason === undefined ? '' : ` (skipped: ${pythonSkipReason})`}`, () => {
  it('writes ints of every width exactly, as Python ints', () => {
    const ints = [
      0n, 1n, 255n, 256n, 65535n, 65536n, 2n ** 31n - 1n, 2n ** 31n, -1n, -128n, -129n, -256n, -(2n ** 31n), -(2n ** 31n) - 1n,
      2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 0x7fff_ffff_ffff_ffffn, 2n ** 63n, 2n ** 64n - 1n, 2n ** 64n, -(2n ** 63n), -(2n ** 63n) - 1n,
      2n ** 2000n + 12345n, -(2n ** 2000n),
    ];
    expect(roundTrip(ints)).toEqual(ints);
    // Safe-integer numbers are ints too.
    expect(roundTrip([0, 7, 300, -5, 2 ** 40, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER])).toEqual(
      [0n, 7n, 300n, -5n, 2n ** 40n, BigInt(Number.MAX_SAFE_INTEGER), BigInt(Number.MIN_SAFE_INTEGER)],
    );
  });

  it('refuses an int LONG1 cannot hold', () => {
    expect(() => encodePickle(2n ** 2040n)).toThrow(RangeError);
    expect(() => encodePickle(2n ** 2039n - 1n)).not.toThrow();
  });

  it('writes other numbers as floats', () => {
    expect(roundTrip([1.5, -0.1, 2 ** 60, 1e300, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])).toEqual([1.5, -0.1, 2 ** 60, 1e300, Infinity, -Infinity]);
    expect(Number.isNaN(roundTrip(Number.NaN))).toBe(true);
  });

  it('writes str as unicode, astral characters and long strings included', () => {
    const strings = ['', 'a', 'vdec ch0', 'é ü ß', '日本語', '😀 𝄞 𐍈', 'x'.repeat(255), 'y'.repeat(256), '😀'.repeat(100_000)];
    expect(roundTrip(strings)).toEqual(strings);
  });

  it('writes True, False and None', () => {
    expect(roundTrip([true, false, null])).toEqual([true, false, null]);
  });

  it('writes nested dicts and lists, leaving out undefined values', () => {
    const value = { a: [1, [2, [3, []]], {}], 'b c': { d: { e: null, f: 'g' } }, empty: [], skipped: undefined };
    expect(roundTrip(value)).toEqual({ a: [1n, [2n, [3n, []]], {}], 'b c': { d: { e: null, f: 'g' } }, empty: [] });
  });

  it('writes a value far larger than the first buffer, through every kind of write', () => {
    const entries = Array.from({ length: 40_000 }, (_, i) => ({ action: 'alloc', addr: 2n ** 47n + BigInt(i), size: i * 7, on: i % 2 === 0, note: i % 3 === 0 ? null : `n${i % 50}` }));
    expect(roundTrip(entries)).toEqual(entries.map((e) => ({ ...e, size: BigInt(e.size) })));
  });

  it('writes containers of more than one batch (1000 items)', () => {
    const list = Array.from({ length: 2501 }, (_, i) => i);
    const dict = Object.fromEntries(list.map((i) => [`k${i}`, i]));
    expect(roundTrip({ list, dict })).toEqual({ list: list.map(BigInt), dict: Object.fromEntries(list.map((i) => [`k${i}`, BigInt(i)])) });
  });
});

describe('encodePickle, the bytes', () => {
  it('is protocol 4 and ends with STOP', () => {
    expect([...encodePickle(null)]).toEqual([0x80, 4, 0x4e, 0x2e]);
  });

  it('uses the smallest int opcode (BININT1, BININT2, BININT, LONG1)', () => {
    expect([...encodePickle(5)].slice(2, -1)).toEqual([0x4b, 5]);
    expect([...encodePickle(0x1234)].slice(2, -1)).toEqual([0x4d, 0x34, 0x12]);
    expect([...encodePickle(-2)].slice(2, -1)).toEqual([0x4a, 0xfe, 0xff, 0xff, 0xff]);
    expect([...encodePickle(2n ** 31n)].slice(2, -1)).toEqual([0x8a, 5, 0, 0, 0, 0x80, 0]);
    expect([...encodePickle(-(2n ** 31n) - 1n)].slice(2, -1)).toEqual([0x8a, 5, 0xff, 0xff, 0xff, 0x7f, 0xff]);
  });
});
