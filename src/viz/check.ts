// SPDX-License-Identifier: MIT
// Checks that a value read from JSON is a pool snapshot before anything draws it, and returns a
// copy built from the values it checked (each field is read once, so a getter cannot show the
// check one value and the drawing another). Every field of PoolSnapshot must be present with the
// right type, and stats.statsVersion must be STATS_VERSION; capacity a whole number of bytes up to
// the DVPP limit; sizes, offsets and stats whole non-negative numbers, each segment's size
// segmentSize(length); both lists in ascending address order; no two ranges of either list
// overlapping; every range inside `capacity`. The first breach throws a TypeError (for every kind
// of breach, numbers out of range included) naming the field's path, e.g.
// `snapshot.segments[3].offset`.

import { DVPP_ADDR_ALIGN, DVPP_MAX_BLOCK_BYTES, footprint, segmentSize } from '../constants.js';
import type { PoolSnapshot, SnapshotFreeRange, SnapshotSegment } from '../pool/snapshot.js';
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

/** A range of either list, with the path that names it and the bytes it takes, [start, end). */
interface Placed {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

/**
 * Checks one list (segments or free ranges) in address order, every range inside `capacity`,
 * and returns each range's place; overlaps within and across the lists are found afterwards.
 */
function placeRanges<T extends { readonly offset: number; readonly size: number }>(
  name: string,
  list: unknown[],
  capacity: number,
  read: (at: string, range: Record<string, unknown>) => T,
  extent: (item: T) => number,
): { items: T[]; placed: Placed[] } {
  const items: T[] = [];
  const placed: Placed[] = [];
  let start = 0;
  // An index loop, not forEach: a hole in the array is a missing range, not one to skip.
  for (let index = 0; index < list.length; index++) {
    const at = `${name}[${index}]`;
    const item = read(at, requireRecord(at, list[index]));
    if (item.offset < start) throw new TypeError(`${at} starts at ${item.offset}, before the range listed before it at ${start} (lists are in address order)`);
    start = item.offset;
    const end = item.offset + extent(item);
    if (end > capacity) throw new TypeError(`${at} ends at ${end}, past the capacity ${capacity}`);
    items.push(item);
    placed.push({ name: at, start: item.offset, end });
  }
  return { items, placed };
}

/** Throws if any two ranges overlap; each list is already in address order, so one merge finds it. */
function rejectOverlaps(a: readonly Placed[], b: readonly Placed[]): void {
  let previous: Placed | undefined;
  let i = 0;
  let j = 0;
  for (;;) {
    const x = a[i];
    const y = b[j];
    let next: Placed;
    if (x !== undefined && (y === undefined || x.start <= y.start)) {
      next = x;
      i++;
    } else if (y !== undefined) {
      next = y;
      j++;
    } else {
      return;
    }
    // `previous` is the range reaching furthest so far: any start below its end overlaps it.
    if (previous !== undefined && next.start < previous.end) {
      throw new TypeError(`${next.name} [${next.start}, ${next.end}) overlaps ${previous.name} [${previous.start}, ${previous.end})`);
    }
    if (previous === undefined || next.end > previous.end) previous = next;
  }
}

/** `requireWhole`, and a multiple of the 128-byte granule: every offset and range a pool reports is one. */
function requireGranules(name: string, value: unknown, min: number, max?: number): number {
  const whole = requireWhole(name, value, min, max);
  if (whole % DVPP_ADDR_ALIGN !== 0) throw new TypeError(invalidMessage(name, `multiple of ${DVPP_ADDR_ALIGN}`, whole));
  return whole;
}

/**
 * Returns a copy of `value` as a {@link PoolSnapshot} once it has checked that it is one.
 * @param name - how error messages call the value. @defaultValue `'snapshot'`
 * @throws {TypeError} naming the first missing or malformed field, or the two ranges that overlap.
 */
export function checkSnapshot(value: unknown, name = 'snapshot'): PoolSnapshot {
  const snapshot = requireRecord(name, value);
  const capacity = requireGranules(`${name}.capacity`, snapshot['capacity'], DVPP_ADDR_ALIGN, DVPP_MAX_BLOCK_BYTES);
  const baseAddress = snapshot['baseAddress'];
  if (typeof baseAddress !== 'string' || !/^0x[0-9a-f]+$/.test(baseAddress)) {
    throw new TypeError(invalidMessage(`${name}.baseAddress`, "'0x' and lowercase hex digits", baseAddress));
  }
  // A segment takes its size rounded up to the 128-byte granule; a free range is listed as taken.
  const segments = placeRanges(
    `${name}.segments`,
    requireArray(`${name}.segments`, snapshot['segments']),
    capacity,
    (at, range): SnapshotSegment => {
      const offset = requireGranules(`${at}.offset`, range['offset'], 0);
      const size = requireWhole(`${at}.size`, range['size'], 1);
      const length = requireWhole(`${at}.length`, range['length'], 0);
      if (size !== segmentSize(length)) throw new TypeError(invalidMessage(`${at}.size`, `segmentSize(${at}.length) = ${segmentSize(length)}`, size));
      const tag = range['tag'];
      if (tag === undefined) return { offset, size, length };
      if (typeof tag !== 'string') throw new TypeError(invalidMessage(`${at}.tag`, 'string', tag));
      return { offset, size, length, tag };
    },
    (segment) => footprint(segment.length),
  );
  const freeRanges = placeRanges(
    `${name}.freeRanges`,
    requireArray(`${name}.freeRanges`, snapshot['freeRanges']),
    capacity,
    (at, range): SnapshotFreeRange => ({ offset: requireGranules(`${at}.offset`, range['offset'], 0), size: requireGranules(`${at}.size`, range['size'], DVPP_ADDR_ALIGN) }),
    (range) => range.size,
  );
  rejectOverlaps(segments.placed, freeRanges.placed);
  const statsRecord = requireRecord(`${name}.stats`, snapshot['stats']);
  // Another shape may name its fields otherwise (version 1 called largestFreeRange largestFreeBlock).
  const statsVersion = statsRecord['statsVersion'];
  if (statsVersion !== STATS_VERSION) {
    throw new TypeError(invalidMessage(`${name}.stats.statsVersion`, `${STATS_VERSION} (the STATS_VERSION this dvpp-pool reads)`, statsVersion));
  }
  const stats = checkStats(`${name}.stats`, statsRecord);
  if (stats.capacity !== capacity) throw new TypeError(invalidMessage(`${name}.stats.capacity`, `${name}.capacity = ${capacity}`, stats.capacity));
  return { capacity, baseAddress, segments: segments.items, freeRanges: freeRanges.items, stats };
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
