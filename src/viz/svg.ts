// SPDX-License-Identifier: MIT
// snapshotToSVG: a pool snapshot drawn as an SVG memory map. The block is a bar in address
// order, wrapped into rows of equal byte spans; each segment's 128-aligned footprint is a rect
// coloured by its tag (the colour is a hash of the tag, so it is the same in every picture) and
// every free range a hatched grey rect; a legend and the stats follow. Pure: a string in, a
// string out, no DOM and no clock, so one snapshot always gives the same picture.

import { DVPP_ADDR_ALIGN, alignUp, footprint } from '../constants.js';
import { formatBytes, formatCount } from '../format.js';
import type { PoolSnapshot } from '../pool/snapshot.js';
import { invalidMessage, numberError, rejectUnknownKeys, requireOptions } from '../validate.js';
import { checkSnapshot } from './check.js';

/** Options of {@link snapshotToSVG}. */
export interface SvgOptions {
  /** Width of the picture in pixels, an integer in `[320, 10000]`. @defaultValue `960` */
  readonly width?: number | undefined;
  /** Rows the block is wrapped into, an integer in `[1, 256]`. @defaultValue `8` */
  readonly rows?: number | undefined;
  /** A line shown under the heading, e.g. how the snapshot was taken. @defaultValue none */
  readonly title?: string | undefined;
}

/** The legend's name for segments acquired without a tag. */
const UNTAGGED = '(untagged)';

const MARGIN = 16;
const LABEL_WIDTH = 72;
const ROW_HEIGHT = 28;
const ROW_GAP = 8;
const LEGEND_LINE = 20;
const LEGEND_COLUMN = 460;
const UNTAGGED_COLOUR = '#7a869a';
/** A thin light edge, so neighbouring segments of one tag stay apart. */
const SEGMENT_EDGE = ' stroke="#ffffff" stroke-opacity="0.7" stroke-width="0.5"';

/**
 * Characters XML 1.0 forbids anywhere in a document, even as a character reference (its `Char`
 * production): C0 controls but tab, LF and CR; U+FFFE and U+FFFF; and, since the `u` flag matches
 * whole code points, only surrogates without their other half.
 */
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/gu;

/**
 * Escapes text for an XML text node or a double-quoted attribute; a character XML cannot hold
 * becomes U+FFFD, the replacement character, so the document stays well-formed.
 */
function xml(text: string): string {
  return text.replace(NOT_XML_CHAR, '\uFFFD').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A coordinate with at most two decimals and no trailing zeros. */
function px(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** FNV-1a, 32 bits: a cheap, stable hash so a tag keeps its colour from picture to picture. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The colour of `tag`: hue from the hash, saturation and lightness varied by other hash bits. */
function tagColour(tag: string | undefined): string {
  if (tag === undefined) return UNTAGGED_COLOUR;
  const h = hash(tag);
  return `hsl(${h % 360} ${55 + ((h >>> 9) % 4) * 8}% ${40 + ((h >>> 13) % 4) * 6}%)`;
}

function intOption(name: string, value: unknown, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw numberError(name, `integer in [${min}, ${max}]`, value);
  }
  return value;
}

interface LegendEntry {
  readonly name: string;
  readonly fill: string;
  count: number;
  bytes: number;
}

/**
 * Draws `snapshot` (what `pool.snapshot()` returns, or the same read back from JSON) as an SVG
 * memory map: one `<rect>` per segment piece (a segment crossing a row break gets one per row),
 * each with a `<title>` tooltip naming its tag, offset and size; hatched rects for free ranges;
 * a legend of tags with their segment counts and bytes; the pool's stats in the heading.
 * @returns a complete SVG document (UTF-8 text, starting with `<svg`).
 * @throws {TypeError} `snapshot` is not a pool snapshot (the message names the bad field), or a bad option.
 * @throws {RangeError} an option out of range.
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * writeFileSync('pool.svg', snapshotToSVG(pool.snapshot(), { title: 'after warm-up' }));
 * ```
 */
export function snapshotToSVG(snapshot: PoolSnapshot, options: SvgOptions = {}): string {
  const { capacity, segments, freeRanges, stats, baseAddress } = checkSnapshot(snapshot);
  const opts = requireOptions('options', options);
  rejectUnknownKeys('options', opts, ['width', 'rows', 'title']);
  const width = intOption('options.width', opts['width'], 320, 10_000, 960);
  const rows = intOption('options.rows', opts['rows'], 1, 256, 8);
  const title = opts['title'];
  if (title !== undefined && typeof title !== 'string') throw new TypeError(invalidMessage('options.title', 'string', title));

  // Whole granules per row, so row breaks fall on addresses a segment could start at.
  const rowBytes = alignUp(Math.ceil(capacity / rows), DVPP_ADDR_ALIGN);
  const usedRows = Math.ceil(capacity / rowBytes);
  const barWidth = width - 2 * MARGIN - LABEL_WIDTH;
  const headingLines = title === undefined ? 2 : 3;
  const barTop = MARGIN + 22 + headingLines * 18;
  const rowTop = (row: number): number => barTop + row * (ROW_HEIGHT + ROW_GAP);
  const xOf = (bytes: number): number => MARGIN + LABEL_WIDTH + (bytes / rowBytes) * barWidth;

  const body: string[] = [];
  /** One rect per row the range [start, end) crosses; segments get at least a hairline. */
  const drawRange = (start: number, end: number, fill: string, tooltip: string, kind: string): void => {
    for (let row = Math.floor(start / rowBytes); row * rowBytes < end; row++) {
      const from = Math.max(start, row * rowBytes) - row * rowBytes;
      const to = Math.min(end, (row + 1) * rowBytes) - row * rowBytes;
      const w = Math.max((to - from) / rowBytes * barWidth, kind === 'segment' ? 0.75 : 0);
      body.push(
        `<rect class="${kind}" x="${px(xOf(from))}" y="${rowTop(row)}" width="${px(w)}" height="${ROW_HEIGHT}" fill="${fill}"${kind === 'segment' ? SEGMENT_EDGE : ''}><title>${xml(tooltip)}</title></rect>`,
      );
    }
  };

  const free: LegendEntry = { name: 'free', fill: 'url(#free)', count: 0, bytes: 0 };
  let largestFree = 0;
  for (const range of freeRanges) {
    free.count++;
    free.bytes += range.size;
    largestFree = Math.max(largestFree, range.size);
    drawRange(range.offset, range.offset + range.size, free.fill, `free: ${formatBytes(range.size)} at offset ${range.offset}`, 'free');
  }
  const byTag = new Map<string, LegendEntry>();
  for (const segment of segments) {
    const name = segment.tag ?? UNTAGGED;
    let entry = byTag.get(name);
    if (entry === undefined) {
      entry = { name, fill: tagColour(segment.tag), count: 0, bytes: 0 };
      byTag.set(name, entry);
    }
    const taken = footprint(segment.length);
    entry.count++;
    entry.bytes += taken;
    const tooltip = `${name}: ${formatBytes(taken)} at offset ${segment.offset} (length ${segment.length}, size ${segment.size})`;
    drawRange(segment.offset, segment.offset + taken, entry.fill, tooltip, 'segment');
  }

  const rowLines: string[] = [];
  for (let row = 0; row < usedRows; row++) {
    const span = Math.min(rowBytes, capacity - row * rowBytes);
    const y = rowTop(row);
    rowLines.push(
      `<text class="offset" x="${MARGIN + LABEL_WIDTH - 8}" y="${y + ROW_HEIGHT / 2 + 4}" text-anchor="end">${xml(formatBytes(row * rowBytes))}</text>`,
      `<rect class="row" x="${MARGIN + LABEL_WIDTH}" y="${y}" width="${px((span / rowBytes) * barWidth)}" height="${ROW_HEIGHT}" fill="none" stroke="#8a94a3"/>`,
    );
  }

  // Largest users first; free last, so the eye finds the tags before the gaps.
  const entries = [...byTag.values()].sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
  entries.push(free);
  const columns = Math.max(1, Math.floor((width - 2 * MARGIN) / LEGEND_COLUMN));
  const legendTop = rowTop(usedRows) + 12;
  const legend = entries.map((entry, index) => {
    const x = MARGIN + (index % columns) * LEGEND_COLUMN;
    const y = legendTop + Math.floor(index / columns) * LEGEND_LINE;
    const what =
      entry === free
        ? `${formatCount(entry.count)} ranges, ${formatBytes(entry.bytes)} (largest ${formatBytes(largestFree)})`
        : `${formatCount(entry.count)} segment${entry.count === 1 ? '' : 's'}, ${formatBytes(entry.bytes)}`;
    return (
      `<rect class="swatch" x="${x}" y="${y}" width="14" height="14" fill="${entry.fill}" stroke="#8a94a3"/>` +
      `<text x="${x + 20}" y="${y + 11}"><tspan font-weight="600">${xml(entry.name)}</tspan> ${xml(what)}</text>`
    );
  });
  const height = legendTop + Math.ceil(entries.length / columns) * LEGEND_LINE + MARGIN;

  const percent = (bytes: number): string => `${((bytes / capacity) * 100).toFixed(1)}%`;
  const heading = [
    `<text x="${MARGIN}" y="${MARGIN + 16}" font-size="16" font-weight="600">dvpp-pool memory map: ${xml(formatBytes(capacity))} at ${xml(baseAddress)}</text>`,
    ...(title === undefined ? [] : [`<text x="${MARGIN}" y="${MARGIN + 36}">${xml(title)}</text>`]),
    `<text x="${MARGIN}" y="${barTop - 26}">used ${xml(formatBytes(stats.usedBytes))} (${percent(stats.usedBytes)}), peak ${xml(formatBytes(stats.peakUsedBytes))} (${percent(stats.peakUsedBytes)}), largest free range ${xml(formatBytes(stats.largestFreeRange))}</text>`,
    `<text x="${MARGIN}" y="${barTop - 8}">${formatCount(stats.liveSegments)} live segments; ${formatCount(stats.acquires)} acquires, ${formatCount(stats.releases)} releases, ${formatCount(stats.failures)} failures, ${formatCount(stats.waiting)} waiting</text>`,
  ];

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12" fill="#1f2933">`,
    `<title>dvpp-pool memory map</title>`,
    '<defs><pattern id="free" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#eef0f3"/><line x1="0" y1="0" x2="0" y2="6" stroke="#c3c9d2" stroke-width="2"/></pattern></defs>',
    `<rect class="background" width="${width}" height="${height}" fill="#ffffff"/>`,
    ...heading,
    ...body,
    ...rowLines,
    ...legend,
    '</svg>',
    '',
  ].join('\n');
}
