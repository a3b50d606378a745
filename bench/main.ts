// SPDX-License-Identifier: MIT
// `npm run bench` / `npm run bench:quick`: runs every scenario in one process, prints a progress
// line per scenario, and writes <out>/latest.json (figures + environment) and <out>/latest.md
// (targets table). The full run repeats the timed scenarios `runs` times and reports medians (one
// noisy run on a shared 2-core machine decides nothing); fragmentation is deterministic and runs
// once. --out defaults to bench/results (gitignored); docs are never written here.
// Usage: tsx --expose-gc bench/main.ts [--quick] [--out DIR]

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { collectEnv } from './report/env.js';
import { renderMarkdown } from './report/markdown.js';
import { mergeRuns } from './report/merge.js';
import { judgeTargets } from './report/targets.js';
import { type BenchConfig, FULL_CONFIG, QUICK_CONFIG, type ScenarioResult, benchConfig, buildTraces } from './scenarios/context.js';
import { runCompat } from './scenarios/compat.js';
import { runFragmentation } from './scenarios/fragmentation.js';
import { runHotPair } from './scenarios/hot-pair.js';
import { runHotPath } from './scenarios/hot-path.js';
import { runNativePerRequest } from './scenarios/native-per-request.js';
import { runPeers } from './scenarios/peers.js';
import { runTraceReplay } from './scenarios/trace-replay.js';

const USAGE = 'Usage: tsx --expose-gc bench/main.ts [--quick] [--out DIR]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      out: { type: 'string', default: join('bench', 'results') },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const config: BenchConfig = benchConfig(values.quick ? QUICK_CONFIG : FULL_CONFIG);
  const started = performance.now();
  const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  const env = collectEnv(config);
  console.log(`dvpp-pool bench${config.quick ? ' --quick' : ''}: Node ${env.node}, backend ${env.backendKind}, load ${env.loadAverage1m.toFixed(2)}`);
  if (config.backendNote !== undefined) console.log(`note: ${config.backendNote}`);

  const traces = buildTraces(config);
  console.log(`[${elapsed()}] traces: ${traces.map((t) => `seed ${t.seed} ${t.trace.nOps} ops`).join(', ')}`);

  // [label, run, deterministic]: a deterministic scenario runs once and counts for every run.
  const steps: [string, () => ScenarioResult | Promise<ScenarioResult>, boolean][] = [
    ['1 hot pair', () => runHotPair(config, traces), false],
    ['2 trace replay', () => runTraceReplay(config, traces), false],
    ['3 fragmentation', () => runFragmentation(config, traces), true],
    ['4 native per request', () => runNativePerRequest(config, traces), false],
    ['5 pyACL compat', () => runCompat(config, traces), false],
    ['6 peers', () => runPeers(config, traces), false],
    ['hot-path checks', () => runHotPath(config), false],
  ];
  const runs: ScenarioResult[][] = [];
  for (let r = 1; r <= config.runs; r++) {
    const results: ScenarioResult[] = [];
    for (const [i, [label, run, deterministic]] of steps.entries()) {
      const once = deterministic ? runs[0]?.[i] : undefined;
      const result = once ?? (await run());
      results.push(result);
      console.log(`[${elapsed()}] run ${r}/${config.runs} · ${label}: ${result.status}`);
    }
    runs.push(results);
  }
  const scenarios = mergeRuns(runs);
  const targets = judgeTargets(scenarios, traces);
  const durationS = (performance.now() - started) / 1000;

  mkdirSync(values.out, { recursive: true });
  const report = {
    env,
    config,
    durationS,
    traces: traces.map(({ seed, trace, stats }) => ({ seed, nOps: trace.nOps, nIds: trace.nIds, ...stats })),
    scenarios,
    targets,
    runs,
  };
  writeFileSync(join(values.out, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(values.out, 'latest.md'), renderMarkdown(env, config.quick, traces, scenarios, targets, durationS));
  for (const t of targets) console.log(`${t.informative ? 'info' : t.met === null ? 'n/a' : t.met ? 'met' : 'MISS'}  ${t.id}: ${t.figure}`);
  console.log(`[${elapsed()}] wrote ${join(values.out, 'latest.json')} and latest.md`);
}

await main();
