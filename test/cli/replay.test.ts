// SPDX-License-Identifier: MIT
// `dvpp-pool replay` on a small trace written by the trace writer (src/trace/format.ts): it
// prints ns/op and the fragmentation figure, and --json gives the same figures as an object.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OP_ALLOC, OP_FREE, type Trace, writeTraceFile } from '../../src/trace/format.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dvpp-pool-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 16 ids cycling through frame-sized and small allocations: 2,000 ops, every id freed. */
function smallTrace(): Trace {
  const records: number[] = [];
  const sizes = [3_110_400, 614_400, 1_228_800, 150_528, 4_096, 64];
  for (let round = 0; round < 125; round++) {
    for (let id = 0; id < 8; id++) records.push(OP_ALLOC, id, sizes[(round + id) % sizes.length] ?? 64);
    for (let id = 0; id < 8; id++) records.push(OP_FREE, id, 0);
  }
  return { nOps: records.length / 3, nIds: 8, ops: Uint32Array.from(records) };
}

interface ReplayFigures {
  readonly trace: { readonly ops: number; readonly peakLiveBytes: number };
  readonly backend: string;
  readonly nsPerOp: number;
  readonly failures: number;
  readonly minPoolBytes: number;
  readonly fragmentation: number;
}

describe('dvpp-pool replay', () => {
  const file = join(dir, 'small.trace');
  writeTraceFile(file, smallTrace());

  it('prints ns/op and the fragmentation figure', () => {
    const run = runCli(['replay', file, '--reps', '2']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^trace +.*: 2,000 ops \(1,000 allocs, 1,000 frees\)/m);
    expect(run.stdout).toMatch(/^replay +\d+\.\d ns\/op \(median of 2 replays\) on a .* pool, 0 failures$/m);
    expect(run.stdout).toMatch(/^fragmentation +\d\.\d{3}: smallest pool /m);
  });

  it('gives the same figures as JSON', () => {
    const run = runCli(['replay', file, '--json', '--backend', 'js', '--step', '128KiB', '--reps', '1']);
    expect(run.status).toBe(0);
    const figures = JSON.parse(run.stdout) as ReplayFigures;
    expect(figures.backend).toBe('js');
    expect(figures.trace.ops).toBe(2_000);
    expect(figures.nsPerOp).toBeGreaterThan(0);
    expect(figures.failures).toBe(0);
    expect(figures.minPoolBytes % (128 * 1024)).toBe(0);
    expect(figures.minPoolBytes).toBeGreaterThanOrEqual(figures.trace.peakLiveBytes);
    expect(figures.fragmentation).toBeCloseTo(figures.minPoolBytes / figures.trace.peakLiveBytes, 3);
  });
});
