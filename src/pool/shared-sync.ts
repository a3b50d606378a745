// SPDX-License-Identifier: MIT
// What a shared pool adds to its core (issue 15): the engine's state, the counters, a record of
// each used range and the tag table live in SharedArrayBuffers (shared-state.ts) that every
// attached thread maps, under one Atomics lock (shared-lock.ts). Each operation takes the lock,
// runs the plain engine on the shared arrays (its nine scalar figures loaded when another
// thread held the last section, saved after each) and the counters in shared memory, and lets
// go: no native call and no await inside, and the zero fill after. Each thread keeps its own
// Segment objects (JS objects cannot be shared), by node with the generation they were made for; the engine's generation in shared memory is the truth, so
// a handle another thread released (through a copy it adopted) reads as released everywhere.
//
// Waits: each thread queues its own acquireAsync calls (waiters.ts, priorities and all) and
// publishes its queue's head (priority, ticket) in its attachment row; tickets come from one
// shared counter, so arrival order is one order across threads. A thread serves its head only
// when no other thread's head comes first (higher priority, or the same and an earlier
// ticket). Threads with waiters sleep on the release epoch with Atomics.waitAsync, so nobody
// polls; a release bumps it (and notifies) only when some thread counts itself asleep (#arm
// says why no wake is lost).
//
// A thread that dies holding the lock (a worker terminated inside a section) is found by the
// next taker (shared-lock.ts asks the addon whether the holder's thread still runs), which
// rebuilds the engine from the range records: a range's record is committed as the last step
// of its allocation and withdrawn as the first step of its release, so the records always say
// exactly which ranges are used, whatever the dead holder left half-done in the engine.

import { randomUUID } from 'node:crypto';
import type { Backend, BackendBlock, BackendKind, BlockShare } from '../backends/backend.js';
import { registerThread, threadAlive } from '../backends/threads.js';
import { segmentSizeOf } from '../constants.js';
import { InvalidSegmentError, PoolClosedError } from '../errors.js';
import { type EngineStorage, NO_SPACE, type TlsfEngine } from '../engine/index.js';
import { TAG_SPARE } from '../engine/nodes.js';
import type { PoolStats } from '../pool-stats.js';
import { invalidMessage } from '../validate.js';
import type { PoolBlock } from './block.js';
import { type CoreSharing, GRANULE as G, type PoolCore } from './core.js';
import { warnLeaks } from './leaks.js';
import { type Segment, newSegment, segmentBlock, segmentLength, segmentNode, segmentOffset, segmentTag } from './segment.js';
import { SharedLock } from './shared-lock.js';
import {
  ATTACHED,
  ATTACHMENT_FIGURES,
  ATTACHMENT_WORDS,
  DETACHED,
  FIGURES,
  HEADER,
  MAX_ATTACHMENTS,
  type SharedBuffers,
  SharedNodeStorage,
  isSharedBuffers,
  makeSharedBuffers,
} from './shared-state.js';
import { NO_TAG, OTHER_TAG, SharedTagTable } from './shared-tags.js';
import { buildSnapshot, type PoolSnapshot } from './snapshot.js';
import { COUNTER_WORDS, type WaitFigures } from './stats.js';
import type { Waiter } from './waiters.js';

/** What `pool.share()` returns and `attachPool()` takes: plain data and SharedArrayBuffers only. */
export interface SharedPoolDescriptor {
  readonly type: typeof DESCRIPTOR_TYPE;
  /** This pool, among every pool of the process. */
  readonly id: string;
  readonly capacity: number;
  readonly backend: BackendKind;
  readonly deviceId: number;
  readonly libraryDir: string | undefined;
  readonly zeroOnAcquire: boolean;
  readonly block: BlockShare;
  readonly buffers: SharedBuffers;
}

/** What `segment.toShared()` returns and `pool.adopt()` takes. */
export interface SharedSegment {
  readonly type: typeof SEGMENT_TYPE;
  readonly pool: string;
  readonly node: number;
  readonly generation: number;
  readonly offset: number;
  readonly length: number;
  readonly tag?: string;
}

export const DESCRIPTOR_TYPE = 'dvpp-pool/shared-pool@1';
export const SEGMENT_TYPE = 'dvpp-pool/shared-segment@1';

/** Attachment row words (Int32). */
const ROW = { state: 0, thread: 1, headPresent: 2, headPriority: 3, headGranules: 4, sleeping: 5 } as const;
/** Attachment figure words (Float64). */
const ROW_FIGURES = { ticket: 0, waits: 1, timeouts: 2, aborts: 3, waiting: 4, waitMsTotal: 5, waitMsMax: 6 } as const;
/** A waiter held back by another thread's head re-checks after this long (that thread may have ended). */
const HELD_BACK_RECHECK_MS = 250;
/** An attached thread asks whether the creator's thread still runs once in this many closed checks... */
const CREATOR_CHECK_EVERY = 1024;
/** ...and, while it has waiters, this often. */
const CREATOR_WATCH_MS = 500;
/** A release that wakes sleepers checks, once in this many, that every thread counted asleep still runs. */
const SLEEPER_CHECK_EVERY = 1024;

/** How this thread tells whether another attachment's thread still runs. */
export interface ThreadLiveness {
  /** This thread's process-wide id. */
  readonly self: number;
  /** Whether the thread of that id still runs. */
  alive(thread: number): boolean;
}

export class SharedSync {
  readonly core: PoolCore;
  readonly id: string;
  readonly buffers: SharedBuffers;
  readonly creator: boolean;
  readonly attachment: number;
  readonly lock: SharedLock;
  readonly tags: SharedTagTable;
  readonly storage: SharedNodeStorage;
  readonly #header: Int32Array;
  readonly #figures: Float64Array;
  /** The engine's scalar figures (those not in its arrays), saved after every section. */
  readonly #scalars: Int32Array;
  /** This thread's mark in the header's lastHolder word: its attachment id + 1. */
  readonly #mark: number;
  readonly #rows: Int32Array;
  readonly #rowFigures: Float64Array;
  readonly #liveness: ThreadLiveness;
  readonly #engine: TlsfEngine;
  readonly #describe: () => Omit<SharedPoolDescriptor, 'type' | 'id' | 'buffers'>;
  /** The generation each of this thread's Segment objects was made for, by node. */
  #generations: number[] = [];
  #armed = false;
  #recheck: NodeJS.Timeout | undefined = undefined;
  #closedChecks = 0;
  #wakes = 0;
  /** Set by detach(): this thread's row reads as gone from then on. */
  #detached = false;
  /** While an attached thread has waiters: asks now and then whether the creator's thread still runs. */
  #creatorWatch: NodeJS.Timeout | undefined = undefined;

  constructor(
    core: PoolCore,
    setup: { readonly id: string; readonly buffers: SharedBuffers; readonly storage: SharedNodeStorage; readonly tags: SharedTagTable; readonly creator: boolean },
    liveness: ThreadLiveness,
    describe: () => Omit<SharedPoolDescriptor, 'type' | 'id' | 'buffers'>,
  ) {
    this.core = core;
    this.id = setup.id;
    this.buffers = setup.buffers;
    this.storage = setup.storage;
    this.tags = setup.tags;
    this.creator = setup.creator;
    this.#header = new Int32Array(setup.buffers.header);
    this.#figures = new Float64Array(setup.buffers.figures);
    this.#scalars = new Int32Array(setup.buffers.scalars);
    this.#rows = new Int32Array(setup.buffers.attachments);
    this.#rowFigures = new Float64Array(setup.buffers.attachmentFigures);
    this.#liveness = liveness;
    // A shared pool has its one block for life (it does not grow).
    this.#engine = core.first.engine;
    this.#describe = describe;
    const attachment = Atomics.add(this.#header, HEADER.nextAttachment, 1);
    if (attachment >= MAX_ATTACHMENTS) {
      throw new RangeError(`A shared pool takes at most ${MAX_ATTACHMENTS} attachments over its life; this would be attachment ${attachment + 1}`);
    }
    this.attachment = attachment;
    this.#mark = attachment + 1;
    const row = attachment * ATTACHMENT_WORDS;
    Atomics.store(this.#rows, row + ROW.thread, liveness.self);
    Atomics.store(this.#rows, row + ROW.state, ATTACHED);
    this.lock = new SharedLock(
      this.#header,
      HEADER.lock,
      attachment,
      (holder) => this.#attachmentAlive(holder),
      () => this.#recover(),
    );
    core.waiters.onChange = () => this.#published();
  }

  /** Attachment rows in use so far (a refused attach counted one past the last). */
  get #attachments(): number {
    return Math.min(this.#header[HEADER.nextAttachment]!, MAX_ATTACHMENTS);
  }

  /** The creator's first engine figures, for the threads that attach. */
  publishInitial(): void {
    this.#engine.saveScalars(this.#scalars);
    this.#header[HEADER.lastHolder] = this.#mark;
  }

  /** Counts an acquire that found no room. */
  countFailure(): void {
    this.#section(() => {
      this.core.counters.failures++;
    });
  }

  /**
   * Whether the creator closed the pool, or (seen from an attached thread) its thread ended
   * without closing, which freed the block: every CREATOR_CHECK_EVERY-th call asks the addon.
   */
  get creatorClosed(): boolean {
    // A plain read (an atomic one is a builtin call on the hot path): the flag is set under the
    // lock, so a section always sees it; a check outside one races with close either way.
    if (this.#header[HEADER.closed] !== 0) return true;
    if (this.creator || ++this.#closedChecks < CREATOR_CHECK_EVERY) return false;
    this.#closedChecks = 0;
    return this.#creatorEnded();
  }

  /** The creator's thread ended (never closing): the pool is closed for everyone from now on. */
  #creatorEnded(): boolean {
    if (this.#attachmentAlive(0)) return false;
    Atomics.store(this.#header, HEADER.closed, 1);
    this.#bump();
    return true;
  }

  /** The descriptor another thread attaches with. */
  describe(): SharedPoolDescriptor {
    return Object.freeze({ type: DESCRIPTOR_TYPE, id: this.id, buffers: this.buffers, ...this.#describe() });
  }

  // ---------------------------------------------------------------------------------------------
  // Sections: every one holds the lock. The counters live in shared memory; the engine's arrays
  // too, and its scalar figures (kept in fields, so that a plain pool's engine pays nothing for
  // sharing) are loaded when another thread held the last section and saved after each one.

  #enter(): void {
    this.lock.acquire();
    const header = this.#header;
    if (header[HEADER.lastHolder] === this.#mark) return;
    this.#engine.loadScalars(this.#scalars);
    header[HEADER.lastHolder] = this.#mark;
  }

  #leave(): void {
    this.#engine.saveScalars(this.#scalars);
    this.lock.release();
  }

  #section<T>(work: () => T): T {
    this.#enter();
    try {
      return work();
    } finally {
      this.#leave();
    }
  }

  /**
   * Room may have appeared: wake the threads that wait for it. A sleeper counts itself before it
   * reads the epoch (#arm), so either this sees it and notifies, or it sees the new epoch.
   */
  #bump(): void {
    const header = this.#header;
    Atomics.add(header, HEADER.epoch, 1);
    if (Atomics.load(header, HEADER.epochSleepers) !== 0) Atomics.notify(header, HEADER.epoch);
  }

  // ---------------------------------------------------------------------------------------------
  // Acquire and release.

  /** Takes a range under the lock (held by the caller) and commits its record; the node, or NO_SPACE. */
  #take(len: number, granules: number, tag: string | undefined): number {
    const engine = this.#engine;
    const node = engine.allocate(granules);
    if (node === NO_SPACE) return NO_SPACE;
    const records = this.storage.records;
    const tagId = tag === undefined ? NO_TAG : this.tags.idOf(tag);
    records.length[node] = len;
    records.owner[node] = this.attachment;
    records.tag[node] = tagId;
    // The commit: from here on the range is used, whatever happens to this thread.
    records.generation[node] = engine.generationOf(node);
    this.core.counters.acquired(len, granules);
    if (tagId !== NO_TAG) this.tags.acquiredId(tagId, granules);
    return node;
  }

  /** Withdraws the record of `node` (a range of `len` bytes, tagged or not) and frees the range, under the lock (held by the caller). */
  #give(node: number, len: number, tagged: boolean): void {
    const engine = this.#engine;
    const records = this.storage.records;
    const granules = engine.sizeOf(node);
    // The withdrawal first: from here on the range is free, whatever happens to this thread.
    records.generation[node] = -1;
    engine.free(node, engine.generationOf(node));
    this.core.counters.released(len, granules);
    if (tagged) this.tags.releasedId(records.tag[node]!, granules);
  }

  /** The zero fill (outside the lock) and this thread's Segment for a range it took. */
  #finish(node: number, len: number, tag: string | undefined, zero: boolean): Segment {
    const block = this.core.first;
    const engine = this.#engine;
    const offset = engine.offsetOf(node) * G;
    const generation = engine.generationOf(node);
    if (zero) this.#zeroFill(block, node, generation, offset, len, tag);
    const segment = newSegment(block, node, offset, len, tag);
    block.segments[node] = segment;
    this.#generations[node] = generation;
    this.core.recorder?.acquired(block.index, node, offset / G, len, tag);
    return segment;
  }

  /** Zeroes a range just taken; if that fails, gives the range back and throws. Apart from #finish: its bytecode would count against the hot path's inlining budget. */
  #zeroFill(block: PoolBlock, node: number, generation: number, offset: number, len: number, tag: string | undefined): void {
    try {
      this.core.checkProcess();
      this.core.backend.memset(block.native, offset, segmentSizeOf(len), 0);
    } catch (error) {
      this.#section(() => {
        if (this.#engine.isLive(node, generation)) this.#give(node, len, tag !== undefined);
      });
      this.#bump();
      throw error;
    }
  }

  allocate(len: number, granules: number, tag: string | undefined, zero: boolean): Segment | undefined {
    // Written out, not through #section: no closure on the hot path.
    let node: number;
    this.#enter();
    try {
      node = this.#take(len, granules, tag);
    } finally {
      this.#leave();
    }
    return node === NO_SPACE ? undefined : this.#finish(node, len, tag, zero);
  }

  /** A waiter's turn: taken only when no other thread's head comes before it. */
  serve(waiter: Waiter): Segment | undefined {
    let node = NO_SPACE;
    let blocker = -1;
    this.#section(() => {
      blocker = this.#aheadOf(waiter.priority, waiter.ticket);
      if (blocker < 0) node = this.#take(waiter.len, waiter.granules, waiter.tag);
    });
    if (blocker >= 0) this.#heldBack(blocker);
    return node === NO_SPACE ? undefined : this.#finish(node, waiter.len, waiter.tag, waiter.zero);
  }

  /** Whether the generation this thread's Segment at `node` was made for is still the node's. */
  isCurrent(node: number): boolean {
    // Once the creator closed the pool no segment is live, in any thread.
    return this.#header[HEADER.closed] === 0 && this.#engine.nodes.tag[node] === this.#generations[node];
  }

  release(segment: Segment): void {
    const core = this.core;
    const node = segmentNode(segment);
    // A closed pool's segments are all released (the creator's close, or its thread's end, freed the block).
    if (node < 0) throw core.releaseError(segment);
    const block = segmentBlock(segment);
    if (block.core !== core || block.segments[node] !== segment || this.creatorClosed) throw core.releaseError(segment);
    const generation = this.#generations[node] ?? -1;
    let freed = false;
    let wake = false;
    this.#enter();
    try {
      if (this.#engine.isLive(node, generation)) {
        this.#give(node, segmentLength(segment), segmentTag(segment) !== undefined);
        freed = true;
        // Read under the lock, as sleepers count themselves (#arm): one that counted after this finds the room itself.
        wake = this.#header[HEADER.epochSleepers] !== 0;
      }
    } finally {
      this.#leave();
    }
    block.segments[node] = undefined;
    if (!freed) {
      throw new InvalidSegmentError(
        `Cannot release the segment at offset ${segmentOffset(segment)}: it was released already (in this thread or, through a handle it adopted, another), or the pool was reset`,
      );
    }
    core.recorder?.released(0, node, segment);
    if (wake) {
      this.#bump();
      if (++this.#wakes % SLEEPER_CHECK_EVERY === 0) this.#sweepDead();
    }
    if (core.waiters.size !== 0) core.waiters.drain();
  }

  reset(): void {
    this.#section(() => {
      this.storage.records.generation.fill(-1);
      // Every node's tag stops being a generation: the engine never reads tags above `top` after a
      // reset, but other threads' isCurrent() does (their Segments of these nodes must read stale).
      this.#engine.nodes.tag.fill(TAG_SPARE);
      this.#engine.reset();
      this.core.noteReset();
      this.tags.reset();
    });
    this.#generations = [];
    this.#bump();
  }

  // ---------------------------------------------------------------------------------------------
  // Handles that move between threads.

  toShared(segment: Segment): SharedSegment {
    const node = segmentNode(segment);
    const tag = segmentTag(segment);
    const value = { type: SEGMENT_TYPE as typeof SEGMENT_TYPE, pool: this.id, node, generation: this.#generations[node] ?? -1, offset: segmentOffset(segment), length: segmentLength(segment) };
    return Object.freeze(tag === undefined ? value : { ...value, tag });
  }

  /** This thread's Segment for the range `value` names, if it is live; refused otherwise. */
  adopt(value: unknown): Segment {
    const shape = sharedSegmentOf(value);
    if (shape.pool !== this.id) throw new InvalidSegmentError('Cannot adopt: the segment belongs to another pool');
    const { node, generation, offset, length } = shape;
    const block = this.core.first;
    const known = block.segments[node];
    if (known !== undefined && this.#generations[node] === generation && this.isCurrent(node)) return known;
    let live = false;
    this.#section(() => {
      const engine = this.#engine;
      const records = this.storage.records;
      live =
        node < engine.nodes.top &&
        engine.isLive(node, generation) &&
        records.generation[node] === generation &&
        engine.offsetOf(node) * G === offset &&
        records.length[node] === length &&
        this.#tagMatches(records.tag[node]!, shape.tag);
      if (live) records.owner[node] = this.attachment;
    });
    if (!live) throw new InvalidSegmentError(`Cannot adopt the segment at offset ${offset}: it was released already, the pool was reset, or the value was not made by toShared()`);
    const segment = newSegment(block, node, offset, length, shape.tag);
    block.segments[node] = segment;
    this.#generations[node] = generation;
    return segment;
  }

  /**
   * Whether a value's tag is the range's: a release counts the tag's figures by its Segment's tag.
   * A tag past the table (OTHER_TAG) has no stored name, so any name passes for it.
   */
  #tagMatches(id: number, tag: string | undefined): boolean {
    if (id === NO_TAG || tag === undefined) return id === NO_TAG && tag === undefined;
    return id === OTHER_TAG || this.tags.nameOf(id) === tag;
  }

  // ---------------------------------------------------------------------------------------------
  // Waits across threads.

  nextTicket(): number {
    return this.lock.run(() => {
      const ticket = this.#figures[FIGURES.nextTicket]! + 1;
      this.#figures[FIGURES.nextTicket] = ticket;
      return ticket;
    });
  }

  /**
   * Whether another thread's head has `priority` or higher: a new call of `priority` queues
   * behind it. Read without the lock, as a hint for acquireAsync's fast path; serve() decides
   * under it.
   */
  othersHoldBack(priority: number): boolean {
    const rows = this.#rows;
    for (let a = 0; a < this.#attachments; a++) {
      if (a === this.attachment) continue;
      const row = a * ATTACHMENT_WORDS;
      if (rows[row + ROW.headPresent] !== 1 || rows[row + ROW.headPriority]! < priority) continue;
      // The head of a thread that ended holds nobody back (this asks the addon: a waiting path only).
      if (!this.#detachIfGone(a)) return true;
    }
    return false;
  }

  /** The attachment whose head comes before (priority, ticket), or -1 (the lock is held). */
  #aheadOf(priority: number, ticket: number): number {
    const rows = this.#rows;
    const figures = this.#rowFigures;
    for (let a = 0; a < this.#attachments; a++) {
      if (a === this.attachment) continue;
      const row = a * ATTACHMENT_WORDS;
      if (rows[row + ROW.headPresent] !== 1) continue;
      const theirs = rows[row + ROW.headPriority]!;
      if (theirs > priority || (theirs === priority && figures[a * ATTACHMENT_FIGURES + ROW_FIGURES.ticket]! < ticket)) return a;
    }
    return -1;
  }

  /** This thread's queue changed: publish its head and figures, wake the others, and sleep on the epoch while it has waiters. */
  #published(): void {
    const waiters = this.core.waiters;
    const head = waiters.head;
    const row = this.attachment * ATTACHMENT_WORDS;
    const at = this.attachment * ATTACHMENT_FIGURES;
    this.lock.run(() => {
      const rows = this.#rows;
      const figures = this.#rowFigures;
      rows[row + ROW.headPresent] = head === undefined ? 0 : 1;
      if (head !== undefined) {
        rows[row + ROW.headPriority] = head.priority;
        rows[row + ROW.headGranules] = head.granules;
        figures[at + ROW_FIGURES.ticket] = head.ticket;
      }
      figures[at + ROW_FIGURES.waits] = waiters.waits;
      figures[at + ROW_FIGURES.timeouts] = waiters.timeouts;
      figures[at + ROW_FIGURES.aborts] = waiters.aborts;
      figures[at + ROW_FIGURES.waiting] = waiters.size;
      figures[at + ROW_FIGURES.waitMsTotal] = waiters.waitMsTotal;
      figures[at + ROW_FIGURES.waitMsMax] = waiters.waitMsMax;
      let waiting = 0;
      for (let a = 0; a < this.#attachments; a++) waiting += figures[a * ATTACHMENT_FIGURES + ROW_FIGURES.waiting]!;
      if (waiting > this.#figures[FIGURES.peakWaiting]!) this.#figures[FIGURES.peakWaiting] = waiting;
    });
    // The head may have changed: another thread's waiter may be first now.
    this.#bump();
    this.#arm();
  }

  /**
   * Sleeps (without blocking the thread) until the epoch moves, then offers room to this
   * thread's waiters. The sleeper is counted and the epoch read in one section: a release after
   * it sees the count and bumps the epoch; the room of a release before it is what the offer
   * that follows finds. That offer runs as a microtask, since #arm is called from inside the
   * wait queue's own changes.
   */
  #arm(): void {
    this.#watchCreator();
    if (this.#armed || this.core.waiters.size === 0 || this.core.closed) return;
    this.#armed = true;
    const seen = this.lock.run(() => {
      this.#countSleeper(this.attachment);
      return this.#header[HEADER.epoch]!;
    });
    queueMicrotask(() => this.#sleep(seen));
  }

  #sleep(seen: number): void {
    const waiters = this.core.waiters;
    if (!this.core.closed) waiters.drain();
    if (waiters.size === 0 || this.core.closed) return this.#woken();
    const wait = Atomics.waitAsync(this.#header, HEADER.epoch, seen);
    if (wait.async) void wait.value.then(() => this.#woken());
    else queueMicrotask(() => this.#woken());
  }

  /** The epoch moved (or there is nothing to wait for): uncounted, and armed again while waiters remain. */
  #woken(): void {
    // A detached thread never takes the lock again: its row reads as gone, so a pause inside a
    // section would let another thread take the lock over from it. Detaching uncounted it.
    if (this.#detached) {
      this.#armed = false;
      return;
    }
    this.lock.run(() => this.#uncountSleeper(this.attachment));
    this.#armed = false;
    if (this.creatorClosed) return this.#closedByCreator();
    this.#arm();
  }

  /** An attached thread's waiters must learn of a creator that ended without closing: nobody else will bump the epoch. */
  #watchCreator(): void {
    if (this.creator) return;
    const waiting = this.core.waiters.size !== 0;
    if (waiting && this.#creatorWatch === undefined) {
      this.#creatorWatch = setInterval(() => {
        if (this.#creatorEnded()) this.#closedByCreator();
      }, CREATOR_WATCH_MS);
      this.#creatorWatch.unref();
    } else if (!waiting && this.#creatorWatch !== undefined) {
      clearInterval(this.#creatorWatch);
      this.#creatorWatch = undefined;
    }
  }

  /** A waiter of this thread is held back by attachment `blocker`'s head: if that thread ended, its head goes. */
  #heldBack(blocker: number): void {
    if (this.#recheck !== undefined) return;
    this.#recheck = setTimeout(() => {
      this.#recheck = undefined;
      if (!this.#detachIfGone(blocker) && this.core.waiters.size !== 0) {
        this.core.waiters.drain();
      }
    }, HELD_BACK_RECHECK_MS);
    this.#recheck.unref();
  }

  #attachmentAlive(attachment: number): boolean {
    const row = attachment * ATTACHMENT_WORDS;
    if (Atomics.load(this.#rows, row + ROW.state) !== ATTACHED) return false;
    return this.#liveness.alive(Atomics.load(this.#rows, row + ROW.thread));
  }

  /** Marks an attachment gone and takes its head out of the line (the lock is held). */
  #detachRow(attachment: number): void {
    const row = attachment * ATTACHMENT_WORDS;
    this.#rows[row + ROW.state] = DETACHED;
    this.#rows[row + ROW.headPresent] = 0;
    this.#rowFigures[attachment * ATTACHMENT_FIGURES + ROW_FIGURES.waiting] = 0;
    this.#uncountSleeper(attachment);
  }

  /**
   * Puts attachment `attachment` in the sleepers' count (the lock is held). The header's count is
   * what a release reads (one word on the hot path); the row's mark says who is in it, so a
   * thread that ends asleep is taken out by whoever detaches its row.
   */
  #countSleeper(attachment: number): void {
    this.#rows[attachment * ATTACHMENT_WORDS + ROW.sleeping] = 1;
    this.#header[HEADER.epochSleepers] = this.#header[HEADER.epochSleepers]! + 1;
  }

  /** Takes attachment `attachment` out of the sleepers' count, if it is in it (the lock is held). */
  #uncountSleeper(attachment: number): void {
    const sleeping = attachment * ATTACHMENT_WORDS + ROW.sleeping;
    if (this.#rows[sleeping] !== 1) return;
    this.#rows[sleeping] = 0;
    this.#header[HEADER.epochSleepers] = this.#header[HEADER.epochSleepers]! - 1;
  }

  /** Detaches the rows of threads that ended while counted asleep or with a head published (outside the lock: it asks the addon). */
  #sweepDead(): void {
    for (let a = 0; a < this.#attachments; a++) {
      if (a === this.attachment) continue;
      const row = a * ATTACHMENT_WORDS;
      if (this.#rows[row + ROW.state] !== ATTACHED || (this.#rows[row + ROW.sleeping] !== 1 && this.#rows[row + ROW.headPresent] !== 1)) continue;
      this.#detachIfGone(a);
    }
  }

  /**
   * Detaches attachment `attachment` if its thread ended, and wakes the sleepers (its head may
   * have held theirs back); whether it did. Outside the lock: it asks the addon.
   */
  #detachIfGone(attachment: number): boolean {
    if (this.#attachmentAlive(attachment)) return false;
    this.lock.run(() => this.#detachRow(attachment));
    this.#bump();
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Figures and pictures.

  stats(): PoolStats {
    return this.#section(() => this.core.statsNow(this.#waitFigures()));
  }

  /** The wait figures of every attachment together (the lock is held). */
  #waitFigures(): WaitFigures {
    const figures = this.#rowFigures;
    const sum = { size: 0, waits: 0, timeouts: 0, aborts: 0, waitMsTotal: 0, waitMsMax: 0, peakWaiting: this.#figures[FIGURES.peakWaiting]! };
    for (let a = 0; a < this.#attachments; a++) {
      const at = a * ATTACHMENT_FIGURES;
      sum.size += figures[at + ROW_FIGURES.waiting]!;
      sum.waits += figures[at + ROW_FIGURES.waits]!;
      sum.timeouts += figures[at + ROW_FIGURES.timeouts]!;
      sum.aborts += figures[at + ROW_FIGURES.aborts]!;
      sum.waitMsTotal += figures[at + ROW_FIGURES.waitMsTotal]!;
      sum.waitMsMax = Math.max(sum.waitMsMax, figures[at + ROW_FIGURES.waitMsMax]!);
    }
    return sum;
  }

  resetPeak(): void {
    this.#section(() => {
      this.core.counters.resetPeak();
      this.tags.resetPeak();
      this.#figures[FIGURES.peakWaiting] = this.#waitFigures().size;
      for (let a = 0; a < this.#attachments; a++) this.#rowFigures[a * ATTACHMENT_FIGURES + ROW_FIGURES.waitMsMax] = 0;
    });
    this.core.waiters.resetPeak();
  }

  snapshot(): PoolSnapshot {
    return this.#section(() => {
      const block = this.core.first;
      const engine = this.#engine;
      const records = this.storage.records;
      const source = {
        index: 0,
        base: block.base,
        capacity: block.capacity,
        forEachRange: (visit: (offset: number, size: number, used: boolean, node: number) => void) => engine.forEachRange(visit),
        segmentAtNode: (node: number) => {
          const length = records.length[node]!;
          const id = records.tag[node]!;
          const tag = id === NO_TAG ? undefined : id === OTHER_TAG ? '(other tags)' : this.tags.nameOf(id);
          return { size: segmentSizeOf(length), length, tag, attachment: records.owner[node]! };
        },
      };
      return buildSnapshot(this.core.capacity, G, [source], this.core.statsNow(this.#waitFigures()));
    });
  }

  /** Checks the engine and the range records against each other and the counters (holding the lock). */
  validate(): void {
    this.#section(() => {
      const engine = this.#engine;
      engine.validate();
      const records = this.storage.records;
      let live = 0;
      let used = 0;
      for (let node = 0; node < engine.nodes.top; node++) {
        const generation = records.generation[node]!;
        const engineGeneration = engine.generationOf(node);
        const engineLive = engineGeneration >= 0 && engine.isLive(node, engineGeneration);
        if ((generation >= 0) !== engineLive || (engineLive && generation !== engineGeneration)) {
          throw new Error(`Pool invariant broken: node ${node}: range record ${generation}, engine ${engineLive ? engineGeneration : 'not used'}`);
        }
        if (engineLive) {
          live++;
          used += engine.sizeOf(node);
        }
      }
      const { liveSegments, usedGranules, acquires, releases } = this.core.counters;
      if (live !== liveSegments || used !== usedGranules) throw new Error(`Pool invariant broken: ${live} used ranges of ${used} granules, counters ${liveSegments} / ${usedGranules}`);
      if (acquires - releases !== liveSegments) throw new Error(`Pool invariant broken: ${acquires} acquires and ${releases} releases leave ${acquires - releases} live, not ${liveSegments}`);
      this.#validateTags();
    });
  }

  /** Each tag's live figures against the range records (the lock is held). */
  #validateTags(): void {
    const records = this.storage.records;
    const engine = this.#engine;
    const expected = new Map<number, { granules: number; segments: number }>();
    for (let node = 0; node < engine.nodes.top; node++) {
      const id = records.tag[node]!;
      if (records.generation[node]! < 0 || id === NO_TAG) continue;
      const entry = expected.get(id) ?? { granules: 0, segments: 0 };
      entry.granules += engine.sizeOf(node);
      entry.segments++;
      expected.set(id, entry);
    }
    const { tags, otherTags } = this.tags.stats(G);
    const check = (id: number, name: string, figures: { liveBytes: number; liveSegments: number }) => {
      const entry = expected.get(id) ?? { granules: 0, segments: 0 };
      if (figures.liveBytes !== entry.granules * G || figures.liveSegments !== entry.segments) {
        throw new Error(`Pool invariant broken: tag ${name} counts ${figures.liveSegments} segments of ${figures.liveBytes} bytes, its ranges ${entry.segments} of ${entry.granules * G}`);
      }
    };
    for (const [name, figures] of Object.entries(tags)) check(this.tags.idOf(name), JSON.stringify(name), figures);
    check(OTHER_TAG, '(other tags)', otherTags);
  }

  // ---------------------------------------------------------------------------------------------
  // The end.

  /** The creator's close: marks the pool closed for every thread and warns of every live segment, by attachment. */
  closeShared(): void {
    const leaked: { length: number; tag: string | undefined }[] = [];
    const byAttachment = new Map<number, number>();
    this.lock.run(() => {
      Atomics.store(this.#header, HEADER.closed, 1);
      const records = this.storage.records;
      for (let node = 0; node < records.generation.length; node++) {
        if (records.generation[node]! < 0) continue;
        const id = records.tag[node]!;
        leaked.push({ length: records.length[node]!, tag: id === NO_TAG ? undefined : (this.tags.nameOf(id) ?? '(other tags)') });
        const owner = records.owner[node]!;
        byAttachment.set(owner, (byAttachment.get(owner) ?? 0) + 1);
      }
    });
    this.#bump();
    this.#stop();
    warnLeaks(this.core.capacity, leaked, byAttachment);
  }

  /** An attached thread's close: it leaves; its segments stay allocated until another thread releases them or the pool closes. */
  detach(): void {
    this.lock.run(() => this.#detachRow(this.attachment));
    this.#detached = true;
    this.#bump();
    this.#stop();
  }

  #stop(): void {
    this.core.waiters.onChange = undefined;
    if (this.#recheck !== undefined) clearTimeout(this.#recheck);
    this.#recheck = undefined;
    if (this.#creatorWatch !== undefined) clearInterval(this.#creatorWatch);
    this.#creatorWatch = undefined;
  }

  /** The creator closed the pool while this thread had waiters. */
  #closedByCreator(): void {
    this.core.waiters.rejectAll(() => new PoolClosedError('acquireAsync'));
    this.#stop();
  }

  /**
   * After a lock holder died inside its section: the engine rebuilt from the range records, the
   * counters from them too. Records that cannot be rebuilt from (corrupt memory) close the pool
   * for every thread: no range of it can be trusted any more.
   */
  #recover(): void {
    try {
      this.#rebuild();
    } catch (error) {
      this.#header[HEADER.closed] = 1;
      this.#bump();
      throw error;
    }
  }

  #rebuild(): void {
    const engine = this.#engine;
    engine.loadScalars(this.#scalars);
    const records = this.storage.records;
    const used: { node: number; offset: number; size: number; generation: number }[] = [];
    let requested = 0;
    for (let node = 0; node < records.generation.length && node < engine.nodes.capacity; node++) {
      const generation = records.generation[node]!;
      if (generation < 0) continue;
      used.push({ node, offset: engine.nodes.offset[node]!, size: engine.nodes.size[node]!, generation });
      requested += records.length[node]!;
    }
    engine.restore(used);
    // Tags above the new top are not generations any more (as after reset).
    engine.nodes.tag.fill(TAG_SPARE, engine.nodes.top);
    const counters = this.core.counters;
    counters.liveSegments = used.length;
    counters.usedGranules = used.reduce((sum, range) => sum + range.size, 0);
    counters.requestedBytes = requested;
    // The dead holder may have counted its acquire or release, or not: the counts are made to agree with the records.
    counters.releases = counters.acquires - counters.liveSegments;
    this.tags.reset();
    for (const range of used) {
      const id = records.tag[range.node]!;
      if (id !== NO_TAG) this.tags.acquiredId(id, range.size);
    }
    engine.saveScalars(this.#scalars);
    this.#header[HEADER.lastHolder] = this.#mark;
  }
}

/** The checked fields of a value from `segment.toShared()`. @throws {InvalidSegmentError | TypeError} anything else. */
function sharedSegmentOf(value: unknown): SharedSegment {
  if (typeof value !== 'object' || value === null) throw new TypeError(invalidMessage('value', 'a value from segment.toShared()', value));
  const record = value as Record<string, unknown>;
  const whole = (key: string) => {
    const field = record[key];
    return typeof field === 'number' && Number.isSafeInteger(field) && field >= 0 ? field : -1;
  };
  const tag = record['tag'];
  const shape = { node: whole('node'), generation: whole('generation'), offset: whole('offset'), length: whole('length') };
  if (record['type'] !== SEGMENT_TYPE || typeof record['pool'] !== 'string' || Object.values(shape).some((field) => field < 0) || (tag !== undefined && typeof tag !== 'string')) {
    throw new InvalidSegmentError('Cannot adopt: the value was not made by segment.toShared()');
  }
  return { type: SEGMENT_TYPE, pool: record['pool'], ...shape, ...(tag === undefined ? {} : { tag: tag as string }) };
}

/** Whether `value` looks like a descriptor from `pool.share()` (its buffers are checked too). */
export function isSharedPoolDescriptor(value: unknown): value is SharedPoolDescriptor {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return record['type'] === DESCRIPTOR_TYPE && typeof record['id'] === 'string' && typeof record['capacity'] === 'number' && isSharedBuffers(record['buffers']);
}

/** What a Pool of either side (creator or attached) is built from. */
export interface SharedCoreParts {
  readonly native: BackendBlock;
  readonly capacity: number;
  readonly zeroOnAcquire: boolean;
  readonly sharing: CoreSharing;
  /** Binds the core once it exists. */
  bind(core: PoolCore): void;
}

/** The creator's side: fresh shared buffers over its new, shareable block. */
export function creatorParts(
  backend: Backend,
  native: BackendBlock,
  capacity: number,
  zeroOnAcquire: boolean,
  where: { readonly deviceId: number; readonly libraryDir: string | undefined },
): SharedCoreParts {
  const buffers = makeSharedBuffers(capacity / G);
  const nodes = new SharedNodeStorage(buffers.nodes);
  const tags = new SharedTagTable(buffers);
  const block = backend.share(native);
  return {
    native,
    capacity,
    zeroOnAcquire,
    sharing: coreSharing(buffers, nodes, tags, false),
    bind(core) {
      const describe = () => ({ capacity, backend: backend.kind, deviceId: where.deviceId, libraryDir: where.libraryDir, zeroOnAcquire, block });
      const sync = new SharedSync(core, { id: randomUUID(), buffers, storage: nodes, tags, creator: true }, threadLiveness(), describe);
      core.shared = sync;
      sync.publishInitial();
    },
  };
}

/** An attaching thread's side: the descriptor's buffers and a borrowed handle on the block. */
export function attachedParts(backend: Backend, descriptor: SharedPoolDescriptor): SharedCoreParts {
  const { buffers, capacity, zeroOnAcquire } = descriptor;
  const nodes = new SharedNodeStorage(buffers.nodes);
  const tags = new SharedTagTable(buffers);
  const native = backend.borrow(descriptor.block);
  return {
    native,
    capacity,
    zeroOnAcquire,
    sharing: coreSharing(buffers, nodes, tags, true),
    bind(core) {
      const { id, type: _type, buffers: _buffers, ...rest } = descriptor;
      void _type;
      void _buffers;
      core.shared = new SharedSync(core, { id, buffers, storage: nodes, tags, creator: false }, threadLiveness(), () => rest);
    },
  };
}

/** This thread's liveness answers, through the addon's thread table (backends/threads.ts). */
function threadLiveness(): ThreadLiveness {
  return { self: registerThread(), alive: threadAlive };
}

/** The core's engine storage, counters and tag table over the shared buffers. */
function coreSharing(buffers: SharedBuffers, nodes: SharedNodeStorage, tags: SharedTagTable, existing: boolean): CoreSharing {
  const storage = { nodes, binHead: new Int32Array(buffers.binHead), bitmapRows: new Int32Array(buffers.bitmapRows), existing };
  return { storage, counters: new Float64Array(buffers.figures, FIGURES.counters * 8, COUNTER_WORDS), tags };
}

/**
 * Checks a value given to attachPool() before anything is built from it.
 * @throws {TypeError} it is not a descriptor from `pool.share()`.
 */
export function requireDescriptor(value: unknown): SharedPoolDescriptor {
  if (!isSharedPoolDescriptor(value)) throw new TypeError(invalidMessage('descriptor', 'a descriptor from pool.share()', value));
  return value;
}
