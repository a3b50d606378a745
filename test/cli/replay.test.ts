// SPDX-License-Identifier: MIT
// `dvpp-pool replay` on a small trace written by the trace writer (src/trace/format.ts): it
// prints ns/op and the fragmentation figure, and --json gives the same figures as an object.
// A trace beyond the format's limits, or an endless input, is one line and exit code 2.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIB } from '../../src/format.js';
import { MAX_TRACE_BYTES, OP_ALLOC, OP_FREE, TRACE_MAGIC, type Trace, writeTraceFile } from '../../src/trace/format.js';
import { isOneLineError, runCli } from '../helpers/cli.js';

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

/** The little-endian words as a file's bytes, whatever they claim. */
function rawFile(name: string, words: number[]): string {
  const bytes = new Uint8Array(words.length * 4);
  const view = new DataView(bytes.buffer);
  words.forEach((word, i) => view.setUint32(i * 4, word, true));
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

describe('dvpp-pool replay of a trace beyond the limits', () => {
  // Each of these once ended in a stack trace or a V8 out-of-memory abort.
  const cases: [string, string, RegExp][] = [
    ['a 16-byte header claiming 2^32 - 1 ids', rawFile('ids32.trace', [TRACE_MAGIC, 0, 2 ** 32 - 1, 0]), /nIds=4294967295 is more than the 0 ops/],
    ['a 28-byte file claiming 2^31 - 1 ids', rawFile('ids31.trace', [TRACE_MAGIC, 1, 2 ** 31 - 1, 0, OP_ALLOC, 0, 8]), /nIds=2147483647/],
    ['an alloc of 0 bytes', rawFile('len0.trace', [TRACE_MAGIC, 1, 1, 0, OP_ALLOC, 0, 0]), /op 0: alloc of 0 bytes/],
    [
      'allocations whose peak passes 16 GiB',
      rawFile('peak.trace', [TRACE_MAGIC, 4, 4, 0, ...[0, 1, 2, 3].flatMap((id) => [OP_ALLOC, id, 2 ** 32 - 1])]),
      /op 3: live footprint reaches .* above the .* DVPP limit/,
    ],
  ];
  it.each(cases)('refuses %s: one line, exit 2', (_, file, message) => {
    const run = runCli(['replay', file, '--backend', 'js']);
    expect(run.stdout).toBe('');
    expect(isOneLineError(run.stderr)).toBe(true);
    expect(run.stderr).toMatch(/is not a trace: /);
    expect(run.stderr).toMatch(message);
    expect(run.status).toBe(2);
  });

  it('creates no pool above what the backend can hold', () => {
    // One 4 GiB allocation in 28 bytes: the js backend holds at most 4 GiB, so no js pool can
    // replay it (it was a RangeError's stack trace from the search's first pool).
    const file = rawFile('4gib.trace', [TRACE_MAGIC, 1, 1, 0, OP_ALLOC, 0, 2 ** 32 - 1]);
    const run = runCli(['replay', file, '--backend', 'js']);
    expect(isOneLineError(run.stderr)).toBe(true);
    expect(run.stderr).toMatch(/no pool of at most 4 GiB \(the js backend's limit, in --step steps\) replays it/);
    expect(run.status).toBe(2);
    const sized = runCli(['replay', join(dir, 'small.trace'), '--backend', 'js', '--pool-size', '5GiB']);
    expect(isOneLineError(sized.stderr)).toBe(true);
    expect(sized.stderr).toMatch(/--pool-size must be at most 4 GiB on the js backend, got '5GiB'/);
    expect(sized.status).toBe(2);
  });

  it('stops reading an endless input at the documented cap', () => {
    const run = runCli(['replay', '/dev/zero']);
    expect(isOneLineError(run.stderr)).toBe(true);
    expect(run.stderr).toContain(`/dev/zero is larger than the ${MAX_TRACE_BYTES / MIB} MiB a trace may have`);
    expect(run.status).toBe(2);
  });
});
