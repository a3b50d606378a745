// SPDX-License-Identifier: MIT
// The host backend (native addon underneath) against the shared Backend contract, plus what is
// particular to it: mmap details, coded allocation failures, and views detached on free.

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
  it('says how the memory was mapped', () => {
    const backend = createHostBackend();
    const block = backend.allocate(4 << 20);
    try {
      expect(backend.describe(block)).toMatch(/^mmap/);
      expect(() => backend.describe({ base: 0n, size: 1 })).toThrow(TypeError);
    } finally {
      backend.free(block);
    }
  });

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
  });

  it('detaches a host view on free, so it reads as empty instead of touching unmapped memory', () => {
    const backend = createHostBackend();
    const block = backend.allocate(8192);
    const view = backend.hostView?.(block);
    view?.fill(1);
    backend.free(block);
    expect(view?.byteLength).toBe(0);
    expect(view?.[0]).toBeUndefined();
  });

  it('copies a host view instead of transferring it, so no transferred copy outlives free', () => {
    const backend = createHostBackend();
    const block = backend.allocate(4096);
    const view = backend.hostView?.(block);
    if (view === undefined) throw new Error('host blocks have a host view');
    view[0] = 9;
    const buffer = view.buffer as ArrayBuffer;
    const copy = structuredClone(buffer, { transfer: [buffer] });
    expect(view.byteLength).toBe(4096);
    backend.free(block);
    expect(new Uint8Array(copy)[0]).toBe(9);
  });
});
