// SPDX-License-Identifier: MIT
// The targets, judged from the figures of one run. Ratios compare contenders measured in
// the same run; the one absolute target (≤ 53 ns/op) compares with a reference figure measured
// elsewhere (OffsetAllocator, suballocators.md §4), which this bench cannot run: said in the text.

import type { ScenarioResult, SeededTrace } from '../scenarios/context.js';

export interface TargetResult {
  readonly id: string;
  readonly target: string;
  /** The measured figure(s), as text. */
  readonly figure: string;
  /** null when the figures needed were not measured (a scenario was skipped). */
  readonly met: boolean | null;
}

/** OffsetAllocator on the reference trace, ns/op (suballocators.md §4, seed 12345). */
export const OFFSET_ALLOCATOR_NS = 33.3;
/** The JS replay loop with a no-op allocator in that reference run, ns/op: calibrates a machine state. */
export const REFERENCE_NOOP_NS = 9.4;
export const REPLAY_BUDGET_NS = 1.6 * OFFSET_ALLOCATOR_NS;
export const PAIR_BUDGET_NS = 40;
export const FRAG_BUDGET = 1.05;
export const HEAP_GROWTH_BUDGET_BYTES = 64 * 1024;

type Lookup = (scenario: string, key: string) => number | undefined;

function lookupIn(results: readonly ScenarioResult[]): Lookup {
  return (scenario, key) => {
    const value = results.find((r) => r.id === scenario && r.status === 'ok')?.figures[key];
    return typeof value === 'number' ? value : undefined;
  };
}

/** Judges `check` per seed; met only if every seed's figures exist and pass. */
function perSeed(
  traces: readonly SeededTrace[],
  describe: (seed: number) => [string, boolean] | undefined,
): { figure: string; met: boolean | null } {
  const parts: string[] = [];
  let met: boolean | null = true;
  for (const { seed } of traces) {
    const judged = describe(seed);
    if (judged === undefined) {
      parts.push(`seed ${seed}: not measured`);
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
  const get = lookupIn(results);
  const out: TargetResult[] = [];

  out.push({
    id: 'replay-vs-offset-allocator',
    target: `Trace replay via public acquire/release ≤ ${fmt(REPLAY_BUDGET_NS)} ns/op (1.6 × OffsetAllocator's ${OFFSET_ALLOCATOR_NS} ns/op reference, not measured in this run)`,
    ...perSeed(traces, (seed) => {
      const ns = get('trace-replay', `seed${seed}.pool.medianNsPerOp`);
      const noop = get('trace-replay', `seed${seed}.noop.medianNsPerOp`);
      if (ns === undefined || noop === undefined) return undefined;
      return [`${fmt(ns)} ns/op (harness noop ${fmt(noop)} here vs ${REFERENCE_NOOP_NS} in the reference run)`, ns <= REPLAY_BUDGET_NS];
    }),
  });
  out.push({
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
  out.push({
    id: 'pair-budget',
    target: `Repeated-size pair (1080p acquire + release, public API) ≤ ${PAIR_BUDGET_NS} ns`,
    figure: pair === undefined ? 'not measured' : `${fmt(pair)} ns/pair (engine alone: ${fmt(get('hot-pair', 'engine.medianNsPerPair') ?? Number.NaN)})`,
    met: pair === undefined ? null : pair <= PAIR_BUDGET_NS,
  });
  const native = get('native-per-request', 'pair.medianNsPerPair');
  out.push({
    id: 'pair-vs-native',
    target: 'Repeated-size pair ≥ 100× faster than a fresh native block per request (scenario 4, same run)',
    figure: pair === undefined || native === undefined ? 'not measured' : `${fmt(native / pair, 0)}× (${fmt(native, 0)} vs ${fmt(pair)} ns/pair)`,
    met: pair === undefined || native === undefined ? null : native / pair >= 100,
  });

  out.push({
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
  out.push({
    id: 'fragmentation-vs-first-fit',
    target: 'Fragmentation never worse than the naive first-fit baseline',
    ...perSeed(traces, (seed) => {
      const engine = get('fragmentation', `seed${seed}.engine.minPoolMiB`);
      const ff = get('fragmentation', `seed${seed}.firstFit.minPoolMiB`);
      if (engine === undefined || ff === undefined) return undefined;
      return [`engine ${engine} MiB vs first-fit ${ff} MiB`, engine <= ff];
    }),
  });

  const calls = get('hot-path', 'backendCallsPerPair');
  out.push({
    id: 'zero-native-calls',
    target: 'Zero native (backend) calls per acquire/release',
    figure: calls === undefined ? 'not measured' : `${calls} calls/pair over ${get('hot-path', 'pairs')} pairs`,
    met: calls === undefined ? null : calls === 0,
  });
  const heap = get('hot-path', 'engine.heapGrowthBytes');
  out.push({
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
