// SPDX-License-Identifier: MIT
// createAclCompat: every line of the pyACL drop-in contract (issue 5), on the `js` backend.

import { describe, expect, it, vi } from 'vitest';
import { createJsBackend } from '../../../src/backends/js.js';
import type { Backend, BackendBlock } from '../../../src/backends/backend.js';
import { createAclCompat } from '../../../src/compat/pyacl.js';
import { AclError } from '../../../src/errors.js';
import { SegmentLookup } from '../../../src/compat/segment-lookup.js';
import { Pool, coreOf, createPoolOver, createPool } from '../../../src/pool/pool.js';

/** The live segment starting `offset` bytes into `pool`'s first block, by a lookup of its own. */
const segmentAt = (pool: Pool, offset: number) => {
  const lookup = new SegmentLookup(coreOf(pool));
  const entry = lookup.blockAt(Number(pool.baseAddress) + offset);
  return entry === undefined ? undefined : lookup.at(entry, offset);
};

const KiB = 1024;

function setup(size = 64 * KiB) {
  const pool = createPool({ size, backend: 'js' });
  return { pool, acl: createAclCompat(pool), base: Number(pool.baseAddress) };
}

/**
 * A js backend whose blocks claim `base` as their address (the bytes stay an ArrayBuffer);
 * with `failMemset`, every memset of part of a block throws an AclError (a whole-block memset, as
 * a pool may make once at creation, still works).
 */
function backendAt(base: bigint, failMemset = false): Backend {
  const inner = createJsBackend();
  const real = new WeakMap<BackendBlock, BackendBlock>();
  const unwrap = (block: BackendBlock): BackendBlock => real.get(block) ?? block;
  return {
    kind: 'js',
    allocate(size) {
      const block = inner.allocate(size);
      const fake = { base, size: block.size };
      real.set(fake, block);
      return fake;
    },
    free: (block) => inner.free(unwrap(block)),
    memset(block, offset, length, value) {
      if (failMemset && length !== block.size) throw new AclError('aclrtMemset', 507899, 'injected', 'device lost');
      inner.memset(unwrap(block), offset, length, value);
    },
    write: (block, offset, src) => inner.write(unwrap(block), offset, src),
    read: (block, offset, dst) => inner.read(unwrap(block), offset, dst),
    copy: (block, dstOffset, srcOffset, length) => inner.copy(unwrap(block), dstOffset, srcOffset, length),
    share: (block) => inner.share(unwrap(block)),
    borrow: (share) => inner.borrow(share),
  };
}

describe('createAclCompat', () => {
  it('has exactly the shape of the acl module: media and himpi dvpp_malloc/dvpp_free and rt.memset/memcpy, plus segmentOf', () => {
    const { acl } = setup();
    expect(Object.keys(acl)).toEqual(['media', 'himpi', 'rt', 'segmentOf']);
    expect(Object.keys(acl.media)).toEqual(['dvpp_malloc', 'dvpp_free']);
    expect(Object.keys(acl.himpi)).toEqual(['dvpp_malloc', 'dvpp_free']);
    expect(Object.keys(acl.rt)).toEqual(['memset', 'memcpy']);
  });

  it('rejects a non-pool with a TypeError', () => {
    expect(() => createAclCompat({} as Pool)).toThrow(TypeError);
  });

  it('checks once, at creation, that base + capacity is below 2^53', () => {
    const options = { size: 4 * KiB, backend: 'js' as const };
    const fits = createPoolOver(options, { backend: backendAt(2n ** 53n - 8192n) });
    expect(() => createAclCompat(fits)).not.toThrow();
    // base + capacity === 2^53 exactly: not below it.
    const over = createPoolOver(options, { backend: backendAt(2n ** 53n - 4096n) });
    expect(() => createAclCompat(over)).toThrow(RangeError);
    expect(() => createAclCompat(over)).toThrow(/2\^53/);
  });
});

describe('media.dvpp_malloc', () => {
  it('returns [devPtr, 0] with a 128-aligned number address inside the block', () => {
    const { acl, base } = setup();
    const [devPtr, ret] = acl.media.dvpp_malloc(1000);
    expect(ret).toBe(0);
    expect(typeof devPtr).toBe('number');
    expect(devPtr % 128).toBe(0);
    expect(devPtr).toBeGreaterThanOrEqual(base);
  });

  it('follows acldvppMalloc: ALIGN_UP(size, 32) + 32 bytes, so size 0 is a 32-byte segment', () => {
    const { pool, acl, base } = setup();
    const [zero, ret0] = acl.media.dvpp_malloc(0);
    expect(ret0).toBe(0);
    expect(segmentAt(pool, zero - base)).toBeDefined();
    expect(acl.rt.memset(zero, 32, 1, 32)).toBe(0);
    expect(acl.rt.memset(zero, 33, 1, 33)).toBe(100000);
    const [p, ret] = acl.media.dvpp_malloc(100);
    expect(ret).toBe(0);
    expect(segmentAt(pool, p - base)?.size).toBe(160);
  });

  it('returns [0, 207001] when the pool is full, and for a size above the capacity', () => {
    const { pool, acl } = setup(4 * KiB);
    expect(acl.media.dvpp_malloc(4 * KiB + 1)).toEqual([0, 207001]);
    expect(acl.media.dvpp_malloc(Number.MAX_SAFE_INTEGER)).toEqual([0, 207001]);
    const [, ret] = acl.media.dvpp_malloc(4 * KiB - 32);
    expect(ret).toBe(0);
    expect(acl.media.dvpp_malloc(1)).toEqual([0, 207001]);
    expect(pool.stats().failures).toBe(3);
  });

  it('returns [0, 100000] for a number that is not a non-negative safe integer', () => {
    const { pool, acl } = setup();
    for (const size of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(acl.media.dvpp_malloc(size)).toEqual([0, 100000]);
    }
    expect(pool.stats().liveSegments).toBe(0);
  });

  it('throws TypeError only for an argument of the wrong JS type', () => {
    const { acl } = setup();
    for (const size of ['1', 1n, null, undefined, {}]) {
      expect(() => acl.media.dvpp_malloc(size as unknown as number)).toThrow(TypeError);
    }
  });

  it('turns a failing backend memset of a zeroOnAcquire pool into its aclError', () => {
    const backend = backendAt(0x1000_0000_0000n, true);
    const pool = createPoolOver({ size: 4 * KiB, backend: 'js', zeroOnAcquire: true }, { backend });
    expect(createAclCompat(pool).media.dvpp_malloc(10)).toEqual([0, 507899]);
  });
});

describe('himpi.dvpp_malloc and himpi.dvpp_free (DVPP V2: hi_s32 codes)', () => {
  const NO_MEM = 0xa002800c | 0;
  const ILLEGAL = 0xa0028003 | 0;

  it('allocates as media.dvpp_malloc does (ALIGN_UP(size, 32) + 32, 128-aligned), whatever devId says', () => {
    const { pool, acl, base } = setup();
    const [p, ret] = acl.himpi.dvpp_malloc(0, 100);
    expect(ret).toBe(0);
    expect(p % 128).toBe(0);
    expect(segmentAt(pool, p - base)?.size).toBe(160);
    const [zero, retZero] = acl.himpi.dvpp_malloc(7, 0);
    expect(retZero).toBe(0);
    expect(acl.rt.memset(zero, 33, 1, 33)).toBe(100000);
    expect(acl.himpi.dvpp_malloc(-1.5, 10)[1]).toBe(0);
    expect(pool.stats().liveSegments).toBe(3);
  });

  it('answers with V2 codes: HI_ERR_SYS_NO_MEM without room, HI_ERR_SYS_ILLEGAL_PARAM for a bad size or pointer', () => {
    const { pool, acl } = setup(4 * KiB);
    expect(NO_MEM).toBe(-1610448884);
    expect(acl.himpi.dvpp_malloc(0, 4 * KiB + 1)).toEqual([0, NO_MEM]);
    for (const size of [-1, 1.5, Number.NaN, 2 ** 53]) expect(acl.himpi.dvpp_malloc(0, size)).toEqual([0, ILLEGAL]);
    const [p] = acl.himpi.dvpp_malloc(0, 100);
    expect(acl.himpi.dvpp_free(p + 128)).toBe(ILLEGAL);
    expect(acl.himpi.dvpp_free(p)).toBe(0);
    expect(acl.himpi.dvpp_free(p)).toBe(ILLEGAL);
    expect(pool.stats().failures).toBe(1);
    pool.close();
    expect(acl.himpi.dvpp_malloc(0, 1)).toEqual([0, ILLEGAL]);
    expect(acl.himpi.dvpp_free(p)).toBe(ILLEGAL);
  });

  it('frees a segment media.dvpp_malloc made and the reverse: one pool, one set of segments', () => {
    const { pool, acl } = setup();
    const [v1] = acl.media.dvpp_malloc(10);
    const [v2] = acl.himpi.dvpp_malloc(0, 10);
    expect(acl.himpi.dvpp_free(v1)).toBe(0);
    expect(acl.media.dvpp_free(v2)).toBe(0);
    expect(pool.stats().liveSegments).toBe(0);
  });

  it('throws TypeError only for an argument of the wrong JS type', () => {
    const { acl } = setup();
    for (const bad of ['1', 1n, null, undefined, {}]) {
      expect(() => acl.himpi.dvpp_malloc(bad as unknown as number, 10)).toThrow(/devId/);
      expect(() => acl.himpi.dvpp_malloc(0, bad as unknown as number)).toThrow(TypeError);
      expect(() => acl.himpi.dvpp_free(bad as unknown as number)).toThrow(TypeError);
    }
  });

  it('turns a failing backend memset of a zeroOnAcquire pool into its aclError (the memset is an ACL call)', () => {
    const backend = backendAt(0x1000_0000_0000n, true);
    const pool = createPoolOver({ size: 4 * KiB, backend: 'js', zeroOnAcquire: true }, { backend });
    expect(createAclCompat(pool).himpi.dvpp_malloc(0, 10)).toEqual([0, 507899]);
  });
});

describe('media.dvpp_free', () => {
  it('frees a live segment by its start address, also one from pool.acquire', () => {
    const { pool, acl } = setup();
    const [devPtr] = acl.media.dvpp_malloc(500);
    expect(acl.media.dvpp_free(devPtr)).toBe(0);
    const segment = pool.acquire(700);
    expect(acl.media.dvpp_free(Number(segment.address))).toBe(0);
    expect(segment.released).toBe(true);
    expect(pool.stats().liveSegments).toBe(0);
  });

  it('returns 100000 for a double free, an inner address and a foreign pointer, touching nothing', () => {
    const { pool, acl, base } = setup();
    const [a] = acl.media.dvpp_malloc(500);
    const [b] = acl.media.dvpp_malloc(500);
    expect(acl.media.dvpp_free(a)).toBe(0);
    const before = pool.stats();
    expect(acl.media.dvpp_free(a)).toBe(100000);
    expect(acl.media.dvpp_free(b + 128)).toBe(100000);
    expect(acl.media.dvpp_free(b + 1)).toBe(100000);
    for (const foreign of [0, base - 128, base + pool.capacity, 12345.5, -128, Number.NaN]) {
      expect(acl.media.dvpp_free(foreign)).toBe(100000);
    }
    expect(pool.stats()).toEqual(before);
    expect(acl.media.dvpp_free(b)).toBe(0);
  });

  it('finds the segment in O(1): thousands of frees stay fast', () => {
    const { acl } = setup(8 * 1024 * KiB);
    const pointers = Array.from({ length: 20_000 }, () => acl.media.dvpp_malloc(64)[0]);
    const started = performance.now();
    for (const p of pointers) expect(acl.media.dvpp_free(p)).toBe(0);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('throws TypeError only for an argument of the wrong JS type', () => {
    const { acl } = setup();
    expect(() => acl.media.dvpp_free(1n as unknown as number)).toThrow(TypeError);
    expect(() => acl.media.dvpp_free('0x1000' as unknown as number)).toThrow(TypeError);
  });
});

describe('two pools', () => {
  it("never take each other's pointers: dvpp_free and memset of a foreign pointer return 100000", () => {
    const a = setup();
    const b = setup();
    const [pa] = a.acl.media.dvpp_malloc(500);
    const [pb] = b.acl.media.dvpp_malloc(500);
    const bytes = segmentAt(b.pool, pb - b.base)!;
    bytes.fill(0x5a);
    const before = b.pool.stats();
    expect(b.acl.media.dvpp_free(pa)).toBe(100000);
    expect(b.acl.rt.memset(pa, 16, 0, 16)).toBe(100000);
    expect(b.acl.rt.memset(pa + 128, 16, 0, 16)).toBe(100000);
    expect(b.pool.stats()).toEqual(before);
    expect(pa).not.toBe(pb);
    expect(bytes.released).toBe(false);
    expect(bytes.read(0, 16).every((byte) => byte === 0x5a)).toBe(true);
    // B's bytes are not handed out again, and each pool still frees its own pointer.
    expect(b.acl.media.dvpp_malloc(500)[0]).not.toBe(pb);
    expect(a.acl.media.dvpp_free(pa)).toBe(0);
    expect(b.acl.media.dvpp_free(pb)).toBe(0);
  });
});

describe('rt.memset', () => {
  it('sets count bytes to the low 8 bits of value, as C memset does', () => {
    const { pool, acl, base } = setup();
    const [devPtr] = acl.media.dvpp_malloc(256);
    const segment = segmentAt(pool, devPtr - base)!;
    expect(acl.rt.memset(devPtr, 288, 0x1ab, 100)).toBe(0);
    const bytes = segment.read(0, 101);
    expect(bytes.subarray(0, 100).every((b) => b === 0xab)).toBe(true);
    expect(bytes[100]).toBe(0);
    expect(acl.rt.memset(devPtr, 10, -1, 10)).toBe(0);
    expect(segment.read(0, 1)[0]).toBe(0xff);
  });

  it('works from an address inside the segment, up to its end and not past it', () => {
    const { pool, acl, base } = setup();
    const [devPtr] = acl.media.dvpp_malloc(256); // 288 bytes
    acl.media.dvpp_malloc(256);
    expect(acl.rt.memset(devPtr + 200, 88, 7, 88)).toBe(0);
    expect(segmentAt(pool, devPtr - base)!.read(287, 1)[0]).toBe(7);
    expect(acl.rt.memset(devPtr + 200, 89, 7, 89)).toBe(100000);
  });

  it('finds the segment of an interior address without a snapshot, among 200,000 live segments', () => {
    const { pool, acl } = setup(200_000 * 128);
    const pointers = Array.from({ length: 200_000 }, () => acl.media.dvpp_malloc(96)[0]); // 128 bytes each
    // Throws instead of recording: a spy that kept 200,000-segment snapshots would run out of memory.
    const snapshot = vi.spyOn(pool, 'snapshot').mockImplementation(() => {
      throw new Error('rt.memset took a snapshot of the pool');
    });
    for (let i = 0; i < pointers.length; i += 997) {
      const devPtr = pointers[i]!;
      expect(acl.rt.memset(devPtr + 40, 88, i & 0xff, 88)).toBe(0);
      expect(acl.rt.memset(devPtr + 40, 89, i & 0xff, 89)).toBe(100000);
    }
    expect(snapshot).not.toHaveBeenCalled();
    const segment = segmentAt(pool, pointers[997]! - Number(pool.baseAddress))!;
    expect([...segment.read(39, 3)]).toEqual([0, 997 & 0xff, 997 & 0xff]);
    // Kept up to date by later acquires and releases: a freed neighbour's bytes are not "inside".
    acl.media.dvpp_free(pointers[5]!);
    expect(acl.rt.memset(pointers[5]! + 40, 16, 0, 16)).toBe(100000);
    expect(acl.rt.memset(pointers[4]! + 40, 88, 0, 88)).toBe(0);
    expect(snapshot).not.toHaveBeenCalled();
  });

  it('returns 100000 when count > maxCount, outside live segments, or for a non-integer', () => {
    const { acl, base } = setup();
    const [devPtr] = acl.media.dvpp_malloc(256);
    expect(acl.rt.memset(devPtr, 10, 0, 11)).toBe(100000);
    expect(acl.rt.memset(devPtr, 289, 0, 289)).toBe(100000);
    expect(acl.rt.memset(base + 4096, 16, 0, 16)).toBe(100000);
    expect(acl.rt.memset(devPtr, 16, 1.5, 16)).toBe(100000);
    expect(acl.rt.memset(devPtr, 16, 0, -1)).toBe(100000);
    expect(acl.rt.memset(0, 16, 0, 16)).toBe(100000);
  });

  it('returns 100000 for a released segment', () => {
    const { acl } = setup();
    const [devPtr] = acl.media.dvpp_malloc(256);
    acl.media.dvpp_free(devPtr);
    expect(acl.rt.memset(devPtr, 16, 0, 16)).toBe(100000);
  });

  it("returns the backend's aclError when its memset fails", () => {
    const pool = createPoolOver({ size: 4 * KiB, backend: 'js' }, { backend: backendAt(0x1000_0000_0000n, true) });
    const acl = createAclCompat(pool);
    const [devPtr] = acl.media.dvpp_malloc(10);
    expect(acl.rt.memset(devPtr, 16, 0, 16)).toBe(507899);
  });

  it('throws TypeError only for arguments of the wrong JS type', () => {
    const { acl } = setup();
    const [devPtr] = acl.media.dvpp_malloc(10);
    expect(() => acl.rt.memset(devPtr, 16, '0' as unknown as number, 16)).toThrow(TypeError);
    expect(() => acl.rt.memset(devPtr, 16n as unknown as number, 0, 16)).toThrow(TypeError);
    expect(() => acl.rt.memset(devPtr, 16, 0, undefined as unknown as number)).toThrow(TypeError);
    expect(() => acl.rt.memset(null as unknown as number, 16, 0, 16)).toThrow(TypeError);
  });
});

describe('a closed pool', () => {
  it('answers every call with 100000', () => {
    const { pool, acl } = setup();
    const [devPtr] = acl.media.dvpp_malloc(100);
    pool.close();
    expect(acl.media.dvpp_malloc(100)).toEqual([0, 100000]);
    expect(acl.media.dvpp_free(devPtr)).toBe(100000);
    expect(acl.rt.memset(devPtr, 16, 0, 16)).toBe(100000);
  });

  it('still throws TypeError for the wrong JS type', () => {
    const { pool, acl } = setup();
    pool.close();
    expect(() => acl.media.dvpp_malloc('1' as unknown as number)).toThrow(TypeError);
  });
});
