// SPDX-License-Identifier: MIT
// The targets, judged from the figures of one run. Ratios compare contenders measured in
// the same run: the replay budget is 1.6 × the compiled C++ anchor (bench/anchor/) measured
// interleaved with the pool. Rows marked informative set no target; they put a figure beside
// the anchor's (engine hot pair, minimum block) so the gap to C++ is on the page.

import type { ScenarioResult, SeededTrace } from '../scenarios/context.js';

export interface TargetResult {
  readonly id: string;
  readonly target: string;
  /** The measured figure(s), as text. */
  readonly figure: string;
  /** null when the figures needed were not measured (a scenario was skipped), or informative. */
  readonly met: boolean | null;
  /** A comparison shown for context, with no target to meet. */
  readonly informative?: true;
  /**
   * Figures the target looked up and did not find although nothing explains their absence
   * (`scenario: key`): a key of a scenario that ran, or a scenario no result has. Not measured
   * for a reason (a skipped scenario, an anchor "not measured: …", heap checks without
   * --expose-gc) is not listed. Anything here is a bug of the bench (a renamed or misspelt key).
   */
  readonly missing: readonly string[];
}

/** Trace replay through the public API may take at most this many times the C++ anchor. */
export const REPLAY_OVER_ANCHOR_BUDGET = 1.6;
export const PAIR_BUDGET_NS = 40;
export const FRAG_BUDGET = 1.05;
export const HEAP_GROWTH_BUDGET_BYTES = 64 * 1024;

type Lookup = (scenario: string, key: string) => number | undefined;

function figureIn(results: readonly ScenarioResult[], scenario: string, key: string): ScenarioResult['figures'][string] | undefined {
  return results.find((r) => r.id === scenario && r.status === 'ok')?.figures[key];
}

/** Whether a missing figure has a reason: its scenario was skipped, or says why the figure is absent. */
function absenceExplained(results: readonly ScenarioResult[], scenario: string, key: string): boolean {
  const result = results.find((r) => r.id === scenario);
  if (result === undefined) return false;
  if (result.status !== 'ok') return true;
  const anchor = result.figures['anchor.status'];
  if (/(^|\.)anchor(Noop)?\./.test(key) && typeof anchor === 'string' && anchor !== 'measured') return true;
  return /\.(heapGrowthBytes|gcEvents)$/.test(key) && result.figures['heapChecked'] === false;
}

/** Numeric figures by scenario and key; a lookup that finds none, for no reason, goes into `misses`. */
function lookupIn(results: readonly ScenarioResult[], misses: string[]): Lookup {
  return (scenario, key) => {
    const value = figureIn(results, scenario, key);
    if (typeof value === 'number') return value;
    if (!absenceExplained(results, scenario, key)) misses.push(`${scenario}: ${key}`);
    return undefined;
  };
}

/** Why the anchor's figures of `scenario` are missing: its "not measured: …" status, if any. */
function anchorGap(results: readonly ScenarioResult[], scenario: string): string {
  const status = figureIn(results, scenario, 'anchor.status');
  return typeof status === 'string' && status !== 'measured' ? status : 'not measured';
}

/**
 * Judges `check` per seed; met only if every seed's figures exist and pass. `describe` returns
 * undefined (or the reason, as text) when a seed's figures are missing.
 */
function perSeed(
  traces: readonly SeededTrace[],
  describe: (seed: number) => [string, boolean] | string | undefined,
): { figure: string; met: boolean | null } {
  const parts: string[] = [];
  let met: boolean | null = true;
  for (const { seed } of traces) {
    const judged = describe(seed);
    if (judged === undefined || typeof judged === 'string') {
      parts.push(`seed ${seed}: ${judged ?? 'not measured'}`);
      met = null;
      continue;
    }
    parts.push(`seed ${seed}: ${judged[0]}`);
    if (met === true && !judged[1]) met = false;
  }
  return { figure: parts.join('; '), met };
}

const fmt = (n: number, digits = 1): string => n.toFixed(digits);

export function judgeTargets(results: readonly ScenarioResult[], traces: readonly SeededTrace[]): TargetResult[] {
  const misses: string[] = [];
  const get = lookupIn(results, misses);
  const out: TargetResult[] = [];
  // Each target takes the misses of the lookups made since the previous one.
  const add = (target: Omit<TargetResult, 'missing'>): void => {
    out.push({ ...target, missing: misses.splice(0) });
  };

  add({
    id: 'replay-vs-anchor',
    target: `Trace replay via public acquire/release ≤ ${REPLAY_OVER_ANCHOR_BUDGET} × the C++ TLSF-class offset allocator (bench/anchor/, same run, interleaved rep by rep)`,
    ...perSeed(traces, (seed) => {
      const ns = get('trace-replay', `seed${seed}.pool.medianNsPerOp`);
      const noop = get('trace-replay', `seed${seed}.noop.medianNsPerOp`);
      const anchor = get('trace-replay', `seed${seed}.anchor.medianNsPerOp`);
      const anchorNoop = get('trace-replay', `seed${seed}.anchorNoop.medianNsPerOp`);
      if (ns === undefined || noop === undefined) return undefined;
      if (anchor === undefined || anchorNoop === undefined) return anchorGap(results, 'trace-replay');
      const ratio = ns / anchor;
      return [
        `${fmt(ratio, 2)}× (pool ${fmt(ns)} vs anchor ${fmt(anchor)} ns/op; no-op replay loop: JS ${fmt(noop)}, C++ ${fmt(anchorNoop)})`,
        ratio <= REPLAY_OVER_ANCHOR_BUDGET,
      ];
    }),
  });
  add({
    id: 'replay-vs-thing',
    target: 'Trace replay via public acquire/release ≥ 10× faster than @thi.ng/malloc (same trace, same run)',
    ...perSeed(traces, (seed) => {
      const ratio = get('peers', `seed${seed}.thingOverPool`);
      const pool = get('peers', `seed${seed}.pool.medianNsPerOp`);
      const thing = get('peers', `seed${seed}.thing.medianNsPerOp`);
      if (ratio === undefined || pool === undefined || thing === undefined) return undefined;
      return [`${fmt(ratio)}× (${fmt(thing, 0)} vs ${fmt(pool)} ns/op, interleaved)`, ratio >= 10];
    }),
  });

  const pair = get('hot-pair', 'pool.medianNsPerPair');
  add({
    id: 'pair-budget',
    target: `Repeated-size pair (1080p acquire + release, public API) ≤ ${PAIR_BUDGET_NS} ns`,
    figure: pair === undefined ? 'not measured' : `${fmt(pair)} ns/pair (engine alone: ${fmt(get('hot-pair', 'engine.medianNsPerPair') ?? Number.NaN)})`,
    met: pair === undefined ? null : pair <= PAIR_BUDGET_NS,
  });
  const native = get('native-per-request', 'pair.medianNsPerPair');
  add({
    id: 'pair-vs-native',
    target: 'Repeated-size pair ≥ 100× faster than a fresh native block per request (scenario 4, same run)',
    figure: pair === undefined || native === undefined ? 'not measured' : `${fmt(native / pair, 0)}× (${fmt(native, 0)} vs ${fmt(pair)} ns/pair)`,
    met: pair === undefined || native === undefined ? null : native / pair >= 100,
  });

  const anchorPair = get('hot-pair', 'anchor.medianNsPerPair');
  const enginePair = get('hot-pair', 'engine.medianNsPerPair');
  add({
    id: 'pair-vs-anchor',
    target: 'Repeated-size pair, engine at handle level ÷ the C++ anchor (informative: no target)',
    figure:
      anchorPair === undefined || enginePair === undefined || pair === undefined
        ? anchorGap(results, 'hot-pair')
        : `${fmt(enginePair / anchorPair, 2)}× (engine ${fmt(enginePair)} vs anchor ${fmt(anchorPair)} ns/pair; public API ${fmt(pair / anchorPair, 2)}×)`,
    met: null,
    informative: true,
  });

  add({
    id: 'fragmentation',
    target: `Fragmentation: minimum block ≤ ${FRAG_BUDGET} × peak live bytes on both seeds`,
    ...perSeed(traces, (seed) => {
      const ratio = get('fragmentation', `seed${seed}.engine.ratio`);
      const mib = get('fragmentation', `seed${seed}.engine.minPoolMiB`);
      const peak = get('fragmentation', `seed${seed}.peakLiveMiB`);
      if (ratio === undefined || mib === undefined || peak === undefined) return undefined;
      return [`${fmt(ratio, 3)} (${mib} MiB / ${fmt(peak, 2)} MiB)`, ratio <= FRAG_BUDGET];
    }),
  });
  add({
    id: 'fragmentation-vs-first-fit',
    target: 'Fragmentation never worse than the naive first-fit baseline',
    ...perSeed(traces, (seed) => {
      const engine = get('fragmentation', `seed${seed}.engine.minPoolMiB`);
      const ff = get('fragmentation', `seed${seed}.firstFit.minPoolMiB`);
      if (engine === undefined || ff === undefined) return undefined;
      return [`engine ${engine} MiB vs first-fit ${ff} MiB`, engine <= ff];
    }),
  });

  add({
    id: 'fragmentation-vs-anchor',
    target: 'Fragmentation beside the C++ anchor: minimum block ÷ peak live, engine vs anchor (informative: no target)',
    informative: true,
    ...perSeed(traces, (seed) => {
      const engine = get('fragmentation', `seed${seed}.engine.ratio`);
      const engineMiB = get('fragmentation', `seed${seed}.engine.minPoolMiB`);
      const anchor = get('fragmentation', `seed${seed}.anchor.ratio`);
      const anchorMiB = get('fragmentation', `seed${seed}.anchor.minPoolMiB`);
      if (engine === undefined || engineMiB === undefined) return undefined;
      if (anchor === undefined || anchorMiB === undefined) return anchorGap(results, 'fragmentation');
      return [`engine ${fmt(engine, 3)} (${engineMiB} MiB) vs anchor ${fmt(anchor, 3)} (${anchorMiB} MiB)`, true];
    }),
    met: null,
  });

  const calls = get('hot-path', 'backendCallsPerPair');
  add({
    id: 'zero-native-calls',
    target: 'Zero native (backend) calls per acquire/release',
    figure: calls === undefined ? 'not measured' : `${calls} calls/pair over ${get('hot-path', 'pairs')} pairs`,
    met: calls === undefined ? null : calls === 0,
  });
  const heap = get('hot-path', 'engine.heapGrowthBytes');
  add({
    id: 'flat-heap',
    target: `Heap flat over 1M handle-level pairs after warm-up (growth ≤ ${HEAP_GROWTH_BUDGET_BYTES / 1024} KiB)`,
    figure:
      heap === undefined
        ? 'not measured (run with --expose-gc)'
        : `${heap} bytes, ${get('hot-path', 'engine.gcEvents')} GC events during the loop`,
    met: heap === undefined ? null : heap <= HEAP_GROWTH_BUDGET_BYTES,
  });
  return out;
}
