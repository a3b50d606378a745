// SPDX-License-Identifier: MIT
// TagColours: colours in order of first appearance, one hue per tag family (the text before a
// space or colon) in distinct shades, the palette reused a shade darker once it runs out, and the
// palette option's checks.

import { describe, expect, it } from 'vitest';
import { DEFAULT_PALETTE, TagColours, parsePalette, tagFamily } from '../../../src/viz/palette.js';

describe('tag colours', () => {
  it('names a family by the text before the first space or colon', () => {
    expect(['vdec ch0', 'vdec:1', 'vpc', ' lead', 'a b:c'].map(tagFamily)).toEqual(['vdec', 'vdec', 'vpc', ' lead', 'a']);
  });

  it('hands out the palette in order of first appearance, the same colour for a tag every time', () => {
    const colours = new TagColours();
    const tags = ['z', 'a', 'm', 'b'];
    expect(tags.map((tag) => colours.of(tag))).toEqual(DEFAULT_PALETTE.slice(0, 4));
    expect(colours.of('a')).toBe(DEFAULT_PALETTE[1]);
  });

  it('gives every member of a family its own shade, and no two tags one colour while shades last', () => {
    const colours = new TagColours();
    const members = Array.from({ length: 7 }, (_, i) => colours.of(`vdec ch${i}`));
    expect(members[0]).toBe(DEFAULT_PALETTE[0]);
    expect(new Set(members).size).toBe(7);
    expect(colours.of('vpc')).toBe(DEFAULT_PALETTE[1]);
  });

  it('reuses the palette a shade darker once every colour has a family', () => {
    const colours = new TagColours(['#808080', '#ff0000']);
    expect([colours.of('a'), colours.of('b'), colours.of('c'), colours.of('d')]).toEqual(['#808080', '#ff0000', '#666666', '#cc0000']);
  });

  it('checks a palette option', () => {
    expect(parsePalette('p', ['#ABCDEF'])).toEqual(['#abcdef']);
    expect(() => parsePalette('p', '#abcdef')).toThrow(TypeError);
    expect(() => parsePalette('p', [null])).toThrow(/p\[0\]/);
    expect(() => parsePalette('p', ['#abc'])).toThrow(RangeError);
    expect(() => parsePalette('p', [])).toThrow(RangeError);
  });
});
