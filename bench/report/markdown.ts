// SPDX-License-Identifier: MIT
// Renders one run as Markdown: the environment, the targets (met / not met with the figure), then
// every scenario's figures and notes. docs/benchmarks.md quotes this output; nothing writes docs.

import type { SeededTrace } from '../scenarios/context.js';
import { MIB } from '../../src/format.js';
import type { BenchEnv } from './env.js';
import { figureRows } from './figure-rows.js';
import { type BenchResults, scenarioList } from './results.js';
import type { TargetResult } from './targets.js';

const verdict = (t: TargetResult): string =>
  t.informative ? 'informative' : t.met === null ? 'not measured' : t.met ? '**met**' : '**not met**';

export function renderMarkdown(
  env: BenchEnv,
  quick: boolean,
  traces: readonly SeededTrace[],
  results: BenchResults,
  targets: readonly TargetResult[],
  durationS: number,
): string {
  const lines: string[] = [];
  lines.push(`# dvpp-pool benchmark results${quick ? ' (quick run: small traces, few reps)' : ''}`, '');
  lines.push(
    `${env.date} · Node ${env.node} · ${env.cpuModel} × ${env.cpuCount} · load ${env.loadAverage1m.toFixed(2)} · ` +
      `backend \`${env.backendKind}\` · block ${env.blockBytes / MIB} MiB · commit ${env.gitCommit?.slice(0, 12) ?? 'unknown'} · ${durationS.toFixed(0)} s`,
    '',
  );
  lines.push('| trace | ops | ids | peak live |', '|---|---|---|---|');
  for (const { seed, trace, stats } of traces) {
    lines.push(`| seed ${seed} | ${trace.nOps} | ${trace.nIds} | ${(stats.peakLiveBytes / MIB).toFixed(2)} MiB |`);
  }
  lines.push('', '## Targets', '', '| target | measured | verdict |', '|---|---|---|');
  for (const t of targets) lines.push(`| ${t.target} | ${t.figure} | ${verdict(t)} |`);
  for (const s of scenarioList(results)) {
    lines.push('', `## ${s.title}`, '');
    if (s.status === 'skipped') lines.push('Skipped.', '');
    else {
      lines.push('| figure | value |', '|---|---|');
      for (const [path, value] of figureRows(s.figures)) lines.push(`| ${path} | ${String(value)} |`);
      lines.push('');
    }
    for (const note of s.notes) lines.push(`- ${note}`);
  }
  return `${lines.join('\n')}\n`;
}
