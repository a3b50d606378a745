// SPDX-License-Identifier: MIT
// selectBackend: explicit kinds, auto's fallback order and reasons, DVPP_POOL_BACKEND. These
// machines have the addon built and no ACL library on the default search paths, so auto lands
// on host, and the reason it gives for acl is the ACL loader's own text.

import { afterEach, describe, expect, it } from 'vitest';
import { BACKEND_CHOICES, BACKEND_ENV, parseBackendChoice, selectBackend } from '../../../src/backends/select.js';
import { BackendUnavailableError } from '../../../src/errors.js';
import { createPool } from '../../../src/pool/pool.js';

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

  it('refuses a kind it does not know instead of falling through to js (adversarial review)', () => {
    delete process.env[BACKEND_ENV];
    for (const kind of ['ACL', 'gpu', undefined, 1]) expect(() => selectBackend(kind as 'js', {}), String(kind)).toThrow(TypeError);
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

  it('answers one bad backend string with one error: a RangeError, from the option and the environment', () => {
    const expected = "one of 'auto', 'acl', 'himpi', 'rt', 'host', 'js'";
    const message = (name: string) => `Expected ${expected} for ${name} but received "cuda" of type string`;
    const thrown = (action: () => unknown): { type: string; message: string } => {
      try {
        action();
      } catch (error) {
        return { type: (error as Error).constructor.name, message: (error as Error).message };
      }
      throw new Error('did not throw');
    };
    delete process.env[BACKEND_ENV];
    expect(thrown(() => createPool({ size: 4096, backend: 'cuda' as 'js' }))).toEqual({ type: 'RangeError', message: message('options.backend') });
    process.env[BACKEND_ENV] = 'cuda';
    expect(thrown(() => createPool({ size: 4096 }))).toEqual({ type: 'RangeError', message: message(`$${BACKEND_ENV}`) });
    expect(thrown(() => parseBackendChoice('options.backend', 1))).toEqual({
      type: 'TypeError',
      message: `Expected ${expected} for options.backend but received 1 of type number`,
    });
    expect(BACKEND_CHOICES).toEqual(['auto', 'acl', 'himpi', 'rt', 'host', 'js']);
  });
});
