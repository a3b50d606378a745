// SPDX-License-Identifier: MIT
// A Segment's facts cannot be rewritten from outside (found by the adversarial review of issue 13):
// its offset, length and tag are #private behind getters, the pool and the pyACL skin read the
// private fields, so neither an assignment nor a property defined on the object moves what byte
// access, release, the skin's lookup or a snapshot touch. A Segment cannot be made through
// `seg.constructor`, and reading a getter through an object that inherits from a Segment answers
// undefined instead of throwing.

import { expect, test } from 'vitest';
import { InvalidSegmentError } from '../../../src/errors.js';
import { createAclCompat } from '../../../src/index.js';
import { describeBackends, makePool, silenceLeakWarnings } from '../../helpers/pool-backends.js';

silenceLeakWarnings();

describeBackends('segment fields', (kind) => {
  test('an assignment to offset, length or tag throws, and changes nothing', () => {
    using pool = makePool(kind, 4096);
    const seg = pool.acquire(100, { tag: 'mine' });
    for (const key of ['offset', 'length', 'tag', 'size', 'pool']) {
      expect(() => {
        (seg as unknown as Record<string, unknown>)[key] = 0;
      }, key).toThrow(TypeError);
    }
    expect([seg.offset, seg.length, seg.tag, seg.size]).toEqual([0, 100, 'mine', 160]);
  });

  test('a property defined over offset or length moves nothing the pool or the skin touches', () => {
    using pool = makePool(kind, 64 * 1024);
    const acl = createAclCompat(pool);
    const [theirPtr] = acl.media.dvpp_malloc(1000);
    const theirs = acl.segmentOf(theirPtr)!;
    theirs.fill(0x22);
    const mine = pool.acquire(100, { tag: 'mine' });
    Object.defineProperty(mine, 'offset', { value: theirs.offset });
    Object.defineProperty(mine, 'length', { value: 60_000 });
    Object.defineProperty(mine, 'tag', { value: 'forged' });
    expect(mine.offset).toBe(theirs.offset); // the shadow is the caller's own business...
    mine.fill(0x11); // ...but byte access writes the segment's own 160 bytes
    expect(theirs.read().every((byte) => byte === 0x22)).toBe(true);
    expect(() => mine.fill(0, 161)).toThrow(RangeError);
    // The skin and the snapshot see the real facts.
    const snapshot = pool.snapshot();
    expect(snapshot.segments.find((s) => s.tag === 'mine')).toMatchObject({ length: 100, size: 160 });
    expect(snapshot.segments.some((s) => s.tag === 'forged')).toBe(false);
    expect(acl.segmentOf(theirPtr)).toBe(theirs);
    expect(acl.media.dvpp_free(theirPtr)).toBe(0);
    expect([theirs.released, mine.released]).toEqual([true, false]);
    pool.validate();
    mine.release();
    pool.validate();
  });

  test('seg.constructor cannot make a Segment, and an object inheriting from one reads undefined', () => {
    using pool = makePool(kind, 4096);
    const seg = pool.acquire(100);
    const Ctor = seg.constructor as new (...args: unknown[]) => unknown;
    for (const args of [[], [null, 0, 0, 1], [{}, 0, 0, 1, undefined]]) expect(() => new Ctor(...args)).toThrow(/cannot be constructed/);
    const heir = Object.create(seg) as typeof seg;
    expect([heir.offset, heir.length, heir.tag, heir.size, heir.pool, heir.address, heir.released]).toEqual(Array(7).fill(undefined));
    expect(() => pool.release(heir)).toThrow(InvalidSegmentError);
    expect(seg.released).toBe(false);
  });
});

describeBackends('pool fields', (kind) => {
  test('capacity, baseAddress and backend cannot be rewritten, and the skin reads the real ones (adversarial review)', () => {
    using pool = makePool(kind, 4096);
    for (const key of ['capacity', 'baseAddress', 'backend']) {
      expect(() => {
        (pool as unknown as Record<string, unknown>)[key] = 0n;
      }, key).toThrow(TypeError);
    }
    const real = pool.baseAddress;
    Object.defineProperty(pool, 'baseAddress', { value: 0n });
    const acl = createAclCompat(pool);
    const [ptr] = acl.media.dvpp_malloc(100);
    expect(BigInt(ptr)).toBe(real);
    expect(acl.segmentOf(ptr)?.address).toBe(real);
  });
});
