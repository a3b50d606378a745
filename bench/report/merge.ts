// SPDX-License-Identifier: MIT
// Folds repeated runs of the scenarios into one result: each numeric figure becomes the median of
// its values over the runs (texts and flags come from the first run), so one noisy run cannot
// decide a target. Written over any shape of figures: the runs of a scenario have the same
// shape, and the median walks them together, place by place.

import { quantile } from '../../src/trace/timing.js';
import type { ScenarioResult } from '../scenarios/context.js';

const isObject = (value: unknown): value is Readonly<Record<string, unknown>> => typeof value === 'object' && value !== null;

/** The values found at one place of every tree: the median of the numbers, else the first. */
function medianAt(values: readonly unknown[]): unknown {
  const [first] = values;
  if (typeof first === 'number') return quantile(values.filter((v): v is number => typeof v === 'number'), 0.5);
  if (Array.isArray(first)) return first.map((_, i) => medianAt(values.map((v) => (Array.isArray(v) ? (v[i] as unknown) : undefined))));
  if (isObject(first)) return Object.fromEntries(Object.keys(first).map((key) => [key, medianAt(values.map((v) => (isObject(v) ? v[key] : undefined)))]));
  return first;
}

/**
 * The median of same-shaped figure trees: the first tree's shape, with each number replaced by
 * the median of the numbers at the same place in every tree (a place some tree lacks, as when a
 * part was measured in one run only, takes the trees that have it).
 */
export function medianOf<T>(trees: readonly T[]): T {
  return medianAt(trees) as T;
}

/** One scenario over the runs: medians of the runs in which it ran; a skipped first run stays as it is. */
function mergeScenario<S extends ScenarioResult>(runs: readonly S[]): S {
  const first = runs[0] as S;
  if (first.status !== 'ok' || runs.length === 1) return first;
  const ran = runs.filter((s): s is Extract<S, { readonly status: 'ok' }> => s.status === 'ok');
  const figures = medianOf(ran.map((s) => s.figures));
  return { ...first, figures, notes: [...first.notes, `Figures are medians of ${ran.length} runs.`] };
}

/** Median over `runs` (each one run's results, every scenario under the same key). */
export function mergeRuns<R extends { readonly [K in keyof R]: ScenarioResult }>(runs: readonly R[]): R {
  const [first] = runs;
  if (first === undefined) throw new RangeError('mergeRuns needs at least one run');
  const merged = { ...first };
  for (const key of Object.keys(first) as (keyof R)[]) merged[key] = mergeScenario(runs.map((run) => run[key]));
  return merged;
}
