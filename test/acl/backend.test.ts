// SPDX-License-Identifier: MIT
// The acl backend end to end against the ACL test double, found through `acl.libraryDir`, in this
// process: the exact ACL calls a pool makes (from the double's call log), and every fault the
// double can inject surfacing as an AclError. Process-level behaviour is in process.test.ts.

import { beforeAll, describe, expect, it } from 'vitest';
import { createAclBackend, probeAcl } from '../../src/backends/acl.js';
import { DVPP_MAX_BLOCK_BYTES, createAclCompat, createPool } from '../../src/index.js';
import { AclError, DvppAddressSpaceError } from '../../src/errors.js';
import { aclDouble, devPtrOf, thrown, useCallLog } from '../helpers/acl-double.js';

const KiB = 1024;
const FAULTS = [
  'ACL_DOUBLE_FAIL_MALLOC',
  'ACL_DOUBLE_FAIL_FREE',
  'ACL_DOUBLE_FAIL_MEMSET',
  'ACL_DOUBLE_FAIL_MEMCPY',
  'ACL_DOUBLE_DVPP_LIMIT',
  'ACL_DOUBLE_MISALIGN',
];

let libraryDir: string;
const callLog = useCallLog(FAULTS);
const { calls, names } = callLog;



function aclPool(size = 64 * KiB) {
  return createPool({ size, backend: 'acl', acl: { libraryDir } });
}


beforeAll(() => {
  libraryDir = aclDouble().lib64;
});


describe('acl backend over the double (acl.libraryDir)', () => {
  it('calls aclInit once per process, aclrtSetDevice before each block and aclrtResetDevice after it', () => {
    const a = aclPool();
    const b = aclPool();
    a.close();
    b.close();
    expect(names()).toEqual([
      'aclInit',
      'aclrtSetDevice',
      'acldvppMalloc',
      'aclrtMemset', // the pool zeroes its block once, as the vendor advises
      'aclrtSetDevice',
      'acldvppMalloc',
      'aclrtMemset',
      'acldvppFree',
      'aclrtResetDevice',
      'acldvppFree',
      'aclrtResetDevice',
    ]);
    expect(calls().filter((c) => c.name !== 'aclInit').every((c) => c.ret === 0)).toBe(true);
    const c = aclPool();
    expect(c.backend).toEqual({ kind: 'acl' });
    c.close();
    expect(names()).not.toContain('aclFinalize');
    expect(names().filter((n) => n === 'aclInit')).toHaveLength(1);
  });

  it('zeroes a new block with one aclrtMemset of the whole block, in the backend (the pool adds none)', () => {
    const pool = aclPool(100 * KiB);
    const base = pool.baseAddress.toString(16);
    expect(calls().filter((c) => c.name === 'aclrtMemset').map((c) => c.line)).toEqual([
      expect.stringContaining(`aclrtMemset(devPtr=0x${base}, maxCount=${100 * KiB}, value=0, count=${100 * KiB}) -> 0`),
    ]);
    pool.close();
    // acldvppMalloc memory is not zeroed (the double reuses freed memory as it is): allocate must zero it.
    const backend = createAclBackend({ libraryDir });
    const dirty = backend.allocate(4 * KiB);
    backend.memset(dirty, 0, 4 * KiB, 0xa5);
    backend.free(dirty);
    const block = backend.allocate(4 * KiB);
    const bytes = new Uint8Array(4 * KiB);
    backend.read(block, 0, bytes);
    backend.free(block);
    expect(bytes.every((b) => b === 0)).toBe(true);
  });

  it('makes one acldvppMalloc per pool however many segments, and frees only the base at close', () => {
    const pool = aclPool(256 * KiB);
    const segments = Array.from({ length: 100 }, (_, i) => pool.acquire(100 + i * 7));
    for (const segment of segments.slice(0, 50)) segment.release();
    Array.from({ length: 30 }, () => pool.acquire(2000));
    pool.reset(); // live segments would only add a leak warning
    pool.close();
    const mallocs = calls().filter((c) => c.name === 'acldvppMalloc');
    const frees = calls().filter((c) => c.name === 'acldvppFree');
    expect(mallocs).toHaveLength(1);
    expect(frees).toHaveLength(1);
    expect(devPtrOf(mallocs[0]!)).toBe(pool.baseAddress);
    expect(devPtrOf(frees[0]!)).toBe(pool.baseAddress);
    expect(pool.baseAddress % 128n).toBe(0n);
  });

  it('asks acldvppMalloc for the block size and reports the huge pages it queried', () => {
    const pool = aclPool(100 * KiB);
    expect(calls().find((c) => c.name === 'acldvppMalloc')?.line).toContain(`size=${100 * KiB}`);
    const queries = calls().filter((c) => c.name === 'aclrtGetMemInfo');
    expect(queries.map((c) => c.line)).toEqual([expect.stringContaining('attr=2'), expect.stringContaining('attr=4')]);
    pool.reset();
    pool.close();
  });

  it('writes with aclrtMemcpy host-to-device, reads device-to-host, fills with aclrtMemset', () => {
    const pool = aclPool();
    const segment = pool.acquire(1000);
    segment.write(new Uint8Array([9, 8, 7]), 5);
    expect(Array.from(segment.read(4, 5))).toEqual([0, 9, 8, 7, 0]);
    segment.fill(0xab, 10, 20);
    expect(Array.from(segment.read(9, 22))).toEqual([0, ...Array(20).fill(0xab), 0]);
    const copies = calls().filter((c) => c.name === 'aclrtMemcpy');
    expect(copies.map((c) => /kind=(\d)/.exec(c.line)?.[1])).toEqual(['1', '2', '2']);
    const address = (segment.address + 5n).toString(16);
    expect(copies[0]!.line).toContain(`dst=0x${address}`);
    expect(calls().filter((c) => c.name === 'aclrtMemset').at(-1)!.line).toContain('value=171, count=20');
    pool.reset();
    pool.close();
  });

  it('copies inside a block with one aclrtMemcpy device to device (kind 3), never through JS', () => {
    const backend = createAclBackend({ libraryDir });
    const block = backend.allocate(4 * KiB);
    try {
      const pattern = Uint8Array.from({ length: 100 }, (_, i) => i + 1);
      backend.write(block, 0, pattern);
      const before = calls().length;
      backend.copy(block, 2048, 0, 100);
      expect(calls().slice(before).map((c) => c.line)).toEqual([
        `aclrtMemcpy(dst=0x${(block.base + 2048n).toString(16)}, destMax=100, src=0x${block.base.toString(16)}, count=100, kind=3) -> 0`,
      ]);
      const bytes = new Uint8Array(102);
      backend.read(block, 2047, bytes);
      expect([...bytes]).toEqual([0, ...pattern, 0]);
      // Length 0 is checked and makes no ACL call.
      const quiet = calls().length;
      backend.copy(block, 4 * KiB, 0, 0);
      expect(calls()).toHaveLength(quiet);
    } finally {
      backend.free(block);
    }
  });

  it('frees a block once, and probeAcl names the loaded files', () => {
    const backend = createAclBackend({ libraryDir });
    expect(backend.kind).toBe('acl');
    const block = backend.allocate(4 * KiB);
    expect(backend.free(block)).toBe(true);
    expect(backend.free(block)).toBe(false);
    expect(probeAcl(libraryDir)).toEqual({
      runtimePath: `${libraryDir}/libascendcl.so`,
      initializedBy: 'by dvpp-pool',
      allocators: {
        acl: { path: `${libraryDir}/libacl_dvpp.so` },
        himpi: { path: `${libraryDir}/libacl_dvpp_mpi.so` },
        rt: { path: `${libraryDir}/libascendcl.so` },
      },
    });
  });

  it('checks bounds in C++ before any ACL call', () => {
    const backend = createAclBackend({ libraryDir });
    const block = backend.allocate(4 * KiB);
    const before = calls().length;
    expect(() => backend.memset(block, 4 * KiB - 10, 11, 0)).toThrow(RangeError);
    expect(() => backend.write(block, 4 * KiB, new Uint8Array(1))).toThrow(RangeError);
    expect(() => backend.read(block, -1, new Uint8Array(1))).toThrow(RangeError);
    expect(() => backend.memset({ base: block.base, size: block.size }, 0, 1, 0)).toThrow(TypeError);
    expect(() => backend.copy(block, 4 * KiB - 10, 0, 11)).toThrow(RangeError);
    expect(() => backend.copy(block, 0, 4 * KiB - 10, 11)).toThrow(RangeError);
    expect(() => backend.copy(block, 0, 100, 101)).toThrow(/of the copy overlap/);
    expect(() => backend.copy(block, 0, 2 ** 53, 1)).toThrow(RangeError);
    expect(() => backend.copy({ base: block.base, size: block.size }, 128, 0, 1)).toThrow(TypeError);
    expect(calls()).toHaveLength(before);
    backend.free(block);
    expect(() => backend.memset(block, 0, 1, 0)).toThrow(RangeError);
    expect(() => backend.copy(block, 128, 0, 1)).toThrow(RangeError);
  });

  it('refuses a block above 16 GiB before calling anything: DvppAddressSpaceError from the backend, RangeError from createPool', () => {
    const backend = createAclBackend({ libraryDir });
    const error = thrown(() => backend.allocate(DVPP_MAX_BLOCK_BYTES + 128));
    expect(error).toBeInstanceOf(DvppAddressSpaceError);
    expect(error).toMatchObject({ code: 'ERR_DVPP_ADDRESS_SPACE', requested: DVPP_MAX_BLOCK_BYTES + 128, inUse: 0, limit: DVPP_MAX_BLOCK_BYTES });
    expect(() => createPool({ size: DVPP_MAX_BLOCK_BYTES + 128, backend: 'acl', acl: { libraryDir } })).toThrow(RangeError);
    expect(calls()).toEqual([]);
  });

  it('serves the pyACL skin: dvpp_malloc addresses are device addresses, rt.memset is aclrtMemset', () => {
    const pool = aclPool();
    const acl = createAclCompat(pool);
    const [devPtr, ret] = acl.media.dvpp_malloc(300);
    expect(ret).toBe(0);
    expect(acl.rt.memset(devPtr, 352, 0x1ff, 352)).toBe(0);
    expect(calls().at(-1)!.line).toContain(`aclrtMemset(devPtr=0x${devPtr.toString(16)}, maxCount=352, value=255, count=352)`);
    expect(acl.media.dvpp_free(devPtr)).toBe(0);
    expect(acl.media.dvpp_free(devPtr)).toBe(100000);
    pool.reset();
    pool.close();
    expect(calls().filter((c) => c.name === 'acldvppMalloc' || c.name === 'acldvppFree')).toHaveLength(2);
  });
});

describe('ACL faults surface as AclError', () => {
  it('a failing acldvppMalloc (ACL_DOUBLE_FAIL_MALLOC=2): 207001, the recent error text and the free figures', () => {
    process.env['ACL_DOUBLE_FAIL_MALLOC'] = '2';
    const first = aclPool();
    const error = thrown(() => aclPool());
    first.close();
    expect(error).toBeInstanceOf(AclError);
    expect(error).toMatchObject({ code: 'ERR_DVPP_ACL', op: 'acldvppMalloc', aclError: 207001 });
    expect((error as AclError).recentErrMsg).toMatch(/ACL_DOUBLE_FAIL_MALLOC/);
    expect((error as AclError).message).toMatch(/DDR huge pages \d+ of \d+ bytes free/);
    // The device is reset after the failed allocation; only the first pool's block is freed.
    expect(names().slice(4, 8)).toEqual(['acldvppMalloc', 'aclrtResetDevice', 'acldvppFree', 'aclrtResetDevice']);
    expect(calls().filter((c) => c.name === 'acldvppMalloc').map((c) => c.ret)).toEqual([0, 207001]);
  });

  it('the DVPP cap (ACL_DOUBLE_DVPP_LIMIT): 207001 with the free/total aclrtGetMemInfo reported', () => {
    process.env['ACL_DOUBLE_DVPP_LIMIT'] = String(64 * KiB);
    const error = thrown(() => aclPool(128 * KiB)) as AclError;
    expect(error).toMatchObject({ op: 'acldvppMalloc', aclError: 207001 });
    expect(error.message).toContain(`DDR huge pages ${64 * KiB} of ${64 * KiB} bytes free`);
    expect(error.recentErrMsg).toMatch(/out of DVPP memory/);
    const fits = aclPool(32 * KiB);
    expect(thrown(() => aclPool(32 * KiB))).toMatchObject({ aclError: 207001 });
    fits.close();
  });

  it('a failing aclrtMemset (ACL_DOUBLE_FAIL_MEMSET) while filling, and at creation (the block is freed)', () => {
    const pool = aclPool();
    const segment = pool.acquire(100);
    process.env['ACL_DOUBLE_FAIL_MEMSET'] = '507899';
    expect(thrown(() => segment.fill(1))).toMatchObject({ op: 'aclrtMemset', aclError: 507899 });
    expect(thrown(() => pool.acquire(100, { zero: true }))).toMatchObject({ op: 'aclrtMemset', aclError: 507899 });
    expect(pool.stats().liveSegments).toBe(1);
    expect(createAclCompat(pool).rt.memset(Number(segment.address), 8, 0, 8)).toBe(507899);
    pool.reset();
    pool.close();

    callLog.fresh();
    const error = thrown(() => aclPool()) as AclError;
    expect(error).toMatchObject({ op: 'aclrtMemset', aclError: 507899 });
    expect(error.recentErrMsg).toMatch(/ACL_DOUBLE_FAIL_MEMSET/);
    const [malloc] = calls().filter((c) => c.name === 'acldvppMalloc');
    const frees = calls().filter((c) => c.name === 'acldvppFree');
    expect(frees.map(devPtrOf)).toEqual([devPtrOf(malloc!)]);
  });

  it('a failing aclrtMemcpy (ACL_DOUBLE_FAIL_MEMCPY) in write and read', () => {
    const pool = aclPool();
    const segment = pool.acquire(100);
    process.env['ACL_DOUBLE_FAIL_MEMCPY'] = '107000';
    expect(thrown(() => segment.write(new Uint8Array(4)))).toMatchObject({ op: 'aclrtMemcpy', aclError: 107000 });
    const error = thrown(() => segment.read()) as AclError;
    expect(error).toMatchObject({ op: 'aclrtMemcpy', aclError: 107000 });
    expect(error.message).toMatch(/device to host/);
    pool.reset();
    pool.close();
  });

  it('a failing aclrtMemcpy (ACL_DOUBLE_FAIL_MEMCPY) in a copy: AclError naming the direction and both offsets', () => {
    const backend = createAclBackend({ libraryDir });
    const block = backend.allocate(4 * KiB);
    process.env['ACL_DOUBLE_FAIL_MEMCPY'] = '107000';
    const error = thrown(() => backend.copy(block, 1024, 0, 64)) as AclError;
    delete process.env['ACL_DOUBLE_FAIL_MEMCPY'];
    backend.free(block);
    expect(error).toBeInstanceOf(AclError);
    expect(error).toMatchObject({ code: 'ERR_DVPP_ACL', op: 'aclrtMemcpy', aclError: 107000 });
    expect(error.message).toContain('device to device, 64 bytes from offset 0 to offset 1024');
    expect(error.recentErrMsg).toMatch(/ACL_DOUBLE_FAIL_MEMCPY/);
    expect(calls().filter((c) => c.name === 'aclrtMemcpy').at(-1)!.line).toMatch(/count=64, kind=3\) -> 107000$/);
  });

  it('a base that is not 128-byte aligned (ACL_DOUBLE_MISALIGN=64): AclError 200000, the block freed, the device reset', () => {
    process.env['ACL_DOUBLE_MISALIGN'] = '64';
    const error = thrown(() => aclPool()) as AclError;
    expect(error).toBeInstanceOf(AclError);
    expect(error).toMatchObject({ code: 'ERR_DVPP_ACL', op: 'acldvppMalloc', aclError: 200000, recentErrMsg: undefined });
    const [malloc] = calls().filter((c) => c.name === 'acldvppMalloc');
    const base = devPtrOf(malloc!);
    expect(base % 128n).toBe(64n);
    expect(error.message).toContain(`returned 0x${base.toString(16)} for ${64 * KiB} bytes on device 0, not the 128-byte aligned base`);
    expect(error.message).toMatch(/the block was freed$/);
    // Freed before anything touched it (no aclrtMemset), and the device reset as after any failure.
    expect(names().slice(-3)).toEqual(['acldvppMalloc', 'acldvppFree', 'aclrtResetDevice']);
    expect(calls().filter((c) => c.name === 'acldvppFree').map((c) => [devPtrOf(c), c.ret])).toEqual([[base, 0]]);
    // The double holds no byte of it: a pool of the whole cap fits once the fault is gone.
    delete process.env['ACL_DOUBLE_MISALIGN'];
    process.env['ACL_DOUBLE_DVPP_LIMIT'] = String(64 * KiB);
    const pool = aclPool(64 * KiB - 64);
    expect(pool.baseAddress % 128n).toBe(0n);
    pool.close();
  });

  it('a device that does not exist: aclrtSetDevice 107001, nothing allocated', () => {
    const error = thrown(() => createPool({ size: 64 * KiB, backend: 'acl', deviceId: 3, acl: { libraryDir } }));
    expect(error).toMatchObject({ op: 'aclrtSetDevice', aclError: 107001 });
    expect((error as AclError).recentErrMsg).toMatch(/device 3/);
    expect(names()).not.toContain('acldvppMalloc');
  });

  // Last on purpose: the double keeps a block whose free failed, so its bytes stay in use.
  it('a failing acldvppFree (ACL_DOUBLE_FAIL_FREE): close throws, the pool is closed, no second free', () => {
    const pool = aclPool();
    process.env['ACL_DOUBLE_FAIL_FREE'] = '1';
    const error = thrown(() => pool.close());
    expect(error).toBeInstanceOf(AclError);
    expect(error).toMatchObject({ op: 'acldvppFree', aclError: 207002 });
    expect(pool.closed).toBe(true);
    expect(() => pool.close()).not.toThrow();
    const frees = calls().filter((c) => c.name === 'acldvppFree');
    expect(frees).toHaveLength(1);
    expect(devPtrOf(frees[0]!)).toBe(pool.baseAddress);
    expect(names().at(-1)).toBe('aclrtResetDevice');
  });
});
