// SPDX-License-Identifier: MIT
// selectBackend on a machine where the native addon did not build: `auto` must not land on the
// `js` backend (fake addresses DVPP cannot use). It throws BackendUnavailableError saying why the
// addon is missing and how to rebuild it; `js` is used only when asked for by name.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { BACKEND_ENV, selectBackend } from '../../../src/backends/select.js';
import { backendsInfo } from '../../../src/cli/backends-info.js';
import { BackendUnavailableError } from '../../../src/errors.js';
import { createPool } from '../../../src/pool/pool.js';

const LOADER_REASON = 'No native build was found for platform=linux arch=x64 runtime=node abi=115 (simulated)';

vi.mock('../../../src/backends/native.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../../src/backends/native.js')>()),
  loadAddon: () => ({ reason: LOADER_REASON }),
}));

describe('selectBackend without the native addon', () => {
  const saved = process.env[BACKEND_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[BACKEND_ENV];
    else process.env[BACKEND_ENV] = saved;
  });

  it('auto throws BackendUnavailableError with the loader reason and how to rebuild, instead of picking js', () => {
    delete process.env[BACKEND_ENV];
    let thrown: unknown;
    try {
      selectBackend('auto', {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BackendUnavailableError);
    const error = thrown as BackendUnavailableError;
    expect(error.backend).toBe('auto');
    expect(error.reason).toContain(LOADER_REASON);
    expect(error.message).toMatch(/native addon did not load/);
    expect(error.message).toMatch(/npm rebuild dvpp-pool/);
    expect(error.message).toMatch(/docs\/troubleshooting\.md/);
    expect(error.message).toMatch(/backend: 'js'/);
  });

  it('createPool with the default backend throws the same error', () => {
    delete process.env[BACKEND_ENV];
    expect(() => createPool({ size: 4096 })).toThrow(BackendUnavailableError);
    expect(() => createPool({ size: 4096 })).toThrow(/npm rebuild dvpp-pool/);
  });

  it('gives js when asked for by name, in code or in $DVPP_POOL_BACKEND', () => {
    delete process.env[BACKEND_ENV];
    expect(selectBackend('js', {}).backend.kind).toBe('js');
    using pool = createPool({ size: 4096, backend: 'js' });
    expect(pool.backend).toEqual({ kind: 'js' });
    process.env[BACKEND_ENV] = 'js';
    expect(selectBackend('auto', {}).backend.kind).toBe('js');
  });

  it('an explicit host says how to rebuild as well', () => {
    delete process.env[BACKEND_ENV];
    expect(() => selectBackend('host', {})).toThrow(BackendUnavailableError);
    expect(() => selectBackend('host', {})).toThrow(/npm rebuild dvpp-pool/);
    expect(() => selectBackend('acl', {})).toThrow(/npm rebuild dvpp-pool/);
  });

  it('backendsInfo reports that auto has nothing to pick, and why, without throwing', () => {
    delete process.env[BACKEND_ENV];
    const info = backendsInfo();
    expect(info.auto).toEqual({ kind: 'none', fallbackReason: expect.stringContaining(LOADER_REASON) });
    expect(info.auto.fallbackReason).toMatch(/npm rebuild dvpp-pool/);
    expect(info.addon).toEqual({ reason: LOADER_REASON });
  });
});
