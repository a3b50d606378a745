// SPDX-License-Identifier: MIT
// The argument guards and their one message shape, on every kind of value they can receive.

import { describe, expect, it } from 'vitest';
import { alignUp } from '../../src/constants.js';
import { Pool, createPool } from '../../src/pool/pool.js';
import { codeProbes } from '../helpers/hostile.js';
import {
  describe as describeValue,
  invalidMessage,
  rejectUnknownKeys,
  requireOptions,
  requireSafeInteger,
  requireString,
  requireViewBytes,
} from '../../src/validate.js';

describe('validate', () => {
  it.each([
    ['abc', '"abc"'],
    ['x'.repeat(50), `"${'x'.repeat(40)}…"`],
    [5n, '5n'],
    [null, 'null'],
    [undefined, 'undefined'],
    [[1, 2], 'array of length 2'],
    [{}, 'object [object Object]'],
    [Symbol('s'), 'Symbol(s)'],
    [function named() {}, 'function named'],
    [Number.NaN, 'NaN'],
  ])('describes %s as %s', (value, text) => {
    expect(describeValue(value)).toBe(text);
  });

  it('shapes every message the same way', () => {
    expect(invalidMessage('len', 'positive safe integer', -1)).toBe('Expected positive safe integer for len but received -1 of type number');
    expect(invalidMessage('x', 'string', null)).toBe('Expected string for x but received null of type null');
  });

  it('requireSafeInteger: RangeError for bad numbers, TypeError for non-numbers', () => {
    expect(requireSafeInteger('n', 0, 0)).toBe(0);
    expect(() => requireSafeInteger('n', 0, 1)).toThrow(new RangeError('Expected positive safe integer for n but received 0 of type number'));
    expect(() => requireSafeInteger('n', -1, 0)).toThrow(/non-negative safe integer/);
    expect(() => requireSafeInteger('n', 5, 10)).toThrow(/safe integer >= 10/);
    expect(() => requireSafeInteger('n', '5', 0)).toThrow(TypeError);
  });

  it('requireString and requireOptions', () => {
    expect(requireString('tag', 'a')).toBe('a');
    expect(() => requireString('tag', 1)).toThrow(TypeError);
    expect(requireOptions('options', undefined)).toEqual({});
    const options = { a: 1 };
    expect(requireOptions('options', options)).toBe(options);
    for (const bad of [null, 1, 'x', [1]]) expect(() => requireOptions('options', bad)).toThrow(TypeError);
  });

  it('rejectUnknownKeys names the key and the known ones', () => {
    expect(() => rejectUnknownKeys('options', { size: 1 }, ['size'])).not.toThrow();
    expect(() => rejectUnknownKeys('options', { sise: 1 }, ['size', 'backend'])).toThrow('Unknown option options.sise; known options are: size, backend');
  });
});

describe('describe() is total and runs none of the value\'s code', () => {
  const { probe, trap, revoked, revokedFunction } = codeProbes();
  const trapping = new Proxy({}, { get: trap, getPrototypeOf: trap, ownKeys: trap, getOwnPropertyDescriptor: trap });
  class Named {
    static get name(): string {
      return trap();
    }
  }
  const cases: [string, unknown, RegExp][] = [
    ['a revoked Proxy', revoked, /^a revoked Proxy$/],
    ['a revoked function Proxy', revokedFunction, /^a revoked Proxy of a function$/],
    ['a Proxy whose traps throw', trapping, /^a Proxy$/],
    ['a Proxy of a function whose traps throw', new Proxy(() => 0, { get: trap, getOwnPropertyDescriptor: trap, apply: trap }), /^a Proxy of a function$/],
    ['a Proxy of a Proxy that was revoked', new Proxy(revoked, {}), /^a revoked Proxy$/],
    ['a Symbol.toStringTag getter', { get [Symbol.toStringTag]() { return trap(); } }, /would run its code/],
    ['a Proxy prototype', Object.create(trapping) as object, /would run its code/],
    ['a class with a name getter', Named, /function \(anonymous\)/],
    ['a plain object', { a: 1 }, /object \[object Object\]/],
    ['a typed array', new Uint8Array(2), /object \[object Uint8Array\]/],
  ];
  it.each(cases)('%s', (_name, value, shape) => {
    probe.ran = 0;
    expect(describeValue(value)).toMatch(shape);
    expect(invalidMessage('len', 'positive safe integer', value)).toMatch(/^Expected positive safe integer for len but received /);
    expect(probe.ran).toBe(0);
  });
});

describe('the guards on values that would run code or throw when inspected', () => {
  const revoked = (): object => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  };

  it('renders a symbol without looking up Symbol.prototype.toString', () => {
    const original = Object.getOwnPropertyDescriptor(Symbol.prototype, 'toString')!;
    Object.defineProperty(Symbol.prototype, 'toString', { ...original, value: () => { throw new Error('user code ran'); } });
    try {
      expect(describeValue(Symbol('s'))).toBe('Symbol(s)');
    } finally {
      Object.defineProperty(Symbol.prototype, 'toString', original);
    }
  });

  it('requireOptions refuses a revoked Proxy with its TypeError, and takes a live one without trapping', () => {
    expect(() => requireOptions('options', revoked())).toThrow(
      new TypeError('Expected an options object for options but received a revoked Proxy of type object'),
    );
    const trapping = new Proxy({}, { getPrototypeOf: () => { throw new Error('user code ran'); } });
    expect(requireOptions('options', trapping)).toBe(trapping);
  });

  it.each<[string, (value: unknown) => unknown, RegExp]>([
    ['alignUp(1, revoked)', (value) => alignUp(1, value as number), /^Expected positive safe integer for k but received a revoked Proxy of type object$/],
    ['pool.acquire(revoked)', (value) => createPool({ size: 4096, backend: 'js' }).acquire(value as number), /^Expected positive safe integer for len but received a revoked Proxy of type object$/],
    ['new Pool({ size: revoked })', (value) => new Pool({ size: value as number, backend: 'js' }), /^Expected .+ for options\.size but received a revoked Proxy of type object$/],
    ['new Pool(revoked)', (value) => new Pool(value as never), /^Expected an options object for options but received a revoked Proxy of type object$/],
    ['createPool({ acl: revoked })', (value) => createPool({ size: 4096, backend: 'js', acl: value as never }), /^Expected an options object for options\.acl but received a revoked Proxy of type object$/],
  ])('%s is the project\'s TypeError, not V8\'s', (_name, call, message) => {
    expect(() => call(revoked())).toThrow(TypeError);
    expect(() => call(revoked())).toThrow(message);
  });
});

describe('requireViewBytes', () => {
  it('is a Uint8Array over the same bytes of any TypedArray or DataView, shared buffers included', () => {
    const buffer = new ArrayBuffer(16);
    for (const view of [new Uint16Array(buffer, 2, 3), new DataView(buffer, 2, 6), new Uint8Array(new SharedArrayBuffer(8), 2, 6)]) {
      const bytes = requireViewBytes('src', view);
      expect([bytes.buffer, bytes.byteOffset, bytes.byteLength]).toEqual([view.buffer, view.byteOffset, view.byteLength]);
    }
  });

  it('refuses what is not a view, and a detached one, with a TypeError naming it; reads no getter of the view', () => {
    for (const bad of [new ArrayBuffer(8), [1], {}, null]) {
      expect(() => requireViewBytes('src', bad)).toThrow(/^Expected an ArrayBufferView for src but received .+ of type (object|null)$/);
    }
    const buffer = new ArrayBuffer(8);
    const view = new DataView(buffer);
    Object.defineProperty(view, 'byteLength', { get: () => { throw new Error('user code ran'); } });
    structuredClone(buffer, { transfer: [buffer] });
    expect(() => requireViewBytes('dst', view)).toThrow(
      new TypeError('Expected a TypedArray or DataView over a buffer that is not detached for dst but received object [object DataView] of type object'),
    );
  });
});
