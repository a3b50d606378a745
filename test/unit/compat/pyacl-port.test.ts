// SPDX-License-Identifier: MIT
// A pyACL program ported as pyACL users write it: per frame, dvpp_malloc an input and an output
// buffer, memcpy the bitstream in (host to device), "decode" on the device (a device-to-device
// copy plus a memset, standing in for the media engine), memcpy the picture out (device to
// host), dvpp_free both. It runs on every backend and on the ACL test double, whose call log must
// show aclrtMemcpy with the kinds the program asked for. Every bad pointer, size and kind is
// answered with pyACL's code, never a throw, and changes nothing.

import { describe, expect, it } from 'vitest';
import {
  ACL_ERROR_INVALID_PARAM,
  ACL_MEMCPY_DEVICE_TO_DEVICE,
  ACL_MEMCPY_DEVICE_TO_HOST,
  ACL_MEMCPY_HOST_TO_DEVICE,
  ACL_MEMCPY_HOST_TO_HOST,
  ACL_SUCCESS,
  createAclCompat,
  createPool,
} from '../../../src/index.js';
import type { Pool } from '../../../src/pool/pool.js';
import { aclDouble, freshLogPath, readCalls } from '../../helpers/acl-double.js';
import { describeBackends, makePool, silenceLeakWarnings } from '../../helpers/pool-backends.js';

silenceLeakWarnings();

const BITSTREAM = 3000;
const PICTURE = 4096;
const FRAMES = 12;

/** The bitstream of frame `n`: bytes a decoder could not guess. */
function bitstream(n: number): Uint8Array {
  return Uint8Array.from({ length: BITSTREAM }, (_, i) => (i * 7 + n * 13) & 0xff);
}

/** The ported loop; returns the pictures it read back. Checks every return code as pyACL code does. */
function decodeLoop(pool: Pool): Uint8Array[] {
  const acl = createAclCompat(pool, { tag: 'ported' });
  const pictures: Uint8Array[] = [];
  for (let n = 0; n < FRAMES; n++) {
    const [input, ret1] = acl.media.dvpp_malloc(BITSTREAM);
    expect(ret1).toBe(ACL_SUCCESS);
    const [output, ret2] = acl.media.dvpp_malloc(PICTURE);
    expect(ret2).toBe(ACL_SUCCESS);
    expect(acl.segmentOf(input)?.tag).toBe('ported');
    const stream = bitstream(n);
    expect(acl.rt.memcpy(input, BITSTREAM, stream, BITSTREAM, ACL_MEMCPY_HOST_TO_DEVICE)).toBe(ACL_SUCCESS);
    // The "decoder": the picture is the bitstream, then zeros.
    expect(acl.rt.memcpy(output, PICTURE, input, BITSTREAM, ACL_MEMCPY_DEVICE_TO_DEVICE)).toBe(ACL_SUCCESS);
    expect(acl.rt.memset(output + BITSTREAM, PICTURE - BITSTREAM, 0, PICTURE - BITSTREAM)).toBe(ACL_SUCCESS);
    const picture = new Uint8Array(PICTURE);
    expect(acl.rt.memcpy(picture, PICTURE, output, PICTURE, ACL_MEMCPY_DEVICE_TO_HOST)).toBe(ACL_SUCCESS);
    const copy = new Uint8Array(PICTURE);
    expect(acl.rt.memcpy(copy, PICTURE, picture, PICTURE, ACL_MEMCPY_HOST_TO_HOST)).toBe(ACL_SUCCESS);
    pictures.push(copy);
    expect(acl.media.dvpp_free(input)).toBe(ACL_SUCCESS);
    expect(acl.media.dvpp_free(output)).toBe(ACL_SUCCESS);
  }
  return pictures;
}

function expectPictures(pictures: Uint8Array[]): void {
  expect(pictures).toHaveLength(FRAMES);
  pictures.forEach((picture, n) => {
    expect(picture.subarray(0, BITSTREAM)).toEqual(bitstream(n));
    expect(picture.subarray(BITSTREAM).every((byte) => byte === 0)).toBe(true);
  });
}

describeBackends('a pyACL decode loop, ported', (kind) => {
  it('runs, and every picture reads back as decoded', () => {
    using pool = makePool(kind, 64 * 1024);
    expectPictures(decodeLoop(pool));
    expect(pool.stats()).toMatchObject({ liveSegments: 0, acquires: 2 * FRAMES, releases: 2 * FRAMES });
  });

  it('answers every bad pointer, size and kind with 100000, never a throw, and changes nothing', () => {
    using pool = makePool(kind, 64 * 1024);
    const acl = createAclCompat(pool);
    const [a] = acl.media.dvpp_malloc(1000); // 1056 usable bytes
    const [b] = acl.media.dvpp_malloc(1000);
    const [freed] = acl.media.dvpp_malloc(100);
    acl.media.dvpp_free(freed);
    const base = Number(pool.baseAddress);
    const view = new Uint8Array(64).fill(9);
    const detached = new Uint8Array(64);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    acl.rt.memset(a, 1056, 5, 1056);
    acl.rt.memset(b, 1056, 6, 1056);
    const before = { stats: pool.stats(), a: acl.segmentOf(a)!.read(), b: acl.segmentOf(b)!.read() };
    const bad: [number | Uint8Array, number, number | Uint8Array, number, number][] = [
      [a, 64, view, 65, ACL_MEMCPY_HOST_TO_DEVICE], // count > destMax
      [a, 64, view, -1, ACL_MEMCPY_HOST_TO_DEVICE], // negative count
      [a, 128, view, 65, ACL_MEMCPY_HOST_TO_DEVICE], // the view holds 64 bytes
      [a + 1000, 64, view, 64, ACL_MEMCPY_HOST_TO_DEVICE], // leaves a's 1056 bytes
      [freed, 64, view, 64, ACL_MEMCPY_HOST_TO_DEVICE], // freed
      [base - 128, 64, view, 64, ACL_MEMCPY_HOST_TO_DEVICE], // before the block
      [base + pool.capacity, 64, view, 64, ACL_MEMCPY_HOST_TO_DEVICE], // past it
      [Number.NaN, 64, view, 64, ACL_MEMCPY_HOST_TO_DEVICE],
      [2 ** 53, 64, view, 64, ACL_MEMCPY_HOST_TO_DEVICE],
      [a, 64, detached, 64, ACL_MEMCPY_HOST_TO_DEVICE], // a detached view
      [view, 64, a, 64, ACL_MEMCPY_HOST_TO_DEVICE], // the sides swapped
      [a, 64, b, 64, ACL_MEMCPY_HOST_TO_DEVICE], // a pointer where the view belongs
      [a, 64, b, 64, ACL_MEMCPY_DEVICE_TO_HOST], // a pointer where the view belongs
      [view, 64, view, 64, ACL_MEMCPY_HOST_TO_DEVICE],
      [a, 64, view, 64, ACL_MEMCPY_DEVICE_TO_DEVICE], // a view where a pointer belongs
      [a, 200, a + 100, 200, ACL_MEMCPY_DEVICE_TO_DEVICE], // overlapping ranges
      [b, 1056, a, 1057, ACL_MEMCPY_DEVICE_TO_DEVICE], // one byte past a
      [a, 64, view, 64, 4], // ACL_MEMCPY_DEFAULT: not offered
      [a, 64, view, 64, 7],
      [a, 64, view, 64, -1],
      [a, 64, view, 64, 1.5],
      [a, 64, view, 64, Number.NaN],
      [view, 64, a, 64, 2.0000001],
      [a, 1.5, view, 1, ACL_MEMCPY_HOST_TO_DEVICE],
      [a, Number.POSITIVE_INFINITY, view, 1, ACL_MEMCPY_HOST_TO_DEVICE],
    ];
    const show = (side: number | Uint8Array) => (typeof side === 'number' ? String(side) : 'a view');
    for (const [dst, destMax, src, count, copyKind] of bad) {
      expect(acl.rt.memcpy(dst, destMax, src, count, copyKind), `memcpy(${show(dst)}, ${destMax}, ${show(src)}, ${count}, ${copyKind})`).toBe(
        ACL_ERROR_INVALID_PARAM,
      );
    }
    expect(view.every((byte) => byte === 9)).toBe(true);
    expect({ stats: pool.stats(), a: acl.segmentOf(a)!.read(), b: acl.segmentOf(b)!.read() }).toEqual(before);
    expect(acl.segmentOf(freed)).toBeUndefined();
    expect(acl.segmentOf(a + 1055)).toBe(acl.segmentOf(a));
    expect(acl.segmentOf(base - 1)).toBeUndefined();
    pool.validate();
  });

  it('throws TypeError only for arguments of the wrong JS type', () => {
    using pool = makePool(kind, 4096);
    const acl = createAclCompat(pool);
    const [a] = acl.media.dvpp_malloc(100);
    const view = new Uint8Array(8);
    expect(() => acl.rt.memcpy('0' as unknown as number, 8, view, 8, 1)).toThrow(TypeError);
    expect(() => acl.rt.memcpy(a, '8' as unknown as number, view, 8, 1)).toThrow(TypeError);
    expect(() => acl.rt.memcpy(a, 8, [1, 2] as unknown as Uint8Array, 2, 1)).toThrow(TypeError);
    expect(() => acl.rt.memcpy(a, 8, view, 8n as unknown as number, 1)).toThrow(TypeError);
    expect(() => acl.rt.memcpy(a, 8, view, 8, undefined as unknown as number)).toThrow(TypeError);
    expect(() => acl.segmentOf(BigInt(a) as unknown as number)).toThrow(TypeError);
    expect(() => createAclCompat(pool, { tag: 5 } as never)).toThrow(TypeError);
    expect(() => createAclCompat(pool, { tags: 'x' } as never)).toThrow(/Unknown option|options\.tags/);
    expect(() => createAclCompat(pool, 'x' as never)).toThrow(TypeError);
  });

  it('returns 100000 from memcpy on a closed pool, and segmentOf finds nothing', () => {
    const pool = makePool(kind, 4096);
    const acl = createAclCompat(pool);
    const [a] = acl.media.dvpp_malloc(100);
    pool.close();
    expect(acl.rt.memcpy(a, 8, new Uint8Array(8), 8, ACL_MEMCPY_HOST_TO_DEVICE)).toBe(ACL_ERROR_INVALID_PARAM);
    expect(acl.segmentOf(a)).toBeUndefined();
  });
});

describe('a pyACL decode loop, ported, on the ACL test double', () => {
  it('makes aclrtMemcpy calls of the kinds it asked for, and reads every picture back', () => {
    const log = freshLogPath();
    process.env['ACL_DOUBLE_LOG'] = log;
    try {
      using pool = createPool({ size: 64 * 1024, backend: 'acl', acl: { libraryDir: aclDouble().lib64 } });
      expectPictures(decodeLoop(pool));
    } finally {
      delete process.env['ACL_DOUBLE_LOG'];
    }
    const kinds = readCalls(log)
      .filter((call) => call.name === 'aclrtMemcpy')
      .map((call) => {
        expect(call.ret).toBe(0);
        return Number(/kind=(\d+)/.exec(call.line)?.[1]);
      });
    // Per frame: bitstream in, the device-side copy, the picture out (host-to-host stays in JS).
    expect(kinds).toEqual(Array.from({ length: FRAMES }, () => [1, 3, 2]).flat());
  });
});
