// SPDX-License-Identifier: MIT
// The pictures as a person sees them: docs/memory-map.svg, a fresh map, a grown pool's map and a timeline rendered to PNG by a
// real browser (headless chromium). The picture has the SVG's size, a white background, and each
// segment's rect shows its tag's colour where the SVG says it is. Skips, with the reason, where no
// browser is installed (CI's fresh machine has none; `apt-get install chromium` adds one).

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { createPool, snapshotToSVG } from '../../../src/index.js';
import { timelineToSVG } from '../../../src/viz/timeline.js';
import { ROOT } from '../../helpers/cli.js';
import { chromiumPath, colourAt, renderSvg } from '../../helpers/render.js';

const browser = chromiumPath();
const reason = 'reason' in browser ? browser.reason : '';

/** Width, height and the segment rects (x, y, width, height, fill) an SVG of snapshotToSVG declares. */
function layout(svg: string) {
  const [, width, height] = /<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg)!;
  const segments = [...svg.matchAll(/<rect class="segment" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="(#[0-9a-f]{6})"/g)].map(
    ([, x, y, w, h, fill]) => ({ x: Number(x), y: Number(y), w: Number(w), h: Number(h), fill: fill! }),
  );
  return { width: Number(width), height: Number(height), segments };
}

/** Channel-wise distance between two #rrggbb colours. */
function distance(a: string, b: string): number {
  return Math.max(...[1, 3, 5].map((i) => Math.abs(Number.parseInt(a.slice(i, i + 2), 16) - Number.parseInt(b.slice(i, i + 2), 16))));
}

describe.skipIf('reason' in browser)(`the memory map rendered by a browser${reason === '' ? '' : ` (skipped: ${reason})`}`, () => {
  const check = (svg: string): void => {
    const { width, height, segments } = layout(svg);
    const picture = renderSvg((browser as { path: string }).path, svg, width, height);
    expect([picture.width, picture.height]).toEqual([width, height]);
    expect(colourAt(picture, 2, 2)).toBe('#ffffff');
    const wide = segments.filter((rect) => rect.w >= 6);
    expect(wide.length).toBeGreaterThan(0);
    for (const rect of wide) expect(distance(colourAt(picture, rect.x + rect.w / 2, rect.y + rect.h / 2), rect.fill), rect.fill).toBeLessThanOrEqual(3);
  };

  test('docs/memory-map.svg', { timeout: 60_000 }, () => {
    check(readFileSync(`${ROOT}/docs/memory-map.svg`, 'utf8'));
  });

  test('a timeline: the first band shows its colour just above the baseline', { timeout: 60_000 }, () => {
    const MIB = 2 ** 20;
    const svg = timelineToSVG({
      unit: 'us',
      capacity: 64 * MIB,
      events: [
        { time: 0, delta: 10 * MIB, tag: 'vdec ch0' },
        { time: 500_000, delta: 30 * MIB, tag: 'vpc' },
        { time: 1_500_000, delta: -30 * MIB, tag: 'vpc' },
        { time: 2_000_000, delta: -10 * MIB, tag: 'vdec ch0' },
      ],
    });
    const [, width, height] = /<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg)!;
    const picture = renderSvg((browser as { path: string }).path, svg, Number(width), Number(height));
    expect([picture.width, picture.height]).toEqual([Number(width), Number(height)]);
    expect(colourAt(picture, 2, 2)).toBe('#ffffff');
    const [, firstFill] = /<polygon class="band" fill="(#[0-9a-f]{6})"/.exec(svg)!;
    // The first band is the bottom of the stack (vpc, the larger peak); at 1 s, the middle of the
    // plot (x 84 to 940, bottom edge at y 370), it is just above the baseline.
    expect(distance(colourAt(picture, 84 + 856 / 2, 370 - 4), firstFill!)).toBeLessThanOrEqual(3);
  });

  test('a map of a grown pool: each band shows its segments, its header sits on white between the bands', { timeout: 60_000 }, () => {
    const MIB = 2 ** 20;
    using pool = createPool({ size: 4 * MIB, maxSize: 12 * MIB, growBy: 4 * MIB, backend: 'js' });
    for (let i = 0; i < 10; i++) pool.acquire(1_000_000, { tag: `vdec ch${i % 3}` });
    const svg = snapshotToSVG(pool.snapshot(), { rows: 4 });
    const headers = [...svg.matchAll(/<text class="band" x="\d+" y="(\d+)"/g)].map(([, y]) => Number(y));
    expect(headers).toHaveLength(3);
    check(svg);
    const { width, height } = layout(svg);
    const picture = renderSvg((browser as { path: string }).path, svg, width, height);
    // The header's text is on the left; its line's right end is the background, not a row.
    for (const y of headers.slice(1)) expect(colourAt(picture, width - 24, y - 4)).toBe('#ffffff');
    pool.reset();
  });

  test('a fresh map of tag families and a long tag', { timeout: 60_000 }, () => {
    using pool = createPool({ size: 8 * 2 ** 20, backend: 'js' });
    for (const tag of ['vdec ch0', 'vdec ch1', 'vpc:resize', `camera ${'x'.repeat(60)}`, 'vdec ch2']) pool.acquire(1_000_000, { tag });
    check(snapshotToSVG(pool.snapshot(), { title: 'render test' }));
    pool.reset();
  });
});
