// SPDX-License-Identifier: MIT
// `dvpp-pool demo`: runs the media pipeline of demo-pipeline.ts on one pool for --seconds,
// with a live status line on a terminal (plain lines elsewhere), then prints a summary (or one
// JSON object with --json): frames, acquires per second, peak use, failures, the pool's growth
// (with --max-pool-size; the grown blocks are trimmed at the end), and the same requests served
// one native block each. It exits 0 only with nothing left live in the pool;
// stopped by SIGINT, SIGTERM or SIGHUP (signals.ts), it cleans up and exits 128 + the signal.

import { type Stats, accessSync, closeSync, constants as fsConstants, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BACKEND_CHOICES } from '../backends/select.js';
import { MIB, formatBytes, formatCount, formatNs } from '../format.js';
import { createPool } from '../pool/pool.js';
import { MAX_RECORDING_EVENTS } from '../pool/options.js';
import type { PoolSnapshot } from '../pool/snapshot.js';
import type { PoolRecording } from '../pool/recording.js';
import type { PoolStats } from '../pool-stats.js';
import { writeTraceFile } from '../trace/format.js';
import { type Command, type CommandLine, UsageError, defineCommand, parseBackend, parseBytes, parseInteger, parseSeconds } from './args.js';
import { Pipeline, REFERENCE_FRAMES, STAGE_PRIORITY, STALL_MS, type Stage, smallestPoolBytes, worstCaseBytes } from './demo-pipeline.js';
import { type PerRequestFigures, measurePerRequest } from './per-request.js';
import { requirePoolSizeFits } from './pool-size.js';
import { watchStopSignals } from './signals.js';
import { StatusLine } from './status-line.js';

/** The default pool is at least this large, and twice the pipeline's worst case when that is more. */
const DEFAULT_POOL_FLOOR = 256 * MIB;
/** Time spent on each side of the per-request comparison. */
const COMPARISON_BUDGET_MS = 200;
const STATUS_INTERVAL_MS = 250;

/** The pool size used when --pool-size is not given, for `channels` channels. */
export function defaultPoolBytes(channels: number): number {
  return Math.max(DEFAULT_POOL_FLOOR, Math.ceil((2 * worstCaseBytes(channels)) / (64 * MIB)) * 64 * MIB);
}

const HELP = `Usage: dvpp-pool demo [options]

Runs a media pipeline on one pool: each channel decodes frames (1080p or 720p NV12, real
bytes) into segments, keeps ${REFERENCE_FRAMES} as references, resizes each into a 640x640 NV12 segment and a
640x640x3 model input, and queues them for a simulated accelerator that releases them.
acquireAsync holds decoders back when the pool is full. Ends with a summary and a comparison
with one native block per request. SIGINT (Ctrl-C), SIGTERM or SIGHUP stop it early: it frees
the pool's blocks, prints the summary so far and exits with 128 + the signal's number.

Options:
  --channels N       video channels, 1 to 64 (default 8; even ones 1080p, odd ones 720p)
  --seconds S        how long to run, up to 3600 (default 10)
  --pool-size SIZE   pool bytes (its first block), e.g. 512MiB or 1GiB (default: twice the
                     pipeline's worst case, at least 256 MiB)
  --max-pool-size SIZE
                     let the pool grow when it is full, a block of --pool-size at a time,
                     up to SIZE bytes in all (default: no growth); pool.trim() gives the
                     grown blocks back at the end
  --backend KIND     ${BACKEND_CHOICES.join(', ')} (default auto: acl, else host;
                     the others only by name)
  --snapshot FILE    write pool.snapshot() as JSON, taken at the peak of use; draw it with
                     'dvpp-pool map FILE'
  --record FILE      record every acquire and release of the run and write it to FILE: JSON
                     lines, a TRC1 trace when FILE ends in .trc, a PyTorch memory snapshot
                     (pytorch.org/memory_viz) when it ends in .pickle; draw JSON lines or a
                     trace with 'dvpp-pool timeline FILE', replay a .trc with 'dvpp-pool replay'
  --json             print one JSON object with the figures instead of text
  -h, --help         show this help
`;

/** Frames per second over the last second of samples. */
class RateMeter {
  readonly #samples: { ms: number; count: number }[] = [];

  rate(ms: number, count: number): number {
    this.#samples.push({ ms, count });
    while (this.#samples.length > 2 && ms - (this.#samples[1]?.ms ?? ms) >= 1000) this.#samples.shift();
    const first = this.#samples[0] ?? { ms, count };
    return ms > first.ms ? ((count - first.count) * 1000) / (ms - first.ms) : 0;
  }
}

/** Refuses, before the run, an output path (`flag`'s) that is a directory or cannot be written. */
function requireWritableFile(flag: string, file: string): void {
  let stats: Stats | undefined;
  try {
    stats = statSync(file);
  } catch {
    // Does not exist yet: its folder must let us create it.
  }
  if (stats?.isDirectory() === true) throw new UsageError(`${flag} ${file} is a directory; give a file name`);
  try {
    accessSync(stats === undefined ? dirname(resolve(file)) : file, fsConstants.W_OK);
  } catch {
    throw new UsageError(
      stats === undefined ? `${flag} ${file}: its folder does not exist or is not writable` : `${flag} ${file} is not writable`,
    );
  }
}

/** Runs a write of an output file; a failure (a full disk) is returned as text, to be said after the summary. */
function writeOutput(write: () => void): string | undefined {
  try {
    write();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Writes a recording: a TRC1 trace for a `.trc` file, a PyTorch memory snapshot for a `.pickle`
 * file (with `end`, the pool's snapshot when the recording stopped), else its JSON lines, a
 * batch at a time.
 */
function writeRecording(file: string, recording: PoolRecording, end: PoolSnapshot): void {
  if (file.endsWith('.trc')) {
    writeTraceFile(file, recording.toTrace());
    return;
  }
  if (file.endsWith('.pickle')) {
    writeFileSync(file, recording.toMemoryViz(end));
    return;
  }
  const fd = openSync(file, 'w');
  try {
    let batch = '';
    for (const line of recording.jsonLines()) {
      batch += line;
      if (batch.length >= 1 << 20) {
        writeSync(fd, batch);
        batch = '';
      }
    }
    writeSync(fd, batch);
  } finally {
    closeSync(fd);
  }
}

/** Events a --record run keeps: about 5,000 a second, so a long run drops none (up to the ring's maximum). */
function recordingEvents(seconds: number): number {
  return Math.min(MAX_RECORDING_EVENTS, Math.max(1_000_000, Math.ceil(seconds * 10_000)));
}

/** "decode (0) 12, resize (1) 0, input (2) 3": each stage's waits, with its priority. */
function describeWaits(waits: Readonly<Record<Stage, number>>): string {
  return (Object.keys(STAGE_PRIORITY) as Stage[]).map((stage) => `${stage} (${STAGE_PRIORITY[stage]}) ${formatCount(waits[stage])}`).join(', ');
}

function describeComparison(figures: PerRequestFigures): string {
  if (!figures.available) return `not measured: ${figures.reason}`;
  return (
    `${formatNs(figures.nativeNsPerRequest)} per allocate + free of a fresh host block (mmap/munmap) vs ` +
    `${formatNs(figures.poolNsPerRequest)} per acquire + release: ${formatCount(figures.speedup)}x, over ${formatCount(figures.requests)} recorded requests`
  );
}

const OPTIONS = {
  channels: { type: 'string' },
  seconds: { type: 'string' },
  'pool-size': { type: 'string' },
  'max-pool-size': { type: 'string' },
  backend: { type: 'string' },
  snapshot: { type: 'string' },
  record: { type: 'string' },
  json: { type: 'boolean' },
} as const;

async function run({ values }: CommandLine<typeof OPTIONS>): Promise<number> {
  const channels = values.channels === undefined ? 8 : parseInteger('--channels', values.channels, 1, 64);
  const seconds = values.seconds === undefined ? 10 : parseSeconds('--seconds', values.seconds, 3600);
  const backend = values.backend === undefined ? 'auto' : parseBackend(values.backend);
  const poolSize =
    values['pool-size'] === undefined ? defaultPoolBytes(channels) : parseBytes('--pool-size', values['pool-size'], smallestPoolBytes());
  if (values['pool-size'] !== undefined) requirePoolSizeFits(poolSize, values['pool-size'], backend);
  const maxPoolSize = values['max-pool-size'] === undefined ? undefined : parseBytes('--max-pool-size', values['max-pool-size'], poolSize);
  const snapshotFile = values.snapshot;
  if (snapshotFile !== undefined) requireWritableFile('--snapshot', snapshotFile);
  const recordFile = values.record;
  if (recordFile !== undefined) requireWritableFile('--record', recordFile);
  const json = values.json === true;

  // Before the block exists, so that no moment holds a block that a signal could strand.
  const stopSignals = watchStopSignals();
  const pool = createPool({
    size: poolSize,
    // Each further block as large as the first: growth is rare, and each block holds many frames.
    ...(maxPoolSize === undefined ? {} : { maxSize: maxPoolSize, growBy: poolSize }),
    backend,
    ...(recordFile === undefined ? {} : { record: { maxEvents: recordingEvents(seconds) } }),
  });
  try {
    const out = process.stdout;
    const firstBlock = pool.capacity;
    const growable = pool.maxSize > firstBlock;
    if (!json) {
      const split = `${Math.ceil(channels / 2)} x 1080p, ${Math.floor(channels / 2)} x 720p`;
      const growth = growable ? ` growing to ${formatBytes(pool.maxSize)}` : '';
      out.write(`dvpp-pool demo: ${channels} channels (${split}) for ${seconds} s on a ${formatBytes(firstBlock)} pool${growth}, backend ${pool.backend.kind}\n`);
      if (pool.backend.fallbackReason !== undefined) out.write(`  (auto fell back: ${pool.backend.fallbackReason})\n`);
    }
    const pipeline = new Pipeline(pool, { channels, snapshotAtPeak: snapshotFile !== undefined });
    const status = new StatusLine(out);
    const meter = new RateMeter();
    const started = performance.now();
    meter.rate(started, 0);
    const showStatus = (): void => {
      const now = performance.now();
      const { usedBytes, peakUsedBytes, largestFreeRange, waiting, blocks } = pool.stats();
      const rate = meter.rate(now, pipeline.counts.processed);
      // Most wanted first: a narrow terminal cuts the end of the line.
      status.update(
        `${formatCount(rate)} frames/s  used ${formatBytes(usedBytes)} / peak ${formatBytes(peakUsedBytes)}` +
          `${growable ? ` of ${formatBytes(pool.capacity)} in ${blocks} block${blocks === 1 ? '' : 's'}` : ''}  waiters ${waiting}  ` +
          `largest free ${formatBytes(largestFreeRange)}  queue ${pipeline.queued}  ${((now - started) / 1000).toFixed(1)} s`,
      );
    };
    const ticker = json ? undefined : setInterval(showStatus, STATUS_INTERVAL_MS);
    const stopper = setTimeout(() => pipeline.stop(), seconds * 1000);
    const onStopSignal = (): void => pipeline.stop();
    if (stopSignals.signal.aborted) pipeline.stop();
    else stopSignals.signal.addEventListener('abort', onStopSignal, { once: true });
    try {
      await pipeline.run();
    } finally {
      clearTimeout(stopper);
      clearInterval(ticker);
      stopSignals.signal.removeEventListener('abort', onStopSignal);
      status.finish();
    }
    const durationMs = performance.now() - started;
    // The pipeline's events only: the comparison below acquires from the pool too.
    const recording = pool.stopRecording();
    const recordingEnd = recording === undefined ? undefined : pool.snapshot();
    const stats: PoolStats = pool.stats();
    if (!json && !stopSignals.signal.aborted) {
      out.write(`comparing: the same requests as one native block each (about ${(2 * COMPARISON_BUDGET_MS) / 1000} s)\n`);
    }
    const comparison = await measurePerRequest(pool, pipeline.recordedLengths, COMPARISON_BUDGET_MS, stopSignals.signal);
    // Nothing trims during the run, so this is the most the pool grew to.
    const grown = { blocks: pool.stats().blocks, bytes: pool.capacity };
    // The burst is over: the grown blocks, empty now, go back (a segment left live keeps its block).
    const trimmedBytes = pool.trim();
    const { grows, growFailures, trims } = pool.stats();
    pool.validate();
    const liveSegments = pool.stats().liveSegments;
    const peakSnapshot = pipeline.peakSnapshot ?? pool.snapshot();
    const snapshotError = snapshotFile === undefined ? undefined : writeOutput(() => writeFileSync(snapshotFile, `${JSON.stringify(peakSnapshot)}\n`));
    const snapshotWritten = snapshotFile !== undefined && snapshotError === undefined;
    const recordError =
      recordFile === undefined || recording === undefined || recordingEnd === undefined
        ? undefined
        : writeOutput(() => writeRecording(recordFile, recording, recordingEnd));
    const recordWritten = recordFile !== undefined && recordError === undefined;

    const { counts } = pipeline;
    const perSecond = (count: number): number => Math.round((count * 1000) / durationMs);
    if (json) {
      const figures = {
        channels,
        seconds,
        backend: pool.backend,
        poolBytes: firstBlock,
        maxPoolBytes: pool.maxSize,
        blocks: grown.blocks,
        grownPoolBytes: grown.bytes,
        grows,
        growFailures,
        trims,
        trimmedBytes,
        durationMs: Math.round(durationMs),
        frames: counts.processed,
        framesPerSecond: perSecond(counts.processed),
        decoded: counts.decoded,
        dropped: counts.dropped,
        stalls: counts.stalls,
        corrupt: counts.corrupt,
        acquires: stats.acquires,
        releases: stats.releases,
        failures: stats.failures,
        acquiresPerSecond: perSecond(stats.acquires),
        peakUsedBytes: stats.peakUsedBytes,
        maxWaiting: counts.maxWaiting,
        waits: counts.waits,
        liveSegments,
        ...(stopSignals.received === undefined ? {} : { interrupted: stopSignals.received }),
        ...(snapshotWritten ? { snapshot: snapshotFile } : {}),
        ...(recordWritten ? { recording: { file: recordFile, events: recording?.length, dropped: recording?.dropped } } : {}),
        perRequestNative: comparison,
      };
      out.write(`${JSON.stringify(figures)}\n`);
    } else {
      const lines = [
        ...(stopSignals.received === undefined
          ? []
          : [`interrupted        by ${stopSignals.received} after ${(durationMs / 1000).toFixed(1)} s: the figures cover the run so far`]),
        `frames processed   ${formatCount(counts.processed)} (${formatCount(perSecond(counts.processed))}/s) in ${(durationMs / 1000).toFixed(1)} s; ` +
          `${formatCount(counts.decoded)} decoded, ${formatCount(counts.dropped)} dropped`,
        `acquires           ${formatCount(stats.acquires)} (${formatCount(perSecond(stats.acquires))}/s), ${formatCount(stats.releases)} releases, ${formatCount(stats.failures)} failures`,
        `peak use           ${formatBytes(stats.peakUsedBytes)} of ${formatBytes(grown.bytes)} (${((stats.peakUsedBytes / grown.bytes) * 100).toFixed(0)}%)`,
        ...(growable
          ? [
              `growth             ${formatCount(grows)} grows to ${formatCount(grown.blocks)} block${grown.blocks === 1 ? '' : 's'}, ${formatBytes(grown.bytes)} of at most ` +
                `${formatBytes(pool.maxSize)}; ${formatCount(growFailures)} growth failures; trim() at the end gave back ${formatCount(trims)} ` +
                `block${trims === 1 ? '' : 's'}, ${formatBytes(trimmedBytes)}`,
            ]
          : []),
        `backpressure       at most ${counts.maxWaiting} acquireAsync waiting; waits by stage (priority): ${describeWaits(counts.waits)}; ` +
          `${counts.stalls} stalls (a wait of ${STALL_MS} ms that dropped a frame)`,
        `one block/request  ${describeComparison(comparison)}`,
        `left live          ${liveSegments} segments`,
        ...(snapshotWritten ? [`snapshot           ${snapshotFile} (at peak use; draw it with: dvpp-pool map ${snapshotFile} --out map.svg)`] : []),
        ...(recordWritten
          ? [
              `recording          ${recordFile}: ${formatCount(recording?.length ?? 0)} events, ${formatCount(recording?.dropped ?? 0)} dropped` +
                `${(recording?.dropped ?? 0) > 0 ? ' (the oldest: a .trc of it no longer replays at the live offsets, and a timeline starts late)' : ''} ` +
                // --capacity is the capacity as the recording begins; the recording's grow and trim events step it from there.
                `(draw it with: dvpp-pool timeline ${recordFile} --capacity ${recording?.capacity ?? grown.bytes} --out timeline.svg)`,
            ]
          : []),
      ];
      out.write(`${lines.join('\n')}\n`);
    }
    let exitCode = 0;
    if (liveSegments !== 0 || counts.corrupt !== 0) {
      process.stderr.write(`dvpp-pool demo: ${liveSegments} segments left live and ${counts.corrupt} model inputs read back wrong\n`);
      exitCode = 1;
    }
    if (snapshotError !== undefined) {
      process.stderr.write(`dvpp-pool: cannot write the snapshot to ${snapshotFile}: ${snapshotError.replace(/\s+/g, ' ')}\n`);
      exitCode = 1;
    }
    if (recordError !== undefined) {
      process.stderr.write(`dvpp-pool: cannot write the recording to ${recordFile}: ${recordError.replace(/\s+/g, ' ')}\n`);
      exitCode = 1;
    }
    // Stopped by a signal: the shell's convention, whatever else happened.
    return stopSignals.exitCode ?? exitCode;
  } finally {
    pool.close();
  }
}

/** `dvpp-pool demo`. */
export const demoCommand: Command = defineCommand({
  name: 'demo',
  summary: 'run a live media pipeline (decode, resize, inference) on one pool',
  help: HELP,
  usesBackend: true,
  options: OPTIONS,
  positionals: false,
  run,
});
