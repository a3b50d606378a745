// SPDX-License-Identifier: MIT
// Checks that a value read from JSON is a pool snapshot before anything draws it, and returns a
// copy built from the values it checked (each field is read once, so a getter cannot show the
// check one value and the drawing another). Every field of PoolSnapshot must be present with the
// right type, and stats.statsVersion must be STATS_VERSION. The blocks: at least one, the first
// being block 0 (never trimmed) at `baseAddress`, indexes strictly increasing, each base 128-aligned
// and each size a multiple of 128 up to the DVPP limit, `capacity` their sum. Sizes, offsets and
// stats whole non-negative numbers, each segment's size segmentSize(length); both lists grouped by
// block in slot order and in address order within a block; every range naming a listed block and
// inside it; in each block, segment footprints and free ranges covering it exactly, no two
// overlapping. The first breach throws a TypeError (for every kind of breach, numbers out of range
// included) naming the field's path, e.g. `snapshot.segments[3].offset`.

import { DVPP_ADDR_ALIGN, DVPP_MAX_BLOCK_BYTES, footprint, segmentSize } from '../constants.js';
import type { PoolSnapshot, SnapshotBlock, SnapshotFreeRange, SnapshotSegment } from '../pool/snapshot.js';
import { MAX_TAGS, type PoolStats, STATS_VERSION, type TagStats } from '../pool-stats.js';
import { invalidMessage } from '../validate.js';

/** The figures of a {@link STATS_VERSION} shape that are whole non-negative numbers. */
const WHOLE_FIGURES = [
  'capacity',
  'usedBytes',
  'requestedBytes',
  'freeBytes',
  'peakUsedBytes',
  'liveSegments',
  'peakLiveSegments',
  'largestFreeRange',
  'acquires',
  'releases',
  'acquiredBytesTotal',
  'releasedBytesTotal',
  'failures',
  'resets',
  'waiting',
  'peakWaiting',
  'waits',
  'timeouts',
  'aborts',
  'blocks',
  'grows',
  'growFailures',
  'trims',
] as const;
/** The figures that are milliseconds: finite, non-negative, fractional. */
const MS_FIGURES = ['waitMsTotal', 'waitMsMax'] as const;
const TAG_FIGURES = ['liveBytes', 'liveSegments', 'peakBytes'] as const;
// Fails to compile when PoolStats gains a figure the lists above lack.
type Listed = 'statsVersion' | 'tags' | 'otherTags' | (typeof WHOLE_FIGURES)[number] | (typeof MS_FIGURES)[number];
const LISTS_EVERY_FIGURE: [Exclude<keyof PoolStats, Listed>] extends [never] ? true : never = true;
void LISTS_EVERY_FIGURE;

function requireRecord(name: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(invalidMessage(name, 'an object', value));
  return value as Record<string, unknown>;
}

function requireArray(name: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new TypeError(invalidMessage(name, 'an array', value));
  return value;
}

/** An integer in `[min, max]`; anything else, a number out of range included, is a TypeError. */
function requireWhole(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const what = max === Number.MAX_SAFE_INTEGER ? (min === 0 ? 'non-negative safe integer' : 'positive safe integer') : `integer in [${min}, ${max}]`;
    throw new TypeError(invalidMessage(name, what, value));
  }
  return value;
}

/** A range of either list: the path that names it, its block, and the bytes it takes there, [start, end). */
interface Placed {
  readonly name: string;
  readonly block: number;
  readonly start: number;
  readonly end: number;
}

/** `requireWhole`, and a multiple of the 128-byte granule: every offset and range a pool reports is one. */
function requireGranules(name: string, value: unknown, min: number, max?: number): number {
  const whole = requireWhole(name, value, min, max);
  if (whole % DVPP_ADDR_ALIGN !== 0) throw new TypeError(invalidMessage(name, `multiple of ${DVPP_ADDR_ALIGN}`, whole));
  return whole;
}

function requireHexAddress(name: string, value: unknown): string {
  if (typeof value !== 'string' || !/^0x[0-9a-f]+$/.test(value)) throw new TypeError(invalidMessage(name, "'0x' and lowercase hex digits", value));
  return value;
}

/** A copy of the blocks list, checked: block 0 first (a pool never trims it), then strictly increasing slots. */
function checkBlocks(name: string, list: unknown[]): SnapshotBlock[] {
  if (list.length === 0) throw new TypeError(`${name} lists no block; a pool has at least its first, block 0`);
  const blocks: SnapshotBlock[] = [];
  let previous: SnapshotBlock | undefined;
  for (let position = 0; position < list.length; position++) {
    const at = `${name}[${position}]`;
    const record = requireRecord(at, list[position]);
    const index = requireWhole(`${at}.index`, record['index'], 0);
    if (previous === undefined && index !== 0) throw new TypeError(invalidMessage(`${at}.index`, '0 (the first block, which a pool never trims)', index));
    if (previous !== undefined && index <= previous.index) {
      throw new TypeError(`${at}.index is ${index}, not above the ${previous.index} listed before it (blocks are listed once each, by slot)`);
    }
    const baseAddress = requireHexAddress(`${at}.baseAddress`, record['baseAddress']);
    if (BigInt(baseAddress) % BigInt(DVPP_ADDR_ALIGN) !== 0n) throw new TypeError(invalidMessage(`${at}.baseAddress`, `address that is a multiple of ${DVPP_ADDR_ALIGN}`, baseAddress));
    const size = requireGranules(`${at}.size`, record['size'], DVPP_ADDR_ALIGN, DVPP_MAX_BLOCK_BYTES);
    previous = { index, baseAddress, size };
    blocks.push(previous);
  }
  return blocks;
}

/**
 * Checks one list (segments or free ranges): every range in a block `sizes` lists and inside it,
 * the list grouped by block in slot order and in address order within a block; returns each
 * range's place. Overlaps and gaps, within and across the lists, are found afterwards.
 */
function placeRanges<T extends { readonly block: number; readonly offset: number }>(
  name: string,
  list: unknown[],
  sizes: ReadonlyMap<number, number>,
  read: (at: string, range: Record<string, unknown>) => T,
  extent: (item: T) => number,
): { items: T[]; placed: Placed[] } {
  const items: T[] = [];
  const placed: Placed[] = [];
  let block = -1;
  let start = 0;
  // An index loop, not forEach: a hole in the array is a missing range, not one to skip.
  for (let index = 0; index < list.length; index++) {
    const at = `${name}[${index}]`;
    const item = read(at, requireRecord(at, list[index]));
    const size = sizes.get(item.block);
    if (size === undefined) throw new TypeError(`${at}.block is ${item.block}, a block the snapshot's blocks do not list`);
    if (item.block < block) throw new TypeError(`${at} is in block ${item.block}, after a range of block ${block} (lists are grouped by block, in slot order)`);
    if (item.block > block) {
      block = item.block;
      start = 0;
    }
    if (item.offset < start) throw new TypeError(`${at} starts at ${item.offset}, before the range listed before it at ${start} (lists are in address order within a block)`);
    start = item.offset;
    const end = item.offset + extent(item);
    if (end > size) throw new TypeError(`${at} ends at ${end}, past the end of block ${item.block} (${size} bytes)`);
    items.push(item);
    placed.push({ name: at, block: item.block, start: item.offset, end });
  }
  return { items, placed };
}

/**
 * Throws if two ranges of a block overlap, or if its ranges leave some of its bytes uncovered.
 * Both lists are grouped by block in slot order and in address order within it, so one merge of
 * the two walks each block from offset 0. An overlap anywhere is named before any gap.
 */
function requireExactCover(name: string, blocks: readonly SnapshotBlock[], a: readonly Placed[], b: readonly Placed[]): void {
  let gap: string | undefined;
  let i = 0;
  let j = 0;
  blocks.forEach((block, position) => {
    const uncovered = (from: number, to: number): string => `${name}[${position}] (block ${block.index}) has bytes [${from}, ${to}) that no segment or free range covers`;
    // The range reaching furthest so far in this block: any start below its end overlaps it.
    let previous: Placed | undefined;
    for (;;) {
      const x = a[i];
      const y = b[j];
      let next: Placed;
      if (x?.block === block.index && (y?.block !== block.index || x.start <= y.start)) {
        next = x;
        i++;
      } else if (y?.block === block.index) {
        next = y;
        j++;
      } else {
        break;
      }
      const reach = previous?.end ?? 0;
      if (previous !== undefined && next.start < reach) {
        throw new TypeError(`${next.name} [${next.start}, ${next.end}) overlaps ${previous.name} [${previous.start}, ${previous.end})`);
      }
      if (next.start > reach) gap ??= uncovered(reach, next.start);
      if (next.end > reach) previous = next;
    }
    const reach = previous?.end ?? 0;
    if (reach < block.size) gap ??= uncovered(reach, block.size);
  });
  if (gap !== undefined) throw new TypeError(`${gap} (in each block, segment footprints and free ranges cover it exactly)`);
}

/**
 * Returns a copy of `value` as a {@link PoolSnapshot} once it has checked that it is one.
 * @param name - how error messages call the value. @defaultValue `'snapshot'`
 * @throws {TypeError} naming the first missing or malformed field, the two ranges that overlap, or the bytes no range covers.
 */
export function checkSnapshot(value: unknown, name = 'snapshot'): PoolSnapshot {
  const snapshot = requireRecord(name, value);
  const capacity = requireGranules(`${name}.capacity`, snapshot['capacity'], DVPP_ADDR_ALIGN);
  const baseAddress = requireHexAddress(`${name}.baseAddress`, snapshot['baseAddress']);
  const blocks = checkBlocks(`${name}.blocks`, requireArray(`${name}.blocks`, snapshot['blocks']));
  const first = blocks[0] as SnapshotBlock;
  if (baseAddress !== first.baseAddress) throw new TypeError(invalidMessage(`${name}.baseAddress`, `${name}.blocks[0].baseAddress = ${first.baseAddress}`, baseAddress));
  const total = blocks.reduce((sum, block) => sum + block.size, 0);
  if (capacity !== total) throw new TypeError(invalidMessage(`${name}.capacity`, `the sum of the blocks' sizes = ${total}`, capacity));
  const sizes = new Map(blocks.map((block) => [block.index, block.size]));
  const readBlock = (at: string, range: Record<string, unknown>): number => requireWhole(`${at}.block`, range['block'], 0);
  // A segment takes its size rounded up to the 128-byte granule; a free range is listed as taken.
  const segments = placeRanges(
    `${name}.segments`,
    requireArray(`${name}.segments`, snapshot['segments']),
    sizes,
    (at, range): SnapshotSegment => {
      const block = readBlock(at, range);
      const offset = requireGranules(`${at}.offset`, range['offset'], 0);
      const size = requireWhole(`${at}.size`, range['size'], 1);
      const length = requireWhole(`${at}.length`, range['length'], 0);
      if (size !== segmentSize(length)) throw new TypeError(invalidMessage(`${at}.size`, `segmentSize(${at}.length) = ${segmentSize(length)}`, size));
      const tag = range['tag'];
      if (tag === undefined) return { block, offset, size, length };
      if (typeof tag !== 'string') throw new TypeError(invalidMessage(`${at}.tag`, 'string', tag));
      return { block, offset, size, length, tag };
    },
    (segment) => footprint(segment.length),
  );
  const freeRanges = placeRanges(
    `${name}.freeRanges`,
    requireArray(`${name}.freeRanges`, snapshot['freeRanges']),
    sizes,
    (at, range): SnapshotFreeRange => ({
      block: readBlock(at, range),
      offset: requireGranules(`${at}.offset`, range['offset'], 0),
      size: requireGranules(`${at}.size`, range['size'], DVPP_ADDR_ALIGN),
    }),
    (range) => range.size,
  );
  requireExactCover(`${name}.blocks`, blocks, segments.placed, freeRanges.placed);
  const statsRecord = requireRecord(`${name}.stats`, snapshot['stats']);
  // Another shape may name its fields otherwise (version 1 called largestFreeRange largestFreeBlock).
  const statsVersion = statsRecord['statsVersion'];
  if (statsVersion !== STATS_VERSION) {
    throw new TypeError(invalidMessage(`${name}.stats.statsVersion`, `${STATS_VERSION} (the STATS_VERSION this dvpp-pool reads)`, statsVersion));
  }
  const stats = checkStats(`${name}.stats`, statsRecord);
  if (stats.capacity !== capacity) throw new TypeError(invalidMessage(`${name}.stats.capacity`, `${name}.capacity = ${capacity}`, stats.capacity));
  if (stats.blocks !== blocks.length) throw new TypeError(invalidMessage(`${name}.stats.blocks`, `the ${blocks.length} blocks ${name}.blocks lists`, stats.blocks));
  return { capacity, baseAddress, blocks, segments: segments.items, freeRanges: freeRanges.items, stats };
}

/** A copy of one tag's figures, checked. */
function checkTag(name: string, value: unknown): TagStats {
  const record = requireRecord(name, value);
  const tag: Partial<Record<keyof TagStats, number>> = {};
  for (const field of TAG_FIGURES) tag[field] = requireWhole(`${name}.${field}`, record[field], 0);
  return Object.freeze(tag as TagStats);
}

/** A copy of a snapshot's stats (their version checked by the caller), every figure checked. */
function checkStats(name: string, record: Record<string, unknown>): PoolStats {
  const figures: Record<string, number> = {};
  for (const field of WHOLE_FIGURES) figures[field] = requireWhole(`${name}.${field}`, record[field], 0);
  for (const field of MS_FIGURES) {
    const value = record[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new TypeError(invalidMessage(`${name}.${field}`, 'finite non-negative number', value));
    figures[field] = value;
  }
  const tagsRecord = requireRecord(`${name}.tags`, record['tags']);
  const names = Object.keys(tagsRecord);
  if (names.length > MAX_TAGS) throw new TypeError(invalidMessage(`${name}.tags`, `at most ${MAX_TAGS} tags`, `${names.length} tags`));
  const tags = Object.create(null) as Record<string, TagStats>;
  for (const tag of names) tags[tag] = checkTag(`${name}.tags[${JSON.stringify(tag)}]`, tagsRecord[tag]);
  const otherTags = checkTag(`${name}.otherTags`, record['otherTags']);
  return Object.freeze({ statsVersion: STATS_VERSION, ...(figures as Omit<PoolStats, 'statsVersion' | 'tags' | 'otherTags'>), tags: Object.freeze(tags), otherTags });
}
