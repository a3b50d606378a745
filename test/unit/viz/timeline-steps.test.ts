// SPDX-License-Identifier: MIT
// timelineToSVG's capacity line for a pool of blocks: it steps where the pool grew or trimmed, at
// the steps' times, up to the largest capacity; the peak is told against the capacity of its
// moment; a line that starts at the first step when the start is unknown; bad steps refused.

import { describe, expect, it } from 'vitest';
import { type TimelineEvent, timelineToSVG } from '../../../src/viz/timeline.js';
import { strictXmlProblem } from '../../helpers/strict-xml.js';

const MIB = 2 ** 20;
const events: TimelineEvent[] = [
  { time: 0, delta: 3 * MIB, tag: 'a' },
  { time: 100, delta: 3 * MIB, tag: 'b' }, // after the grow at 100: 6 of 8 MiB
  { time: 200, delta: -3 * MIB, tag: 'b' },
  { time: 400, delta: -3 * MIB, tag: 'a' },
];
const steps = [
  { time: 100, capacity: 8 * MIB },
  { time: 300, capacity: 4 * MIB },
];

/** The capacity polyline's points as [x, y] numbers. */
function capacityPoints(svg: string): [number, number][] {
  const points = /<polyline class="capacity" points="([^"]+)"/.exec(svg)?.[1];
  expect(points).toBeDefined();
  return points!.split(' ').map((point) => point.split(',').map(Number) as [number, number]);
}

describe('timelineToSVG capacity steps', () => {
  it('steps the capacity line up at a grow and down at a trim, at their times', () => {
    const svg = timelineToSVG({ events, unit: 'us', capacity: 4 * MIB, capacitySteps: steps });
    expect(strictXmlProblem(svg)).toBeUndefined();
    const points = capacityPoints(svg);
    const ys = [...new Set(points.map(([, y]) => y))];
    expect(ys).toHaveLength(2); // 4 MiB and 8 MiB
    const [low, high] = ys[0]! > ys[1]! ? [ys[0]!, ys[1]!] : [ys[1]!, ys[0]!];
    // 4 MiB from the left edge, 8 MiB from 100 µs to 300 µs, 4 MiB again to the right edge.
    const xs = points.map(([x]) => x);
    const plotLeft = xs[0]!;
    const plotRight = xs.at(-1)!;
    const at = (time: number) => plotLeft + (time / 400) * (plotRight - plotLeft);
    expect(points.map(([x, y]) => [Math.round(x), y])).toEqual([
      [Math.round(plotLeft), low], [Math.round(at(100)), low],
      [Math.round(at(100)), high], [Math.round(at(300)), high],
      [Math.round(at(300)), low], [Math.round(plotRight), low],
    ]);
    expect(svg).toContain('capacity 4 MiB (2 changes)');
    // The peak (6 MiB at 100 µs) against the 8 MiB of that moment, not the 4 MiB before or after.
    expect(svg).toContain('peak 6 MiB of 8 MiB (75.0%)');
    expect(svg).toContain('>8 MiB</text>'); // the axis reaches the largest capacity
  });

  it('starts the line at the first step when the capacity before it is unknown', () => {
    const svg = timelineToSVG({ events, unit: 'us', capacitySteps: steps });
    const points = capacityPoints(svg);
    expect(points[0]![0]).toBeGreaterThan(points.at(-1)![0] / 5); // not at the left edge
    expect(points).toHaveLength(4);
  });

  it('refuses bad steps, naming them', () => {
    expect(() => timelineToSVG({ events, unit: 'us', capacitySteps: 'x' as never })).toThrow(/input\.capacitySteps/);
    expect(() => timelineToSVG({ events, unit: 'us', capacitySteps: [{ time: 1, capacity: 0 }] })).toThrow(/input\.capacitySteps\[0\]/);
    expect(() => timelineToSVG({ events, unit: 'us', capacitySteps: [{ time: Number.NaN, capacity: 1 }] })).toThrow(/input\.capacitySteps\[0\]/);
    expect(() => timelineToSVG({ events, unit: 'us', capacitySteps: [steps[1]!, steps[0]!] })).toThrow(RangeError);
  });
});
