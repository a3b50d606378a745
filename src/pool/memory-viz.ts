// SPDX-License-Identifier: MIT
// A recording as the snapshot dict `torch.cuda.memory._snapshot()` returns, the input of
// pytorch.org/memory_viz: `segments` (one per block of the pool at the end of the recording, its
// live segments and free ranges as torch's blocks) and `device_traces` (one list, device 0: the
// recording's acquires, releases, failures, grows, trims, resets and close as torch's trace
// entries). Addresses are absolute: the recording keeps each block's base. The end state comes
// from a PoolSnapshot taken at the end, or from the events when they tell it (docs/api.md,
// "recording.toMemoryViz"). Waits, timeouts, aborts and cancels have no torch action: left out.

import { DVPP_ADDR_ALIGN, granulesOf } from '../constants.js';
import type { PickleDict } from '../trace/pickle.js';
import type { RecordedEvent } from './recording.js';
import type { PoolSnapshot, SnapshotBlock } from './snapshot.js';

/** What of the recording, beside its events, the mapping needs. */
export interface RecordingFacts {
  readonly startUs: number;
  readonly dropped: number;
  /** The pool's blocks at the end of the recording. */
  readonly blocks: readonly SnapshotBlock[];
}

/** A block of the pool, as the trace addresses it. */
interface Block {
  readonly base: bigint;
  readonly size: number;
}

/** One frame of a memory_viz stack. */
interface Frame extends PickleDict {
  readonly filename: string;
  readonly line: number;
  readonly name: string;
}

/** A segment live at some point, as the events show it. */
interface LiveSegment {
  readonly block: number;
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

/** A live segment's key: its block and offset (addresses may be reused by a later block). */
const keyOf = (block: number, offset: number): string => `${block}:${offset}`;

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
  const live = new Set<string>();
  for (const event of events) {
    if (event.kind === 'reset') return 0;
    const key = keyOf(event.block ?? -1, event.offset ?? -1);
    if (event.kind === 'acquire') live.add(key);
    else if (event.kind === 'release' && !live.delete(key)) return undefined;
  }
  return 0;
}

/** The blocks just before the first event: the end's, with the events' grows undone and trims put back. */
function blocksAtStart(events: readonly RecordedEvent[], facts: RecordingFacts): Map<number, Block> {
  const blocks = new Map(facts.blocks.map((block) => [block.index, { base: BigInt(block.baseAddress), size: block.size }]));
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i] as RecordedEvent;
    if (event.kind === 'grow') blocks.delete(event.block ?? -1);
    // A trim's base is absent only past 2^53; 0 then keeps the block's place, if not its address.
    else if (event.kind === 'trim') blocks.set(event.block ?? -1, { base: BigInt(event.address ?? 0), size: event.bytes ?? 0 });
  }
  return new Map([...blocks].sort((a, b) => a[0] - b[0]));
}

/** The torch blocks of one memory_viz Segment, in address order, covering [base, base + size). */
function blocksOf(block: Block, live: readonly LiveSegment[]): PickleDict[] {
  const blocks: PickleDict[] = [];
  let next = 0;
  const free = (end: number): void => {
    if (end > next) blocks.push({ address: block.base + BigInt(next), size: end - next, requested_size: 0, state: 'inactive', frames: [] });
  };
  for (const segment of [...live].sort((a, b) => a.offset - b.offset)) {
    free(segment.offset);
    blocks.push({ address: block.base + BigInt(segment.offset), size: segment.footprint, requested_size: segment.len, state: 'active_allocated', frames: segment.frames });
    next = segment.offset + segment.footprint;
  }
  free(block.size);
  return blocks;
}

/** The live segments at the end from the snapshot, checked against those the events show live. */
function liveFromSnapshot(snapshot: PoolSnapshot, known: ReadonlyMap<string, LiveSegment>): LiveSegment[] {
  const byKey = new Map(snapshot.segments.map((segment) => [keyOf(segment.block, segment.offset), segment]));
  for (const segment of known.values()) {
    const found = byKey.get(keyOf(segment.block, segment.offset));
    if (found === undefined || found.length !== segment.len) {
      throw new RangeError(`toMemoryViz: the snapshot does not hold the segment of ${segment.len} bytes live at offset ${segment.offset} of block ${segment.block} at the end of the recording; take it right after stopRecording()`);
    }
  }
  return snapshot.segments.map((segment) => ({
    block: segment.block,
    offset: segment.offset,
    footprint: granulesOf(segment.length) * DVPP_ADDR_ALIGN,
    len: segment.length,
    tag: segment.tag,
    frames: known.get(keyOf(segment.block, segment.offset))?.frames ?? [],
  }));
}

const describeBlocks = (blocks: readonly SnapshotBlock[]): string => blocks.map((block) => `${block.index}: ${block.size} bytes at ${block.baseAddress}`).join(', ');

/**
 * The memory_viz snapshot dict of a recording's events. `snapshot`, when given, is the pool's
 * `snapshot()` at the end of the recording: it gives the segments live then, and the bytes in use
 * before the first event.
 * @throws {RangeError} a snapshot of another pool (other blocks) or of another moment.
 */
export function memoryVizSnapshot(events: readonly RecordedEvent[], facts: RecordingFacts, snapshot: PoolSnapshot | undefined): PickleDict {
  if (snapshot !== undefined && describeBlocks(snapshot.blocks) !== describeBlocks(facts.blocks)) {
    throw new RangeError(`toMemoryViz: the snapshot's blocks (${describeBlocks(snapshot.blocks)}) are not the recording's at its end (${describeBlocks(facts.blocks)})`);
  }
  const tagged = events.some((event) => event.tag !== undefined);
  const category = (tag: string | undefined): string | undefined => (tagged ? (tag ?? UNTAGGED) : undefined);
  const trace: PickleDict[] = [];
  const entry = (action: string, timeUs: number, fields: PickleDict): void => {
    trace.push({ action, ...fields, stream: 0, time_us: Math.round(timeUs) });
  };
  const blocks = blocksAtStart(events, facts);
  let capacity = 0;
  const segmentEntry = (action: 'segment_alloc' | 'segment_free', block: Block, timeUs: number): void => {
    capacity += action === 'segment_alloc' ? block.size : -block.size;
    entry(action, timeUs, { addr: block.base, size: block.size, frames: [], category: category(undefined) });
  };
  const addressOf = (block: number, offset: number): bigint => (blocks.get(block)?.base ?? 0n) + BigInt(offset);
  const live = new Map<string, LiveSegment>();
  const free = (segment: LiveSegment, timeUs: number): void => {
    const fields = { addr: addressOf(segment.block, segment.offset), size: segment.footprint, frames: [], category: category(segment.tag) };
    entry('free_requested', timeUs, fields);
    entry('free_completed', timeUs, fields);
  };
  let used = usedBytesAtStart(events, facts, snapshot);
  let closed = false;

  for (const block of blocks.values()) segmentEntry('segment_alloc', block, facts.startUs);
  for (const event of events) {
    const footprint = event.footprint ?? 0;
    const at = event.block ?? -1;
    if (event.kind === 'acquire') {
      const segment = { block: at, offset: event.offset ?? 0, footprint, len: event.len ?? 0, tag: event.tag, frames: framesOf(event.stack) };
      live.set(keyOf(at, segment.offset), segment);
      if (used !== undefined) used += footprint;
      entry('alloc', event.timeUs, { addr: addressOf(at, segment.offset), size: footprint, frames: segment.frames, category: category(event.tag) });
    } else if (event.kind === 'release') {
      const offset = event.offset ?? 0;
      live.delete(keyOf(at, offset));
      if (used !== undefined) used -= footprint;
      free({ block: at, offset, footprint, len: event.len ?? 0, tag: event.tag, frames: [] }, event.timeUs);
    } else if (event.kind === 'failure') {
      entry('oom', event.timeUs, { device_free: used === undefined ? undefined : capacity - used, size: footprint, frames: [], category: category(event.tag) });
    } else if (event.kind === 'grow') {
      const block = { base: BigInt(event.address ?? 0), size: event.bytes ?? 0 };
      blocks.set(at, block);
      segmentEntry('segment_alloc', block, event.timeUs);
    } else if (event.kind === 'trim') {
      const block = blocks.get(at);
      blocks.delete(at);
      if (block !== undefined) segmentEntry('segment_free', block, event.timeUs);
    } else if (event.kind === 'reset' || event.kind === 'close') {
      // Segments acquired before the recording are freed too, but the events cannot name them.
      for (const segment of live.values()) free(segment, event.timeUs);
      live.clear();
      used = 0;
      if (event.kind === 'close') {
        closed = true;
        for (const block of blocks.values()) segmentEntry('segment_free', block, event.timeUs);
      }
    }
  }

  const segments: PickleDict[] = [];
  if (!closed && (snapshot !== undefined || used !== undefined)) {
    const end = snapshot === undefined ? [...live.values()] : liveFromSnapshot(snapshot, live);
    for (const [index, block] of [...blocks].sort((x, y) => x[0] - y[0])) {
      const mine = end.filter((segment) => segment.block === index);
      const allocated = mine.reduce((sum, segment) => sum + segment.footprint, 0);
      segments.push({
        device: 0,
        address: block.base,
        total_size: block.size,
        stream: 0,
        segment_type: 'large',
        allocated_size: allocated,
        active_size: allocated,
        requested_size: mine.reduce((sum, segment) => sum + segment.len, 0),
        blocks: blocksOf(block, mine),
      });
    }
  }
  return { segments, device_traces: [trace] };
}
