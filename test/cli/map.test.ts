// SPDX-License-Identifier: MIT
// `dvpp-pool map` on hostile input: numbers out of range, overlapping ranges and blocks their
// ranges do not cover are one line and exit code 2 (they were a stack trace and exit 1, or a
// picture of an impossible pool), an endless input stops at the documented cap, text XML forbids
// never reaches the SVG, and a grown pool is drawn one band per block.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_SNAPSHOT_BYTES } from '../../src/cli/map.js';
import { MIB } from '../../src/format.js';
import { STATS_VERSION } from '../../src/pool-stats.js';
import { isOneLineError, runCli } from '../helpers/cli.js';
import { strictXmlProblem } from '../helpers/strict-xml.js';

const dir = mkdtempSync(join(tmpdir(), 'dvpp-pool-map-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STATS = {
  statsVersion: STATS_VERSION,
  capacity: 4096,
  usedBytes: 256,
  requestedBytes: 190,
  freeBytes: 3840,
  peakUsedBytes: 256,
  liveSegments: 1,
  peakLiveSegments: 1,
  largestFreeRange: 3840,
  acquires: 1,
  releases: 0,
  acquiredBytesTotal: 256,
  releasedBytesTotal: 0,
  failures: 0,
  resets: 0,
  waiting: 0,
  peakWaiting: 0,
  waits: 0,
  timeouts: 0,
  aborts: 0,
  waitMsTotal: 0,
  waitMsMax: 0,
  blocks: 1,
  grows: 0,
  growFailures: 0,
  trims: 0,
  tags: { a: { liveBytes: 256, liveSegments: 1, peakBytes: 256 } },
  otherTags: { liveBytes: 0, liveSegments: 0, peakBytes: 0 },
};
/** A 4 KiB pool: one segment at 0 (footprint 256), the rest free. */
const GOOD = {
  capacity: 4096,
  baseAddress: '0x1000',
  blocks: [{ index: 0, baseAddress: '0x1000', size: 4096 }],
  segments: [{ block: 0, offset: 0, size: 224, length: 190, tag: 'a' }],
  freeRanges: [{ block: 0, offset: 256, size: 3840 }],
  stats: STATS,
};

/** GOOD grown by a 2 KiB block 1, empty. */
const GROWN = {
  ...GOOD,
  capacity: 6144,
  blocks: [...GOOD.blocks, { index: 1, baseAddress: '0x4000', size: 2048 }],
  freeRanges: [...GOOD.freeRanges, { block: 1, offset: 0, size: 2048 }],
  stats: { ...STATS, capacity: 6144, freeBytes: 5888, blocks: 2, grows: 1 },
};

function snapshotFile(name: string, value: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

describe('dvpp-pool map refuses what is not a snapshot', () => {
  const cases: [string, unknown, RegExp][] = [
    ['capacity 1e30', { ...GOOD, capacity: 1e30 }, /snapshot\.capacity/],
    ['a negative offset', { ...GOOD, segments: [{ block: 0, offset: -128, size: 224, length: 190 }] }, /snapshot\.segments\[0\]\.offset/],
    ['a fractional size', { ...GOOD, segments: [{ block: 0, offset: 0, size: 224.5, length: 190 }] }, /snapshot\.segments\[0\]\.size/],
    ['a stat of 1e300', { ...GOOD, stats: { ...STATS, failures: 1e300 } }, /snapshot\.stats\.failures/],
    [
      'a version 1 snapshot (largestFreeBlock)',
      { ...GOOD, stats: { ...STATS, statsVersion: 1, largestFreeRange: undefined, largestFreeBlock: 3840 } },
      /snapshot\.stats\.statsVersion but received 1/,
    ],
    ['a segment overlapping a free range', { ...GOOD, freeRanges: [{ block: 0, offset: 128, size: 3968 }] }, /snapshot\.freeRanges\[0\] .*overlaps snapshot\.segments\[0\]/],
    ['a snapshot without blocks (from before pools grew)', { ...GOOD, blocks: undefined }, /Expected an array for snapshot\.blocks/],
    ['a range of a block not listed', { ...GOOD, freeRanges: [{ ...GOOD.freeRanges[0], block: 1 }] }, /snapshot\.freeRanges\[0\]\.block is 1/],
    ['a grown block with no range', { ...GROWN, freeRanges: GOOD.freeRanges }, /snapshot\.blocks\[1\] \(block 1\) has bytes \[0, 2048\) that no segment or free range covers/],
  ];
  it.each(cases)('%s: one line, exit 2', (name, value, message) => {
    const run = runCli(['map', snapshotFile(`${name.replaceAll(' ', '-')}.json`, value)]);
    expect(run.stdout).toBe('');
    expect(isOneLineError(run.stderr)).toBe(true);
    expect(run.stderr).toMatch(/is not a pool snapshot: /);
    expect(run.stderr).toMatch(message);
    expect(run.status).toBe(2);
  });

  it('stops reading an endless input at the documented cap', () => {
    const run = runCli(['map', '/dev/zero']);
    expect(isOneLineError(run.stderr)).toBe(true);
    expect(run.stderr).toContain(`/dev/zero is larger than the ${MAX_SNAPSHOT_BYTES / MIB} MiB a snapshot may have`);
    expect(run.status).toBe(2);
  });
});

describe('dvpp-pool map writes strict XML', () => {
  it('whatever the tags and the --title hold', () => {
    const tag = 'bell\u0007 nul\u0000 esc\u001b fffe\ufffe lone\ud800';
    const file = snapshotFile('controls.json', { ...GOOD, segments: [{ ...GOOD.segments[0], tag }] });
    const run = runCli(['map', file, '--title', 'title\u0007\u001f\uffff']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(strictXmlProblem(run.stdout)).toBeUndefined();
    expect(run.stdout).toContain('title\ufffd\ufffd\ufffd');
  });
});

describe('dvpp-pool map draws a grown pool', () => {
  it('as one band per block, strict XML', () => {
    const run = runCli(['map', snapshotFile('grown.json', GROWN), '--rows', '2']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(strictXmlProblem(run.stdout)).toBeUndefined();
    expect([...run.stdout.matchAll(/<text class="band"[^>]*><tspan font-weight="600">block (\d)<\/tspan> at (0x[0-9a-f]+)/g)].map(([, index, base]) => [index, base])).toEqual([
      ['0', '0x1000'],
      ['1', '0x4000'],
    ]);
  });
});
