// SPDX-License-Identifier: MIT
// A recording as the snapshot dict `torch.cuda.memory._snapshot()` returns, the input of
// pytorch.org/memory_viz: `segments` (the pool's block at the end of the recording, its live
// segments and free ranges as blocks) and `device_traces` (one list, device 0: the recording's
// acquires, releases, failures, resets and close as torch's trace entries). The end state comes
// from a PoolSnapshot taken at the end, or from the events when they tell it (docs/api.md,
// "recording.toMemoryViz"). Waits, timeouts, aborts and cancels have no torch action: left out.

import { DVPP_ADDR_ALIGN, granulesOf } from '../constants.js';
import type { PickleDict } from '../trace/pickle.js';
import type { RecordedEvent } from './recording.js';
import type { PoolSnapshot } from './snapshot.js';

/** What of the recording, beside its events, the mapping needs. */
export interface RecordingFacts {
  readonly capacity: number;
  readonly startUs: number;
  readonly dropped: number;
}

/** One frame of a memory_viz stack. */
interface Frame extends PickleDict {
  readonly filename: string;
  readonly line: number;
  readonly name: string;
}

/** A segment live at some point, as the events show it. */
interface LiveSegment {
  readonly offset: number;
  readonly footprint: number;
  readonly len: number;
  readonly tag: string | undefined;
  readonly frames: readonly Frame[];
}

/** memory_viz colours by category and files an entry without one under 'unknown'; it throws on load when categories exist but 'unknown' is not one. */
const UNTAGGED = 'unknown';

/** `at name (file:line:column)`, `at file:line:column`: V8's frame lines. */
const FRAME_LINE = /^at (?:(.+?) \()?(.+):(\d+):\d+\)?$/;

/** A recorded stack (one `at ...` line per frame, innermost first) as memory_viz frames, innermost first. */
function framesOf(stack: string | undefined): Frame[] {
  if (stack === undefined || stack === '') return [];
  return stack.split('\n').map((text) => {
    const match = FRAME_LINE.exec(text);
    if (match === null) return { filename: text.replace(/^at /, ''), line: 0, name: '<unknown>' };
    return { filename: match[2] ?? '', line: Number(match[3]), name: match[1] ?? '<anonymous>' };
  });
}

/**
 * The bytes in use just before the first event: from the snapshot, counted back over the events
 * (exact even after drops, since only the oldest events go), unknown when a reset or close comes
 * between; without a snapshot, 0 when the events are complete (nothing dropped, no release of a
 * segment they do not show), assuming the recording began on an empty pool, as a replay of its
 * trace does; else unknown.
 */
function usedBytesAtStart(events: readonly RecordedEvent[], facts: RecordingFacts, snapshot: PoolSnapshot | undefined): number | undefined {
  if (snapshot !== undefined) {
    // A reset or close between erases what the snapshot could tell of the start (found by review:
    // assuming an empty start then gave a wrong device_free); say nothing rather than guess.
    if (events.some((event) => event.kind === 'reset' || event.kind === 'close')) return undefined;
    let net = 0;
    for (const event of events) {
      if (event.kind === 'acquire') net += event.footprint ?? 0;
      else if (event.kind === 'release') net -= event.footprint ?? 0;
    }
    const used = snapshot.stats.usedBytes - net;
    if (used < 0) throw new RangeError(`toMemoryViz: the snapshot shows ${snapshot.stats.usedBytes} bytes in use, fewer than the recording acquired and kept (${net}); take it right after stopRecording()`);
    return used;
  }
  if (facts.dropped > 0) return undefined;
  const live = new Set<number>();
  for (const event of events) {
    if (event.kind === 'reset') return 0;
    if (event.kind === 'acquire') live.add(event.offset ?? -1);
    else if (event.kind === 'release' && !live.delete(event.offset ?? -1)) return undefined;
  }
  return 0;
}

/** The segment blocks of memory_viz's Segment, in address order, covering [base, base + capacity). */
function blocksOf(base: bigint, capacity: number, live: readonly LiveSegment[]): PickleDict[] {
  const blocks: PickleDict[] = [];
  let next = 0;
  const free = (end: number): void => {
    if (end > next) blocks.push({ address: base + BigInt(next), size: end - next, requested_size: 0, state: 'inactive', frames: [] });
  };
  for (const segment of [...live].sort((a, b) => a.offset - b.offset)) {
    free(segment.offset);
    blocks.push({ address: base + BigInt(segment.offset), size: segment.footprint, requested_size: segment.len, state: 'active_allocated', frames: segment.frames });
    next = segment.offset + segment.footprint;
  }
  free(capacity);
  return blocks;
}

/** The live segments at the end from the snapshot, checked against those the events show live. */
function liveFromSnapshot(snapshot: PoolSnapshot, known: ReadonlyMap<number, LiveSegment>): LiveSegment[] {
  const byOffset = new Map(snapshot.segments.map((segment) => [segment.offset, segment]));
  for (const segment of known.values()) {
    const found = byOffset.get(segment.offset);
    if (found === undefined || found.length !== segment.len) {
      throw new RangeError(`toMemoryViz: the snapshot does not hold the segment of ${segment.len} bytes live at offset ${segment.offset} at the end of the recording; take it right after stopRecording()`);
    }
  }
  return snapshot.segments.map((segment) => ({
    offset: segment.offset,
    footprint: granulesOf(segment.length) * DVPP_ADDR_ALIGN,
    len: segment.length,
    tag: segment.tag,
    frames: known.get(segment.offset)?.frames ?? [],
  }));
}

/**
 * The memory_viz snapshot dict of a recording's events. `snapshot`, when given, is the pool's
 * `snapshot()` at the end of the recording: it gives the base address and the segments.
 * @throws {RangeError} a snapshot of another pool (capacity) or of another moment.
 */
export function memoryVizSnapshot(events: readonly RecordedEvent[], facts: RecordingFacts, snapshot: PoolSnapshot | undefined): PickleDict {
  const { capacity } = facts;
  if (snapshot !== undefined && snapshot.capacity !== capacity) {
    throw new RangeError(`toMemoryViz: the snapshot is of a pool of ${snapshot.capacity} bytes, the recording of one of ${capacity}`);
  }
  const base = snapshot === undefined ? 0n : BigInt(snapshot.baseAddress);
  const tagged = events.some((event) => event.tag !== undefined);
  const category = (tag: string | undefined): string | undefined => (tagged ? (tag ?? UNTAGGED) : undefined);
  const trace: PickleDict[] = [];
  const entry = (action: string, timeUs: number, fields: PickleDict): void => {
    trace.push({ action, ...fields, stream: 0, time_us: Math.round(timeUs) });
  };
  const live = new Map<number, LiveSegment>();
  const free = (segment: LiveSegment, timeUs: number): void => {
    const fields = { addr: base + BigInt(segment.offset), size: segment.footprint, frames: [], category: category(segment.tag) };
    entry('free_requested', timeUs, fields);
    entry('free_completed', timeUs, fields);
  };
  let used = usedBytesAtStart(events, facts, snapshot);
  let closed = false;

  entry('segment_alloc', facts.startUs, { addr: base, size: capacity, frames: [], category: category(undefined) });
  for (const event of events) {
    const footprint = event.footprint ?? 0;
    if (event.kind === 'acquire') {
      const segment = { offset: event.offset ?? 0, footprint, len: event.len ?? 0, tag: event.tag, frames: framesOf(event.stack) };
      live.set(segment.offset, segment);
      if (used !== undefined) used += footprint;
      entry('alloc', event.timeUs, { addr: base + BigInt(segment.offset), size: footprint, frames: segment.frames, category: category(event.tag) });
    } else if (event.kind === 'release') {
      const offset = event.offset ?? 0;
      live.delete(offset);
      if (used !== undefined) used -= footprint;
      free({ offset, footprint, len: event.len ?? 0, tag: event.tag, frames: [] }, event.timeUs);
    } else if (event.kind === 'failure') {
      entry('oom', event.timeUs, { device_free: used === undefined ? undefined : capacity - used, size: footprint, frames: [], category: category(event.tag) });
    } else if (event.kind === 'reset' || event.kind === 'close') {
      // Segments acquired before the recording are freed too, but the events cannot name them.
      for (const segment of live.values()) free(segment, event.timeUs);
      live.clear();
      used = 0;
      if (event.kind === 'close') {
        closed = true;
        entry('segment_free', event.timeUs, { addr: base, size: capacity, frames: [], category: category(undefined) });
      }
    }
  }

  let segments: PickleDict[] = [];
  if (!closed && (snapshot !== undefined || used !== undefined)) {
    const end = snapshot === undefined ? [...live.values()] : liveFromSnapshot(snapshot, live);
    const allocated = end.reduce((sum, segment) => sum + segment.footprint, 0);
    segments = [{
      device: 0,
      address: base,
      total_size: capacity,
      stream: 0,
      segment_type: 'large',
      allocated_size: allocated,
      active_size: allocated,
      requested_size: end.reduce((sum, segment) => sum + segment.len, 0),
      blocks: blocksOf(base, capacity, end),
    }];
  }
  return { segments, device_traces: [trace] };
}
