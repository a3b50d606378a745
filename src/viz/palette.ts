// SPDX-License-Identifier: MIT
// Tag colours for the memory map. Colours are handed out in order of first appearance (so the
// first tags of a picture get the most distinct colours, and no two families share one while
// the palette lasts, where a hash let `vdec ch0` and `vdec ch2` share a yellow-green). Tags that
// share a family, the text before their first space or colon (`vdec ch0`, `vdec ch1`,
// `vpc:resize`), share a hue: the family takes the next palette colour, and its first seven
// members get distinct shades of it (the colour, then lighter and darker steps); an eighth
// repeats the first shade, and the legend tells them apart. The default palette is Paul Tol's "muted" qualitative scheme, made
// to stay distinguishable under the common colour-vision deficiencies (P. Tol, "Colour Schemes",
// SRON/EPS/TN/09-002, scheme "muted").

import { invalidMessage } from '../validate.js';

/** Paul Tol's "muted" scheme: rose, indigo, sand, green, cyan, wine, teal, olive, purple. */
export const DEFAULT_PALETTE: readonly string[] = Object.freeze([
  '#cc6677',
  '#332288',
  '#ddcc77',
  '#117733',
  '#88ccee',
  '#882255',
  '#44aa99',
  '#999933',
  '#aa4499',
]);

/** Most colours a `palette` option may list. */
export const MAX_PALETTE = 64;

/**
 * Shade steps for the members of a family, in order: a positive step mixes the colour with
 * white, a negative one with black. Past the last, the steps repeat.
 */
const SHADES: readonly number[] = [0, 0.35, -0.3, 0.6, -0.5, 0.18, -0.15];

const HEX_COLOUR = /^#[0-9a-f]{6}$/;

/** The family of a tag: the text before its first space or colon, or the whole tag. */
export function tagFamily(tag: string): string {
  const cut = tag.search(/[ :]/);
  return cut > 0 ? tag.slice(0, cut) : tag;
}

/** `#rrggbb` mixed towards white (step > 0) or black (step < 0) by |step|. */
function shade(colour: string, step: number): string {
  const target = step > 0 ? 255 : 0;
  const amount = Math.abs(step);
  let out = '#';
  for (let i = 1; i < 7; i += 2) {
    const channel = Number.parseInt(colour.slice(i, i + 2), 16);
    out += Math.round(channel + (target - channel) * amount)
      .toString(16)
      .padStart(2, '0');
  }
  return out;
}

/**
 * Checks a `palette` option: an array of 1 to {@link MAX_PALETTE} `#rrggbb` strings (any case).
 * @returns the colours in lowercase.
 * @throws {TypeError} not an array, or an entry that is not a string.
 * @throws {RangeError} an empty or too long array, or a string that is not `#rrggbb`.
 */
export function parsePalette(name: string, value: unknown): string[] {
  if (!Array.isArray(value)) throw new TypeError(invalidMessage(name, `an array of 1 to ${MAX_PALETTE} '#rrggbb' colours`, value));
  if (value.length === 0 || value.length > MAX_PALETTE) {
    throw new RangeError(`${name} lists ${value.length} colours; give 1 to ${MAX_PALETTE}`);
  }
  // An index loop, not the array's own map: a hole is an entry like any other, and the
  // caller's array methods are never called.
  const colours: string[] = [];
  for (let index = 0; index < value.length; index++) {
    const entry: unknown = value[index];
    if (typeof entry !== 'string') throw new TypeError(invalidMessage(`${name}[${index}]`, "a '#rrggbb' colour", entry));
    const colour = entry.toLowerCase();
    if (!HEX_COLOUR.test(colour)) throw new RangeError(invalidMessage(`${name}[${index}]`, "a '#rrggbb' colour", entry));
    colours.push(colour);
  }
  return colours;
}

/** Hands out tag colours for one picture: call {@link TagColours.of} in drawing order. */
export class TagColours {
  readonly #palette: readonly string[];
  readonly #families = new Map<string, { readonly colour: string; members: number }>();
  readonly #tags = new Map<string, string>();

  constructor(palette: readonly string[] = DEFAULT_PALETTE) {
    this.#palette = palette;
  }

  /** The colour of `tag`, the same for every call of this picture. */
  of(tag: string): string {
    const known = this.#tags.get(tag);
    if (known !== undefined) return known;
    const name = tagFamily(tag);
    let family = this.#families.get(name);
    if (family === undefined) {
      const index = this.#families.size;
      const palette = this.#palette;
      // Once the palette is used up, families repeat its colours a shade darker each round.
      const base = palette[index % palette.length] as string;
      const round = Math.floor(index / palette.length);
      family = { colour: round === 0 ? base : shade(base, -Math.min(0.2 * round, 0.6)), members: 0 };
      this.#families.set(name, family);
    }
    const colour = shade(family.colour, SHADES[family.members % SHADES.length] as number);
    family.members++;
    this.#tags.set(tag, colour);
    return colour;
  }
}
