// SPDX-License-Identifier: MIT
// The himpi (hi_mpi_dvpp_malloc) and rt (aclrtMalloc) backends end to end against the ACL test
// double, in this process: the calls each makes (from the double's call log), the bytes, the
// alignment check, every fault the double injects for them as an AclError with the call's name
// and code, one free per successful malloc, the raw addon's arguments, choosing them by name, and
// the pyACL skin's acl.himpi over a himpi pool. acl itself is backend.test.ts's.

import { beforeAll, describe, expect, it } from 'vitest';
import { createAscendBackend } from '../../src/backends/acl.js';
import { loadAddon } from '../../src/backends/native.js';
import { BACKEND_ENV, parseBackendChoice, selectBackend } from '../../src/backends/select.js';
import { isOutOfMemory } from '../../src/backends/out-of-memory.js';
import { DVPP_MAX_BLOCK_BYTES, HI_ERR_SYS_ILLEGAL_PARAM, HI_ERR_SYS_NO_MEM, createAclCompat, createPool } from '../../src/index.js';
import { AclError, BackendUnavailableError } from '../../src/errors.js';
import { aclDouble, devPtrOf, thrown, useCallLog } from '../helpers/acl-double.js';

const KiB = 1024;
const FAULTS = [
  'ACL_DOUBLE_FAIL_HIMPI_MALLOC',
  'ACL_DOUBLE_FAIL_HIMPI_FREE',
  'ACL_DOUBLE_FAIL_RT_MALLOC',
  'ACL_DOUBLE_FAIL_RT_FREE',
  'ACL_DOUBLE_FAIL_MALLOC',
  'ACL_DOUBLE_FAIL_MEMSET',
  'ACL_DOUBLE_FAIL_MEMCPY',
  'ACL_DOUBLE_DVPP_LIMIT',
  'ACL_DOUBLE_RT_LIMIT',
  'ACL_DOUBLE_MISALIGN',
];

/** Each kind's calls, and the code of running out: V2 returns hi_s32, the runtime aclError. */
const KINDS = [
  { kind: 'himpi', malloc: 'hi_mpi_dvpp_malloc', free: 'hi_mpi_dvpp_free', failMalloc: 'ACL_DOUBLE_FAIL_HIMPI_MALLOC', failFree: 'ACL_DOUBLE_FAIL_HIMPI_FREE', cap: 'ACL_DOUBLE_DVPP_LIMIT', noMemory: HI_ERR_SYS_NO_MEM, freeError: 0xa0028015 | 0 },
  { kind: 'rt', malloc: 'aclrtMalloc', free: 'aclrtFree', failMalloc: 'ACL_DOUBLE_FAIL_RT_MALLOC', failFree: 'ACL_DOUBLE_FAIL_RT_FREE', cap: 'ACL_DOUBLE_RT_LIMIT', noMemory: 207001, freeError: 207002 },
] as const;

let libraryDir: string;
const { calls, names } = useCallLog([...FAULTS, BACKEND_ENV]);




beforeAll(() => {
  libraryDir = aclDouble().lib64;
});


describe.each(KINDS)('backend $kind over the double', ({ kind, malloc, free, failMalloc, failFree, cap, noMemory, freeError }) => {
  const pool = (size = 64 * KiB) => createPool({ size, backend: kind, acl: { libraryDir } });

  it(`allocates one ${malloc} per pool, zeroes it with one aclrtMemset, and frees the base once with ${free}`, () => {
    const a = pool();
    const b = pool(128 * KiB);
    expect(a.backend).toEqual({ kind });
    expect(a.baseAddress % 128n).toBe(0n);
    Array.from({ length: 50 }, (_, i) => a.acquire(100 + i * 13));
    a.reset();
    a.close();
    b.close();
    expect(names().filter((n) => n !== 'aclInit')).toEqual([
      'aclrtSetDevice',
      malloc,
      'aclrtMemset',
      'aclrtSetDevice',
      malloc,
      'aclrtMemset',
      free,
      'aclrtResetDevice',
      free,
      'aclrtResetDevice',
    ]);
    const mallocs = calls().filter((c) => c.name === malloc);
    expect(mallocs.map((c) => c.ret)).toEqual([0, 0]);
    expect(mallocs[0]!.line).toContain(kind === 'rt' ? `size=${64 * KiB}, policy=0)` : `dev_id=0, size=${64 * KiB})`);
    expect(calls().filter((c) => c.name === free).map(devPtrOf)).toEqual([a.baseAddress, b.baseAddress]);
    expect(calls().filter((c) => c.name === 'aclrtMemset')[0]!.line).toContain(`count=${64 * KiB}) -> 0`);
    expect(names()).not.toContain('acldvppMalloc');
  });

  it('hands out zeroed memory, and writes, reads, fills and copies through aclrtMemcpy/aclrtMemset', () => {
    const backend = createAscendBackend(kind, { libraryDir });
    const dirty = backend.allocate(4 * KiB);
    backend.memset(dirty, 0, 4 * KiB, 0xa5);
    backend.free(dirty);
    const block = backend.allocate(4 * KiB);
    try {
      const bytes = new Uint8Array(4 * KiB);
      backend.read(block, 0, bytes);
      expect(bytes.every((b) => b === 0)).toBe(true);
      const pattern = Uint8Array.from({ length: 100 }, (_, i) => i + 1);
      backend.write(block, 128, pattern);
      backend.copy(block, 2048, 128, 100);
      backend.memset(block, 3000, 10, 0x1ff);
      const back = new Uint8Array(102);
      backend.read(block, 2047, back);
      expect([...back]).toEqual([0, ...pattern, 0]);
      const filled = new Uint8Array(12);
      backend.read(block, 2999, filled);
      expect([...filled]).toEqual([0, ...Array(10).fill(0xff), 0]);
      const kinds = calls().filter((c) => c.name === 'aclrtMemcpy').map((c) => /kind=(\d)/.exec(c.line)?.[1]);
      expect(kinds).toEqual(['2', '1', '3', '2', '2']);
    } finally {
      expect(backend.free(block)).toBe(true);
      expect(backend.free(block)).toBe(false);
    }
    expect(calls().filter((c) => c.name === free)).toHaveLength(2);
  });

  it(`a failing ${malloc} (${failMalloc}=2): AclError with the call's name and code, the device reset, nothing to free`, () => {
    process.env[failMalloc] = '2';
    const first = pool();
    const error = thrown(() => pool()) as AclError;
    first.close();
    expect(error).toBeInstanceOf(AclError);
    expect(error).toMatchObject({ code: 'ERR_DVPP_ACL', op: malloc, aclError: noMemory });
    expect(error.recentErrMsg).toContain(failMalloc);
    expect(error.message).toMatch(/DDR huge pages \d+ of \d+ bytes free/);
    expect(isOutOfMemory(error)).toBe(true);
    expect(calls().filter((c) => c.name === malloc).map((c) => c.ret)).toEqual([0, noMemory]);
    const failed = calls().findIndex((c) => c.name === malloc && c.ret !== 0);
    expect(calls()[failed + 1]?.name).toBe('aclrtResetDevice');
    const mallocs = calls().filter((c) => c.name === malloc && c.ret === 0).map(devPtrOf);
    expect(calls().filter((c) => c.name === free).map(devPtrOf)).toEqual(mallocs);
  });

  it(`the allocator's cap (${cap}): ${noMemory}, and a pool that fits afterwards`, () => {
    process.env[cap] = String(64 * KiB);
    const error = thrown(() => pool(128 * KiB)) as AclError;
    expect(error).toMatchObject({ op: malloc, aclError: noMemory });
    expect(error.recentErrMsg).toMatch(/out of (DVPP|device) memory/);
    const fits = pool(32 * KiB);
    expect(thrown(() => pool(64 * KiB))).toMatchObject({ op: malloc, aclError: noMemory });
    fits.close();
  });

  it('a base that is not 128-byte aligned (ACL_DOUBLE_MISALIGN=64): AclError 200000, the block freed at once', () => {
    process.env['ACL_DOUBLE_MISALIGN'] = '64';
    const error = thrown(() => pool()) as AclError;
    expect(error).toMatchObject({ code: 'ERR_DVPP_ACL', op: malloc, aclError: 200000 });
    const [made] = calls().filter((c) => c.name === malloc);
    const base = devPtrOf(made!);
    expect(base % 128n).toBe(64n);
    expect(error.message).toContain(`returned 0x${base.toString(16)} for ${64 * KiB} bytes on device 0, not the 128-byte aligned base`);
    expect(isOutOfMemory(error)).toBe(false);
    expect(names().slice(-3)).toEqual([malloc, free, 'aclrtResetDevice']);
    expect(calls().filter((c) => c.name === free).map((c) => [devPtrOf(c), c.ret])).toEqual([[base, 0]]);
  });

  it('a failing aclrtMemset while zeroing the new block: AclError, the block freed', () => {
    process.env['ACL_DOUBLE_FAIL_MEMSET'] = '507899';
    expect(thrown(() => pool())).toMatchObject({ op: 'aclrtMemset', aclError: 507899 });
    const [made] = calls().filter((c) => c.name === malloc);
    expect(calls().filter((c) => c.name === free).map(devPtrOf)).toEqual([devPtrOf(made!)]);
  });

  it(`a failing ${free} (${failFree}): close throws it, the pool is closed, the free is not retried`, () => {
    const p = pool();
    process.env[failFree] = '1';
    const error = thrown(() => p.close());
    expect(error).toMatchObject({ code: 'ERR_DVPP_ACL', op: free, aclError: freeError });
    expect(p.closed).toBe(true);
    expect(() => p.close()).not.toThrow();
    expect(calls().filter((c) => c.name === free)).toHaveLength(1);
    expect(names().at(-1)).toBe('aclrtResetDevice');
    delete process.env[failFree];
  });

  it('a device that does not exist: aclrtSetDevice 107001, no malloc', () => {
    const error = thrown(() => createPool({ size: 64 * KiB, backend: kind, deviceId: 5, acl: { libraryDir } }));
    expect(error).toMatchObject({ op: 'aclrtSetDevice', aclError: 107001 });
    expect(names()).not.toContain(malloc);
  });

  it(`is picked by name, through ${BACKEND_ENV} too, never by auto`, () => {
    expect(parseBackendChoice('options.backend', kind)).toBe(kind);
    expect(selectBackend(kind, { acl: { libraryDir } }).backend.kind).toBe(kind);
    process.env[BACKEND_ENV] = kind;
    expect(selectBackend('auto', { acl: { libraryDir } }).backend.kind).toBe(kind);
    delete process.env[BACKEND_ENV];
    expect(selectBackend('auto', { acl: { libraryDir } }).backend.kind).toBe('acl');
  });
});

describe('an allocator whose library lacks a function', () => {
  it('himpi without hi_mpi_dvpp_free: BackendUnavailableError naming it, from the backend and from selectBackend', () => {
    const libraryDir = aclDouble().missing('hi_mpi_dvpp_free');
    const error = thrown(() => createAscendBackend('himpi', { libraryDir }));
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect(error).toMatchObject({ backend: 'himpi', reason: expect.stringMatching(/the ACL libraries lack hi_mpi_dvpp_free/) });
    expect(thrown(() => selectBackend('himpi', { acl: { libraryDir } }))).toMatchObject({ code: 'ERR_DVPP_BACKEND_UNAVAILABLE', backend: 'himpi' });
    expect(calls()).toEqual([]);
  });
});

describe('the raw addon: allocateAcl and aclProbe', () => {
  const addon = () => {
    const load = loadAddon();
    if ('reason' in load) throw new Error(load.reason);
    return load.addon;
  };

  it('checks the allocator and the DVPP limit before loading anything', () => {
    const raw = addon().allocateAcl as unknown as (...args: unknown[]) => unknown;
    expect(() => raw(4096, 0, libraryDir, 'cuda', DVPP_MAX_BLOCK_BYTES)).toThrow(RangeError);
    expect(() => raw(4096, 0, libraryDir, 'cuda', DVPP_MAX_BLOCK_BYTES)).toThrow(/Expected 'acl', 'himpi' or 'rt' for allocator but received "cuda"/);
    expect(() => raw(4096, 0, libraryDir, 1, DVPP_MAX_BLOCK_BYTES)).toThrow(TypeError);
    expect(() => raw(4096, 0, libraryDir, 'acl')).toThrow(TypeError);
    expect(() => raw(4096, 0, libraryDir, 'acl', 0)).toThrow(RangeError);
    expect(() => (addon().aclProbe as unknown as (...args: unknown[]) => unknown)(libraryDir, 'V2')).toThrow(RangeError);
    expect(calls()).toEqual([]);
  });

  it('probes one allocator when named, and every one otherwise', () => {
    expect(addon().aclProbe(libraryDir, 'himpi')).toEqual({
      runtimePath: `${libraryDir}/libascendcl.so`,
      initializedBy: expect.any(String),
      allocators: { himpi: { path: `${libraryDir}/libacl_dvpp_mpi.so` } },
    });
    const missing = addon().aclProbe(aclDouble().missing('hi_mpi_dvpp_free'));
    expect('allocators' in missing && missing.allocators).toEqual({
      acl: { path: expect.stringContaining('libacl_dvpp.so') },
      himpi: { reason: expect.stringMatching(/lack hi_mpi_dvpp_free/) },
      rt: { path: expect.stringContaining('libascendcl.so') },
    });
  });

  it('hands the device id to hi_mpi_dvpp_malloc (reserved by the vendor) and ACL_MEM_MALLOC_HUGE_FIRST (0) to aclrtMalloc', () => {
    process.env['ACL_DOUBLE_DEVICE_COUNT'] = '2';
    try {
      for (const allocator of ['himpi', 'rt'] as const) {
        const block = addon().allocateAcl(4096, 1, libraryDir, allocator, DVPP_MAX_BLOCK_BYTES);
        if (!('base' in block)) throw new Error(JSON.stringify(block));
        addon().free(block);
      }
    } finally {
      delete process.env['ACL_DOUBLE_DEVICE_COUNT'];
    }
    expect(calls().find((c) => c.name === 'hi_mpi_dvpp_malloc')?.line).toMatch(/^hi_mpi_dvpp_malloc\(dev_id=1, size=4096\) -> 0/);
    expect(calls().find((c) => c.name === 'aclrtMalloc')?.line).toMatch(/^aclrtMalloc\(size=4096, policy=0\) -> 0/);
    expect(calls().filter((c) => c.name === 'aclrtSetDevice').map((c) => c.line)).toEqual(['aclrtSetDevice(1) -> 0', 'aclrtSetDevice(1) -> 0']);
  });

  it("a free only takes its own allocator's pointers, in the double (the addon never mixes them)", () => {
    const block = addon().allocateAcl(4096, 0, libraryDir, 'himpi', DVPP_MAX_BLOCK_BYTES);
    if (!('base' in block)) throw new Error(JSON.stringify(block));
    addon().free(block);
    expect(calls().filter((c) => /Free$|_free$/.test(c.name)).map((c) => [c.name, c.ret])).toEqual([['hi_mpi_dvpp_free', 0]]);
  });
});

describe('the pyACL skin: acl.himpi over a himpi pool', () => {
  it('allocates, frees and answers with hi_s32 codes; the memory is hi_mpi_dvpp_malloc memory', () => {
    const pool = createPool({ size: 64 * KiB, backend: 'himpi', acl: { libraryDir } });
    const acl = createAclCompat(pool);
    const [devPtr, ret] = acl.himpi.dvpp_malloc(0, 300);
    expect(ret).toBe(0);
    expect(BigInt(devPtr) - pool.baseAddress).toBe(0n);
    expect(acl.rt.memset(devPtr, 352, 7, 352)).toBe(0);
    expect(calls().at(-1)!.line).toContain(`aclrtMemset(devPtr=0x${devPtr.toString(16)}, maxCount=352, value=7, count=352) -> 0`);
    expect(acl.himpi.dvpp_malloc(0, 128 * KiB)).toEqual([0, HI_ERR_SYS_NO_MEM]);
    expect(acl.himpi.dvpp_free(devPtr)).toBe(0);
    expect(acl.himpi.dvpp_free(devPtr)).toBe(HI_ERR_SYS_ILLEGAL_PARAM);
    pool.close();
    expect(acl.himpi.dvpp_malloc(0, 1)).toEqual([0, HI_ERR_SYS_ILLEGAL_PARAM]);
    const blocks = calls().filter((c) => c.name === 'hi_mpi_dvpp_malloc' || c.name === 'hi_mpi_dvpp_free');
    expect(blocks.map((c) => [c.name, devPtrOf(c)])).toEqual([
      ['hi_mpi_dvpp_malloc', pool.baseAddress],
      ['hi_mpi_dvpp_free', pool.baseAddress],
    ]);
  });
});
