// SPDX-License-Identifier: MIT
// createPool's options: defaults, capacity rounding, pool.backend, and every rejection naming
// the option it is about (TypeError for a wrong type or unknown key, RangeError for a bad value).

import { describe, expect, test } from 'vitest';
import { DVPP_MAX_BLOCK_BYTES } from '../../../src/constants.js';
import { Pool, createPool } from '../../../src/pool/pool.js';
import { parsePoolOptions } from '../../../src/pool/options.js';
import { describeBackends, makePool } from '../../helpers/pool-backends.js';

describeBackends('createPool options', (kind) => {
  test('capacity is size rounded down to a multiple of 128; baseAddress is 128-aligned', () => {
    using pool = makePool(kind, 1000);
    expect(pool).toBeInstanceOf(Pool);
    expect(pool.capacity).toBe(896);
    expect(pool.baseAddress % 128n).toBe(0n);
    expect(pool.stats().capacity).toBe(896);
  });

  test('the smallest size is 128', () => {
    using pool = makePool(kind, 128);
    expect(pool.capacity).toBe(128);
    expect(() => makePool(kind, 127)).toThrow(RangeError);
    expect(() => makePool(kind, 127)).toThrow(/options\.size/);
  });

  test('pool.backend names the kind and has no fallbackReason key when none', () => {
    using pool = makePool(kind, 4096);
    expect(pool.backend).toEqual({ kind });
    expect(Object.keys(pool.backend)).toEqual(['kind']);
    expect(Object.isFrozen(pool.backend)).toBe(true);
  });

  test('the block is zeroed right after allocation', () => {
    using pool = makePool(kind, 4096);
    using seg = pool.acquire(4000);
    expect(seg.read(0, seg.size).every((byte) => byte === 0)).toBe(true);
  });

  test('deviceId and acl options are accepted (and ignored off acl)', () => {
    using pool = makePool(kind, 4096, { deviceId: 3, acl: { libraryDir: '/nowhere' }, zeroOnAcquire: false });
    expect(pool.capacity).toBe(4096);
  });
});

describe('createPool option errors name the option', () => {
  const cases: [string, unknown, ErrorConstructor, RegExp][] = [
    ['missing options', undefined, TypeError, /options/],
    ['options not an object', 42, TypeError, /options/],
    ['options an array', [], TypeError, /options/],
    ['missing size', {}, TypeError, /options\.size.*undefined/],
    ['size a string', { size: '4096' }, TypeError, /options\.size.*"4096".*string/],
    ['size a bigint', { size: 4096n }, TypeError, /options\.size/],
    ['size negative', { size: -1 }, RangeError, /options\.size.*-1/],
    ['size fractional', { size: 4096.5 }, RangeError, /options\.size.*4096\.5/],
    ['size NaN', { size: Number.NaN }, RangeError, /options\.size.*NaN/],
    ['size below 128', { size: 64 }, RangeError, /options\.size.*64/],
    ['size above 16 GiB', { size: DVPP_MAX_BLOCK_BYTES + 128 }, RangeError, /options\.size/],
    ['unknown key', { size: 4096, sise: 1 }, TypeError, /options\.sise/],
    ['backend unknown', { size: 4096, backend: 'cuda' }, RangeError, /options\.backend.*"cuda"/],
    ['backend not a string', { size: 4096, backend: 1 }, TypeError, /options\.backend/],
    ['deviceId negative', { size: 4096, deviceId: -1 }, RangeError, /options\.deviceId.*-1/],
    ['deviceId a string', { size: 4096, deviceId: '0' }, TypeError, /options\.deviceId/],
    ['acl not an object', { size: 4096, acl: 'x' }, TypeError, /options\.acl/],
    ['acl unknown key', { size: 4096, acl: { dir: '/x' } }, TypeError, /options\.acl\.dir/],
    ['acl.libraryDir not a string', { size: 4096, acl: { libraryDir: 1 } }, TypeError, /options\.acl\.libraryDir/],
    ['zeroOnAcquire not a boolean', { size: 4096, zeroOnAcquire: 1 }, TypeError, /options\.zeroOnAcquire/],
  ];
  test.each(cases)('%s', (_name, options, type, message) => {
    // The cast is the point: these are the values a JavaScript caller can pass.
    expect(() => createPool(options as Parameters<typeof createPool>[0])).toThrow(type);
    expect(() => createPool(options as Parameters<typeof createPool>[0])).toThrow(message);
  });

  test('the exact message shape', () => {
    expect(() => parsePoolOptions({ size: -1 })).toThrow(
      `Expected integer number of bytes in [128, ${DVPP_MAX_BLOCK_BYTES}] for options.size but received -1 of type number`,
    );
  });

  test('defaults', () => {
    expect(parsePoolOptions({ size: 300 })).toEqual({
      capacity: 256,
      minCapacity: 256,
      maxSize: undefined,
      growBy: 256,
      trimAfterMs: undefined,
      backend: 'auto',
      deviceId: 0,
      libraryDir: undefined,
      zeroOnAcquire: false,
      shared: false,
    });
  });

  test('an explicit undefined is the default', () => {
    expect(parsePoolOptions({ size: 256, backend: undefined, deviceId: undefined, acl: undefined, zeroOnAcquire: undefined }).backend).toBe('auto');
  });
});
