// SPDX-License-Identifier: MIT
// The pool's private core: one backend block, one TLSF engine, the live-segment registry, the
// wait queue and the counters, with allocate/release and the backend calls. Nothing here is
// reachable from a public object: a Pool holds its core in a #private field, and the friend
// modules (segment, scope, the pyACL skin) reach it through coreOf() in pool.ts, which the
// package does not export.
//
// A segment is live while it is the object registered at its engine node
// (`segments[node] === segment`); that identity check rejects double, stale (reset), foreign and
// closed-pool releases before any state changes, exactly: no generation can wrap around into a
// false match (docs/architecture.md, "Liveness").

import { JS_MAX_BLOCK_BYTES } from '../backends/js.js';
import { DVPP_ADDR_ALIGN, DVPP_MAX_BLOCK_BYTES, granulesOf, segmentSizeOf } from '../constants.js';
import { AcquireTimeoutError, ForkedProcessError, InvalidSegmentError, PoolClosedError } from '../errors.js';
import { growthNote } from './growth-note.js';
import { type EngineStorage, NO_SPACE } from '../engine/index.js';
import type { Backend, BackendBlock } from '../backends/backend.js';
import { isOutOfMemory } from '../backends/out-of-memory.js';
import { PoolBlock, allocateHalving } from './block.js';
import { describeThrown } from '../format.js';
import { invalidMessage, numberError } from '../validate.js';
import { abortReason, isAborted } from './abort-signal.js';
import { warnLeaks } from './leaks.js';
import {
  acquireTag,
  acquireZero,
  checkAcquireKeys,
  waitPriority,
  waitSignal,
  waitTimeout,
  type AcquireAsyncOptions,
  type AcquireOptions,
  type ParsedRecordingOptions,
} from './options.js';
import { Recorder } from './recorder.js';
import type { PoolRecording } from './recording.js';
import { type Segment, newSegment, segmentBlock, segmentCore, segmentLength, segmentNode, segmentOffset, segmentTag } from './segment.js';
import type { PoolStats } from '../pool-stats.js';
import { type ExhaustedOperation, ExhaustedReporter, type ExhaustedReport } from './exhausted.js';
import { buildSnapshot, type PoolSnapshot } from './snapshot.js';
import type { SharedSync } from './shared-sync.js';
import { PoolCounters, TagLedger, buildStats, type TagKeeper, type WaitFigures } from './stats.js';
import type { Pool } from './pool.js';
import { Waiter, WaitQueue, type WaitOwner } from './waiters.js';

/** The engine's unit: every footprint and offset is a whole number of these bytes. */
export const GRANULE = DVPP_ADDR_ALIGN;
/** A copy between two blocks goes through a host buffer of at most this many bytes. */
const COPY_CHUNK_BYTES = 4 * 1024 * 1024;

function lenError(len: unknown): TypeError | RangeError {
  return numberError('len', 'positive safe integer', len);
}

/** How a pool grows: its cap, the size of each new block, when empty blocks go back. */
export interface GrowthPolicy {
  /** Most bytes all blocks may hold together, a multiple of 128. */
  readonly maxSize: number;
  /** Bytes of each further block (a larger request gets its own footprint), a multiple of 128. */
  readonly growBy: number;
  /** Trim a block other than the first once it has been empty this long; undefined: never. */
  readonly trimAfterMs: number | undefined;
}

/** Why the last growth did not happen, for PoolExhaustedError's message. */
interface GrowthFailure {
  readonly tried: readonly number[];
  readonly error: unknown;
}

/** After a growth failed, a request as large is not tried again for this long (a release re-offers room often, and callers poll). */
const GROWTH_RETRY_MS = 100;
/** The warning a failed trimAfterMs trim emits. */
const TRIM_WARNING_TYPE = 'DvppPoolTrimWarning';
const TRIM_WARNING_CODE = 'DVPP_POOL_TRIM_FAILED';

/** What a shared pool's core keeps in shared memory rather than its own: the engine's storage, the counters' words, the tag table. */
export interface CoreSharing {
  readonly storage: EngineStorage;
  readonly counters: Float64Array;
  readonly tags: TagKeeper;
}

/** What a pool is made of; see the file comment. Members are the friends' API, not the public one. */
export class PoolCore {
  /** Bytes of all blocks now. */
  capacity = 0;
  readonly backend: Backend;
  /** Blocks by slot; a trimmed block leaves a hole that the next growth fills. */
  readonly blocks: (PoolBlock | undefined)[] = [];
  /** blocks[0], which is never trimmed: the hot path tries it first. */
  readonly first: PoolBlock;
  readonly growth: GrowthPolicy;
  readonly zeroOnAcquire: boolean;
  readonly waiters: WaitQueue;
  readonly counters: PoolCounters;
  /** Live bytes, live segments and peaks per tag (a shared pool's table is in shared memory). */
  readonly tags: TagKeeper;
  /** What a shared pool adds (its lock and shared state); undefined for a plain pool, the hot path's one branch. */
  shared: SharedSync | undefined = undefined;
  /** createPool's onExhausted, when given. */
  readonly exhausted: ExhaustedReporter | undefined;
  /** The public Pool over this core: what its segments report as `segment.pool`. */
  readonly pool: Pool;
  /** The recording in progress (and, after close, the one close ended): undefined when off, the hot path's one branch. */
  recorder: Recorder | undefined = undefined;
  /** The first id of the next recording: ids are a per-pool serial. */
  #nextRecordId = 0;
  /** The figures at close; set once the pool is closed. */
  finalStats: PoolStats | undefined = undefined;
  /** The block the last successful #allocateIn placed in (a second return value without an allocation). */
  #placed: PoolBlock;
  /** The last growth that failed, and when; cleared by one that succeeds. */
  #growthFailure: GrowthFailure | undefined = undefined;
  #growthFailedAt = -Infinity;
  /** The footprint of the request whose growth failed last; a request at least as large waits out GROWTH_RETRY_MS. */
  #growthFailedFootprint = Infinity;
  /** The unref'd timer of trimAfterMs, while some block waits to be trimmed. */
  #trimTimer: NodeJS.Timeout | undefined = undefined;
  /**
   * The process that created the block. ACL memory must not be used across fork, so the calls
   * that reach the backend or run once per frame (not acquire/tryAcquire/release) compare it with
   * `process.pid`, which Node sets at startup and again when a startup snapshot is restored.
   */
  readonly pid = process.pid;

  /** Takes ownership of `native` (zeroed by the backend, its contract); frees it if the engine cannot be built. */
  constructor(
    pool: Pool,
    backend: Backend,
    native: BackendBlock,
    capacity: number,
    growth: GrowthPolicy,
    zeroOnAcquire: boolean,
    onExhausted: ((report: ExhaustedReport) => void) | undefined,
    /** A shared pool's state in shared memory; a plain pool keeps its own. */
    sharing?: CoreSharing,
  ) {
    this.pool = pool;
    this.backend = backend;
    this.tags = sharing?.tags ?? new TagLedger();
    this.counters = new PoolCounters(sharing?.counters);
    this.first = this.#adopt(0, native, capacity, sharing?.storage);
    this.#placed = this.first;
    this.growth = growth;
    this.zeroOnAcquire = zeroOnAcquire;
    this.exhausted = onExhausted === undefined ? undefined : new ExhaustedReporter(onExhausted);
    this.waiters = new WaitQueue(
      (waiter) => this.#serve(waiter),
      (waiter, timeoutMs) => new AcquireTimeoutError(waiter.len, timeoutMs, this.stats(), growthNote(this, waiter.len)),
      (waiter) => this.exhausted?.report('acquireAsync', waiter.len, () => this.snapshot()),
    );
  }

  get closed(): boolean {
    return this.finalStats !== undefined || (this.shared !== undefined && this.shared.creatorClosed);
  }

  /** Address of the first block's first byte. */
  get baseAddress(): bigint {
    return this.first.base;
  }

  /** Throws ForkedProcessError when this is not the process that created the pool. */
  checkProcess(): void {
    const pid = process.pid;
    if (pid !== this.pid) throw new ForkedProcessError(this.pid, pid);
  }

  /** The largest footprint any block could ever hold: the first block, or the largest one growth may add. */
  get largestPossibleBlock(): number {
    return Math.max(this.first.capacity, Math.min(this.growth.maxSize - this.first.capacity, this.#blockLimit));
  }

  /** The largest block the backend can give: DVPP's 16 GiB, or the js backend's largest ArrayBuffer. */
  get #blockLimit(): number {
    return this.backend.kind === 'js' ? JS_MAX_BLOCK_BYTES : DVPP_MAX_BLOCK_BYTES;
  }

  /** Gives every empty block but the first back (for growth under the cap; nothing is re-offered here). */
  #trimEmpty(): void {
    for (const block of this.blocks) {
      if (block !== undefined && block !== this.first && block.engine.liveCount === 0) this.#trimBlock(block);
    }
  }

  /** acquire/tryAcquire: the segment, or undefined (counted as a failure) when there is no room. */
  acquireNow(operation: ExhaustedOperation, len: number, options: AcquireOptions | undefined): Segment | undefined {
    if (this.closed) throw new PoolClosedError(operation);
    if (!Number.isSafeInteger(len) || len <= 0) throw lenError(len);
    let tag: string | undefined;
    let zero = this.zeroOnAcquire;
    if (options !== undefined) {
      // Each option is read exactly once: a getter cannot show the check one value and the pool another.
      checkAcquireKeys(options, false);
      tag = acquireTag(options.tag);
      zero = acquireZero(options.zero) || zero;
      // Reading the options may run a getter that closed the pool.
      if (this.closed) throw new PoolClosedError(operation);
    }
    // Checking len first keeps the granule maths on small numbers; a len near 2^53 stops here.
    const segment = len > this.growth.maxSize ? undefined : this.allocate(len, granulesOf(len), tag, zero);
    if (segment === undefined) this.noteNoRoom(operation, len, tag);
    return segment;
  }

  /** An acquire found no room: counted, recorded and told to onExhausted. */
  noteNoRoom(operation: ExhaustedOperation, len: number, tag: string | undefined): void {
    if (this.shared === undefined) this.counters.failures++;
    else this.shared.countFailure();
    this.recorder?.failed(len, tag);
    this.exhausted?.report(operation, len, () => this.snapshot());
  }

  /** acquireAsync for `owner` (a scope's ledger, or undefined): the wait is its pending one, the segment its own. */
  acquireAsync(owner: WaitOwner | undefined, len: number, options: AcquireAsyncOptions | undefined): Promise<Segment> {
    try {
      if (this.closed) throw new PoolClosedError('acquireAsync');
      this.checkProcess();
      if (!Number.isSafeInteger(len) || len <= 0) throw lenError(len);
      let tag: string | undefined;
      let zero = this.zeroOnAcquire;
      let signal: AbortSignal | undefined;
      let timeoutMs: number | undefined;
      let priority = 0;
      if (options !== undefined) {
        // Each option is read exactly once: a getter cannot show the check one value and the pool another.
        checkAcquireKeys(options, true);
        tag = acquireTag(options.tag);
        zero = acquireZero(options.zero) || zero;
        signal = waitSignal(options.signal);
        timeoutMs = waitTimeout(options.timeoutMs);
        priority = waitPriority(options.priority);
        if (this.closed) throw new PoolClosedError('acquireAsync');
      }
      const granules = granulesOf(len);
      const largest = this.largestPossibleBlock;
      if (len > largest || granules * GRANULE > largest) {
        throw new RangeError(
          `len ${len} is larger than the pool can ever hold: its footprint is ${granules * GRANULE} bytes and the ` +
            `largest block the pool has or may grow is ${largest} bytes, so acquireAsync would wait forever`,
        );
      }
      if (signal !== undefined && isAborted(signal)) throw abortReason(signal);
      // Served at once when it fits and nobody of its priority or higher waits (in any thread, for a shared pool).
      if (!this.waiters.holdsBack(priority) && (this.shared === undefined || !this.shared.othersHoldBack(priority))) {
        const segment = this.allocate(len, granules, tag, zero);
        if (segment !== undefined) {
          owner?.segments.push(segment);
          return Promise.resolve(segment);
        }
      }
      return new Promise<Segment>((resolve, reject) => {
        const recorder = this.recorder;
        // Recording: the wait's end is noted as it rejects (a served wait is noted as an acquire).
        const onReject =
          recorder === undefined
            ? reject
            : (reason: unknown) => {
                if (this.recorder === recorder) recorder.waitRejected(waiter, reason, signal);
                reject(reason);
              };
        const waiter: Waiter = new Waiter(priority, len, granules, tag, zero, owner, resolve, onReject);
        if (this.shared !== undefined) waiter.ticket = this.shared.nextTicket();
        this.waiters.push(waiter, signal, timeoutMs);
        recorder?.waited(waiter);
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Allocates and registers a segment of `granules` for a validated `len`; undefined when there
   * is no room and the pool may not (or could not) grow; a growth as large that failed in the
   * last GROWTH_RETRY_MS is not tried again.
   * @throws a backend error of growth other than out-of-memory, or of the zero fill.
   */
  allocate(len: number, granules: number, tag: string | undefined, zero: boolean): Segment | undefined {
    // A shared pool takes its lock around the engine (shared-sync.ts); a plain one pays this
    // branch. Two bodies, not one: V8 inlines a call's whole bytecode into its caller within a
    // fixed budget, and a call site only shared pools reach never takes in the plain body's.
    const shared = this.shared;
    return shared === undefined ? this.#allocatePlain(len, granules, tag, zero) : shared.allocate(len, granules, tag, zero);
  }

  #allocatePlain(len: number, granules: number, tag: string | undefined, zero: boolean): Segment | undefined {
    // The first block first, with nothing in between: a pool that never grew pays one field read.
    let block = this.first;
    let node = block.engine.allocate(granules);
    if (node === NO_SPACE) {
      node = this.#allocateElsewhere(granules);
      if (node === NO_SPACE) return undefined;
      block = this.#placed;
    }
    const engine = block.engine;
    const offset = engine.offsetOf(node) * GRANULE;
    if (zero) {
      try {
        this.checkProcess();
        this.backend.memset(block.native, offset, segmentSizeOf(len), 0);
      } catch (error) {
        engine.free(node, engine.generationOf(node));
        this.recorder?.zeroFillFailed(block.index, offset / GRANULE, len, tag);
        throw error;
      }
    }
    const segment = newSegment(block, node, offset, len, tag);
    block.segments[node] = segment;
    block.emptySince = -1;
    this.counters.acquired(len, granules);
    if (tag !== undefined) this.tags.acquired(tag, granules);
    this.recorder?.acquired(block.index, node, offset / GRANULE, len, tag);
    return segment;
  }

  /** Counts a reset: every live segment released at once. */
  noteReset(): void {
    const counters = this.counters;
    counters.releases += counters.liveSegments;
    counters.resets++;
    counters.liveSegments = 0;
    counters.usedGranules = 0;
    counters.requestedBytes = 0;
  }

  /** Releases a segment and serves waiters that now fit. @throws {InvalidSegmentError | TypeError} not live here. */
  release(segment: Segment): void {
    // Two bodies, as in allocate.
    const shared = this.shared;
    if (shared === undefined) this.#releasePlain(segment);
    else shared.release(segment);
  }

  #releasePlain(segment: Segment): void {
    const node = this.liveNode(segment);
    if (node < 0) throw this.releaseError(segment);
    // The identity check proved the segment live, so the node's generation is its own.
    const block = segmentBlock(segment);
    const engine = block.engine;
    if (!engine.free(node, engine.generationOf(node))) {
      throw new Error(`Pool bookkeeping broken: the engine refused to free node ${node} of a live segment`);
    }
    block.segments[node] = undefined;
    const length = segmentLength(segment);
    const granules = granulesOf(length);
    this.counters.released(length, granules);
    const tag = segmentTag(segment);
    if (tag !== undefined) this.tags.released(tag, granules);
    this.recorder?.released(block.index, node, segment);
    if (block !== this.first && engine.liveCount === 0) this.#emptied(block);
    if (this.waiters.size !== 0) this.waiters.drain();
  }

  /** The engine node of `segment` when it is live in this pool, else -1. O(1), never throws. */
  liveNode(segment: unknown): number {
    const node = segmentNode(segment);
    if (node < 0) return -1;
    // Its block's core first: a segment of another pool is live in its own block.
    const block = segmentBlock(segment as Segment);
    if (block.core !== this || block.segments[node] !== segment) return -1;
    // In a shared pool another thread may have released it (through a handle it adopted), or
    // the creator closed the pool (or its thread ended) after this thread registered it.
    const shared = this.shared;
    return shared === undefined || (shared.isCurrent(node) && !shared.creatorClosed) ? node : -1;
  }

  /** Changes every time a segment is acquired or released, the pool is reset, grows or trims: the pyACL skin's offset index is fresh while it is unchanged. */
  get mutations(): number {
    const { acquires, releases, resets, grows, trims } = this.counters;
    return acquires + releases + resets + grows + trims;
  }

  /** Throws InvalidSegmentError unless `segment` is live; `action` names the attempt. */
  requireLive(segment: Segment, action: string): void {
    if (this.liveNode(segment) < 0) throw new InvalidSegmentError(`Cannot ${action} the segment at offset ${segmentOffset(segment)}: ${this.#deadReason(segment)}`);
  }

  /** Byte access for segments and the pyACL skin: `offset` is from the block's base, already bounds-checked. */
  write(block: PoolBlock, offset: number, src: ArrayBufferView): void {
    this.checkProcess();
    this.backend.write(block.native, offset, src);
  }

  /** See {@link PoolCore.write}. */
  read(block: PoolBlock, offset: number, dst: ArrayBufferView): void {
    this.checkProcess();
    this.backend.read(block.native, offset, dst);
  }

  /** See {@link PoolCore.write}. */
  memset(block: PoolBlock, offset: number, length: number, value: number): void {
    this.checkProcess();
    this.backend.memset(block.native, offset, length, value);
  }

  /**
   * See {@link PoolCore.write}; the two ranges do not overlap. Within one block the backend
   * copies; across blocks the bytes go through a bounded host buffer, a chunk at a time.
   */
  copy(dstBlock: PoolBlock, dstOffset: number, srcBlock: PoolBlock, srcOffset: number, length: number): void {
    this.checkProcess();
    if (dstBlock === srcBlock) return this.backend.copy(dstBlock.native, dstOffset, srcOffset, length);
    const chunk = new Uint8Array(Math.min(length, COPY_CHUNK_BYTES));
    for (let done = 0; done < length; done += chunk.length) {
      const part = chunk.subarray(0, Math.min(chunk.length, length - done));
      this.backend.read(srcBlock.native, srcOffset + done, part);
      this.backend.write(dstBlock.native, dstOffset + done, part);
    }
  }

  /** The live block holding `address` (an absolute address), or undefined. O(blocks). */
  blockAt(address: bigint): PoolBlock | undefined {
    for (const block of this.blocks) {
      if (block !== undefined && address >= block.base && address < block.base + BigInt(block.capacity)) return block;
    }
    return undefined;
  }

  /** Releases every segment at once (their handles become invalid), then serves waiters. Frees no block. */
  reset(): void {
    if (this.shared !== undefined) {
      this.shared.reset();
      this.first.segments = [];
      this.recorder?.reset();
      this.waiters.drain();
      return;
    }
    this.noteReset();
    this.tags.reset();
    for (const block of this.blocks) {
      if (block === undefined) continue;
      block.engine.reset();
      block.segments = [];
      if (block !== this.first) this.#emptied(block);
    }
    this.recorder?.reset();
    this.waiters.drain();
  }

  stats(): PoolStats {
    if (this.finalStats !== undefined) return this.finalStats;
    if (this.shared !== undefined) return this.shared.stats();
    return this.statsNow();
  }

  /** The figures from this thread's copy of the counters (a shared pool calls it holding its lock, freshly loaded). */
  statsNow(waits: WaitFigures = this.waiters): PoolStats {
    let largest = 0;
    let blocks = 0;
    for (const block of this.blocks) {
      if (block === undefined) continue;
      blocks++;
      const free = block.engine.largestFree();
      if (free > largest) largest = free;
    }
    return buildStats(this.capacity, GRANULE, largest, blocks, this.counters, waits, this.tags);
  }

  /** The peaks (used bytes, live segments, waiting, the longest wait, each tag's bytes) start again from now. */
  resetPeak(): void {
    if (this.shared !== undefined) return this.shared.resetPeak();
    this.counters.resetPeak();
    this.waiters.resetPeak();
    this.tags.resetPeak();
  }

  snapshot(): PoolSnapshot {
    if (this.shared !== undefined) return this.shared.snapshot();
    const blocks = this.blocks.filter((block): block is PoolBlock => block !== undefined);
    const sources = blocks.map((block) => ({
      index: block.index,
      base: block.base,
      capacity: block.capacity,
      forEachRange: (visit: (offset: number, size: number, used: boolean, node: number) => void) => block.engine.forEachRange(visit),
      segmentAtNode: (node: number) => {
        const segment = block.segments[node];
        if (segment === undefined) return undefined;
        const length = segmentLength(segment);
        return { size: segmentSizeOf(length), length, tag: segmentTag(segment) };
      },
    }));
    return buildSnapshot(this.capacity, GRANULE, sources, this.stats());
  }

  /** Returns every block but the first that holds no segment to the backend; the bytes freed. */
  trim(): number {
    let freed = 0;
    let failure: { error: unknown } | undefined;
    for (const block of this.blocks) {
      if (block === undefined || block === this.first || block.engine.liveCount !== 0) continue;
      // Every empty block is tried, as close() does; the first error is thrown after.
      try {
        freed += this.#trimBlock(block);
      } catch (error) {
        failure ??= { error };
      }
    }
    // Room under maxSize may be what a waiter needs to grow.
    if (freed > 0 && this.waiters.size !== 0) this.waiters.drain();
    if (failure !== undefined) throw failure.error;
    return freed;
  }

  /**
   * Frees every block once (the first error of a free is thrown after all were tried), rejects
   * the waiters and warns of leaked segments; see Pool.close.
   */
  close(): void {
    const shared = this.shared;
    if (shared !== undefined) return this.#closeShared(shared);
    const leaked: { length: number; tag: string | undefined }[] = [];
    for (const block of this.blocks) {
      for (const segment of block?.segments ?? []) {
        if (segment !== undefined) leaked.push({ length: segmentLength(segment), tag: segmentTag(segment) });
      }
    }
    this.waiters.rejectAll(() => new PoolClosedError('acquireAsync'));
    this.recorder?.closed();
    this.finalStats = this.stats();
    if (this.#trimTimer !== undefined) clearTimeout(this.#trimTimer);
    this.#trimTimer = undefined;
    let failure: { error: unknown } | undefined;
    for (const block of this.blocks) {
      if (block === undefined) continue;
      block.segments = [];
      block.freed = true;
      try {
        this.backend.free(block.native);
      } catch (error) {
        failure ??= { error };
      }
    }
    warnLeaks(this.capacity, leaked);
    if (failure !== undefined) throw failure.error;
  }

  /**
   * A shared pool's close: the creator marks it closed for every thread, warns of every live
   * segment (by attachment) and frees the block; an attached thread only leaves.
   */
  #closeShared(shared: SharedSync): void {
    this.waiters.rejectAll(() => new PoolClosedError('acquireAsync'));
    this.recorder?.closed();
    this.finalStats = shared.stats();
    const block = this.first;
    block.segments = [];
    if (!shared.creator) return shared.detach();
    shared.closeShared();
    block.freed = true;
    this.backend.free(block.native);
  }

  /** The growth that failed last (what was tried, and why it failed), for PoolExhaustedError; undefined when the last one succeeded. */
  get growthFailure(): GrowthFailure | undefined {
    return this.#growthFailure;
  }

  /** Starts a recording; returns the one it replaces, if any. */
  startRecording(options: ParsedRecordingOptions): PoolRecording | undefined {
    const previous = this.stopRecording();
    this.recorder = new Recorder(options, this.#nextRecordId);
    return previous;
  }

  /** Ends the recording (one that close ended too) and returns it; undefined when none runs. */
  stopRecording(): PoolRecording | undefined {
    const recorder = this.recorder;
    if (recorder === undefined) return undefined;
    this.recorder = undefined;
    this.#nextRecordId = recorder.nextId;
    return recorder.finish(this);
  }

  #serve(waiter: Waiter): Segment | undefined {
    const recorder = this.recorder;
    if (recorder !== undefined) recorder.serving = waiter;
    let segment: Segment | undefined;
    try {
      segment =
        this.shared === undefined
          ? this.allocate(waiter.len, waiter.granules, waiter.tag, waiter.zero)
          : this.shared.serve(waiter);
    } finally {
      if (recorder !== undefined) recorder.serving = undefined;
    }
    if (segment !== undefined) waiter.owner?.segments.push(segment);
    return segment;
  }

  /** Builds the block of slot `index` over `native`; frees `native` when the engine cannot be built. */
  #adopt(index: number, native: BackendBlock, capacity: number, storage?: EngineStorage): PoolBlock {
    let block: PoolBlock;
    try {
      block = new PoolBlock(this, index, native, capacity, storage);
    } catch (error) {
      this.backend.free(native);
      throw error;
    }
    this.blocks[index] = block;
    this.capacity += capacity;
    return block;
  }

  /**
   * The rare path of allocate: the other blocks in slot order, then one new block. Returns the
   * node (its block in #placed) or NO_SPACE.
   */
  #allocateElsewhere(granules: number): number {
    const blocks = this.blocks;
    for (let index = 1; index < blocks.length; index++) {
      const block = blocks[index];
      if (block === undefined) continue;
      const node = block.engine.allocate(granules);
      if (node !== NO_SPACE) {
        this.#placed = block;
        return node;
      }
    }
    const footprint = granules * GRANULE;
    // A growth as large that just failed is not retried at once: callers poll, and every release drains.
    if (footprint >= this.#growthFailedFootprint && performance.now() - this.#growthFailedAt < GROWTH_RETRY_MS) return NO_SPACE;
    const block = this.#grow(footprint);
    if (block === undefined) return NO_SPACE;
    this.#placed = block;
    return block.engine.allocate(granules);
  }

  /**
   * Adds one block that can hold `footprint` bytes: `max(growBy, footprint)`, never past
   * `maxSize`, halved down to `footprint` while the backend is out of memory. Undefined when the
   * cap leaves no room or the memory is not there.
   * @throws a backend error other than out-of-memory.
   */
  #grow(footprint: number): PoolBlock | undefined {
    const limit = this.#blockLimit;
    if (footprint > limit) return undefined;
    this.checkProcess();
    // Empty blocks held under the cap are given back first, as a caching allocator frees its cache before it fails.
    if (this.growth.maxSize - this.capacity < footprint) this.#trimEmpty();
    const room = this.growth.maxSize - this.capacity;
    if (room < footprint) return undefined;
    const want = Math.min(room, Math.max(this.growth.growBy, footprint), limit);
    const result = allocateHalving(this.backend, want, footprint);
    if (result.native === undefined) {
      this.counters.growFailures++;
      this.#growthFailure = { tried: result.tried, error: result.error };
      this.#growthFailedAt = performance.now();
      this.#growthFailedFootprint = footprint;
      if (!isOutOfMemory(result.error)) throw result.error;
      return undefined;
    }
    let index = this.blocks.indexOf(undefined);
    if (index < 0) index = this.blocks.length;
    const block = this.#adopt(index, result.native, result.size);
    this.counters.grows++;
    this.#growthFailure = undefined;
    this.#growthFailedFootprint = Infinity;
    this.recorder?.grew(block);
    return block;
  }

  /** A block other than the first holds no segment now: trim it when trimAfterMs says so. */
  #emptied(block: PoolBlock): void {
    const after = this.growth.trimAfterMs;
    if (after === undefined) return;
    block.emptySince = performance.now();
    this.#trimTimer ??= this.#armTrim(after);
  }

  #armTrim(delayMs: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.#trimTimer = undefined;
      if (this.closed) return;
      const after = this.growth.trimAfterMs ?? 0;
      const now = performance.now();
      let next = Infinity;
      let trimmed = false;
      for (const block of this.blocks) {
        if (block === undefined || block === this.first || block.emptySince < 0 || block.engine.liveCount !== 0) continue;
        const due = block.emptySince + after - now;
        if (due > 0) {
          next = Math.min(next, due);
          continue;
        }
        // Housekeeping must never crash the process: a failing free (or a forked child) is a warning.
        try {
          this.#trimBlock(block);
          trimmed = true;
        } catch (error) {
          process.emitWarning(`trimAfterMs could not give back block ${block.index}: ${describeThrown(error)}`, { type: TRIM_WARNING_TYPE, code: TRIM_WARNING_CODE });
        }
      }
      if (trimmed && this.waiters.size !== 0) this.waiters.drain();
      if (next !== Infinity) this.#trimTimer = this.#armTrim(Math.ceil(next));
    }, delayMs);
    // Trimming is housekeeping: it never keeps the process alive.
    timer.unref();
    return timer;
  }

  /** Frees one empty block (not the first) and empties its slot; the bytes freed. */
  #trimBlock(block: PoolBlock): number {
    this.checkProcess();
    this.blocks[block.index] = undefined;
    while (this.blocks.length > 1 && this.blocks[this.blocks.length - 1] === undefined) this.blocks.length--;
    this.capacity -= block.capacity;
    block.freed = true;
    block.segments = [];
    this.counters.trims++;
    this.recorder?.trimmed(block);
    this.backend.free(block.native);
    return block.capacity;
  }

  #deadReason(segment: Segment): string {
    // The core it was made with, not its public `pool` getter: nothing here runs the caller's code.
    if (segmentCore(segment) !== this) return 'it belongs to another pool';
    if (this.closed) return 'its pool is closed';
    if (segmentBlock(segment).freed) return 'its block was trimmed (it was released before)';
    return 'it was released already (or the pool was reset)';
  }

  /** The error a release of `segment` (not live here) throws. */
  releaseError(segment: unknown): Error {
    if (typeof segment !== 'object' || segment === null) return new TypeError(invalidMessage('segment', 'a Segment', segment));
    // The brand check, not instanceof: an object made from Segment.prototype has no #private fields.
    if (segmentNode(segment) < 0) return new InvalidSegmentError('Cannot release: the value is not a Segment of dvpp-pool');
    const branded = segment as Segment;
    return new InvalidSegmentError(`Cannot release the segment at offset ${segmentOffset(branded)}: ${this.#deadReason(branded)}`);
  }
}
