// SPDX-License-Identifier: MIT
// The argument guards and their one message shape, on every kind of value they can receive.

import { describe, expect, it } from 'vitest';
import { describe as describeValue, invalidMessage, rejectUnknownKeys, requireOptions, requireSafeInteger, requireString } from '../../src/validate.js';

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
