// SPDX-License-Identifier: MIT
// snapshotToSVG: a pool snapshot drawn as an SVG memory map. Each block is a band: a bar in
// address order, wrapped into rows of one byte span for the whole picture (so equal widths are
// equal bytes in every band), each row labelled with its address and its offset in the block, and
// a header line naming the block when there are several. Each segment's 128-aligned footprint is
// a rect coloured by its tag (palette.ts: colour-blind safe colours in order of first appearance,
// a family of tags in shades of one hue) and every free range a hatched grey rect; one legend for
// all blocks and the pool's stats, fragmentation included, follow. Pure: a string in, a string
// out, no DOM and no clock, so one snapshot always gives the same picture.

import { DVPP_ADDR_ALIGN, alignUp, footprint } from '../constants.js';
import { cutText, formatBytes, formatCount } from '../format.js';
import type { PoolSnapshot, SnapshotBlock } from '../pool/snapshot.js';
import { invalidMessage, numberError, rejectUnknownKeys, requireOptions } from '../validate.js';
import { checkSnapshot } from './check.js';
import { DEFAULT_PALETTE, TagColours, parsePalette } from './palette.js';
import { px, xml } from './xml.js';

/** Options of {@link snapshotToSVG}. */
export interface SvgOptions {
  /** Width of the picture in pixels, an integer in `[320, 10000]`. @defaultValue `960` */
  readonly width?: number | undefined;
  /**
   * Rows the largest block is wrapped into, an integer in `[1, 256]`; every band's rows span the
   * same bytes, so a smaller block takes fewer. @defaultValue `8`
   */
  readonly rows?: number | undefined;
  /** A line shown under the heading, e.g. how the snapshot was taken. @defaultValue none */
  readonly title?: string | undefined;
  /**
   * Tag colours, 1 to 64 `#rrggbb` strings, handed out in order of first appearance (tags of one
   * family, the text before a space or colon, share one in shades). @defaultValue Paul Tol's
   * colour-blind safe "muted" scheme (9 colours)
   */
  readonly palette?: readonly string[] | undefined;
}

/** The legend's name for segments acquired without a tag. */
const UNTAGGED = '(untagged)';

const MARGIN = 16;
/** Room for a row's hex address (up to 0x + 12 digits at 11 px) and its offset. */
const LABEL_WIDTH = 112;
const ROW_HEIGHT = 28;
const ROW_GAP = 8;
/** A band's header line, above its rows. */
const BAND_HEADER = 20;
/** Extra space between two bands. */
const BAND_GAP = 12;
const LEGEND_LINE = 20;
const LEGEND_COLUMN = 480;
/**
 * Characters of a tag the legend shows; a longer one is cut with an ellipsis (its `<title>` has it
 * whole). With the widest figures ("1,234,567 segments, 1023.9 MiB") a column's text of average
 * letters stays inside LEGEND_COLUMN at 12 px; each column is also clipped at its right edge, so
 * even a run of wide letters (W, m) never draws over the next column.
 */
export const LEGEND_NAME_CHARS = 28;
const UNTAGGED_COLOUR = '#7a869a';
/** A thin light edge, so neighbouring segments of one tag stay apart. */
const SEGMENT_EDGE = ' stroke="#ffffff" stroke-opacity="0.7" stroke-width="0.5"';

function intOption(name: string, value: unknown, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw numberError(name, `integer in [${min}, ${max}]`, value);
  }
  return value;
}

/** One block's band: where its rows start, how many, and its figures as the ranges are drawn. */
interface Band {
  readonly block: SnapshotBlock;
  /** y of its first row. */
  readonly top: number;
  readonly rows: number;
  usedBytes: number;
  freeRanges: number;
  largestFree: number;
}

interface LegendEntry {
  readonly name: string;
  readonly fill: string;
  count: number;
  bytes: number;
}

/**
 * Draws `snapshot` (what `pool.snapshot()` returns, or the same read back from JSON) as an SVG
 * memory map: each block a band of rows (with a header line naming the block, its base, size and
 * use when there are several); one `<rect>` per segment piece (a segment crossing a row break gets
 * one per row), each with a `<title>` tooltip naming its tag, block, offset and size; hatched rects
 * for free ranges; one legend of tags with their segment counts and bytes; the pool's stats in
 * the heading.
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
  const { capacity, blocks, segments, freeRanges, stats, baseAddress } = checkSnapshot(snapshot);
  const opts = requireOptions('options', options);
  rejectUnknownKeys('options', opts, ['width', 'rows', 'title', 'palette']);
  const width = intOption('options.width', opts['width'], 320, 10_000, 960);
  const rows = intOption('options.rows', opts['rows'], 1, 256, 8);
  const title = opts['title'];
  if (title !== undefined && typeof title !== 'string') throw new TypeError(invalidMessage('options.title', 'string', title));
  const paletteOption = opts['palette'];
  const colours = new TagColours(paletteOption === undefined ? DEFAULT_PALETTE : parsePalette('options.palette', paletteOption));
  // One block needs no header of its own: the heading names it.
  const banded = blocks.length > 1;

  // Whole granules per row, so row breaks fall on addresses a segment could start at; the
  // largest block takes `rows` rows, a smaller one fewer.
  const largestBlock = blocks.reduce((largest, block) => Math.max(largest, block.size), 0);
  const rowBytes = alignUp(Math.ceil(largestBlock / rows), DVPP_ADDR_ALIGN);
  const barWidth = width - 2 * MARGIN - LABEL_WIDTH;
  const headingLines = title === undefined ? 2 : 3;
  const barTop = MARGIN + 22 + headingLines * 18;
  const xOf = (bytes: number): number => MARGIN + LABEL_WIDTH + (bytes / rowBytes) * barWidth;
  const bands = new Map<number, Band>();
  let bandTop = barTop;
  for (const block of blocks) {
    if (bands.size > 0) bandTop += BAND_GAP;
    const band: Band = { block, top: bandTop + (banded ? BAND_HEADER : 0), rows: Math.ceil(block.size / rowBytes), usedBytes: 0, freeRanges: 0, largestFree: 0 };
    bands.set(block.index, band);
    bandTop = band.top + band.rows * (ROW_HEIGHT + ROW_GAP);
  }
  const rowTop = (band: Band, row: number): number => band.top + row * (ROW_HEIGHT + ROW_GAP);

  const body: string[] = [];
  /** One rect per row of `band` the range [start, end) crosses; segments get at least a hairline. */
  const drawRange = (band: Band, start: number, end: number, fill: string, tooltip: string, kind: string): void => {
    for (let row = Math.floor(start / rowBytes); row * rowBytes < end; row++) {
      const from = Math.max(start, row * rowBytes) - row * rowBytes;
      const to = Math.min(end, (row + 1) * rowBytes) - row * rowBytes;
      const w = Math.max((to - from) / rowBytes * barWidth, kind === 'segment' ? 0.75 : 0);
      body.push(
        `<rect class="${kind}" x="${px(xOf(from))}" y="${rowTop(band, row)}" width="${px(w)}" height="${ROW_HEIGHT}" fill="${fill}"${kind === 'segment' ? SEGMENT_EDGE : ''}><title>${xml(tooltip)}</title></rect>`,
      );
    }
  };
  // checkSnapshot proved every range names a listed block.
  const bandOf = (block: number): Band => bands.get(block) as Band;

  const free: LegendEntry = { name: 'free', fill: 'url(#free)', count: 0, bytes: 0 };
  let largestFree = 0;
  for (const range of freeRanges) {
    const band = bandOf(range.block);
    band.freeRanges++;
    band.largestFree = Math.max(band.largestFree, range.size);
    largestFree = Math.max(largestFree, range.size);
    free.count++;
    free.bytes += range.size;
    drawRange(band, range.offset, range.offset + range.size, free.fill, `free: ${formatBytes(range.size)} at offset ${range.offset} of block ${range.block}`, 'free');
  }
  const byTag = new Map<string, LegendEntry>();
  for (const segment of segments) {
    const name = segment.tag ?? UNTAGGED;
    let entry = byTag.get(name);
    if (entry === undefined) {
      entry = { name, fill: segment.tag === undefined ? UNTAGGED_COLOUR : colours.of(segment.tag), count: 0, bytes: 0 };
      byTag.set(name, entry);
    }
    const taken = footprint(segment.length);
    const band = bandOf(segment.block);
    band.usedBytes += taken;
    entry.count++;
    entry.bytes += taken;
    const tooltip = `${name}: ${formatBytes(taken)} at offset ${segment.offset} of block ${segment.block} (length ${segment.length}, size ${segment.size})`;
    drawRange(band, segment.offset, segment.offset + taken, entry.fill, tooltip, 'segment');
  }

  const rowLines: string[] = [];
  for (const band of bands.values()) {
    const { block } = band;
    if (banded) {
      const share = `${((band.usedBytes / block.size) * 100).toFixed(1)}%`;
      const freeBytes = block.size - band.usedBytes;
      rowLines.push(
        `<text class="band" x="${MARGIN}" y="${band.top - 6}"><tspan font-weight="600">block ${block.index}</tspan> at ${xml(block.baseAddress)}: ${xml(formatBytes(block.size))}, ` +
          `used ${xml(formatBytes(band.usedBytes))} (${share}), free ${xml(formatBytes(freeBytes))} in ${formatCount(band.freeRanges)} range${band.freeRanges === 1 ? '' : 's'} (largest ${xml(formatBytes(band.largestFree))})</text>`,
      );
    }
    const base = BigInt(block.baseAddress);
    for (let row = 0; row < band.rows; row++) {
      const span = Math.min(rowBytes, block.size - row * rowBytes);
      const y = rowTop(band, row);
      const address = `0x${(base + BigInt(row * rowBytes)).toString(16)}`;
      rowLines.push(
        `<text class="address" x="${MARGIN + LABEL_WIDTH - 8}" y="${y + 12}" text-anchor="end" font-size="11" font-family="ui-monospace, 'DejaVu Sans Mono', monospace">${address}</text>`,
        `<text class="offset" x="${MARGIN + LABEL_WIDTH - 8}" y="${y + 25}" text-anchor="end" font-size="10" fill="#52606d">+${xml(formatBytes(row * rowBytes))}</text>`,
        `<rect class="row" x="${MARGIN + LABEL_WIDTH}" y="${y}" width="${px((span / rowBytes) * barWidth)}" height="${ROW_HEIGHT}" fill="none" stroke="#8a94a3"/>`,
      );
    }
  }

  // Largest users first; free last, so the eye finds the tags before the gaps.
  const entries = [...byTag.values()].sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
  entries.push(free);
  const columns = Math.max(1, Math.floor((width - 2 * MARGIN) / LEGEND_COLUMN));
  const legendTop = bandTop + 12;
  const legend = entries.map((entry, index) => {
    const x = MARGIN + (index % columns) * LEGEND_COLUMN;
    const y = legendTop + Math.floor(index / columns) * LEGEND_LINE;
    const what =
      entry === free
        ? `${formatCount(entry.count)} range${entry.count === 1 ? '' : 's'}, ${formatBytes(entry.bytes)} (largest ${formatBytes(largestFree)})`
        : `${formatCount(entry.count)} segment${entry.count === 1 ? '' : 's'}, ${formatBytes(entry.bytes)}`;
    const shown = cutText(entry.name, LEGEND_NAME_CHARS);
    const full = shown === entry.name ? '' : `<title>${xml(entry.name)}</title>`;
    return (
      `<rect class="swatch" x="${x}" y="${y}" width="14" height="14" fill="${entry.fill}" stroke="#8a94a3"/>` +
      `<text class="legend" x="${x + 20}" y="${y + 11}" clip-path="url(#legend-column-${index % columns})">${full}<tspan font-weight="600">${xml(shown)}</tspan> ${xml(what)}</text>`
    );
  });
  const height = legendTop + Math.ceil(entries.length / columns) * LEGEND_LINE + MARGIN;
  // One clip per legend column: its text ends 8 px before the next column's swatch.
  const legendClips = Array.from(
    { length: columns },
    (_, column) =>
      `<clipPath id="legend-column-${column}"><rect x="${MARGIN + column * LEGEND_COLUMN}" y="${legendTop - 4}" width="${LEGEND_COLUMN - 8}" height="${height - legendTop}"/></clipPath>`,
  ).join('');

  const percent = (bytes: number): string => `${((bytes / capacity) * 100).toFixed(1)}%`;
  // The share of free bytes outside the largest free range: 0 when the free space is one range.
  const fragmentation = stats.freeBytes === 0 ? 0 : Math.max(0, 1 - stats.largestFreeRange / stats.freeBytes);
  // A pool that never grew (most) shows no growth figures.
  const growth =
    stats.grows + stats.growFailures + stats.trims === 0
      ? ''
      : `; ${formatCount(stats.grows)} grows, ${formatCount(stats.growFailures)} growth failures, ${formatCount(stats.trims)} trims`;
  const heading = [
    `<text x="${MARGIN}" y="${MARGIN + 16}" font-size="16" font-weight="600">dvpp-pool memory map: ${xml(formatBytes(capacity))} ${banded ? `in ${formatCount(blocks.length)} blocks, the first ` : ''}at ${xml(baseAddress)}</text>`,
    ...(title === undefined ? [] : [`<text x="${MARGIN}" y="${MARGIN + 36}">${xml(title)}</text>`]),
    `<text x="${MARGIN}" y="${barTop - 26}">used ${xml(formatBytes(stats.usedBytes))} (${percent(stats.usedBytes)}), peak ${xml(formatBytes(stats.peakUsedBytes))} (${percent(stats.peakUsedBytes)}), largest free range ${xml(formatBytes(stats.largestFreeRange))}, fragmentation ${(fragmentation * 100).toFixed(1)}% (free bytes outside it)</text>`,
    `<text x="${MARGIN}" y="${barTop - 8}">${formatCount(stats.liveSegments)} live segments; ${formatCount(stats.acquires)} acquires, ${formatCount(stats.releases)} releases, ${formatCount(stats.failures)} failures, ${formatCount(stats.waiting)} waiting${growth}</text>`,
  ];

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12" fill="#1f2933">`,
    `<title>dvpp-pool memory map</title>`,
    `<defs><pattern id="free" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#eef0f3"/><line x1="0" y1="0" x2="0" y2="6" stroke="#c3c9d2" stroke-width="2"/></pattern>${legendClips}</defs>`,
    `<rect class="background" width="${width}" height="${height}" fill="#ffffff"/>`,
    ...heading,
    ...body,
    ...rowLines,
    ...legend,
    '</svg>',
    '',
  ].join('\n');
}
