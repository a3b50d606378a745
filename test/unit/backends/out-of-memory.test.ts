// SPDX-License-Identifier: MIT
// isOutOfMemory: true exactly for the allocation failures a smaller block may cure (ACL 207001
// from acldvppMalloc/aclrtMalloc, HI_ERR_SYS_NO_MEM from hi_mpi_dvpp_malloc, the DVPP
// address-space refusal, ENOMEM from mmap or a new ArrayBuffer), false for the rest.

import { describe, expect, it } from 'vitest';
import { createHostBackend } from '../../../src/backends/host.js';
import { isOutOfMemory } from '../../../src/backends/out-of-memory.js';
import { ACL_ERROR_RT_MEMORY_ALLOCATION, DVPP_MAX_BLOCK_BYTES, HI_ERR_SYS_ILLEGAL_PARAM, HI_ERR_SYS_NO_MEM } from '../../../src/constants.js';
import { AclError, BackendUnavailableError, DvppAddressSpaceError, HostMemoryError, PoolClosedError } from '../../../src/errors.js';
import * as api from '../../../src/index.js';

describe('isOutOfMemory', () => {
  it.each([
    ['acldvppMalloc 207001', new AclError('acldvppMalloc', ACL_ERROR_RT_MEMORY_ALLOCATION)],
    ['aclrtMalloc 207001', new AclError('aclrtMalloc', 207001, 'could not allocate', 'driver: out of memory')],
    ['hi_mpi_dvpp_malloc HI_ERR_SYS_NO_MEM', new AclError('hi_mpi_dvpp_malloc', HI_ERR_SYS_NO_MEM)],
    ['the DVPP address-space refusal', new DvppAddressSpaceError(4096, DVPP_MAX_BLOCK_BYTES, DVPP_MAX_BLOCK_BYTES)],
    ['host mmap ENOMEM', new HostMemoryError('mmap', 12, 'mapping')],
    ["js's ArrayBuffer", new HostMemoryError('new ArrayBuffer', 12, "the 'js' backend could not allocate")],
  ])('is true for %s', (_name, error) => {
    expect(isOutOfMemory(error)).toBe(true);
  });

  it.each([
    ['acldvppMalloc with another code (the misaligned base)', new AclError('acldvppMalloc', 200000)],
    ['hi_mpi_dvpp_malloc with 207001 (not a V2 code)', new AclError('hi_mpi_dvpp_malloc', 207001)],
    ['hi_mpi_dvpp_malloc with HI_ERR_SYS_ILLEGAL_PARAM', new AclError('hi_mpi_dvpp_malloc', HI_ERR_SYS_ILLEGAL_PARAM)],
    ['aclrtMalloc with 207018 (device OOM is not documented for it here)', new AclError('aclrtMalloc', 207018)],
    ['a memset with 207001', new AclError('aclrtMemset', 207001)],
    ['a free with HI_ERR_SYS_NO_MEM', new AclError('hi_mpi_dvpp_free', HI_ERR_SYS_NO_MEM)],
    ['aclInit failing', new AclError('aclInit', 500000)],
    ['mmap with EINVAL', new HostMemoryError('mmap', 22, 'misaligned')],
    ['munmap with ENOMEM (not an allocation)', new HostMemoryError('munmap', 12, 'split')],
    ["js's used-up fake address space", new HostMemoryError('allocate', 12, 'fake address space used up')],
    ['a closed pool', new PoolClosedError('acquire')],
    ['an unavailable backend', new BackendUnavailableError('acl', 'no library')],
    ['a RangeError', new RangeError('Array buffer allocation failed')],
    ['an object shaped like an AclError', { op: 'acldvppMalloc', aclError: 207001, code: 'ERR_DVPP_ACL' }],
    ['undefined', undefined],
    ['a string', 'out of memory'],
  ])('is false for %s', (_name, error) => {
    expect(isOutOfMemory(error)).toBe(false);
  });

  it('recognises a real ENOMEM of the host backend', () => {
    const host = createHostBackend();
    let error: unknown;
    try {
      host.allocate(2 ** 53 - 128);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'ERR_DVPP_HOST_MEMORY', op: 'mmap', errno: 12 });
    expect(isOutOfMemory(error)).toBe(true);
  });

  it('is internal: the package does not export it', () => {
    expect(api).not.toHaveProperty('isOutOfMemory');
  });
});
