// SPDX-License-Identifier: MIT
// timelineToSVG: live bytes over time, stacked by tag, as an SVG chart. The input is a list of
// byte deltas in time order (an acquire adds its footprint, a release takes it away), from a
// recording or a trace (src/cli/timeline.ts reads both). Each pixel column shows the tags' live
// bytes at the moment its total was highest, so the peak of every stretch is drawn, never
// averaged away; the pool's capacity (a line that steps where the pool grew or trimmed) and the
// overall peak are marked. The largest tags (by their
// own peak) get a band each, the rest share "other". Pure: the same input gives the same picture.

import { cutText, formatBytes } from '../format.js';
import { invalidMessage, numberError, rejectUnknownKeys, requireOptions } from '../validate.js';
import { TagColours } from './palette.js';
import { px, xml } from './xml.js';

/** One change of live bytes. */
export interface TimelineEvent {
  /** When it happened, in the input's unit; non-decreasing along the list. */
  readonly time: number;
  /** Bytes added (an acquire's footprint) or, negative, taken away (a release's). */
  readonly delta: number;
  /** The segment's tag; undefined is "(untagged)". */
  readonly tag: string | undefined;
}

/** What to draw. */
export interface TimelineInput {
  readonly events: readonly TimelineEvent[];
  /** `us`: times are microseconds (a recording); `op`: times are operation numbers (a trace). */
  readonly unit: 'us' | 'op';
  /** The pool's capacity in bytes before the first step (all along without steps), drawn as a line; none when unknown. */
  readonly capacity?: number | undefined;
  /** Where the capacity changed (a pool of blocks grew or trimmed), in time order; the line steps at each. @defaultValue none */
  readonly capacitySteps?: readonly TimelineCapacityStep[] | undefined;
}

/** From `time` on, the pool holds `capacity` bytes. */
export interface TimelineCapacityStep {
  /** In the events' unit. */
  readonly time: number;
  readonly capacity: number;
}

/** Options of {@link timelineToSVG}. */
export interface TimelineOptions {
  /** Picture width in pixels, an integer in `[480, 10000]`. @defaultValue `960` */
  readonly width?: number | undefined;
  /** A line under the heading. @defaultValue none */
  readonly title?: string | undefined;
}

/** Tags with a band of their own; the others are summed as "other". */
export const TIMELINE_BANDS = 8;
/**
 * The largest time a timeline takes, 2^53: beyond it, neighbouring times are no longer distinct
 * numbers (1e17 µs + 1 is 1e17 µs), and the span of two finite times can overflow to Infinity.
 */
export const MAX_TIMELINE_TIME = Number.MAX_SAFE_INTEGER;
// The bands' keys: the synthetic ones are symbols, so no tag (not even one named "other" or
// "(untagged)") can fall into them.
const UNTAGGED: unique symbol = Symbol('untagged');
const OTHER: unique symbol = Symbol('other');
type BandKey = string | typeof UNTAGGED | typeof OTHER;
const bandName = (key: BandKey): string => (key === UNTAGGED ? '(untagged)' : key === OTHER ? 'other' : key);
const OTHER_COLOUR = '#b8bec8';
const UNTAGGED_COLOUR = '#7a869a';
const LEFT = 84;
const RIGHT = 20;
const TOP = 70;
const PLOT_HEIGHT = 300;
const LEGEND_LINE = 20;

/** A step of 1, 2 or 5 times a power of `base`, giving about `count` ticks up to `max`. */
function tickStep(max: number, count: number, base: number): number {
  const raw = max / count;
  let unit = 1;
  while (unit * base <= raw) unit *= base;
  for (const k of [1, 2, 5, 10, 20, 50, 100, 200, 500]) if (unit * k >= raw) return unit * k;
  return unit * base;
}

/** The time axis: its unit's name and the factor from input times to it. */
function timeScale(unit: 'us' | 'op', span: number): { readonly name: string; readonly factor: number } {
  if (unit === 'op') return { name: 'operation', factor: 1 };
  if (span >= 2e6) return { name: 'time (s)', factor: 1e-6 };
  if (span >= 2e3) return { name: 'time (ms)', factor: 1e-3 };
  return { name: 'time (µs)', factor: 1 };
}

/**
 * Draws live bytes over time, stacked by tag.
 * @throws {TypeError} `input` is not a timeline input (the message names the field), or a bad option.
 * @throws {RangeError} an option out of range, or times that go backwards.
 */
export function timelineToSVG(input: TimelineInput, options: TimelineOptions = {}): string {
  const opts = requireOptions('options', options);
  rejectUnknownKeys('options', opts, ['width', 'title']);
  const width = opts['width'] === undefined ? 960 : opts['width'];
  if (typeof width !== 'number' || !Number.isInteger(width) || width < 480 || width > 10_000) throw numberError('options.width', 'integer in [480, 10000]', width);
  const title = opts['title'];
  if (title !== undefined && typeof title !== 'string') throw new TypeError(invalidMessage('options.title', 'string', title));
  const { events, unit, capacity } = input;
  const steps = input.capacitySteps ?? [];
  if (!Array.isArray(events)) throw new TypeError(invalidMessage('input.events', 'an array', events));
  if (unit !== 'us' && unit !== 'op') throw new TypeError(invalidMessage('input.unit', "'us' or 'op'", unit));
  if (capacity !== undefined && (!Number.isSafeInteger(capacity) || capacity <= 0)) throw new TypeError(invalidMessage('input.capacity', 'a positive safe integer', capacity));
  if (!Array.isArray(steps)) throw new TypeError(invalidMessage('input.capacitySteps', 'an array', steps));
  steps.forEach((step: TimelineCapacityStep, i) => {
    if (typeof step !== 'object' || step === null || !(Math.abs(step.time) <= MAX_TIMELINE_TIME) || !Number.isSafeInteger(step.capacity) || step.capacity <= 0) {
      throw new TypeError(invalidMessage(`input.capacitySteps[${i}]`, 'a time in [-2^53, 2^53] and a positive integer capacity', step));
    }
    if (i > 0 && step.time < (steps[i - 1] as TimelineCapacityStep).time) throw new RangeError(`input.capacitySteps[${i}] goes back in time`);
  });
  // The capacity at `time`: the last step's at or before it, else the starting one.
  const capacityAt = (time: number): number | undefined => {
    let now = capacity;
    for (const step of steps) {
      if (step.time > time) break;
      now = step.capacity;
    }
    return now;
  };

  // Each tag's peak decides who gets a band.
  const live = new Map<BandKey, number>();
  const peakOf = new Map<BandKey, number>();
  let total = 0;
  let peak = 0;
  let peakTime = 0;
  let previous = -Infinity;
  events.forEach((event, i) => {
    if (typeof event !== 'object' || event === null || !(Math.abs(event.time) <= MAX_TIMELINE_TIME) || !Number.isSafeInteger(event.delta)) {
      throw new TypeError(invalidMessage(`input.events[${i}]`, `a time in [-2^53, 2^53] and an integer delta`, event));
    }
    if (event.tag !== undefined && typeof event.tag !== 'string') throw new TypeError(invalidMessage(`input.events[${i}].tag`, 'a string or undefined', event.tag));
    if (event.time < previous) throw new RangeError(`input.events[${i}] goes back in time (${event.time} after ${previous})`);
    previous = event.time;
    const tag = event.tag ?? UNTAGGED;
    const now = (live.get(tag) ?? 0) + event.delta;
    live.set(tag, now);
    if (now > (peakOf.get(tag) ?? 0)) peakOf.set(tag, now);
    total += event.delta;
    if (total > peak) {
      peak = total;
      peakTime = event.time;
    }
  });
  const ranked = [...peakOf.entries()].sort((a, b) => b[1] - a[1] || bandName(a[0]).localeCompare(bandName(b[0]))).map(([tag]) => tag);
  const banded = ranked.slice(0, ranked.length > TIMELINE_BANDS ? TIMELINE_BANDS - 1 : TIMELINE_BANDS);
  const bands: BandKey[] = ranked.length > banded.length ? [...banded, OTHER] : banded;
  const bandOf = new Map<BandKey, number>(banded.map((tag, i) => [tag, i]));
  const otherBand = bands.length - 1;

  const plotWidth = width - LEFT - RIGHT;
  const columns = Math.max(1, Math.floor(plotWidth));
  const times = [events[0]?.time, events.at(-1)?.time, steps[0]?.time, steps.at(-1)?.time].filter((time) => time !== undefined);
  const t0 = times.length === 0 ? 0 : Math.min(...times);
  const t1 = times.length === 0 ? 1 : Math.max(...times, t0 + 1);
  const columnOf = (time: number): number => Math.min(columns - 1, Math.floor(((time - t0) / (t1 - t0)) * columns));
  // Per column: the bands' bytes at the column's highest total (a column with no event keeps the last).
  const stacks = Array.from({ length: columns }, () => new Float64Array(bands.length));
  const best = new Float64Array(columns).fill(-1);
  const current = new Float64Array(bands.length);
  let running = 0;
  let column = 0;
  for (const event of events) {
    const c = columnOf(event.time);
    while (column < c) {
      column++;
      if (best[column]! < 0) {
        stacks[column]!.set(current);
        best[column] = running;
      }
    }
    const band = bandOf.get(event.tag ?? UNTAGGED) ?? otherBand;
    current[band] = (current[band] ?? 0) + event.delta;
    running += event.delta;
    if (running > best[c]!) {
      best[c] = running;
      stacks[c]!.set(current);
    }
  }
  for (column++; column < columns; column++) stacks[column]!.set(current);

  const top = Math.max(peak, capacity ?? 0, ...steps.map((step) => step.capacity), 1) * 1.05;
  const yOf = (bytes: number): number => TOP + PLOT_HEIGHT - (bytes / top) * PLOT_HEIGHT;
  const xOf = (c: number): number => LEFT + (c / columns) * plotWidth;
  const colours = new TagColours();
  const fills = bands.map((tag) => (tag === OTHER ? OTHER_COLOUR : tag === UNTAGGED ? UNTAGGED_COLOUR : colours.of(tag)));

  const body: string[] = [];
  // Bands bottom-up: each a polygon from its stacked top, back along its stacked bottom.
  const below = new Float64Array(columns);
  bands.forEach((tag, band) => {
    const upper: string[] = [];
    const lower: string[] = [];
    for (let c = 0; c < columns; c++) {
      const base = below[c]!;
      const height = stacks[c]![band]!;
      upper.push(`${px(xOf(c))},${px(yOf(base + height))}`, `${px(xOf(c + 1))},${px(yOf(base + height))}`);
      lower.push(`${px(xOf(c + 1))},${px(yOf(base))}`, `${px(xOf(c))},${px(yOf(base))}`);
      below[c] = base + height;
    }
    lower.reverse();
    body.push(`<polygon class="band" fill="${fills[band]}" points="${[...upper, ...lower].join(' ')}"><title>${xml(`${bandName(tag)}: peak ${formatBytes(peakOf.get(tag) ?? 0)}`)}</title></polygon>`);
  });

  // Axes: bytes on the left (binary units), time or operations along the bottom.
  const axes: string[] = [];
  const byteStep = tickStep(top, 5, 2);
  for (let bytes = 0; bytes <= top; bytes += byteStep) {
    const y = px(yOf(bytes));
    axes.push(
      `<line x1="${LEFT}" y1="${y}" x2="${LEFT + plotWidth}" y2="${y}" stroke="#e4e7eb"/>`,
      `<text x="${LEFT - 8}" y="${px(yOf(bytes) + 4)}" text-anchor="end">${xml(formatBytes(bytes))}</text>`,
    );
  }
  const scale = timeScale(unit, t1 - t0);
  const span = (t1 - t0) * scale.factor;
  const timeStep = tickStep(span, 8, 10);
  for (let at = 0; at <= span + 1e-9; at += timeStep) {
    const x = px(LEFT + (at / span) * plotWidth);
    const label = Number.isInteger(timeStep) ? String(Math.round(at)) : at.toFixed(Math.max(0, -Math.floor(Math.log10(timeStep))));
    axes.push(
      `<line x1="${x}" y1="${TOP + PLOT_HEIGHT}" x2="${x}" y2="${TOP + PLOT_HEIGHT + 5}" stroke="#52606d"/>`,
      `<text x="${x}" y="${TOP + PLOT_HEIGHT + 18}" text-anchor="middle">${label}</text>`,
    );
  }
  axes.push(
    `<rect class="plot" x="${LEFT}" y="${TOP}" width="${plotWidth}" height="${PLOT_HEIGHT}" fill="none" stroke="#8a94a3"/>`,
    `<text x="${LEFT + plotWidth / 2}" y="${TOP + PLOT_HEIGHT + 38}" text-anchor="middle">${xml(scale.name === 'operation' ? 'operation (trace order)' : `${scale.name.replace('time', 'time since the first event')}`)}</text>`,
    `<text transform="translate(18 ${TOP + PLOT_HEIGHT / 2}) rotate(-90)" text-anchor="middle">live bytes (footprint)</text>`,
  );

  const marks: string[] = [];
  const last = capacityAt(Infinity);
  if (last !== undefined) {
    // Right-angled steps: each level runs to the next step's time, then the line goes up or down.
    const xAt = (time: number): number => LEFT + ((time - t0) / (t1 - t0)) * plotWidth;
    const points: string[] = [];
    let level = capacity;
    let from = LEFT;
    for (const step of steps) {
      const x = xAt(step.time);
      if (level !== undefined) points.push(`${px(from)},${px(yOf(level))}`, `${px(x)},${px(yOf(level))}`);
      level = step.capacity;
      from = x;
    }
    points.push(`${px(from)},${px(yOf(last))}`, `${px(LEFT + plotWidth)},${px(yOf(last))}`);
    marks.push(
      `<polyline class="capacity" points="${points.join(' ')}" fill="none" stroke="#b42318" stroke-width="1.5" stroke-dasharray="6 4"/>`,
      `<text x="${LEFT + plotWidth - 4}" y="${px(yOf(last) - 6)}" text-anchor="end" fill="#b42318">capacity ${xml(formatBytes(last))}${steps.length === 0 ? '' : ` (${steps.length} ${steps.length === 1 ? 'change' : 'changes'})`}</text>`,
    );
  }
  if (peak > 0) {
    const x = xOf(columnOf(peakTime) + 0.5);
    const y = yOf(peak);
    const when = unit === 'op' ? `operation ${peakTime}` : `${((peakTime - t0) * scale.factor).toFixed(2)} ${scale.name.slice(6, -1)}`;
    const anchor = x > LEFT + plotWidth * 0.7 ? 'end' : 'start';
    marks.push(
      `<circle class="peak" cx="${px(x)}" cy="${px(y)}" r="4" fill="#1f2933"/>`,
      `<text x="${px(x + (anchor === 'start' ? 8 : -8))}" y="${px(y - 8)}" text-anchor="${anchor}" font-weight="600">peak ${xml(formatBytes(peak))} at ${xml(when)}</text>`,
    );
  }

  // The legend, largest band first (the order of the stack), one entry per line in columns.
  const legendTop = TOP + PLOT_HEIGHT + 56;
  const perColumn = Math.max(1, Math.floor((width - 32) / 300));
  const legend = bands.map((key, i) => {
    const tag = bandName(key);
    const x = 16 + (i % perColumn) * 300;
    const y = legendTop + Math.floor(i / perColumn) * LEGEND_LINE;
    const name = cutText(tag, 28);
    const bytes = key === OTHER ? `${ranked.length - banded.length} tags` : `peak ${formatBytes(peakOf.get(key) ?? 0)}`;
    return (
      `<rect x="${x}" y="${y}" width="14" height="14" fill="${fills[i]}" stroke="#8a94a3"/>` +
      `<text x="${x + 20}" y="${y + 11}"><title>${xml(tag)}</title><tspan font-weight="600">${xml(name)}</tspan> ${xml(bytes)}</text>`
    );
  });
  const height = legendTop + Math.ceil(bands.length / perColumn) * LEGEND_LINE + 16;
  // The peak against the capacity of its moment: a grown pool's peak may pass the first block's.
  const peakCapacity = capacityAt(peakTime);
  const counts = `${events.length.toLocaleString('en-US')} acquires and releases; peak ${formatBytes(peak)}${peakCapacity === undefined ? '' : ` of ${formatBytes(peakCapacity)} (${((peak / peakCapacity) * 100).toFixed(1)}%)`}`;

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12" fill="#1f2933">`,
    '<title>dvpp-pool memory timeline</title>',
    `<rect class="background" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="28" font-size="16" font-weight="600">dvpp-pool memory timeline: live bytes by tag</text>`,
    ...(title === undefined ? [] : [`<text x="16" y="46">${xml(title)}</text>`]),
    `<text x="16" y="${title === undefined ? 46 : 62}">${xml(counts)}</text>`,
    ...axes,
    ...body,
    ...marks,
    ...legend,
    '</svg>',
    '',
  ].join('\n');
}
