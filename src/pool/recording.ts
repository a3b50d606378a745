// SPDX-License-Identifier: MIT
// PoolRecording: what pool.stopRecording() returns. It holds the recorder's events, oldest first,
// in typed arrays, and reads them out as plain objects (events()), as JSON lines, as a PyTorch
// memory snapshot (memory-viz.ts), or as a TRC1 trace that `dvpp-pool replay` and decodeTrace
// read: the allocs and frees by id in order, so a fresh pool of the same size, maxSize and growBy
// replays them with the same blocks and offsets (the engine and the placement are deterministic),
// provided the recording began on an empty pool that had not grown, dropped nothing and saw no trim.

import { fileURLToPath } from 'node:url';
import { DVPP_ADDR_ALIGN, granulesOf } from '../constants.js';
import { OP_ALLOC, OP_FREE, type Trace } from '../trace/format.js';
import { encodePickle } from '../trace/pickle.js';
import { memoryVizSnapshot } from './memory-viz.js';
import type { PoolSnapshot, SnapshotBlock } from './snapshot.js';

/** Event kinds, by their code in the recorder's ring. */
export const EVENT_KINDS = ['acquire', 'release', 'failure', 'wait', 'timeout', 'abort', 'cancel', 'reset', 'close', 'grow', 'trim'] as const;
/** What happened: see docs/api.md, "Recording", for the fields each kind has. */
export type RecordedEventKind = (typeof EVENT_KINDS)[number];

/** One recorded event; fields that do not apply to its kind are absent. */
export interface RecordedEvent {
  readonly kind: RecordedEventKind;
  /** Microseconds since `performance.timeOrigin` (`performance.now() * 1000`), fractional. */
  readonly timeUs: number;
  /** The segment's id, a per-pool serial; a wait takes one, and the acquire that serves it (or its timeout, abort or cancel) has the same. */
  readonly id?: number;
  /** Bytes asked for. */
  readonly len?: number;
  /** Bytes `len` takes from the block: `alignUp(segmentSize(len), 128)`. */
  readonly footprint?: number;
  /** Bytes from the block's base (acquire, release). */
  readonly offset?: number;
  /** The block's slot (`segment.blockIndex`): the segment's (acquire, release), or the one added or given back (grow, trim). */
  readonly block?: number;
  /** The block's bytes (grow, trim). */
  readonly bytes?: number;
  /** The block's base address, `'0x'` and lowercase hex digits (grow, trim; absent past 2^53). */
  readonly address?: string;
  /** The pool's bytes, all blocks, right after the event (grow, trim). */
  readonly capacity?: number;
  /** The acquire's tag. */
  readonly tag?: string;
  /** Up to 8 frames of the caller's JS stack, one per line (acquire and wait, with `stacks: true`). */
  readonly stack?: string;
}

/** @internal The recorder's events in order, as PoolRecording keeps them. */
export interface RecordedEvents {
  readonly count: number;
  readonly kinds: Uint8Array;
  readonly timesUs: Float64Array;
  /** -1: none (a release of a segment acquired before the recording, or a kind without one). */
  readonly ids: Float64Array;
  readonly lens: Float64Array;
  /** In granules; -1 for kinds without a segment. */
  readonly offsets: Int32Array;
  /** The block's slot; -1 for kinds without one. */
  readonly blocks: Int32Array;
  /** Index into tagNames; -1 untagged. */
  readonly tags: Int32Array;
  readonly tagNames: readonly string[];
  /** Stack holders by event (empty without `stacks`). */
  readonly stacks: readonly (object | undefined)[];
}

/** @internal What a recording keeps of its pool when it ends (the pool's core). */
export interface RecordedPool {
  readonly first: { readonly capacity: number };
  readonly growth: { readonly maxSize: number; readonly growBy: number };
  readonly blocks: readonly ({ readonly index: number; readonly base: bigint; readonly capacity: number } | undefined)[];
}

/** The largest `len` a TRC1 record holds (a u32). */
const MAX_TRACE_LEN = 0xffff_ffff;
/** Frames kept per stack, after the pool's own frames are dropped. */
export const STACK_FRAMES = 8;
/** The package's own frames (pool/ and the pyACL skin), dropped from stacks, as file URLs and paths. */
const INTERNAL_DIRS = [new URL('./', import.meta.url), new URL('../compat/', import.meta.url)].flatMap((url) => [url.href, fileURLToPath(url)]);

const hex = (address: bigint): string => `0x${address.toString(16)}`;

/** The caller's frames of a captured stack holder, innermost first: those below the package's own. */
function callerFrames(holder: object): string {
  const text = (holder as { stack?: unknown }).stack;
  if (typeof text !== 'string') return '';
  const frames = text.split('\n').slice(1).map((line) => line.trim());
  let last = -1;
  frames.forEach((frame, i) => {
    if (INTERNAL_DIRS.some((dir) => frame.includes(dir))) last = i;
  });
  return frames.slice(last + 1, last + 1 + STACK_FRAMES).join('\n');
}

/**
 * The events of one recording, from `pool.stopRecording()`. Immutable. Exported as a type only.
 * @example
 * ```ts
 * pool.startRecording();
 * run(pool);
 * const recording = pool.stopRecording()!;
 * writeTraceFile('run.trc', recording.toTrace());
 * ```
 */
export class PoolRecording {
  /** The pool's first block (createPool's `size`): with `maxSize` and `growBy`, the pool a trace of this recording replays into. */
  readonly capacity: number;
  /** The pool's `maxSize`. */
  readonly maxSize: number;
  /** The pool's `growBy`. */
  readonly growBy: number;
  /** The pool's blocks when the recording ended, by slot (a closed pool's were freed at its `close` event). */
  readonly blocks: readonly SnapshotBlock[];
  /** When recording began, in µs since `performance.timeOrigin`. */
  readonly startUs: number;
  /** When it ended (stopRecording, or the next startRecording), in µs since `performance.timeOrigin`. */
  readonly endUs: number;
  /** The ring's bound: at most this many events were kept. */
  readonly maxEvents: number;
  /** Events overwritten because the ring was full (the oldest go first). */
  readonly dropped: number;
  /** Events kept. */
  readonly length: number;
  readonly #events: RecordedEvents;
  /** The pool's bytes right after each grow and trim, by event index. */
  readonly #capacityAfter = new Map<number, number>();

  /** @internal Only a pool's recorder makes recordings. */
  constructor(pool: RecordedPool, startUs: number, endUs: number, maxEvents: number, dropped: number, events: RecordedEvents) {
    this.capacity = pool.first.capacity;
    this.maxSize = pool.growth.maxSize;
    this.growBy = pool.growth.growBy;
    this.blocks = pool.blocks.flatMap((block) => (block === undefined ? [] : [{ index: block.index, baseAddress: hex(block.base), size: block.capacity }]));
    // Back from the end, which the pool knows exactly even when the oldest events were dropped.
    let capacity = this.blocks.reduce((sum, block) => sum + block.size, 0);
    for (let i = events.count - 1; i >= 0; i--) {
      const kind = EVENT_KINDS[events.kinds[i] ?? 0];
      if (kind !== 'grow' && kind !== 'trim') continue;
      this.#capacityAfter.set(i, capacity);
      capacity += (kind === 'grow' ? -1 : 1) * (events.lens[i] ?? 0);
    }
    this.startUs = startUs;
    this.endUs = endUs;
    this.maxEvents = maxEvents;
    this.dropped = dropped;
    this.length = events.count;
    this.#events = events;
    Object.freeze(this);
  }

  /** The events, oldest first, each a new plain object. */
  *events(): IterableIterator<RecordedEvent> {
    for (let i = 0; i < this.length; i++) yield this.#eventAt(i);
  }

  /**
   * A TRC1 trace of the recording: one alloc per acquire (ids reused once freed) and one free per
   * release, in order, and a free of every live id at a reset. Failures, waits, timeouts, aborts
   * and cancels change no placement and are left out; so are releases of segments acquired before
   * the recording (or whose acquire was dropped). Segments live at the end stay live in the trace.
   * @throws {RangeError} an acquire of 2^32 bytes or more, which a TRC1 record cannot hold.
   */
  toTrace(): Trace {
    const { kinds, ids, lens } = this.#events;
    const words: number[] = [];
    const traceIdOf = new Map<number, number>();
    const freeIds: number[] = [];
    let nIds = 0;
    for (let i = 0; i < this.length; i++) {
      const kind = EVENT_KINDS[kinds[i] ?? 0];
      const id = ids[i] ?? -1;
      if (kind === 'acquire') {
        const len = lens[i] ?? 0;
        if (len > MAX_TRACE_LEN) throw new RangeError(`event ${i}: an acquire of ${len} bytes does not fit a TRC1 record (at most ${MAX_TRACE_LEN} bytes)`);
        const traceId = freeIds.pop() ?? nIds++;
        traceIdOf.set(id, traceId);
        words.push(OP_ALLOC, traceId, len);
      } else if (kind === 'release') {
        const traceId = traceIdOf.get(id);
        if (traceId === undefined) continue;
        traceIdOf.delete(id);
        freeIds.push(traceId);
        words.push(OP_FREE, traceId, 0);
      } else if (kind === 'reset') {
        for (const traceId of traceIdOf.values()) {
          freeIds.push(traceId);
          words.push(OP_FREE, traceId, 0);
        }
        traceIdOf.clear();
      }
    }
    return { nOps: words.length / 3, nIds, ops: Uint32Array.from(words) };
  }

  /** The events as JSON lines, one at a time: `JSON.stringify(event)` and `\n` each. */
  *jsonLines(): IterableIterator<string> {
    for (let i = 0; i < this.length; i++) yield `${JSON.stringify(this.#eventAt(i))}\n`;
  }

  /**
   * {@link PoolRecording.jsonLines} joined into one string.
   * @throws {RangeError} past about 4 million events, more than one string holds.
   */
  toJsonLines(): string {
    let text = '';
    for (const line of this.jsonLines()) text += line;
    return text;
  }

  /**
   * The recording as a PyTorch memory snapshot, the pickle `torch.cuda.memory._snapshot()` gives,
   * for pytorch.org/memory_viz (docs/api.md has the schema). Pass `pool.snapshot()` taken right
   * after `stopRecording()` for absolute addresses and the exact segments at the end; without it,
   * addresses are offsets (base 0) and the segments are derived from the events when they tell them.
   * @throws {RangeError} a snapshot of another pool, or not of the recording's end.
   * @example
   * ```ts
   * const recording = pool.stopRecording()!;
   * writeFileSync('run.pickle', recording.toMemoryViz(pool.snapshot()));
   * ```
   */
  toMemoryViz(snapshot?: PoolSnapshot): Uint8Array {
    return encodePickle(memoryVizSnapshot([...this.events()], this, snapshot));
  }

  #eventAt(i: number): RecordedEvent {
    const { kinds, timesUs, ids, lens, offsets, blocks, tags, tagNames, stacks } = this.#events;
    const kind = EVENT_KINDS[kinds[i] ?? 0] ?? 'acquire';
    // Rounded to the nanosecond, so the text shows no binary noise.
    const timeUs = Math.round((timesUs[i] ?? 0) * 1000) / 1000;
    if (kind === 'reset' || kind === 'close') return { kind, timeUs };
    if (kind === 'grow' || kind === 'trim') {
      // The id column holds the block's base for these (the recorder's baseOf).
      const base = ids[i] ?? -1;
      return {
        kind,
        timeUs,
        block: blocks[i] ?? -1,
        bytes: lens[i] ?? 0,
        ...(base < 0 ? {} : { address: hex(BigInt(base)) }),
        capacity: this.#capacityAfter.get(i) ?? 0,
      };
    }
    const id = ids[i] ?? -1;
    const len = lens[i] ?? 0;
    const offset = offsets[i] ?? -1;
    const tag = tagNames[tags[i] ?? -1];
    const stack = stacks[i];
    return {
      kind,
      timeUs,
      ...(id < 0 ? {} : { id }),
      len,
      footprint: granulesOf(len) * DVPP_ADDR_ALIGN,
      ...(offset < 0 ? {} : { offset: offset * DVPP_ADDR_ALIGN, block: blocks[i] ?? -1 }),
      ...(tag === undefined ? {} : { tag }),
      ...(stack === undefined ? {} : { stack: callerFrames(stack) }),
    };
  }
}
