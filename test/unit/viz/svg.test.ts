// SPDX-License-Identifier: MIT
// snapshotToSVG on hand-made snapshots: a valid SVG document, one rect per segment piece (two
// for a segment crossing a row break), hatched free ranges, a legend with each tag's count and
// bytes, colours by first appearance and tag family, row addresses, the fragmentation figure,
// cut legend names, escaped text, one band per block of a grown pool, and precise errors for a
// bad snapshot (its blocks and per-block coverage included) or option.
// Every picture is checked as strict XML 1.0 (test/helpers/strict-xml.ts), whatever its text.

import { readFileSync } from 'node:fs';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { footprint } from '../../../src/constants.js';
import type { PoolSnapshot } from '../../../src/index.js';
import type { SnapshotFreeRange, SnapshotSegment } from '../../../src/pool/snapshot.js';
import { STATS_VERSION, createPool, snapshotToSVG } from '../../../src/index.js';
import { DEFAULT_PALETTE } from '../../../src/viz/palette.js';
import { LEGEND_NAME_CHARS } from '../../../src/viz/svg.js';
import { ROOT } from '../../helpers/cli.js';
import { strictXmlProblem } from '../../helpers/strict-xml.js';

interface Rect {
  class?: string;
  x: string;
  y: string;
  width: string;
  fill: string;
  title?: string;
}

function rects(svg: string): Rect[] {
  expect(strictXmlProblem(svg)).toBeUndefined();
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(svg) as { svg: { rect: Rect[] } };
  return doc.svg.rect;
}

const KIB = 1024;
/** 1 MiB block: two tagged segments, one untagged, three free ranges, in address order. */
const snapshot: PoolSnapshot = {
  capacity: 1024 * KIB,
  baseAddress: '0x7f0000000000',
  blocks: [{ index: 0, baseAddress: '0x7f0000000000', size: 1024 * KIB }],
  segments: [
    { block: 0, offset: 0, size: 64 * KIB + 32, length: 64 * KIB, tag: 'vdec <ch0> & "1080p"' },
    { block: 0, offset: 192 * KIB, size: 96 * KIB - 96, length: 96 * KIB - 128, tag: 'vpc' },
    { block: 0, offset: 512 * KIB, size: 64, length: 1 },
  ],
  freeRanges: [
    { block: 0, offset: 64 * KIB + 128, size: 128 * KIB - 128 },
    { block: 0, offset: 288 * KIB, size: 224 * KIB },
    { block: 0, offset: 512 * KIB + 128, size: 512 * KIB - 128 },
  ],
  stats: {
    statsVersion: STATS_VERSION,
    capacity: 1024 * KIB,
    usedBytes: 160 * KIB + 256,
    requestedBytes: 160 * KIB - 127,
    freeBytes: 864 * KIB - 256,
    peakUsedBytes: 200 * KIB,
    liveSegments: 3,
    peakLiveSegments: 4,
    largestFreeRange: 512 * KIB - 128,
    acquires: 7,
    releases: 4,
    acquiredBytesTotal: 300 * KIB,
    releasedBytesTotal: 140 * KIB - 256,
    failures: 1,
    resets: 0,
    waiting: 0,
    peakWaiting: 2,
    waits: 3,
    timeouts: 1,
    aborts: 0,
    waitMsTotal: 12.5,
    waitMsMax: 9.25,
    blocks: 1,
    grows: 0,
    growFailures: 0,
    trims: 0,
    tags: { 'vdec <ch0> & "1080p"': { liveBytes: 64 * KIB + 128, liveSegments: 1, peakBytes: 128 * KIB }, vpc: { liveBytes: 96 * KIB, liveSegments: 1, peakBytes: 96 * KIB } },
    otherTags: { liveBytes: 0, liveSegments: 0, peakBytes: 0 },
  },
};

/** The fixture's block 0 holding `segments` (in address order), free everywhere else. */
function withSegments(segments: SnapshotSegment[]): PoolSnapshot {
  const freeRanges: SnapshotFreeRange[] = [];
  let end = 0;
  for (const segment of segments) {
    if (segment.offset > end) freeRanges.push({ block: 0, offset: end, size: segment.offset - end });
    end = segment.offset + footprint(segment.length);
  }
  if (end < snapshot.capacity) freeRanges.push({ block: 0, offset: end, size: snapshot.capacity - end });
  return { ...snapshot, segments, freeRanges };
}

describe('snapshotToSVG', () => {
  it('draws every segment and free range as rects inside the bar, one row here', () => {
    const all = rects(snapshotToSVG(snapshot, { rows: 1 }));
    const segments = all.filter((rect) => rect.class === 'segment');
    const free = all.filter((rect) => rect.class === 'free');
    expect(segments).toHaveLength(3);
    expect(free).toHaveLength(3);
    expect(free.every((rect) => rect.fill === 'url(#free)')).toBe(true);
    // Address order maps to x order, and the tiny untagged segment still gets a visible hairline.
    const xs = segments.map((rect) => Number(rect.x));
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(Number(segments[2]?.width)).toBeGreaterThan(0);
  });

  it('splits a segment that crosses a row break into one rect per row', () => {
    // 4 rows of 256 KiB: the vpc segment [192 KiB, 288 KiB) crosses the first break.
    const segments = rects(snapshotToSVG(snapshot, { rows: 4 })).filter((rect) => rect.class === 'segment');
    expect(segments).toHaveLength(4);
    const vpc = segments.filter((rect) => rect.title?.startsWith('vpc:'));
    expect(vpc.map((rect) => rect.y)).toHaveLength(2);
    expect(new Set(vpc.map((rect) => rect.y)).size).toBe(2);
  });

  it('colours tags in order of first appearance, untagged grey, with a legend of counts and bytes', () => {
    const svg = snapshotToSVG(snapshot);
    const fills = rects(svg)
      .filter((rect) => rect.class === 'segment')
      .map((rect) => rect.fill);
    // In address order (vpc crosses a row break: two rects): the first tag takes the palette's
    // first colour, the next tag the second.
    expect(fills).toEqual([DEFAULT_PALETTE[0], DEFAULT_PALETTE[1], DEFAULT_PALETTE[1], '#7a869a']);
    // A picture of the second segment alone gives it the first colour: colours are per picture.
    const alone = rects(snapshotToSVG(withSegments([snapshot.segments[1]!]))).filter((rect) => rect.class === 'segment');
    expect(alone[0]?.fill).toBe(DEFAULT_PALETTE[0]);
    expect(svg).toContain('vpc</tspan> 1 segment, 96 KiB');
    expect(svg).toContain('(untagged)</tspan> 1 segment, 128 B');
    expect(svg).toContain('free</tspan> 3 ranges, 863.8 KiB (largest 511.9 KiB)');
    expect(svg).toContain('3 live segments; 7 acquires, 4 releases, 1 failures, 0 waiting');
    expect(svg).toContain('1 MiB at 0x7f0000000000');
  });

  it('gives the tags of one family (the text before a space or colon) shades of one hue', () => {
    const tags = ['vdec ch0', 'vdec ch1', 'vpc:resize', 'vdec ch2', 'vdec ch3', 'model input'];
    const segments = tags.map((tag, i) => ({ block: 0, offset: i * 128 * KIB, size: 64 * KIB + 32, length: 64 * KIB, tag }));
    const fills = rects(snapshotToSVG(withSegments(segments)))
      .filter((rect) => rect.class === 'segment')
      .map((rect) => rect.fill);
    expect(new Set(fills).size).toBe(tags.length);
    expect(fills[0]).toBe(DEFAULT_PALETTE[0]); // vdec: the first family
    expect(fills[2]).toBe(DEFAULT_PALETTE[1]); // vpc: the second
    expect(fills[5]).toBe(DEFAULT_PALETTE[2]); // model: the third
    // vdec ch1..3 are shades of vdec's colour: the same channel order, lighter or darker.
    const rgb = (hex: string) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
    const order = (hex: string) => rgb(hex).map((v, i, all) => Math.sign(v - all[(i + 1) % 3]!));
    for (const i of [1, 3, 4]) expect(order(fills[i]!)).toEqual(order(fills[0]!));
  });

  it('takes a palette, and refuses one that is not 1 to 64 #rrggbb colours', () => {
    const fills = rects(snapshotToSVG(snapshot, { palette: ['#112233', '#AABBCC'] }))
      .filter((rect) => rect.class === 'segment')
      .map((rect) => rect.fill);
    expect(fills).toEqual(['#112233', '#aabbcc', '#aabbcc', '#7a869a']);
    expect(() => snapshotToSVG(snapshot, { palette: 'red' } as never)).toThrow(TypeError);
    expect(() => snapshotToSVG(snapshot, { palette: [1] } as never)).toThrow(/options\.palette\[0\]/);
    expect(() => snapshotToSVG(snapshot, { palette: [] })).toThrow(RangeError);
    expect(() => snapshotToSVG(snapshot, { palette: ['red'] })).toThrow(RangeError);
    expect(() => snapshotToSVG(snapshot, { palette: ['#12345'] })).toThrow(RangeError);
    expect(() => snapshotToSVG(snapshot, { palette: Array(65).fill('#000000') })).toThrow(RangeError);
    // A hole is an entry like any other (found by the adversarial review: it crashed in .slice).
    expect(() => snapshotToSVG(snapshot, { palette: [, '#ffffff'] as string[] })).toThrow(/options\.palette\[0\]/);
  });

  it('labels each row with its hex address and offset, and shows the fragmentation', () => {
    const svg = snapshotToSVG(snapshot, { rows: 4 });
    for (const row of [0, 1, 2, 3]) expect(svg).toContain(`>0x${(0x7f0000000000 + row * 256 * KIB).toString(16)}</text>`);
    expect(svg).toContain('>+256 KiB</text>');
    // 1 - largest free range / free bytes = 1 - 523,904 / 884,480.
    expect(svg).toContain(`fragmentation ${((1 - (512 * KIB - 128) / (864 * KIB - 256)) * 100).toFixed(1)}%`);
  });

  it('cuts a long tag in the legend with an ellipsis, keeps it whole in a title, and no legend text overflows its column', () => {
    const long = `camera ${'x'.repeat(80)}`;
    const wide = { ...snapshot, segments: [{ ...snapshot.segments[0]!, tag: long }, snapshot.segments[1]!, snapshot.segments[2]!] };
    const svg = snapshotToSVG(wide, { width: 1600 });
    expect(svg).toContain(`<title>${long}</title><tspan font-weight="600">${long.slice(0, LEGEND_NAME_CHARS - 1)}…</tspan>`);
    // At 12 px no character of the fonts named is wider than 7.5 px (a conservative bound).
    const texts = [...svg.matchAll(/<text class="legend" x="(\d+)"[^>]*>(?:<title>.*?<\/title>)?<tspan[^>]*>(.*?)<\/tspan>(.*?)<\/text>/g)];
    // And each column is clipped at its edge: a run of wide letters cannot draw over the next one.
    expect([...svg.matchAll(/<text class="legend"[^>]* clip-path="url\(#legend-column-(\d+)\)"/g)].map((m) => m[1])).toEqual(['0', '1', '2', '0']);
    expect(svg).toMatch(/<clipPath id="legend-column-1"><rect x="496" y="\d+" width="472" height="\d+"\/><\/clipPath>/);
    expect(texts.length).toBe(4);
    for (const [, x, name, rest] of texts) {
      const columnStart = Number(x) - 20;
      const end = Number(x) + ([...name!].length + [...rest!].length) * 7.5;
      expect(end - columnStart).toBeLessThanOrEqual(480);
    }
  });

  it('escapes tags and the title', () => {
    const svg = snapshotToSVG(snapshot, { title: 'a < b & c' });
    expect(svg).toContain('vdec &#60;ch0&#62; &#38; &#34;1080p&#34;');
    expect(svg).toContain('a &#60; b &#38; c');
    expect(strictXmlProblem(svg)).toBeUndefined();
  });

  it('replaces the characters XML 1.0 forbids in tags and the title with U+FFFD', () => {
    // Every kind: C0 controls but tab, LF and CR; U+FFFE and U+FFFF; lone surrogates of both
    // halves (a low one before a high one, so that joined they still make no pair).
    const forbidden = ['\u0000', '\u0007', '\u0008', '\u000b', '\u000c', '\u000e', '\u001f', '\ufffe', '\uffff', '\udfff', '\ud800'];
    // XMLValidator alone lets them through, hence the strict check.
    for (const c of forbidden) expect(XMLValidator.validate(`<a>${c}</a>`), JSON.stringify(c)).toBe(true);
    for (const c of forbidden) expect(strictXmlProblem(`<a>${c}</a>`), JSON.stringify(c)).toBeDefined();
    const tag = `cam${forbidden.join('')}1`;
    const weird = { ...snapshot, segments: [{ ...snapshot.segments[0]!, tag }, snapshot.segments[1]!, snapshot.segments[2]!] };
    const svg = snapshotToSVG(weird, { title: `title ${forbidden.join('|')} end` });
    expect(strictXmlProblem(svg)).toBeUndefined();
    expect(svg).toContain(`cam${'\ufffd'.repeat(forbidden.length)}1</tspan>`);
    expect(svg).toContain(`title ${Array(forbidden.length).fill('\ufffd').join('|')} end`);
    // What XML allows stays: tab, newline, a surrogate pair, U+FFFD itself.
    const allowed = `a\tb\nc \u{1f600} \ufffd`;
    expect(snapshotToSVG(withSegments([{ ...snapshot.segments[0]!, tag: allowed }]))).toContain(`${allowed}</tspan>`);
  });

  it('wrote docs/memory-map.svg as strict XML', () => {
    expect(strictXmlProblem(readFileSync(`${ROOT}/docs/memory-map.svg`, 'utf8'))).toBeUndefined();
  });

  it('draws a real pool snapshot: rects at least the segments, always the same picture', () => {
    using pool = createPool({ size: 4 * 2 ** 20, backend: 'js' });
    const held = [pool.acquire(1_000_000, { tag: 'a' }), pool.acquire(300, { tag: 'b' }), pool.acquire(2_000_000)];
    held[1]?.release();
    const shot = JSON.parse(JSON.stringify(pool.snapshot())) as PoolSnapshot;
    const svg = snapshotToSVG(shot);
    expect(rects(svg).filter((rect) => rect.class === 'segment').length).toBeGreaterThanOrEqual(shot.segments.length);
    expect(snapshotToSVG(shot)).toBe(svg);
    pool.reset();
  });

  it('names the bad field of a value that is not a snapshot', () => {
    const bad = (value: unknown): (() => string) => () => snapshotToSVG(value as PoolSnapshot);
    expect(bad(null)).toThrow(TypeError);
    expect(bad({ ...snapshot, capacity: undefined })).toThrow(/snapshot\.capacity/);
    expect(bad({ ...snapshot, baseAddress: '7f00' })).toThrow(/snapshot\.baseAddress/);
    expect(bad({ ...snapshot, segments: {} })).toThrow(/snapshot\.segments/);
    expect(bad({ ...snapshot, segments: [{ block: 0, offset: 0, size: 64, length: 'x' }] })).toThrow(/snapshot\.segments\[0\]\.length/);
    expect(bad({ ...snapshot, segments: [{ block: 0, offset: 0, size: 64, length: 1, tag: 5 }] })).toThrow(/snapshot\.segments\[0\]\.tag/);
    expect(bad({ ...snapshot, segments: [...snapshot.segments].reverse() })).toThrow(/address order/);
    expect(bad({ ...snapshot, freeRanges: [{ block: 0, offset: 1024 * KIB, size: 128 }] })).toThrow(/snapshot\.freeRanges\[0\] ends at 1048704, past the end of block 0 \(1048576 bytes\)/);
    // Shapes no pool makes: offsets and free sizes off the 128-byte granule, stats of another capacity.
    expect(bad({ ...snapshot, segments: [{ block: 0, offset: 1, size: 64, length: 1 }] })).toThrow(/Expected multiple of 128 for snapshot\.segments\[0\]\.offset/);
    expect(bad({ ...snapshot, freeRanges: [{ block: 0, offset: 3, size: 5 }] })).toThrow(/Expected multiple of 128 for snapshot\.freeRanges\[0\]\.offset/);
    expect(bad({ ...snapshot, freeRanges: [{ block: 0, offset: 128, size: 5 }] })).toThrow(/snapshot\.freeRanges\[0\]\.size/);
    expect(bad({ ...snapshot, capacity: 1000 })).toThrow(/Expected multiple of 128 for snapshot\.capacity/);
    expect(bad({ ...snapshot, stats: { ...snapshot.stats, capacity: 999 } })).toThrow(/for snapshot\.stats\.capacity/);
    expect(bad({ ...snapshot, segments: [{ block: 0, offset: 0, size: 32, length: 1 }] })).toThrow(/Expected segmentSize\(snapshot\.segments\[0\]\.length\) = 64 for snapshot\.segments\[0\]\.size/);
    expect(bad({ ...snapshot, stats: { ...snapshot.stats, usedBytes: -1 } })).toThrow(/snapshot\.stats\.usedBytes/);
  });

  // Numbers out of range were RangeErrors (and `dvpp-pool map` a stack trace); the API promises
  // a TypeError for every kind of non-snapshot, naming the field.
  it.each<[string, unknown, RegExp]>([
    ['no object at all', 42, /for snapshot but/],
    ['an array', [], /for snapshot but/],
    ['capacity 1e30', { ...snapshot, capacity: 1e30 }, /snapshot\.capacity/],
    ['capacity above the 16 GiB limit', { ...snapshot, capacity: 2 ** 40 }, /snapshot\.capacity/],
    ['capacity 0', { ...snapshot, capacity: 0 }, /snapshot\.capacity/],
    ['capacity NaN', { ...snapshot, capacity: Number.NaN }, /snapshot\.capacity/],
    ['a negative offset', { ...snapshot, segments: [{ block: 0, offset: -128, size: 64, length: 1 }] }, /snapshot\.segments\[0\]\.offset/],
    ['a fractional size', { ...snapshot, segments: [{ block: 0, offset: 0, size: 64.5, length: 1 }] }, /snapshot\.segments\[0\]\.size/],
    ['an infinite free size', { ...snapshot, freeRanges: [{ block: 0, offset: 0, size: Number.POSITIVE_INFINITY }] }, /snapshot\.freeRanges\[0\]\.size/],
    ['a negative length', { ...snapshot, segments: [{ block: 0, offset: 0, size: 64, length: -1 }] }, /snapshot\.segments\[0\]\.length/],
    ['a stat of 1e300', { ...snapshot, stats: { ...snapshot.stats, acquires: 1e300 } }, /snapshot\.stats\.acquires/],
    ['stats of another shape version', { ...snapshot, stats: { ...snapshot.stats, statsVersion: 1 } }, /Expected 3 \(the STATS_VERSION this dvpp-pool reads\) for snapshot\.stats\.statsVersion but received 1/],
    ['stats without a version', { ...snapshot, stats: { ...snapshot.stats, statsVersion: undefined } }, /snapshot\.stats\.statsVersion/],
    ['a negative wait time', { ...snapshot, stats: { ...snapshot.stats, waitMsTotal: -1 } }, /finite non-negative number for snapshot\.stats\.waitMsTotal/],
    ['an infinite wait time', { ...snapshot, stats: { ...snapshot.stats, waitMsMax: Number.POSITIVE_INFINITY } }, /snapshot\.stats\.waitMsMax/],
    ['no tag table', { ...snapshot, stats: { ...snapshot.stats, tags: undefined } }, /an object for snapshot\.stats\.tags/],
    ['a tag entry without peakBytes', { ...snapshot, stats: { ...snapshot.stats, tags: { vpc: { liveBytes: 0, liveSegments: 0 } } } }, /snapshot\.stats\.tags\["vpc"\]\.peakBytes/],
    [
      'more tags than MAX_TAGS',
      { ...snapshot, stats: { ...snapshot.stats, tags: Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`t${i}`, { liveBytes: 0, liveSegments: 0, peakBytes: 0 }])) } },
      /at most 256 tags for snapshot\.stats\.tags but received "257 tags"/,
    ],
    ['a fractional otherTags figure', { ...snapshot, stats: { ...snapshot.stats, otherTags: { liveBytes: 0.5, liveSegments: 0, peakBytes: 0 } } }, /snapshot\.stats\.otherTags\.liveBytes/],
    ['a hole in a list', { ...snapshot, segments: [, snapshot.segments[1]] }, /snapshot\.segments\[0\]/],
    ['a null range', { ...snapshot, freeRanges: [null] }, /snapshot\.freeRanges\[0\]/],
  ])('throws TypeError naming the field for %s', (_, value, message) => {
    const draw = (): string => snapshotToSVG(value as PoolSnapshot);
    expect(draw).toThrow(TypeError);
    expect(draw).toThrow(message);
  });

  it('refuses overlaps between any two ranges', () => {
    const bad = (value: Partial<PoolSnapshot>): (() => string) => () => snapshotToSVG({ ...snapshot, ...value });
    const [a, b] = snapshot.segments as [PoolSnapshot['segments'][number], PoolSnapshot['segments'][number]];
    // segment / free range, both ways round
    expect(bad({ freeRanges: [{ block: 0, offset: 64 * KIB, size: 128 * KIB }] })).toThrow(TypeError);
    expect(bad({ freeRanges: [{ block: 0, offset: 64 * KIB, size: 128 * KIB }] })).toThrow(/snapshot\.freeRanges\[0\] .*overlaps snapshot\.segments\[0\]/);
    expect(bad({ freeRanges: [{ block: 0, offset: 160 * KIB, size: 64 * KIB }] })).toThrow(/snapshot\.segments\[1\] .*overlaps snapshot\.freeRanges\[0\]/);
    // segment / segment and free / free (the footprint counts: 64 KiB + 32 takes 64 KiB + 128)
    expect(bad({ segments: [a, { ...b, offset: 64 * KIB }], freeRanges: [] })).toThrow(/snapshot\.segments\[1\] .*overlaps snapshot\.segments\[0\]/);
    expect(bad({ segments: [], freeRanges: [{ block: 0, offset: 0, size: 256 }, { block: 0, offset: 128, size: 128 }] })).toThrow(/snapshot\.freeRanges\[1\] .*overlaps snapshot\.freeRanges\[0\]/);
    // Touching is not overlapping: every range of the fixture touches the next.
    expect(snapshotToSVG(snapshot)).toContain('<svg');
  });

  it('reads each field of the snapshot once', () => {
    let reads = 0;
    const segment = {
      block: 0,
      offset: 0,
      size: 64,
      length: 1,
      get tag(): unknown {
        reads++;
        return reads === 1 ? 'first' : { not: 'a string' };
      },
    };
    const svg = snapshotToSVG(withSegments([segment as SnapshotSegment]));
    expect(reads).toBe(1);
    expect(svg).toContain('first</tspan>');
  });

  it('checks its options', () => {
    expect(() => snapshotToSVG(snapshot, { rows: 0 })).toThrow(RangeError);
    expect(() => snapshotToSVG(snapshot, { width: 100 })).toThrow(/options\.width/);
    expect(() => snapshotToSVG(snapshot, { title: 3 } as never)).toThrow(TypeError);
    expect(() => snapshotToSVG(snapshot, { colour: 'red' } as never)).toThrow(/Unknown option options\.colour/);
  });
});

/** The fixture grown by a 512 KiB block 1: a vpc segment at its start, the rest free. */
const twoBlocks: PoolSnapshot = {
  ...snapshot,
  capacity: 1536 * KIB,
  blocks: [...snapshot.blocks, { index: 1, baseAddress: '0x7f0000200000', size: 512 * KIB }],
  segments: [...snapshot.segments, { block: 1, offset: 0, size: 200 * KIB + 32, length: 200 * KIB, tag: 'vpc' }],
  freeRanges: [...snapshot.freeRanges, { block: 1, offset: 200 * KIB + 128, size: 312 * KIB - 128 }],
  stats: { ...snapshot.stats, capacity: 1536 * KIB, blocks: 2, grows: 1 },
};

describe('snapshotToSVG of a pool of blocks', () => {
  it('draws each block as its own band with a header line, rows of one byte span, one legend', () => {
    const svg = snapshotToSVG(twoBlocks, { rows: 4 });
    const all = rects(svg);
    const bands = [...svg.matchAll(/<text class="band" x="\d+" y="(\d+)">(.*?)<\/text>/g)];
    expect(bands.map(([, , text]) => text)).toEqual([
      '<tspan font-weight="600">block 0</tspan> at 0x7f0000000000: 1 MiB, used 160.3 KiB (15.6%), free 863.8 KiB in 3 ranges (largest 511.9 KiB)',
      '<tspan font-weight="600">block 1</tspan> at 0x7f0000200000: 512 KiB, used 200.1 KiB (39.1%), free 311.9 KiB in 1 range (largest 311.9 KiB)',
    ]);
    expect(svg).toContain('dvpp-pool memory map: 1.5 MiB in 2 blocks, the first at 0x7f0000000000');
    expect(svg).toContain('3 live segments; 7 acquires, 4 releases, 1 failures, 0 waiting; 1 grows, 0 growth failures, 0 trims');
    // 256 KiB a row in both bands: block 0 takes 4 rows, block 1 two, each labelled with its own addresses.
    const rows = all.filter((rect) => rect.class === 'row');
    expect(rows).toHaveLength(6);
    expect(new Set(rows.map((rect) => rect.width)).size).toBe(1);
    expect(svg).toContain('>0x7f0000200000</text>');
    expect(svg).toContain('>0x7f0000240000</text>');
    // Block 1's rows and ranges sit below its header, which sits below block 0's rows.
    const headerY = Number(bands[1]![1]);
    const rowYs = rows.map((rect) => Number(rect.y));
    expect(rowYs.slice(0, 4).every((y) => y < headerY)).toBe(true);
    expect(rowYs.slice(4).every((y) => y > headerY)).toBe(true);
    const inBlock1 = all.filter((rect) => rect.title?.includes('of block 1'));
    expect(inBlock1.map((rect) => rect.class)).toEqual(['free', 'free', 'segment']);
    expect(inBlock1.every((rect) => Number(rect.y) > headerY)).toBe(true);
    // One legend: vpc counts its segments in both blocks, free all ranges.
    expect(svg).toContain('vpc</tspan> 2 segments, 296.1 KiB');
    expect(svg).toContain('free</tspan> 4 ranges, 1.1 MiB (largest 511.9 KiB)');
  });

  it('draws a single block as before: no band header, no growth figures until the pool grew', () => {
    const svg = snapshotToSVG(snapshot);
    expect(svg).not.toContain('class="band"');
    expect(svg).toContain('1 MiB at 0x7f0000000000</text>');
    expect(svg).toMatch(/0 waiting<\/text>/);
    // Grown and trimmed back to one block: the figures say so.
    const trimmed = snapshotToSVG({ ...snapshot, stats: { ...snapshot.stats, grows: 2, trims: 2 } });
    expect(trimmed).toContain('0 waiting; 2 grows, 0 growth failures, 2 trims</text>');
    expect(trimmed).not.toContain('class="band"');
  });

  const block1 = twoBlocks.blocks[1]!;
  it.each<[string, unknown, RegExp]>([
    ['no blocks list', { ...twoBlocks, blocks: undefined }, /Expected an array for snapshot\.blocks/],
    ['an empty blocks list', { ...twoBlocks, blocks: [] }, /snapshot\.blocks lists no block/],
    ['a first block other than block 0', { ...twoBlocks, blocks: [{ ...snapshot.blocks[0], index: 1 }, { ...block1, index: 2 }] }, /Expected 0 \(the first block, which a pool never trims\) for snapshot\.blocks\[0\]\.index/],
    ['a block listed twice', { ...twoBlocks, blocks: [snapshot.blocks[0], { ...block1, index: 0 }] }, /snapshot\.blocks\[1\]\.index is 0, not above the 0 listed before it/],
    ['a negative index', { ...twoBlocks, blocks: [snapshot.blocks[0], { ...block1, index: -1 }] }, /snapshot\.blocks\[1\]\.index/],
    ['a base off the 128-byte alignment', { ...twoBlocks, blocks: [snapshot.blocks[0], { ...block1, baseAddress: '0x7f0000200040' }] }, /multiple of 128 for snapshot\.blocks\[1\]\.baseAddress/],
    ['a base that is not hex', { ...twoBlocks, blocks: [snapshot.blocks[0], { ...block1, baseAddress: 42 }] }, /snapshot\.blocks\[1\]\.baseAddress/],
    ['a block size off the granule', { ...twoBlocks, blocks: [snapshot.blocks[0], { ...block1, size: 1000 }] }, /multiple of 128 for snapshot\.blocks\[1\]\.size/],
    ['a block above the DVPP limit', { ...twoBlocks, blocks: [snapshot.blocks[0], { ...block1, size: 2 ** 35 }] }, /integer in \[128, 17179869184\] for snapshot\.blocks\[1\]\.size/],
    ['a baseAddress other than block 0\'s', { ...twoBlocks, baseAddress: '0x7f0000200000' }, /Expected snapshot\.blocks\[0\]\.baseAddress = 0x7f0000000000 for snapshot\.baseAddress/],
    ['a capacity other than the sum of the blocks', { ...twoBlocks, capacity: 1024 * KIB }, /the sum of the blocks' sizes = 1572864 for snapshot\.capacity/],
    ['a range without a block', { ...twoBlocks, freeRanges: [{ offset: 0, size: 128 }] }, /snapshot\.freeRanges\[0\]\.block/],
    ['a segment of a block not listed', { ...twoBlocks, segments: [...snapshot.segments, { ...twoBlocks.segments[3], block: 5 }] }, /snapshot\.segments\[3\]\.block is 5, a block the snapshot's blocks do not list/],
    ['block 1 listed before block 0', { ...twoBlocks, segments: [twoBlocks.segments[3], ...snapshot.segments] }, /snapshot\.segments\[1\] is in block 0, after a range of block 1 \(lists are grouped by block/],
    ['a range past its block', { ...twoBlocks, freeRanges: [...snapshot.freeRanges, { block: 1, offset: 200 * KIB + 128, size: 312 * KIB }] }, /snapshot\.freeRanges\[3\] ends at 524416, past the end of block 1 \(524288 bytes\)/],
    ['bytes of a block no range covers', { ...twoBlocks, freeRanges: [...snapshot.freeRanges, { block: 1, offset: 256 * KIB, size: 256 * KIB }] }, /snapshot\.blocks\[1\] \(block 1\) has bytes \[204928, 262144\) that no segment or free range covers/],
    ['an empty block with no free range', { ...twoBlocks, segments: snapshot.segments, freeRanges: snapshot.freeRanges }, /snapshot\.blocks\[1\] \(block 1\) has bytes \[0, 524288\)/],
    ['an overlap inside block 1', { ...twoBlocks, freeRanges: [...snapshot.freeRanges, { block: 1, offset: 128 * KIB, size: 384 * KIB }] }, /snapshot\.freeRanges\[3\] \[131072, 524288\) overlaps snapshot\.segments\[3\] \[0, 204928\)/],
    ['stats of another block count', { ...twoBlocks, stats: { ...twoBlocks.stats, blocks: 1 } }, /Expected the 2 blocks snapshot\.blocks lists for snapshot\.stats\.blocks but received 1/],
    ['a fractional grows figure', { ...twoBlocks, stats: { ...twoBlocks.stats, grows: 0.5 } }, /snapshot\.stats\.grows/],
    ['no trims figure', { ...twoBlocks, stats: { ...twoBlocks.stats, trims: undefined } }, /snapshot\.stats\.trims/],
  ])('throws TypeError naming the field for %s', (_, value, message) => {
    const draw = (): string => snapshotToSVG(value as PoolSnapshot);
    expect(draw).toThrow(TypeError);
    expect(draw).toThrow(message);
  });

  it('draws a growing pool: one band per block, the same picture after a JSON round trip', () => {
    using pool = createPool({ size: 1024 * KIB, maxSize: 4096 * KIB, growBy: 1024 * KIB, backend: 'js' });
    const held = Array.from({ length: 10 }, (_, i) => pool.acquire(300 * KIB, { tag: `cam ${i % 3}` }));
    held[0]?.release();
    const shot = pool.snapshot();
    expect(shot.blocks.length).toBeGreaterThan(2);
    const svg = snapshotToSVG(shot);
    expect(strictXmlProblem(svg)).toBeUndefined();
    expect([...svg.matchAll(/<text class="band"/g)]).toHaveLength(shot.blocks.length);
    expect(snapshotToSVG(JSON.parse(JSON.stringify(shot)) as PoolSnapshot)).toBe(svg);
    pool.reset();
  });
});
