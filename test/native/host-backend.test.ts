// SPDX-License-Identifier: MIT
// The host backend (native addon underneath) against the shared Backend contract, plus what is
// particular to it: a failed mmap as a coded error.

import { describe, expect, it } from 'vitest';
import { createHostBackend } from '../../src/backends/host.js';
import { createJsBackend } from '../../src/backends/js.js';
import { HostMemoryError } from '../../src/errors.js';
import { backendContract } from '../unit/backends/backend-contract.js';

backendContract('host', createHostBackend, () => {
  const js = createJsBackend();
  const block = js.allocate(4096);
  return { block, release: () => js.free(block) };
});

describe('host backend', () => {
  it('turns a failed mmap into a HostMemoryError', () => {
    const backend = createHostBackend();
    // 2^52 bytes is far beyond any machine's address space budget, so mmap says ENOMEM.
    const error = (() => {
      try {
        backend.allocate(2 ** 52);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(HostMemoryError);
    expect(error).toMatchObject({ code: 'ERR_DVPP_HOST_MEMORY', op: 'mmap' });
    expect((error as Error).message).toMatch(/\(mapping 4503599627370496 bytes\)$/);
  });
});
