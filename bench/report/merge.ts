// SPDX-License-Identifier: MIT
// Folds repeated runs of the scenarios into one result: each numeric figure becomes the median of
// its values over the runs (texts and flags come from the first run), so one noisy run cannot
// decide a target. Figure keys missing from some runs use the runs that have them.

import type { Figure, ScenarioResult } from '../scenarios/context.js';
import { quantile } from '../timing.js';

/** Median over `runs` (each the full scenario list of one run, in the same order). */
export function mergeRuns(runs: readonly (readonly ScenarioResult[])[]): ScenarioResult[] {
  const first = runs[0];
  if (first === undefined) return [];
  return first.map((scenario, i) => {
    const peers = runs.map((run) => run[i]).filter((s): s is ScenarioResult => s?.id === scenario.id && s.status === 'ok');
    if (scenario.status !== 'ok' || runs.length === 1) return scenario;
    const figures: Record<string, Figure> = {};
    for (const [key, value] of Object.entries(scenario.figures)) {
      if (typeof value !== 'number') {
        figures[key] = value;
        continue;
      }
      const values = peers.map((s) => s.figures[key]).filter((v): v is number => typeof v === 'number');
      figures[key] = quantile(values, 0.5);
    }
    return { ...scenario, figures, notes: [...scenario.notes, `Figures are medians of ${peers.length} runs.`] };
  });
}
