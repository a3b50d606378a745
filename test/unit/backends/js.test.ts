// SPDX-License-Identifier: MIT
// The js backend against the shared Backend contract, plus what is particular to it.

import { describe, expect, it } from 'vitest';
import { createHostBackend } from '../../../src/backends/host.js';
import { JS_FAKE_BASE, createJsBackend } from '../../../src/backends/js.js';
import { backendContract } from './backend-contract.js';

backendContract('js', createJsBackend, () => {
  const host = createHostBackend();
  const block = host.allocate(4096);
  return { block, release: () => host.free(block) };
});

describe('js backend', () => {
  it('uses the fixed fake base for every block', () => {
    const backend = createJsBackend();
    expect(backend.allocate(128).base).toBe(JS_FAKE_BASE);
    expect(backend.allocate(256).base).toBe(JS_FAKE_BASE);
  });

  it('asks for a positive multiple of 128', () => {
    const backend = createJsBackend();
    for (const size of [0, -128, 100, 128.5, Number.NaN]) expect(() => backend.allocate(size)).toThrow(RangeError);
  });
});
