// SPDX-License-Identifier: MIT
// Runs the compiled anchor (bench/anchor/replay.cc) on a trace and parses its JSON. Traces reach
// it as files in the package's own binary format, written once per seed per process into a temp
// folder that is removed at exit. A failing run throws with the anchor's stderr.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIB } from '../../src/format.js';
import { writeTraceFile } from '../../src/trace/format.js';
import type { SeededTrace } from '../scenarios/context.js';

/** Timed batches of one kind (ns per op, or per pair for the hot pair) and per-rep totals. */
export interface AnchorSeries {
  readonly failures: number;
  readonly batches: number[];
  readonly reps: number[];
}

/** The anchor's JSON; each section is present only when its flag was given. */
export interface AnchorReport {
  readonly anchor: string;
  readonly unitBytes: number;
  readonly blockBytes: number;
  readonly replay?: AnchorSeries & { readonly medianNsPerOp: number };
  readonly noop?: AnchorSeries & { readonly medianNsPerOp: number };
  readonly hotPair?: AnchorSeries & { readonly medianNsPerPair: number; readonly p99NsPerPair: number };
  readonly minPool?: { bytes: number; peakLiveBytes: number; ratio: number; bisectedBytes: number; replays: number };
  readonly verify?: { blockBytes: number; allocs: number; failures: number; overlaps: number; outOfBounds: number };
}

/** Runs `binary` on `traceFile` with `flags`; throws if it exits non-zero. */
export function runAnchor(binary: string, traceFile: string, flags: readonly string[]): AnchorReport {
  const run = spawnSync(binary, [traceFile, ...flags], { encoding: 'utf8', maxBuffer: 64 * MIB });
  if (run.status !== 0) throw new Error(`anchor ${flags.join(' ')} exited ${run.status}: ${run.stderr || String(run.error)}`);
  return JSON.parse(run.stdout) as AnchorReport;
}

let folder: string | undefined;
const files = new Map<SeededTrace, string>();

/** A trace file holding `seeded`'s trace, written on first use. */
export function traceFileFor(seeded: SeededTrace): string {
  let file = files.get(seeded);
  if (file === undefined) {
    if (folder === undefined) {
      const created = mkdtempSync(join(tmpdir(), 'dvpp-anchor-'));
      folder = created;
      process.once('exit', () => rmSync(created, { recursive: true, force: true }));
    }
    file = join(folder, `seed-${seeded.seed}-${files.size}.trc`);
    writeTraceFile(file, seeded.trace);
    files.set(seeded, file);
  }
  return file;
}
