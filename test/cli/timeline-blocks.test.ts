// SPDX-License-Identifier: MIT
// `dvpp-pool timeline` on the recording of a pool that grew and trimmed: the capacity line steps
// with the grow and trim events (from what they tell, or from --capacity, the capacity when the
// file begins, stepped by their bytes); a grow without its figures is a one-line usage error.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/index.js';
import { isOneLineError, runCli } from '../helpers/cli.js';
import { strictXmlProblem } from '../helpers/strict-xml.js';

const dir = mkdtempSync(join(tmpdir(), 'dvpp-pool-timeline-blocks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MIB = 2 ** 20;

/** A recording of a 1 MiB pool that grows to 3 MiB and trims back to 2 MiB. */
function grownRecording(): string {
  using pool = createPool({ size: MIB, maxSize: 3 * MIB, growBy: MIB, backend: 'js', record: true });
  const a = pool.acquire(900 * 1024, { tag: 'a' });
  const b = pool.acquire(900 * 1024, { tag: 'b' });
  const c = pool.acquire(900 * 1024, { tag: 'c' });
  b.release();
  pool.trim();
  c.release();
  a.release();
  const file = join(dir, 'grown.jsonl');
  writeFileSync(file, pool.stopRecording()!.toJsonLines());
  return file;
}

/** The distinct heights of the capacity polyline, top (largest capacity) first. */
function capacityLevels(svg: string): number[] {
  const points = /<polyline class="capacity" points="([^"]+)"/.exec(svg)?.[1] ?? '';
  return [...new Set(points.split(' ').map((point) => Number(point.split(',')[1])))].sort((x, y) => x - y);
}

describe('dvpp-pool timeline of a pool of blocks', () => {
  const file = grownRecording();

  it('steps the capacity with the grows and the trim, without --capacity', () => {
    const run = runCli(['timeline', file]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(strictXmlProblem(run.stdout)).toBeUndefined();
    expect(capacityLevels(run.stdout)).toHaveLength(3); // 3, 2 and 1 MiB
    expect(run.stdout).toContain('capacity 2 MiB (3 changes)');
    expect(run.stdout).toMatch(/peak 2\.6\d* MiB of 3 MiB/);
  });

  it('--capacity is the capacity when the file begins; the steps go from there', () => {
    const run = runCli(['timeline', file, '--capacity', '4MiB']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('capacity 5 MiB (3 changes)'); // 4 + 1 + 1 - 1
    expect(run.stdout).toMatch(/peak 2\.6\d* MiB of 6 MiB/);
  });

  it('a recording that begins with a trim: the start is the trim\'s capacity plus its bytes; a --capacity below what it trims is refused', () => {
    using pool = createPool({ size: MIB, maxSize: 2 * MIB, growBy: MIB, backend: 'js' });
    pool.acquire(900 * 1024);
    pool.acquire(900 * 1024).release(); // grew block 1, empty again
    pool.startRecording();
    pool.trim();
    const file = join(dir, 'trim-first.jsonl');
    writeFileSync(file, pool.stopRecording()!.toJsonLines());
    const run = runCli(['timeline', file]);
    expect(run.status).toBe(0);
    expect(capacityLevels(run.stdout)).toHaveLength(2); // 2 MiB, then 1 MiB
    expect(run.stdout).toContain('capacity 1 MiB (1 change)');
    const trimmedAway = runCli(['timeline', file, '--capacity', '512KiB']);
    expect(trimmedAway.status).toBe(2);
    expect(isOneLineError(trimmedAway.stderr)).toBe(true);
    expect(trimmedAway.stderr).toContain('--capacity 524288 is less than the recording trims');
  });

  it('refuses a grow without its figures, naming the line', () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, `${readFileSync(file, 'utf8')}{"kind":"grow","timeUs":1e15,"block":3}\n`);
    const run = runCli(['timeline', bad]);
    expect(run.status).toBe(2);
    expect(isOneLineError(run.stderr)).toBe(true);
    expect(run.stderr).toMatch(/line \d+: a grow needs a positive integer "bytes" and "capacity"/);
  });
});
