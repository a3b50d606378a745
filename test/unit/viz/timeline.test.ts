// SPDX-License-Identifier: MIT
// timelineToSVG on hand-made deltas: strict XML; the peak found and marked with its time; the
// capacity line; one band per tag up to TIMELINE_BANDS and "other" for the rest; a column shows
// the bands at its highest moment, so a short spike is drawn; axes in binary byte units and the
// input's time unit; precise errors for bad input and options.

import { describe, expect, it } from 'vitest';
import { TIMELINE_BANDS, type TimelineEvent, timelineToSVG } from '../../../src/viz/timeline.js';
import { strictXmlProblem } from '../../helpers/strict-xml.js';

const MIB = 2 ** 20;

/** acquire a (tag a, 10 MiB) at 0, spike b (30 MiB) for 1 µs at 500 000, release both by 2 s. */
const spike: TimelineEvent[] = [
  { time: 0, delta: 10 * MIB, tag: 'vdec ch0' },
  { time: 500_000, delta: 30 * MIB, tag: 'vpc' },
  { time: 500_001, delta: -30 * MIB, tag: 'vpc' },
  { time: 2_000_000, delta: -10 * MIB, tag: 'vdec ch0' },
];

function bandTops(svg: string): number[] {
  return [...svg.matchAll(/<polygon class="band" fill="[^"]+" points="([^"]+)"/g)].map((m) => Math.min(...m[1]!.split(' ').map((p) => Number(p.split(',')[1]))));
}

describe('timelineToSVG', () => {
  it('draws well-formed SVG with the peak, its time, the capacity and axis units', () => {
    const svg = timelineToSVG({ events: spike, unit: 'us', capacity: 64 * MIB }, { title: 'a <spike> & more' });
    expect(strictXmlProblem(svg)).toBeUndefined();
    expect(svg).toContain('peak 40 MiB at 0.50 s');
    expect(svg).toContain('capacity 64 MiB');
    expect(svg).toContain('time since the first event (s)');
    expect(svg).toContain('live bytes (footprint)');
    expect(svg).toContain('>64 MiB</text>');
    expect(svg).toContain('a &#60;spike&#62; &#38; more');
    expect(svg).toContain('4 acquires and releases; peak 40 MiB of 64 MiB (62.5%)');
  });

  it('keeps a 1 µs spike visible: a column shows its highest moment', () => {
    const svg = timelineToSVG({ events: spike, unit: 'us' });
    const [a, b] = bandTops(svg);
    // Band b reaches higher (smaller y) than band a alone: the spike is drawn.
    expect(b).toBeLessThan(a!);
  });

  it('gives the largest tags a band each and sums the rest as other', () => {
    const events: TimelineEvent[] = Array.from({ length: TIMELINE_BANDS + 3 }, (_, i) => ({ time: i, delta: (i + 1) * MIB, tag: `t${i}` }));
    const svg = timelineToSVG({ events, unit: 'op' });
    expect(bandTops(svg)).toHaveLength(TIMELINE_BANDS);
    expect(svg).toContain('other</tspan> 4 tags');
    expect(svg).toContain(`t${TIMELINE_BANDS + 2}</tspan> peak`);
    expect(svg).toContain('operation (trace order)');
  });

  it('keeps a tag named "other" or "(untagged)" apart from the synthetic bands', () => {
    const events: TimelineEvent[] = [
      { time: 0, delta: 9 * MIB, tag: 'other' },
      ...Array.from({ length: TIMELINE_BANDS }, (_, i) => ({ time: i + 1, delta: MIB, tag: `t${i}` })),
      { time: 20, delta: MIB, tag: '(untagged)' },
      { time: 21, delta: MIB, tag: undefined },
    ];
    const svg = timelineToSVG({ events, unit: 'op' });
    expect(svg).toContain('other</tspan> peak 9 MiB');
    expect(svg.match(/other<\/tspan> \d+ tags/g)).toHaveLength(1);
  });

  it('draws an empty input as an empty chart', () => {
    const svg = timelineToSVG({ events: [], unit: 'op' });
    expect(strictXmlProblem(svg)).toBeUndefined();
    expect(svg).toContain('0 acquires and releases; peak 0 B');
  });

  it('refuses bad input and options, naming them', () => {
    expect(() => timelineToSVG({ events: 'x' as never, unit: 'us' })).toThrow(/input\.events/);
    expect(() => timelineToSVG({ events: [], unit: 'ms' as never })).toThrow(/input\.unit/);
    expect(() => timelineToSVG({ events: [], unit: 'us', capacity: -1 })).toThrow(/input\.capacity/);
    expect(() => timelineToSVG({ events: [{ time: Number.NaN, delta: 1, tag: undefined }], unit: 'us' })).toThrow(/input\.events\[0\]/);
    expect(() => timelineToSVG({ events: [{ time: 1e17, delta: 1, tag: undefined }], unit: 'us' })).toThrow(/input\.events\[0\]/);
    expect(() => timelineToSVG({ events: [{ time: 1, delta: 1, tag: 5 as never }], unit: 'us' })).toThrow(/input\.events\[0\]\.tag/);
    expect(() => timelineToSVG({ events: [spike[1]!, spike[0]!], unit: 'us' })).toThrow(RangeError);
    expect(() => timelineToSVG({ events: [], unit: 'us' }, { width: 100 })).toThrow(/options\.width/);
    expect(() => timelineToSVG({ events: [], unit: 'us' }, { colour: 1 } as never)).toThrow(/Unknown option/);
  });
});
