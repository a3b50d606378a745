// SPDX-License-Identifier: MIT
// The process-wide DVPP address-space count in the addon: acl and himpi blocks of every pool
// count together against one limit (DVPP_MAX_BLOCK_BYTES; $DVPP_POOL_TEST_DVPP_LIMIT lowers it
// here so the tests need no 16 GiB), rt blocks do not, a refusal comes before any ACL call, and
// the bytes come back when a malloc fails or a block is freed. The count lives as long as the
// addon, which earlier test files of this process may have left blocks in: each test starts from
// the count a refusal reports (`baseline()`). Across worker threads: space-child.ts.

import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAscendBackend } from '../../src/backends/acl.js';
import { isOutOfMemory } from '../../src/backends/out-of-memory.js';
import { DVPP_MAX_BLOCK_BYTES, DvppAddressSpaceError, createPool } from '../../src/index.js';
import { aclDouble, thrown, useCallLog } from '../helpers/acl-double.js';

const KiB = 1024;
const OVERRIDE = 'DVPP_POOL_TEST_DVPP_LIMIT';
const here = dirname(fileURLToPath(import.meta.url));
let libraryDir: string;
const callLog = useCallLog([OVERRIDE, 'ACL_DOUBLE_FAIL_MALLOC', 'ACL_DOUBLE_FAIL_HIMPI_MALLOC', 'ACL_DOUBLE_FAIL_MEMSET', 'ACL_DOUBLE_MISALIGN', 'ACL_DOUBLE_FAIL_FREE']);


const pool = (backend: 'acl' | 'himpi' | 'rt', size: number) => createPool({ size, backend, acl: { libraryDir } });

/** DVPP bytes the process holds now, from the refusal of a block no limit allows. */
function baseline(): number {
  const error = thrown(() => createAscendBackend('himpi', { libraryDir }).allocate(DVPP_MAX_BLOCK_BYTES + 128)) as DvppAddressSpaceError;
  return error.inUse;
}

/** Sets the test limit to `bytes` above what the process holds now. */
function limitAbove(bytes: number): number {
  const limit = baseline() + bytes;
  process.env[OVERRIDE] = String(limit);
  return limit;
}

beforeAll(() => {
  libraryDir = aclDouble().lib64;
});


describe('the DVPP address-space count', () => {
  it('two pools, acl and himpi, share one limit: the block that would pass it is refused before any ACL call', () => {
    const limit = limitAbove(256 * KiB);
    const a = pool('acl', 128 * KiB);
    const b = pool('himpi', 64 * KiB);
    const before = callLog.calls().length;
    const error = thrown(() => pool('himpi', 128 * KiB));
    expect(error).toBeInstanceOf(DvppAddressSpaceError);
    expect(error).toMatchObject({ code: 'ERR_DVPP_ADDRESS_SPACE', requested: 128 * KiB, inUse: limit - 64 * KiB, limit });
    expect((error as Error).message).toContain(`hold ${limit - 64 * KiB} of the ${limit} bytes`);
    expect(isOutOfMemory(error)).toBe(true);
    expect(thrown(() => pool('acl', 128 * KiB))).toBeInstanceOf(DvppAddressSpaceError);
    expect(callLog.calls()).toHaveLength(before);
    // Exactly up to the limit fits.
    const c = pool('acl', 64 * KiB);
    expect(thrown(() => pool('acl', 128))).toMatchObject({ requested: 128, inUse: limit });
    // rt memory is not DVPP memory: not counted, not refused.
    const r = pool('rt', 512 * KiB);
    // A freed block gives its bytes back.
    a.close();
    const d = pool('himpi', 128 * KiB);
    for (const p of [b, c, r, d]) p.close();
    expect(baseline()).toBe(limit - 256 * KiB);
  });

  it('gives the bytes back when the malloc fails, when the base is misaligned, and when zeroing fails', () => {
    const limit = limitAbove(128 * KiB);
    process.env['ACL_DOUBLE_FAIL_HIMPI_MALLOC'] = '1';
    expect(thrown(() => pool('himpi', 128 * KiB))).toMatchObject({ op: 'hi_mpi_dvpp_malloc' });
    process.env['ACL_DOUBLE_FAIL_MALLOC'] = '1';
    expect(thrown(() => pool('acl', 128 * KiB))).toMatchObject({ op: 'acldvppMalloc', aclError: 207001 });
    process.env['ACL_DOUBLE_MISALIGN'] = '64';
    expect(thrown(() => pool('acl', 128 * KiB))).toMatchObject({ op: 'acldvppMalloc', aclError: 200000 });
    delete process.env['ACL_DOUBLE_MISALIGN'];
    process.env['ACL_DOUBLE_FAIL_MEMSET'] = '507899';
    expect(thrown(() => pool('himpi', 128 * KiB))).toMatchObject({ op: 'aclrtMemset' });
    delete process.env['ACL_DOUBLE_FAIL_MEMSET'];
    expect(baseline()).toBe(limit - 128 * KiB);
    const whole = pool('acl', 128 * KiB);
    whole.close();
  });

  it('the override only lowers the limit: a larger or malformed value leaves 16 GiB', () => {
    for (const value of [String(2 * DVPP_MAX_BLOCK_BYTES), '1e3', 'abc', '']) {
      process.env[OVERRIDE] = value;
      const error = thrown(() => createAscendBackend('acl', { libraryDir }).allocate(DVPP_MAX_BLOCK_BYTES + 128));
      expect(error).toMatchObject({ limit: DVPP_MAX_BLOCK_BYTES });
    }
    process.env[OVERRIDE] = '4096';
    expect(thrown(() => pool('acl', 8 * KiB))).toMatchObject({ limit: 4096 });
  });

  it('is shared by the main thread and a worker thread: neither passes the limit the other is near', () => {
    const run = execFileSync(process.execPath, ['--import', 'tsx', join(here, 'space-child.ts')], {
      env: { ...process.env, DVPP_TEST_LIBRARY_DIR: libraryDir, [OVERRIDE]: String(256 * KiB), ACL_DOUBLE_LOG: callLog.path },
      encoding: 'utf8',
    });
    const steps = JSON.parse(run.trim().split('\n').at(-1)!) as unknown[];
    const refused = (requested: number, inUse: number) => ({ refused: { requested, inUse, limit: 256 * KiB } });
    expect(steps).toEqual([
      { kind: 'acl' }, // main: 192 KiB
      [refused(128 * KiB, 192 * KiB), { kind: 'himpi' }], // worker: 128 KiB refused, 64 KiB taken
      refused(64 * KiB, 256 * KiB), // main: the worker holds the rest
      { kind: 'rt' }, // not counted
      { kind: 'acl' }, // the worker closed its pool
    ]);
    const calls = callLog.calls();
    const mallocs = calls.filter((c) => /Malloc$|_malloc$/.test(c.name) && c.ret === 0).length;
    expect(mallocs).toBe(4);
    expect(calls.filter((c) => /Free$|_free$/.test(c.name) && c.ret === 0)).toHaveLength(mallocs);
  });

  // Last on purpose: a block whose free failed stays counted (and stays in the double) for good.
  it('a block whose free failed stays counted: the vendor may still hold its address space', () => {
    const limit = limitAbove(128 * KiB);
    const p = pool('acl', 128 * KiB);
    process.env['ACL_DOUBLE_FAIL_FREE'] = '1';
    expect(thrown(() => p.close())).toMatchObject({ op: 'acldvppFree' });
    delete process.env['ACL_DOUBLE_FAIL_FREE'];
    expect(thrown(() => pool('himpi', 128))).toMatchObject({ code: 'ERR_DVPP_ADDRESS_SPACE', inUse: limit });
  });
});
