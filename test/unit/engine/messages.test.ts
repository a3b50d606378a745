// SPDX-License-Identifier: MIT
// The engine's argument errors (src/engine/messages.ts): the one message shape, total on every
// value (revoked and trapping Proxies, throwing getters and conversions) without running any of
// its code, and primitives rendered exactly as validate.ts renders them.

import { describe, expect, it } from 'vitest';
import { TlsfEngine } from '../../../src/engine/index.js';
import { argumentError, requireIntegerIn } from '../../../src/engine/messages.js';
import { numberError } from '../../../src/validate.js';
import { codeProbes } from '../../helpers/hostile.js';

const SHAPE = /^Expected positive safe integer for granules but received .+ of type (object|function)$/;

describe('engine argumentError', () => {
  const { probe, trap, revoked, revokedFunction } = codeProbes();
  const handler = { get: trap, getPrototypeOf: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, has: trap, apply: trap };
  const cases: [string, unknown, string][] = [
    ['a revoked Proxy', revoked, 'a revoked Proxy'],
    ['a revoked Proxy of a function', revokedFunction, 'a function'],
    ['a Proxy of an object whose traps throw', new Proxy({}, handler), 'an object'],
    ['a Proxy of an array whose traps throw', new Proxy([], handler), 'an array'],
    ['a Proxy of a function whose traps throw', new Proxy(() => 0, handler), 'a function'],
    ['a Symbol.toStringTag getter', { get [Symbol.toStringTag]() { return trap(); } }, 'an object'],
    ['throwing valueOf and toString', { valueOf: trap, toString: trap, [Symbol.toPrimitive]: trap }, 'an object'],
    ['a class with a name getter', class { static get name(): string { return trap(); } }, 'a function'],
    ['an array', [1, 2], 'an array'],
  ];

  it.each(cases)('renders %s without throwing or running its code', (_name, value, text) => {
    probe.ran = 0;
    const error = argumentError('granules', 'positive safe integer', value);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(SHAPE);
    expect(error.message).toContain(`received ${text} of type`);
    expect(probe.ran).toBe(0);
  });

  it('reaches TlsfEngine\'s argument checks: a revoked Proxy is the engine\'s TypeError, not V8\'s', () => {
    expect(() => new TlsfEngine(revoked as never)).toThrow(
      new TypeError('Expected integer in [1, 2147483647] for capacityGranules but received a revoked Proxy of type object'),
    );
    expect(() => new TlsfEngine(8, revoked as never)).toThrow(/^Expected integer in \[1, 1073741824\] for initialNodeCapacity but received a revoked Proxy of type object$/);
    expect(() => requireIntegerIn('n', revokedFunction, 0, 1)).toThrow(/^Expected integer in \[0, 1\] for n but received a function of type function$/);
  });

  it.each([
    'abc',
    'x'.repeat(50),
    '',
    5n,
    -1n,
    null,
    undefined,
    true,
    Number.NaN,
    -1,
    1.5,
    Number.POSITIVE_INFINITY,
    Symbol('s'),
    Symbol(),
    Symbol.iterator,
  ])('renders the primitive %s exactly as validate.ts does', (value) => {
    expect(argumentError('granules', 'positive safe integer', value).message).toBe(numberError('granules', 'positive safe integer', value).message);
  });
});
