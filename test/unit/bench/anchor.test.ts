// SPDX-License-Identifier: MIT
// The C++ anchor (bench/anchor/): builds it as the bench does and replays a hand-written trace
// whose answers are known: no failures in a roomy block, a 4 MiB minimum (3 MiB of peak live,
// but the 2 MiB request cannot use two separate 1 MiB holes), and no overlapping placements.
// Skipped only on a machine with no C++ compiler at all; a compile error fails the test.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildAnchor } from '../../../bench/anchor/build.js';
import { runAnchor } from '../../../bench/anchor/run.js';
import { MIB } from '../../../src/format.js';
import { OP_ALLOC, OP_FREE, writeTraceFile } from '../../../src/trace/format.js';

const dir = mkdtempSync(join(tmpdir(), 'dvpp-anchor-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Lengths chosen so that each request is a whole number of MiB once padded: len + 32 = n MiB.
const ops = [
  [OP_ALLOC, 0, MIB - 32],
  [OP_ALLOC, 1, MIB - 32],
  [OP_FREE, 0, 0],
  [OP_ALLOC, 0, 2 * MIB - 32],
  [OP_FREE, 1, 0],
  [OP_FREE, 0, 0],
];
const file = join(dir, 'tiny.trc');
writeTraceFile(file, { nOps: ops.length, nIds: 2, ops: Uint32Array.from(ops.flat()) });

const build = buildAnchor();

describe('C++ anchor', () => {
  it('builds, or names the missing compiler', () => {
    if (!build.ok) expect(build, build.reason).toMatchObject({ missingCompiler: true });
  });

  it.skipIf(!build.ok)('replays a tiny trace: no failures, exact minimum block, no overlaps', () => {
    if (!build.ok) return;
    const report = runAnchor(build.binary, file, ['--reps', '2', '--warmups', '1', '--noop', '--min-pool', '--verify', '--batch', '2']);
    expect(report.anchor).toMatch(/independent implementation/);
    expect(report.unitBytes).toBe(128);
    expect(report.replay).toMatchObject({ failures: 0 });
    expect(report.replay?.batches).toHaveLength(6);
    expect(report.replay?.reps).toHaveLength(2);
    expect(report.noop?.medianNsPerOp).toBeGreaterThanOrEqual(0);
    expect(report.minPool).toMatchObject({ bytes: 4 * MIB, peakLiveBytes: 3 * MIB });
    expect(report.minPool?.ratio).toBeCloseTo(4 / 3, 5);
    expect(report.verify).toEqual({ blockBytes: 256 * MIB, allocs: 3, failures: 0, overlaps: 0, outOfBounds: 0 });

    // At the peak live size the 2 MiB request finds only two 1 MiB holes: one failure.
    const tight = runAnchor(build.binary, file, ['--verify', '--block-bytes', `${3 * MIB}`]);
    expect(tight.verify).toMatchObject({ failures: 1, overlaps: 0, outOfBounds: 0 });
  });

  it.skipIf(!build.ok)('times the 1080p hot pair after the first half of the trace', () => {
    if (!build.ok) return;
    const { hotPair } = runAnchor(build.binary, file, ['--hot-pairs', '1000', '--batch', '10']);
    expect(hotPair).toMatchObject({ failures: 0 });
    expect(hotPair?.batches).toHaveLength(10);
  });

  it.skipIf(!build.ok)('rejects a file that is not a trace', () => {
    if (!build.ok) return;
    expect(() => runAnchor(build.binary, join(dir, 'missing.trc'), [])).toThrow(/cannot open/);
  });
});
