// SPDX-License-Identifier: MIT
// A scenario's typed figures as flat rows, `path: value`, for latest.md and the checks of the
// report: nested fields join with dots, and the items of a per-seed list are named by their seed
// (`seeds: [{ seed: 12345, pool: … }]` gives `seed12345.pool.medianNsPerOp`).

/** A leaf of the figures: a number with its unit, a status text, or a flag. */
export type FigureValue = number | string | boolean;

type Fields = Readonly<Record<string, unknown>>;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null;
const join = (prefix: string, name: string): string => (prefix === '' ? name : `${prefix}.${name}`);

/** Every leaf of `figures` with its dotted path, in field order. */
export function figureRows(figures: unknown, prefix = ''): [string, FigureValue][] {
  if (!isObject(figures)) return [[prefix, figures as FigureValue]];
  return Object.entries(figures).flatMap(([key, value]) => {
    if (!Array.isArray(value)) return figureRows(value, join(prefix, key));
    return value.flatMap((item: unknown, i) => {
      if (!isObject(item) || typeof item['seed'] !== 'number') return figureRows(item, join(prefix, `${key}.${i}`));
      const { seed, ...rest } = item;
      return figureRows(rest, join(prefix, `seed${seed}`));
    });
  });
}
