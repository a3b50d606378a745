// SPDX-License-Identifier: MIT
// The fuzz's oracle (test/helpers/fuzz.ts thrownKind): which thrown values count as the library
// failing on purpose. A TypeError or RangeError passes only with one of the project's own
// messages (PROJECT_ERROR_MESSAGES); V8's messages of an internal bug ("Cannot read properties
// of undefined", "x is not a function") fail, as do wrapped, subclassed or uncoded errors.

import { describe, expect, it } from 'vitest';
import { DvppPoolError, InvalidSegmentError, createPool } from '../../src/index.js';
import { invalidMessage, numberError } from '../../src/validate.js';
import { PROJECT_ERROR_MESSAGES, isProjectMessage, thrownKind } from '../helpers/fuzz.js';
import { HostileAccess } from '../helpers/hostile.js';

/** What `fn` throws. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}

describe('the fuzz oracle', () => {
  it("rejects V8's TypeErrors of an internal bug", () => {
    const undefinedRead = thrown(() => (undefined as unknown as { pool: { acquire(): void } }).pool.acquire());
    expect(undefinedRead).toBeInstanceOf(TypeError);
    expect(thrownKind(undefinedRead, false)).toBeUndefined();
    expect(thrownKind(undefinedRead, true)).toBeUndefined();
    // What `new Scope()` from the package gave on first use (issue 12, item 18).
    for (const message of [
      "Cannot read properties of undefined (reading 'acquire')",
      'this.pool.acquire is not a function',
      'Cannot convert a Symbol value to a string',
      'Cannot mix BigInt and other types, use explicit conversions',
      'Invalid typed array length: 4294967424',
    ]) {
      expect(thrownKind(new TypeError(message), false), message).toBeUndefined();
      expect(thrownKind(new RangeError(message), false), message).toBeUndefined();
    }
    expect(thrownKind(new RangeError('Array buffer allocation failed'), false)).toBeUndefined();
  });

  it("accepts the project's argument errors, from the library itself", () => {
    const len = thrown(() => createPool({ size: 4096, backend: 'js' }).acquire(0));
    expect(len).toBeInstanceOf(RangeError);
    expect(thrownKind(len, false)).toBe('RangeError');
    const type = thrown(() => createPool({ size: 4096, backend: 'js' }).acquire('1' as unknown as number));
    expect(thrownKind(type, false)).toBe('TypeError');
    const unknownKey = thrown(() => createPool({ size: 4096, backend: 'js', extra: 1 } as never));
    expect(thrownKind(unknownKey, false)).toBe('TypeError');
    const range = thrown(() => createPool({ size: 4096, backend: 'js' }).acquire(100).write(new Uint8Array(8), 200));
    expect(thrownKind(range, false)).toBe('RangeError');
    expect(thrownKind(new TypeError(invalidMessage('options.tag', 'string', Symbol('s'))), false)).toBe('TypeError');
    expect(thrownKind(numberError('at', 'non-negative safe integer', -1), true)).toBe('RangeError');
  });

  it('accepts only exact TypeError/RangeError classes, coded DvppPoolErrors, the input’s own exceptions', () => {
    const shaped = invalidMessage('len', 'positive safe integer', 0);
    class Wrapped extends TypeError {}
    expect(thrownKind(new Wrapped(shaped), false)).toBeUndefined();
    expect(thrownKind(new Error(shaped), false)).toBeUndefined();
    expect(thrownKind(shaped, false)).toBeUndefined();
    expect(thrownKind(new InvalidSegmentError('gone'), false)).toBe('ERR_DVPP_INVALID_SEGMENT');
    expect(thrownKind(new DvppPoolError('NOT_OURS', 'x'), false)).toBeUndefined();
    expect(thrownKind(new HostileAccess('getter'), false)).toBe('HostileAccess');
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(thrownKind(thrown(() => Array.isArray(proxy)), false)).toBe('RevokedProxy');
    // An aborted signal's reason only as a rejection.
    expect(thrownKind(new DOMException('aborted', 'AbortError'), true)).toBe('AbortError');
    expect(thrownKind(new DOMException('aborted', 'AbortError'), false)).toBeUndefined();
  });

  it('accepts a language TypeError only for a foreign receiver', () => {
    const unbound = thrown(() => Reflect.apply(createPool({ size: 4096, backend: 'js' }).acquire, {}, [1]));
    expect(thrownKind(unbound, false)).toBeUndefined();
    expect(thrownKind(unbound, false, true)).toBe('TypeError (foreign receiver)');
    expect(thrownKind(new RangeError('Invalid array length'), false, true)).toBeUndefined();
  });

  it('has a pattern for each message template, each matching a sample and none matching V8', () => {
    const samples = [
      'Expected positive safe integer for len but received 0 of type number',
      'Expected a block made by this addon for block but received an object of type object',
      'Unknown option options.extra; known options are: tag, zero',
      "Range [0, 300) is outside the segment's 160 bytes",
      'Range [4000, 4200) is outside the block of 4096 bytes',
      'The block was freed: it has no bytes left to access',
      'Source [0, 11) and destination [10, 21) of the copy overlap',
      'The view given for bytes reaches past the end of its buffer',
      'len 99999 is larger than the pool can ever hold: its footprint is 100096 bytes and the largest block the pool has or may grow is 65536 bytes, so acquireAsync would wait forever',
      "The pool's addresses end at 0x20000000000000, beyond 2^53: pyACL pointers are numbers and would lose bits",
      'snapshot.segments[2] starts at 128, before the end 256 of the range listed before it (lists are in address order)',
      'snapshot.freeRanges[0] ends at 9000, past the capacity 8192',
      'snapshot.freeRanges[1] starts at 129, before the range listed before it at 7808 (lists are in address order)',
      'snapshot.segments[2] [8064, 11264) overlaps snapshot.segments[1] [4480, 33280)',
      'stepBytes must be a positive multiple of 128, got 100',
      'snapshot.blocks lists no block; a pool has at least its first, block 0',
      "snapshot.segments[5].block is 157477, a block the snapshot's blocks do not list",
      'Cannot share: the pool was not created with shared: true',
      'Cannot adopt a segment: the pool was not created with shared: true',
      'Cannot share the segment: its pool was not created with shared: true',
      'A shared pool takes at most 256 attachments over its life; this would be attachment 257',
      // From test:stress (seed 40960), the first messages of the pool of blocks' checks to reach the fuzz.
      'snapshot.freeRanges[0] ends at 17592197192832, past the end of block 0 (65536 bytes)',
      'snapshot.segments[3] starts at 4096, before the range listed before it at 8192 (lists are in address order within a block)',
      'snapshot.blocks[0] (block 0) has bytes [0, 128) that no segment or free range covers (in each block, segment footprints and free ranges cover it exactly)',
    ];
    for (const sample of samples) expect(isProjectMessage(sample), sample).toBe(true);
    for (const { pattern, from } of PROJECT_ERROR_MESSAGES) expect(samples.some((sample) => pattern.test(sample)), `${pattern} (${from})`).toBe(true);
    for (const message of ["Cannot read properties of undefined (reading 'x')", 'Expected a value', 'Invalid argument', 'Range is outside']) {
      expect(isProjectMessage(message), message).toBe(false);
    }
  });
});
