// SPDX-License-Identifier: MIT
// The pool of blocks on the acl backend, through the real addon and the ACL test double: a
// growth that acldvppMalloc refuses with 207001 is retried at half the size; one that the
// process's DVPP address space refuses halves until it fits under it; trim frees exactly the
// empty block; and the call log balances, one acldvppFree per successful acldvppMalloc, for
// every block.

import { beforeAll, describe, expect, it } from 'vitest';
import { createAscendBackend } from '../../src/backends/acl.js';
import { DVPP_MAX_BLOCK_BYTES, type DvppAddressSpaceError, PoolExhaustedError, createPool } from '../../src/index.js';
import { aclDouble, devPtrOf, thrown, useCallLog } from '../helpers/acl-double.js';
import { ledger } from '../helpers/acl-ledger.js';

const KiB = 1024;
const OVERRIDE = 'DVPP_POOL_TEST_DVPP_LIMIT';
let libraryDir: string;
const callLog = useCallLog([OVERRIDE, 'ACL_DOUBLE_FAIL_MALLOC']);

beforeAll(() => {
  libraryDir = aclDouble().lib64;
});

const mallocSizes = (): number[] =>
  callLog
    .calls()
    .filter((call) => call.name === 'acldvppMalloc')
    .map((call) => Number(/size=(\d+)/.exec(call.line)?.[1]));

describe('a growing acl pool', () => {
  it('halves a growth acldvppMalloc refuses with 207001, and frees every block once at close', () => {
    const pool = createPool({ size: 64 * KiB, maxSize: 1024 * KiB, growBy: 256 * KiB, backend: 'acl', acl: { libraryDir } });
    pool.acquire(60 * KiB);
    // The next acldvppMalloc (the growth's first try, 256 KiB) fails as out of memory.
    process.env['ACL_DOUBLE_FAIL_MALLOC'] = '1';
    const grown = pool.acquire(60 * KiB);
    expect(grown.blockIndex).toBe(1);
    expect(pool.stats()).toMatchObject({ blocks: 2, grows: 1, growFailures: 0, capacity: 64 * KiB + 128 * KiB });
    grown.fill(0xab);
    expect(grown.read(0, 4)).toEqual(new Uint8Array([0xab, 0xab, 0xab, 0xab]));
    pool.close();
    const calls = callLog.calls();
    const failed = calls.filter((call) => call.name === 'acldvppMalloc' && call.ret === 207001);
    expect(failed).toHaveLength(1);
    expect(ledger(calls)).toEqual({ mallocs: 2, frees: 2, problems: [] });
  });

  it('halves under the process’s DVPP address space until the block fits, and says so when even the footprint does not', () => {
    const inUse = (thrown(() => createAscendBackend('acl', { libraryDir }).allocate(DVPP_MAX_BLOCK_BYTES + 128)) as DvppAddressSpaceError).inUse;
    process.env[OVERRIDE] = String(inUse + 64 * KiB + 40 * KiB);
    const pool = createPool({ size: 64 * KiB, maxSize: 1024 * KiB, growBy: 256 * KiB, backend: 'acl', acl: { libraryDir } });
    pool.acquire(60 * KiB);
    expect(pool.acquire(20 * KiB).blockIndex).toBe(1);
    // 256 and 128 and 64 KiB were refused by the count before any ACL call; 32 KiB was had.
    expect(mallocSizes()).toEqual([64 * KiB, 32 * KiB]);
    expect(pool.capacity).toBe(96 * KiB);
    const error = thrown(() => pool.acquire(30 * KiB));
    expect(error).toBeInstanceOf(PoolExhaustedError);
    // Down to the request's own footprint (30.1 KiB), then the count's own reason.
    expect((error as Error).message).toMatch(/Growth was tried with blocks of 256 KiB, 128 KiB, 64 KiB, 32 KiB, 30\.1 KiB and failed: Cannot allocate 30848 bytes of DVPP memory/);
    expect(pool.stats().growFailures).toBe(1);
    pool.close();
    expect(ledger(callLog.calls())).toEqual({ mallocs: 2, frees: 2, problems: [] });
  });

  it('trim frees exactly the empty block, by its own pointer', () => {
    const pool = createPool({ size: 64 * KiB, maxSize: 256 * KiB, backend: 'acl', acl: { libraryDir } });
    pool.acquire(60 * KiB);
    const second = pool.acquire(60 * KiB);
    pool.acquire(60 * KiB);
    const mallocs = callLog.calls().filter((call) => call.name === 'acldvppMalloc');
    second.release();
    expect(pool.trim()).toBe(64 * KiB);
    const frees = callLog.calls().filter((call) => call.name === 'acldvppFree');
    expect(frees.map(devPtrOf)).toEqual([devPtrOf(mallocs[1]!)]);
    pool.reset();
    pool.close();
    expect(ledger(callLog.calls())).toEqual({ mallocs: 3, frees: 3, problems: [] });
  });

  it.each(['himpi', 'rt'] as const)('%s pools grow too', (backend) => {
    const pool = createPool({ size: 64 * KiB, maxSize: 192 * KiB, backend, acl: { libraryDir } });
    const segments = [pool.acquire(60 * KiB), pool.acquire(60 * KiB), pool.acquire(60 * KiB)];
    expect(segments.map((segment) => segment.blockIndex)).toEqual([0, 1, 2]);
    segments.forEach((segment, i) => segment.fill(i + 1));
    segments.forEach((segment, i) => expect(segment.read(0, 1)[0]).toBe(i + 1));
    pool.close();
    const names = callLog.names();
    const [malloc, free] = backend === 'himpi' ? ['hi_mpi_dvpp_malloc', 'hi_mpi_dvpp_free'] : ['aclrtMalloc', 'aclrtFree'];
    expect(names.filter((name) => name === malloc)).toHaveLength(3);
    expect(names.filter((name) => name === free)).toHaveLength(3);
  });
});
