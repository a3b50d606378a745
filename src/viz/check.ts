// SPDX-License-Identifier: MIT
// Checks that a value read from JSON is a pool snapshot before anything draws it: every field
// of PoolSnapshot present with the right type, sizes and offsets whole non-negative numbers,
// both lists in ascending address order without overlap, and every range inside `capacity`.
// The first breach throws a TypeError naming the field's path, e.g. `snapshot.segments[3].offset`.

import type { PoolSnapshot } from '../pool/snapshot.js';
import type { PoolStats } from '../pool/stats.js';
import { invalidMessage, requireSafeInteger } from '../validate.js';

const STATS_FIELDS: readonly (keyof PoolStats)[] = [
  'statsVersion',
  'capacity',
  'usedBytes',
  'freeBytes',
  'peakUsedBytes',
  'liveSegments',
  'largestFreeBlock',
  'acquires',
  'releases',
  'failures',
  'resets',
  'waiting',
];

function requireRecord(name: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(invalidMessage(name, 'an object', value));
  return value as Record<string, unknown>;
}

function requireArray(name: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new TypeError(invalidMessage(name, 'an array', value));
  return value;
}

/** Checks `list` (segments or free ranges): offsets ascending, no overlap, all inside capacity. */
function checkRanges(name: string, list: unknown[], capacity: number, footprint: (size: number) => number): void {
  let end = 0;
  list.forEach((item, index) => {
    const at = `${name}[${index}]`;
    const range = requireRecord(at, item);
    const offset = requireSafeInteger(`${at}.offset`, range['offset'], 0);
    const size = requireSafeInteger(`${at}.size`, range['size'], 1);
    if (offset < end) throw new TypeError(`${at} starts at ${offset}, before the end ${end} of the range listed before it (lists are in address order)`);
    end = offset + footprint(size);
    if (end > capacity) throw new TypeError(`${at} ends at ${end}, past the capacity ${capacity}`);
  });
}

/**
 * Returns `value` typed as a {@link PoolSnapshot} once it has checked that it is one.
 * @param name - how error messages call the value. @defaultValue `'snapshot'`
 * @throws {TypeError} naming the first missing or malformed field.
 */
export function checkSnapshot(value: unknown, name = 'snapshot'): PoolSnapshot {
  const snapshot = requireRecord(name, value);
  const capacity = requireSafeInteger(`${name}.capacity`, snapshot['capacity'], 1);
  const base = snapshot['baseAddress'];
  if (typeof base !== 'string' || !/^0x[0-9a-f]+$/.test(base)) {
    throw new TypeError(invalidMessage(`${name}.baseAddress`, "'0x' and lowercase hex digits", base));
  }
  const segments = requireArray(`${name}.segments`, snapshot['segments']);
  // A segment takes its size rounded up to the 128-byte granule; a free range is listed as taken.
  checkRanges(`${name}.segments`, segments, capacity, (size) => Math.ceil(size / 128) * 128);
  segments.forEach((item, index) => {
    const segment = item as Record<string, unknown>;
    requireSafeInteger(`${name}.segments[${index}].length`, segment['length'], 0);
    const tag = segment['tag'];
    if (tag !== undefined && typeof tag !== 'string') throw new TypeError(invalidMessage(`${name}.segments[${index}].tag`, 'string', tag));
  });
  checkRanges(`${name}.freeRanges`, requireArray(`${name}.freeRanges`, snapshot['freeRanges']), capacity, (size) => size);
  const stats = requireRecord(`${name}.stats`, snapshot['stats']);
  for (const field of STATS_FIELDS) requireSafeInteger(`${name}.stats.${field}`, stats[field], 0);
  return value as PoolSnapshot;
}
