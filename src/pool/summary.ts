// SPDX-License-Identifier: MIT
// pool.summary(): a fixed-width text report of a pool, the thing a user pastes into a bug report.
// Built from one snapshot (its stats and its segments), so every figure is of the same moment:
// capacity, used and free, the bytes asked for beside the footprints that serve them (the
// waste of DVPP's size rule made visible), the largest free range and the fragmentation, the
// counters, and the tags holding the most bytes.

import { footprint } from '../constants.js';
import { cutText, formatBytes, formatCount } from '../format.js';
import type { PoolSnapshot } from './snapshot.js';

/** Tags the report lists by name; the others are summed on one line. */
export const SUMMARY_TAGS = 10;
const UNTAGGED = '(untagged)';
const LABEL = 22;
const FIGURE = 12;

const row = (label: string, figure: string, note = ''): string => `${label.padEnd(LABEL)}${figure.padStart(FIGURE)}${note === '' ? '' : `  ${note}`}`;
const formatMs = (ms: number): string => `${ms.toFixed(1)} ms`;
const percent = (part: number, whole: number): string => (whole === 0 ? '0.0%' : `${((part / whole) * 100).toFixed(1)}%`);

/** The report of `snapshot`, lines joined with `\n` and ending in one. */
export function formatSummary(snapshot: PoolSnapshot): string {
  const { stats, segments } = snapshot;
  const requested = stats.requestedBytes;
  // Keyed by the tag, untagged segments by undefined: a tag may be any string, '(untagged)' too.
  const byTag = new Map<string | undefined, { count: number; bytes: number }>();
  for (const segment of segments) {
    const tag = segment.tag;
    const entry = byTag.get(tag) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += footprint(segment.length);
    byTag.set(tag, entry);
  }
  const fragmentation = stats.freeBytes === 0 ? 0 : Math.max(0, 1 - stats.largestFreeRange / stats.freeBytes);
  const lines = [
    `dvpp-pool summary: ${formatBytes(stats.capacity)} at ${snapshot.baseAddress}`,
    row('capacity', formatBytes(stats.capacity)),
    row('used', formatBytes(stats.usedBytes), `${percent(stats.usedBytes, stats.capacity)} of capacity (footprints)`),
    row('requested', formatBytes(requested), `${percent(requested, stats.usedBytes)} of used (the bytes asked for)`),
    row('free', formatBytes(stats.freeBytes), percent(stats.freeBytes, stats.capacity)),
    row('largest free range', formatBytes(stats.largestFreeRange), `fragmentation ${(fragmentation * 100).toFixed(1)}% (free bytes outside it)`),
    row('peak used', formatBytes(stats.peakUsedBytes), `${percent(stats.peakUsedBytes, Math.max(stats.capacity, stats.peakUsedBytes))} of the capacity then or now`),
    ...(snapshot.blocks.length > 1 || stats.grows + stats.trims + stats.growFailures > 0
      ? [
          row('blocks', formatCount(stats.blocks), `${formatCount(stats.grows)} grows, ${formatCount(stats.growFailures)} growth failures, ${formatCount(stats.trims)} trims`),
        ]
      : []),
    row('live segments', formatCount(stats.liveSegments), `peak ${formatCount(stats.peakLiveSegments)}`),
    row('acquires', formatCount(stats.acquires), `${formatBytes(stats.acquiredBytesTotal)} in all`),
    row('releases', formatCount(stats.releases), `${formatBytes(stats.releasedBytesTotal)} in all`),
    row('failures', formatCount(stats.failures), 'acquires that found no room'),
    row('resets', formatCount(stats.resets)),
    row('waiting', formatCount(stats.waiting), `acquireAsync calls waiting now, peak ${formatCount(stats.peakWaiting)}`),
    row('waits', formatCount(stats.waits), `${formatCount(stats.timeouts)} timed out, ${formatCount(stats.aborts)} aborted`),
    row('wait time', `${formatMs(stats.waitMsTotal)}`, `longest ${formatMs(stats.waitMsMax)}`),
  ];
  const tags = [...byTag.entries()].sort((a, b) => b[1].bytes - a[1].bytes || (a[0] ?? '').localeCompare(b[0] ?? ''));
  if (tags.length > 0) lines.push('top tags by bytes:');
  for (const [tag, { count, bytes }] of tags.slice(0, SUMMARY_TAGS)) {
    const name = tag === undefined ? UNTAGGED : cutText(JSON.stringify(tag), LABEL - 3);
    lines.push(row(`  ${name}`, formatBytes(bytes), `${formatCount(count)} segment${count === 1 ? '' : 's'}`));
  }
  const rest = tags.slice(SUMMARY_TAGS);
  if (rest.length > 0) {
    const bytes = rest.reduce((sum, [, entry]) => sum + entry.bytes, 0);
    const count = rest.reduce((sum, [, entry]) => sum + entry.count, 0);
    lines.push(row(`  ${formatCount(rest.length)} more tags`, formatBytes(bytes), `${formatCount(count)} segments`));
  }
  return `${lines.join('\n')}\n`;
}
