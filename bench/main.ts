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
import { type BenchResults, scenarioList } from './report/results.js';
import { judgeTargets } from './report/targets.js';
import { type BenchConfig, FULL_CONFIG, QUICK_CONFIG, benchConfig, buildTraces } from './scenarios/context.js';
import { runCompat } from './scenarios/compat.js';
import { runFragmentation } from './scenarios/fragmentation.js';
import { runHotPair } from './scenarios/hot-pair.js';
import { runHotPath } from './scenarios/hot-path.js';
import { runNativePerRequest } from './scenarios/native-per-request.js';
import { runPeers } from './scenarios/peers.js';
import { runRecording } from './scenarios/recording.js';
import { runShared } from './scenarios/shared.js';
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

  const runs: BenchResults[] = [];
  for (let r = 1; r <= config.runs; r++) {
    /** Runs one scenario (or takes `reused`, a deterministic scenario's first result) and prints its status. */
    const step = async <R extends { readonly status: string }>(label: string, run: () => R | Promise<R>, reused?: R): Promise<R> => {
      const result = reused ?? (await run());
      console.log(`[${elapsed()}] run ${r}/${config.runs} · ${label}: ${result.status}`);
      return result;
    };
    // Property order is run order (and the report's order). Fragmentation is deterministic: it
    // runs once and counts for every run.
    runs.push({
      hotPair: await step('1 hot pair', () => runHotPair(config, traces)),
      traceReplay: await step('2 trace replay', () => runTraceReplay(config, traces)),
      fragmentation: await step('3 fragmentation', () => runFragmentation(config, traces), runs[0]?.fragmentation),
      nativePerRequest: await step('4 native per request', () => runNativePerRequest(config, traces)),
      compat: await step('5 pyACL compat', () => runCompat(config, traces)),
      peers: await step('6 peers', () => runPeers(config, traces)),
      recording: await step('7 recording', () => runRecording(config, traces)),
      shared: await step('8 shared pools', () => runShared(config, traces)),
      hotPath: await step('hot-path checks', () => runHotPath(config)),
    });
  }
  const results = mergeRuns(runs);
  const targets = judgeTargets(results, config.seeds);
  const durationS = (performance.now() - started) / 1000;

  mkdirSync(values.out, { recursive: true });
  const report = {
    env,
    config,
    durationS,
    traces: traces.map(({ seed, trace, stats }) => ({ seed, nOps: trace.nOps, nIds: trace.nIds, ...stats })),
    scenarios: scenarioList(results),
    targets,
    runs: runs.map(scenarioList),
  };
  writeFileSync(join(values.out, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(values.out, 'latest.md'), renderMarkdown(env, config.quick, traces, results, targets, durationS));
  for (const t of targets) console.log(`${t.informative ? 'info' : t.met === null ? 'n/a' : t.met ? 'met' : 'MISS'}  ${t.id}: ${t.figure}`);
  console.log(`[${elapsed()}] wrote ${join(values.out, 'latest.json')} and latest.md`);
}

await main();
