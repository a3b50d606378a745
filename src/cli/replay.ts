// SPDX-License-Identifier: MIT
// `dvpp-pool replay TRACE`: replays an allocation trace (src/trace/format.ts) through a pool's
// tryAcquire/release and prints ns per operation (median of --reps timed replays after one
// warm-up) and the fragmentation figure: the smallest pool, in --step steps, that replays the
// trace without a failure, divided by the trace's peak live footprint (src/trace/min-pool.ts).

import { MIB, formatBytes, formatCount } from '../format.js';
import { MAX_TRACE_BYTES, type Trace, TraceFormatError, decodeTrace } from '../trace/format.js';
import { NoBlockFitsError, minPoolBytes } from '../trace/min-pool.js';
import { traceStats } from '../trace/stats.js';
import { type ReplayTimingResult, timeReplays } from '../trace/timing.js';
import { type Command, type CommandLine, UsageError, defineCommand, onlyFile, parseBackend, parseBytes, parseInteger } from './args.js';
import { readCapped } from './input.js';
import { PoolContender } from './pool-contender.js';
import { largestPool, requirePoolSizeFits } from './pool-size.js';

const HELP = `Usage: dvpp-pool replay TRACE [options]

Replays an allocation trace (the binary format of docs/benchmarks.md: a "TRC1" header, then
{op, id, len} records, at most ${formatBytes(MAX_TRACE_BYTES)}) through a pool's tryAcquire/release. Prints the time per operation
and the fragmentation figure: the smallest pool (in --step steps) that replays the trace
without a failure, divided by the trace's peak live bytes (1.00 is perfect).

Options:
  --backend KIND     auto, acl, host or js (default auto)
  --pool-size SIZE   pool for the timed replays, e.g. 256MiB (default: the smallest pool
                     found, or 1.25 x the peak live bytes if that is larger)
  --step SIZE        step of the smallest-pool search, a multiple of 128 (default 1MiB)
  --reps N           timed replays, 1 to 100; the median is printed (default 5)
  --json             print one JSON object instead of text
  -h, --help         show this help
`;

function readTrace(file: string): Trace {
  const bytes = readCapped(file, 'trace', MAX_TRACE_BYTES);
  try {
    return decodeTrace(bytes);
  } catch (error) {
    if (error instanceof TraceFormatError) throw new UsageError(`${file} is not a trace: ${error.message}`);
    throw error;
  }
}

const OPTIONS = {
  backend: { type: 'string' },
  'pool-size': { type: 'string' },
  step: { type: 'string' },
  reps: { type: 'string' },
  json: { type: 'boolean' },
} as const;

async function run({ values, positionals }: CommandLine<typeof OPTIONS>): Promise<number> {
  const file = onlyFile('replay', 'trace', positionals);
  const backend = values.backend === undefined ? 'auto' : parseBackend(values.backend);
  const step = values.step === undefined ? MIB : parseBytes('--step', values.step, 128);
  if (step % 128 !== 0) throw new UsageError(`--step must be a multiple of 128 bytes, got '${values.step}'`);
  const reps = values.reps === undefined ? 5 : parseInteger('--reps', values.reps, 1, 100);
  const poolSizeOption = values['pool-size'] === undefined ? undefined : parseBytes('--pool-size', values['pool-size'], 128);

  const trace = readTrace(file);
  const stats = traceStats(trace);
  if (stats.allocs === 0) throw new UsageError(`${file} holds no allocation to replay`);
  const contender = new PoolContender(backend);
  // No pool the search or the timing creates is larger than the backend can hold.
  const largest = largestPool(backend);
  if (poolSizeOption !== undefined) requirePoolSizeFits(poolSizeOption, values['pool-size'] ?? '', largest);
  const maxSteps = Math.floor(largest.bytes / step);
  let smallest: ReturnType<typeof minPoolBytes>;
  try {
    smallest = minPoolBytes(trace, contender, { stepBytes: step, maxSteps });
  } catch (error) {
    if (!(error instanceof NoBlockFitsError)) throw error;
    throw new UsageError(`${file}: no pool of at most ${formatBytes(maxSteps * step)} (${largest.limit}, in --step steps) replays it without a failure`);
  }
  const roomy = Math.min(maxSteps, Math.ceil((stats.peakLiveBytes * 1.25) / step)) * step;
  const poolBytes = poolSizeOption ?? Math.max(smallest.bytes, roomy);
  // One batch per rep: each rep's time is one whole replay, and the median is over reps.
  const [timed] = (await timeReplays(trace, [contender], poolBytes, { reps, warmups: 1, opsPerBatch: trace.nOps })) as [ReplayTimingResult];
  const nsPerOp = timed.timing.repMedianNs;
  const failures = timed.counts.failures;
  const kind = contender.kind ?? backend;

  if (values.json === true) {
    const figures = {
      trace: { file, ops: trace.nOps, ids: trace.nIds, ...stats },
      backend: kind,
      poolBytes,
      reps,
      nsPerOp: Math.round(nsPerOp * 10) / 10,
      failures,
      stepBytes: step,
      minPoolBytes: smallest.bytes,
      fragmentation: Math.round(smallest.ratio * 1000) / 1000,
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return 0;
  }
  const lines = [
    `trace          ${file}: ${formatCount(trace.nOps)} ops (${formatCount(stats.allocs)} allocs, ${formatCount(stats.frees)} frees), ` +
      `peak live ${formatBytes(stats.peakLiveBytes)} in ${formatCount(stats.peakLiveCount)} allocations`,
    `replay         ${nsPerOp.toFixed(1)} ns/op (median of ${reps} replays) on a ${formatBytes(poolBytes)} ${kind} pool, ` +
      `${formatCount(failures)} failures`,
    `fragmentation  ${smallest.ratio.toFixed(3)}: smallest pool ${formatBytes(smallest.bytes)} (${formatBytes(step)} steps) / peak live ${formatBytes(stats.peakLiveBytes)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** `dvpp-pool replay`. */
export const replayCommand: Command = defineCommand({
  name: 'replay',
  summary: 'replay an allocation trace: ns/op and the fragmentation figure',
  help: HELP,
  usesBackend: true,
  options: OPTIONS,
  positionals: true,
  run,
});
