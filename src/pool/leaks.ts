// SPDX-License-Identifier: MIT
// The warning pool.close() emits when segments are still live: one process warning (type
// DvppPoolLeakWarning, code DVPP_POOL_LEAK) naming how many segments and footprint bytes leaked,
// grouped by tag (most bytes first) in the message and, one line per tag, in `detail`. Its size
// is bounded whatever leaked: at most LEAK_WARNING_TAGS tags are named, each label cut to
// LEAK_LABEL_CHARS characters, and the rest summed in one "and N more tags" entry.

import { footprint } from '../constants.js';

/** `type` of the leak warning, for `process.on('warning')` filters. */
export const LEAK_WARNING_TYPE = 'DvppPoolLeakWarning';
/** `code` of the leak warning. */
export const LEAK_WARNING_CODE = 'DVPP_POOL_LEAK';

/** Tags named by the leak warning (the ones with the most bytes); the rest are summed. */
const LEAK_WARNING_TAGS = 20;
/** Characters of a tag shown in the warning; a longer tag ends in an ellipsis. */
const LEAK_LABEL_CHARS = 60;

interface TagGroup {
  label: string;
  count: number;
  bytes: number;
}

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

function labelOf(tag: string | undefined): string {
  if (tag === undefined) return '(untagged)';
  return JSON.stringify(tag.length > LEAK_LABEL_CHARS ? `${tag.slice(0, LEAK_LABEL_CHARS)}…` : tag);
}

/** Emits the leak warning for `segments` (the live ones at close); does nothing for none. */
export function warnLeaks(
  capacity: number,
  segments: Iterable<{ readonly length: number; readonly tag: string | undefined }>,
  byAttachment?: ReadonlyMap<number, number>,
): void {
  const groups = new Map<string | undefined, TagGroup>();
  let count = 0;
  let bytes = 0;
  for (const segment of segments) {
    const taken = footprint(segment.length);
    count++;
    bytes += taken;
    let group = groups.get(segment.tag);
    if (group === undefined) {
      group = { label: labelOf(segment.tag), count: 0, bytes: 0 };
      groups.set(segment.tag, group);
    }
    group.count++;
    group.bytes += taken;
  }
  if (count === 0) return;
  const sorted = [...groups.values()].sort((a, b) => b.bytes - a.bytes);
  const named = sorted.slice(0, LEAK_WARNING_TAGS);
  const rest = sorted.slice(LEAK_WARNING_TAGS);
  if (rest.length > 0) {
    named.push({
      label: `and ${plural(rest.length, 'more tag')}:`,
      count: rest.reduce((sum, g) => sum + g.count, 0),
      bytes: rest.reduce((sum, g) => sum + g.bytes, 0),
    });
  }
  const summary = named.map((g) => `${g.label} ${plural(g.count, 'segment')}, ${g.bytes} bytes`).join('; ');
  // A shared pool says which threads held them (attachment 0 is the creator).
  const holders =
    byAttachment === undefined
      ? ''
      : `; by attachment: ${[...byAttachment].sort((a, b) => a[0] - b[0]).map(([attachment, n]) => `${attachment} ${plural(n, 'segment')}`).join(', ')}`;
  process.emitWarning(
    `dvpp-pool closed with ${plural(count, 'live segment')} (${bytes} of ${capacity} bytes) never released; ` +
      `by tag: ${summary}${holders}. The memory was freed anyway (every block): release segments (or use pool.scope()) before close().`,
    {
      type: LEAK_WARNING_TYPE,
      code: LEAK_WARNING_CODE,
      detail: named.map((g) => `${g.label}: ${plural(g.count, 'segment')}, ${g.bytes} bytes`).join('\n'),
    },
  );
}
