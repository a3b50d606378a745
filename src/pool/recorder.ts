// SPDX-License-Identifier: MIT
// The write side of a recording: a bounded ring of events in typed arrays (structure of arrays,
// one slot per event, a table for the tag strings) that the core writes into while a recording
// runs. The ring starts small and doubles up to `maxEvents`; once full it overwrites the oldest
// event and counts it in `dropped`. `finish()` hands the events, oldest first, to a
// PoolRecording. The core holds a Recorder only while recording, so with recording off the hot
// path pays one branch on an undefined field (docs/architecture.md, "Recording").

import { DVPP_ADDR_ALIGN } from '../constants.js';
import { AcquireTimeoutError } from '../errors.js';
import { abortReason, isAborted } from './abort-signal.js';
import type { PoolBlock } from './block.js';
import type { ParsedRecordingOptions } from './options.js';
import { EVENT_KINDS, PoolRecording, STACK_FRAMES, type RecordedEventKind, type RecordedEvents, type RecordedPool } from './recording.js';
import { type Segment, segmentLength, segmentOffset, segmentTag } from './segment.js';
import type { Waiter } from './waiters.js';

/** Distinct tags a recording keeps by name; the tags after them are all recorded as MORE_TAGS. */
export const MAX_RECORDED_TAGS = 65_536;
export const MORE_TAGS = '(more tags)';

const code = (kind: RecordedEventKind): number => EVENT_KINDS.indexOf(kind);
const ACQUIRE = code('acquire');
const RELEASE = code('release');
const FAILURE = code('failure');
const WAIT = code('wait');
const TIMEOUT = code('timeout');
const ABORT = code('abort');
const CANCEL = code('cancel');
const RESET = code('reset');
const CLOSE = code('close');
const GROW = code('grow');
const TRIM = code('trim');

/** Slots of a fresh ring: a short recording stays small. */
const FIRST_SLOTS = 4096;
/** Frames captured: the pool's own (up to about 7, for a waiter served by a scope's release) plus those kept. */
const CAPTURED_FRAMES = STACK_FRAMES + 8;
const NO_ID = -1;
const NO_TAG = -1;
const NO_OFFSET = -1;
const NO_BLOCK = -1;

/** What a wait keeps until it leaves the queue: its id (the served acquire's too) and stack. */
interface PendingWait {
  readonly id: number;
  readonly stack: object | undefined;
}

/** A grow or trim keeps its block's base in the id column: a number, exact below 2^53; NO_ID past it. */
function baseOf(block: PoolBlock): number {
  return block.base <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(block.base) : NO_ID;
}

/** A holder whose `stack` V8 formats only when read: capturing costs the walk, not the text. */
function captureStack(): object {
  const holder = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = CAPTURED_FRAMES;
  Error.captureStackTrace(holder);
  Error.stackTraceLimit = limit;
  return holder;
}

export class Recorder {
  readonly maxEvents: number;
  readonly stacks: boolean;
  readonly startUs = performance.now() * 1000;
  dropped = 0;
  /** The next id to hand out: ids are a per-pool serial, carried from one recording to the next. */
  nextId: number;
  /** The waiter being served while `#serve` allocates for it: its acquire takes the wait's id. */
  serving: Waiter | undefined = undefined;

  #slots = 0;
  #next = 0;
  #count = 0;
  #kinds = new Uint8Array(0);
  #timesUs = new Float64Array(0);
  #ids = new Float64Array(0);
  #lens = new Float64Array(0);
  /** In granules; NO_OFFSET for events without a segment. */
  #offsets = new Int32Array(0);
  /** The block's slot; NO_BLOCK for events without one. */
  #blocks = new Int32Array(0);
  #tags = new Int32Array(0);
  #stackAt: (object | undefined)[] = [];
  readonly #tagIds = new Map<string, number>();
  readonly #tagNames: string[] = [];
  /** Recording ids of live segments by block, then engine node; NO_ID for one acquired before the recording. */
  #idByNode: Float64Array[] = [];
  readonly #waits = new Map<Waiter, PendingWait>();

  constructor(options: ParsedRecordingOptions, firstId: number) {
    this.maxEvents = options.maxEvents;
    this.stacks = options.stacks;
    this.nextId = firstId;
    this.#resize(Math.min(FIRST_SLOTS, this.maxEvents));
  }

  /** A segment was handed out at `node` of block `block`, `offsetGranules` from the block's base. */
  acquired(block: number, node: number, offsetGranules: number, len: number, tag: string | undefined): void {
    const waiter = this.serving;
    const wait = waiter === undefined ? undefined : this.#waits.get(waiter);
    let id: number;
    let stack: object | undefined;
    if (wait === undefined) {
      id = this.nextId++;
      stack = this.stacks ? captureStack() : undefined;
    } else {
      this.#waits.delete(waiter as Waiter);
      id = wait.id;
      stack = wait.stack;
    }
    const ids = this.#idsOf(block, node);
    ids[node] = id;
    const slot = this.#write(ACQUIRE, id, len, offsetGranules, block, tag);
    if (stack !== undefined) this.#stackAt[slot] = stack;
  }

  /** `segment`, live at `node` of block `block`, was released. */
  released(block: number, node: number, segment: Segment): void {
    const ids = this.#idsOf(block, node);
    const id = ids[node] ?? NO_ID;
    ids[node] = NO_ID;
    this.#write(RELEASE, id, segmentLength(segment), segmentOffset(segment) / DVPP_ADDR_ALIGN, block, segmentTag(segment));
  }

  /**
   * A zeroing acquire took the range at `offsetGranules` of block `block` and gave it back when its memset failed.
   * Recorded as an acquire and its release under a fresh id, because the engine did both: a
   * trace of the recording must repeat them to place later segments where the live run did.
   */
  zeroFillFailed(block: number, offsetGranules: number, len: number, tag: string | undefined): void {
    const id = this.nextId++;
    this.#write(ACQUIRE, id, len, offsetGranules, block, tag);
    this.#write(RELEASE, id, len, offsetGranules, block, tag);
  }

  /** An acquire or tryAcquire found no room. */
  failed(len: number, tag: string | undefined): void {
    this.#write(FAILURE, NO_ID, len, NO_OFFSET, NO_BLOCK, tag);
  }

  /** `waiter` joined the queue. */
  waited(waiter: Waiter): void {
    const wait = { id: this.nextId++, stack: this.stacks ? captureStack() : undefined };
    this.#waits.set(waiter, wait);
    const slot = this.#write(WAIT, wait.id, waiter.len, NO_OFFSET, NO_BLOCK, waiter.tag);
    if (wait.stack !== undefined) this.#stackAt[slot] = wait.stack;
  }

  /** `waiter`, queued with `signal`, left the queue rejected with `reason`. */
  waitRejected(waiter: Waiter, reason: unknown, signal: AbortSignal | undefined): void {
    const wait = this.#waits.get(waiter);
    if (wait === undefined) return;
    this.#waits.delete(waiter);
    let kind = CANCEL;
    if (reason instanceof AcquireTimeoutError) kind = TIMEOUT;
    else if (signal !== undefined && isAborted(signal) && abortReason(signal) === reason) kind = ABORT;
    this.#write(kind, wait.id, waiter.len, NO_OFFSET, NO_BLOCK, waiter.tag);
  }

  /** Every segment was released at once. */
  reset(): void {
    for (const ids of this.#idByNode) ids?.fill(NO_ID);
    this.#write(RESET, NO_ID, 0, NO_OFFSET, NO_BLOCK, undefined);
  }

  /** The pool added `block`. */
  grew(block: PoolBlock): void {
    this.#write(GROW, baseOf(block), block.capacity, NO_OFFSET, block.index, undefined);
  }

  /** The pool gave `block` back. */
  trimmed(block: PoolBlock): void {
    this.#write(TRIM, baseOf(block), block.capacity, NO_OFFSET, block.index, undefined);
  }

  /** The pool closed: the last event a recording can have. */
  closed(): void {
    this.#write(CLOSE, NO_ID, 0, NO_OFFSET, NO_BLOCK, undefined);
  }

  /** The events so far, oldest first, as a recording of `pool` as it is now. */
  finish(pool: RecordedPool): PoolRecording {
    const count = this.#count;
    const first = (this.#next - count + this.#slots) % this.#slots;
    const ordered = <T extends Uint8Array | Float64Array | Int32Array>(source: T, empty: T): T => {
      empty.set(source.subarray(first, Math.min(first + count, this.#slots)));
      if (first + count > this.#slots) empty.set(source.subarray(0, first + count - this.#slots), this.#slots - first);
      return empty;
    };
    const stacks: (object | undefined)[] = [];
    if (this.stacks) for (let i = 0; i < count; i++) stacks.push(this.#stackAt[(first + i) % this.#slots]);
    const events: RecordedEvents = {
      count,
      kinds: ordered(this.#kinds, new Uint8Array(count)),
      timesUs: ordered(this.#timesUs, new Float64Array(count)),
      ids: ordered(this.#ids, new Float64Array(count)),
      lens: ordered(this.#lens, new Float64Array(count)),
      offsets: ordered(this.#offsets, new Int32Array(count)),
      blocks: ordered(this.#blocks, new Int32Array(count)),
      tags: ordered(this.#tags, new Int32Array(count)),
      tagNames: [...this.#tagNames],
      stacks,
    };
    return new PoolRecording(pool, this.startUs, performance.now() * 1000, this.maxEvents, this.dropped, events);
  }

  /** Stores one event and returns its slot; overwrites the oldest once the ring holds `maxEvents`. */
  #write(kind: number, id: number, len: number, offsetGranules: number, block: number, tag: string | undefined): number {
    if (this.#count === this.#slots) {
      if (this.#slots < this.maxEvents) {
        this.#resize(Math.min(this.#slots * 2, this.maxEvents));
      } else {
        this.dropped++;
        this.#count--;
      }
    }
    const slot = this.#next;
    this.#kinds[slot] = kind;
    this.#timesUs[slot] = performance.now() * 1000;
    this.#ids[slot] = id;
    this.#lens[slot] = len;
    this.#offsets[slot] = offsetGranules;
    this.#blocks[slot] = block;
    this.#tags[slot] = tag === undefined ? NO_TAG : this.#tagId(tag);
    if (this.stacks) this.#stackAt[slot] = undefined;
    this.#next = slot + 1 === this.#slots ? 0 : slot + 1;
    this.#count++;
    return slot;
  }

  #tagId(tag: string): number {
    let id = this.#tagIds.get(tag);
    if (id !== undefined) return id;
    // The table is the one part of a recording the ring does not bound: past MAX_RECORDED_TAGS
    // distinct tags, the rest share one name.
    const name = this.#tagNames.length < MAX_RECORDED_TAGS ? tag : MORE_TAGS;
    id = this.#tagIds.get(name);
    if (id === undefined) {
      id = this.#tagNames.length;
      this.#tagNames.push(name);
      this.#tagIds.set(name, id);
    }
    return id;
  }

  /** Grows the ring to `slots`; called only before it first wraps, so the events are in order from slot 0. */
  #resize(slots: number): void {
    const grown = <T extends Uint8Array | Float64Array | Int32Array>(source: T, empty: T): T => {
      empty.set(source);
      return empty;
    };
    this.#kinds = grown(this.#kinds, new Uint8Array(slots));
    this.#timesUs = grown(this.#timesUs, new Float64Array(slots));
    this.#ids = grown(this.#ids, new Float64Array(slots));
    this.#lens = grown(this.#lens, new Float64Array(slots));
    this.#offsets = grown(this.#offsets, new Int32Array(slots));
    this.#blocks = grown(this.#blocks, new Int32Array(slots));
    this.#tags = grown(this.#tags, new Int32Array(slots));
    this.#next = this.#count;
    this.#slots = slots;
  }

  /** The ids of `block`'s nodes, long enough to hold `node`. */
  #idsOf(block: number, node: number): Float64Array {
    const ids = this.#idByNode[block] ?? new Float64Array(0);
    if (node < ids.length) return ids;
    const grown = new Float64Array(Math.max(node + 1, ids.length * 2, 1024)).fill(NO_ID);
    grown.set(ids);
    this.#idByNode[block] = grown;
    return grown;
  }
}
