// SPDX-License-Identifier: MIT
// selectBackend: explicit kinds, auto's fallback order and reasons, DVPP_POOL_BACKEND, and
// backendsInfo. These machines have the addon built and no ACL library on the default search
// paths, so auto lands on host, and the reason it gives for acl is the ACL loader's own text.

import { afterEach, describe, expect, it } from 'vitest';
import { BACKEND_ENV, backendsInfo, selectBackend } from '../../../src/backends/select.js';
import { BackendUnavailableError } from '../../../src/errors.js';

describe('selectBackend', () => {
  const saved = process.env[BACKEND_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[BACKEND_ENV];
    else process.env[BACKEND_ENV] = saved;
  });

  it('auto picks host and says why acl was skipped', () => {
    delete process.env[BACKEND_ENV];
    const { backend, fallbackReason } = selectBackend('auto', {});
    expect(backend.kind).toBe('host');
    expect(fallbackReason).toMatch(/^acl: no ACL runtime library .* could be loaded: /);
    expect(fallbackReason).not.toMatch(/host:/);
  });

  it('gives an explicit js or host with no fallback reason', () => {
    for (const kind of ['js', 'host'] as const) {
      const selection = selectBackend(kind, {});
      expect(selection.backend.kind).toBe(kind);
      expect(selection).not.toHaveProperty('fallbackReason');
    }
  });

  it('throws BackendUnavailableError for an explicit acl', () => {
    expect(() => selectBackend('acl', {})).toThrow(BackendUnavailableError);
    expect(() => selectBackend('acl', {})).toThrow(/^The 'acl' backend is unavailable: no ACL runtime library/);
  });

  it('rejects an unknown kind or option with a TypeError', () => {
    expect(() => selectBackend('gpu' as 'js', {})).toThrow(TypeError);
    expect(() => selectBackend(undefined as unknown as 'js', {})).toThrow(TypeError);
    expect(() => selectBackend('js', { device: 0 } as never)).toThrow(TypeError);
    expect(() => selectBackend('js', { acl: { libraryDir: 5 } } as never)).toThrow(TypeError);
    expect(() => selectBackend('js', { deviceId: -1 })).toThrow(RangeError);
  });

  it('lets DVPP_POOL_BACKEND decide auto, and only auto', () => {
    process.env[BACKEND_ENV] = 'js';
    expect(selectBackend('auto', {}).backend.kind).toBe('js');
    expect(selectBackend('host', {}).backend.kind).toBe('host');
    process.env[BACKEND_ENV] = 'acl';
    expect(() => selectBackend('auto', {})).toThrow(BackendUnavailableError);
    process.env[BACKEND_ENV] = 'auto';
    expect(selectBackend('auto', {}).backend.kind).toBe('host');
    process.env[BACKEND_ENV] = 'cuda';
    expect(() => selectBackend('auto', {})).toThrow(/DVPP_POOL_BACKEND/);
  });
});

describe('backendsInfo', () => {
  it('reports the auto choice, the addon file and huge page facts', () => {
    delete process.env[BACKEND_ENV];
    const info = backendsInfo();
    expect(info.auto).toEqual({ kind: 'host', fallbackReason: expect.stringMatching(/^acl: /) });
    expect(info.addon).toEqual({ path: expect.stringMatching(/dvpp_pool\.node$/) });
    expect(info).not.toHaveProperty('environment');
    expect(typeof info.hugePages).toBe('object');
  });
});
