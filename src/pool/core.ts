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

import { DVPP_ADDR_ALIGN, granulesOf, segmentSizeOf } from '../constants.js';
import { AcquireTimeoutError, ForkedProcessError, InvalidSegmentError, PoolClosedError } from '../errors.js';
import { NO_SPACE, TlsfEngine } from '../engine/index.js';
import type { Backend, BackendBlock } from '../backends/backend.js';
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
import { type Segment, newSegment, segmentCore, segmentLength, segmentNode, segmentOffset, segmentTag } from './segment.js';
import type { PoolStats } from '../pool-stats.js';
import { type ExhaustedOperation, ExhaustedReporter, type ExhaustedReport } from './exhausted.js';
import { buildSnapshot, type PoolSnapshot } from './snapshot.js';
import { PoolCounters, TagLedger, buildStats } from './stats.js';
import type { Pool } from './pool.js';
import { Waiter, WaitQueue, type WaitOwner } from './waiters.js';

/** The engine's unit: every footprint and offset is a whole number of these bytes. */
export const GRANULE = DVPP_ADDR_ALIGN;

function lenError(len: unknown): TypeError | RangeError {
  return numberError('len', 'positive safe integer', len);
}

/** What a pool is made of; see the file comment. Members are the friends' API, not the public one. */
export class PoolCore {
  readonly capacity: number;
  readonly capacityGranules: number;
  readonly baseAddress: bigint;
  readonly backend: Backend;
  readonly block: BackendBlock;
  readonly engine: TlsfEngine;
  readonly zeroOnAcquire: boolean;
  readonly waiters: WaitQueue;
  readonly counters = new PoolCounters();
  /** Live bytes, live segments and peaks per tag. */
  readonly tags = new TagLedger();
  /** createPool's onExhausted, when given. */
  readonly exhausted: ExhaustedReporter | undefined;
  /** The public Pool over this core: what its segments report as `segment.pool`. */
  readonly pool: Pool;
  /** Live segments by engine node; holes are undefined. */
  segments: (Segment | undefined)[] = [];
  /** The recording in progress (and, after close, the one close ended): undefined when off, the hot path's one branch. */
  recorder: Recorder | undefined = undefined;
  /** The first id of the next recording: ids are a per-pool serial. */
  #nextRecordId = 0;
  /** The figures at close; set once the pool is closed. */
  finalStats: PoolStats | undefined = undefined;
  /**
   * The process that created the block. ACL memory must not be used across fork, so the calls
   * that reach the backend or run once per frame (not acquire/tryAcquire/release) compare it with
   * `process.pid`, which Node sets at startup and again when a startup snapshot is restored.
   */
  readonly pid = process.pid;

  /** Takes ownership of `block` (zeroed by the backend, its contract); frees it if the engine cannot be built. */
  constructor(
    pool: Pool,
    backend: Backend,
    block: BackendBlock,
    capacity: number,
    zeroOnAcquire: boolean,
    onExhausted: ((report: ExhaustedReport) => void) | undefined,
  ) {
    try {
      this.engine = new TlsfEngine(capacity / GRANULE);
    } catch (error) {
      backend.free(block);
      throw error;
    }
    this.pool = pool;
    this.backend = backend;
    this.block = block;
    this.capacity = capacity;
    this.capacityGranules = capacity / GRANULE;
    this.baseAddress = block.base;
    this.zeroOnAcquire = zeroOnAcquire;
    this.exhausted = onExhausted === undefined ? undefined : new ExhaustedReporter(onExhausted);
    this.waiters = new WaitQueue(
      (waiter) => this.#serve(waiter),
      (waiter, timeoutMs) => this.#timedOut(waiter, timeoutMs),
    );
  }

  get closed(): boolean {
    return this.finalStats !== undefined;
  }

  /** Throws ForkedProcessError when this is not the process that created the pool. */
  checkProcess(): void {
    const pid = process.pid;
    if (pid !== this.pid) throw new ForkedProcessError(this.pid, pid);
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
    const segment = len > this.capacity ? undefined : this.allocate(len, granulesOf(len), tag, zero);
    if (segment === undefined) {
      this.counters.failures++;
      this.recorder?.failed(len, tag);
      this.exhausted?.report(operation, len, () => this.snapshot());
    }
    return segment;
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
      if (len > this.capacity || granules > this.capacityGranules) {
        throw new RangeError(
          `len ${len} is larger than the pool capacity can ever hold: its footprint is ${granules * GRANULE} bytes ` +
            `and the capacity ${this.capacity} bytes, so acquireAsync would wait forever`,
        );
      }
      if (signal !== undefined && isAborted(signal)) throw abortReason(signal);
      // Served at once when it fits and nobody of its priority or higher waits.
      if (!this.waiters.holdsBack(priority)) {
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
        this.waiters.push(waiter, signal, timeoutMs);
        recorder?.waited(waiter);
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Allocates and registers a segment of `granules` for a validated `len`; undefined when there is no room. */
  allocate(len: number, granules: number, tag: string | undefined, zero: boolean): Segment | undefined {
    // A request larger than the capacity is the engine's NO_SPACE; no second check here.
    const engine = this.engine;
    const node = engine.allocate(granules);
    if (node === NO_SPACE) return undefined;
    const offset = engine.offsetOf(node) * GRANULE;
    if (zero) {
      try {
        this.checkProcess();
        this.backend.memset(this.block, offset, segmentSizeOf(len), 0);
      } catch (error) {
        engine.free(node, engine.generationOf(node));
        this.recorder?.zeroFillFailed(offset / GRANULE, len, tag);
        throw error;
      }
    }
    const segment = newSegment(this, node, offset, len, tag);
    this.segments[node] = segment;
    const counters = this.counters;
    counters.acquires++;
    counters.requestedBytes += len;
    counters.acquiredGranulesTotal += granules;
    if ((counters.usedGranules += granules) > counters.peakUsedGranules) counters.peakUsedGranules = counters.usedGranules;
    if (++counters.liveSegments > counters.peakLiveSegments) counters.peakLiveSegments = counters.liveSegments;
    if (tag !== undefined) this.tags.acquired(tag, granules);
    this.recorder?.acquired(node, offset / GRANULE, len, tag);
    return segment;
  }

  /** Releases a segment and serves waiters that now fit. @throws {InvalidSegmentError | TypeError} not live here. */
  release(segment: Segment): void {
    const node = this.liveNode(segment);
    if (node < 0) throw this.#releaseError(segment);
    // The identity check proved the segment live, so the node's generation is its own.
    const engine = this.engine;
    if (!engine.free(node, engine.generationOf(node))) {
      throw new Error(`Pool bookkeeping broken: the engine refused to free node ${node} of a live segment`);
    }
    this.segments[node] = undefined;
    const length = segmentLength(segment);
    const granules = granulesOf(length);
    const counters = this.counters;
    counters.releases++;
    counters.requestedBytes -= length;
    counters.usedGranules -= granules;
    counters.liveSegments--;
    const tag = segmentTag(segment);
    if (tag !== undefined) this.tags.released(tag, granules);
    this.recorder?.released(node, segment);
    if (this.waiters.size !== 0) this.waiters.drain();
  }

  /** The engine node of `segment` when it is live in this pool, else -1. O(1), never throws. */
  liveNode(segment: unknown): number {
    const node = segmentNode(segment);
    return node >= 0 && this.segments[node] === segment ? node : -1;
  }

  /** Changes every time a segment is acquired or released or the pool is reset: the pyACL skin's offset index is fresh while it is unchanged. */
  get mutations(): number {
    const { acquires, releases, resets } = this.counters;
    return acquires + releases + resets;
  }

  /** Throws InvalidSegmentError unless `segment` is live; `action` names the attempt. */
  requireLive(segment: Segment, action: string): void {
    if (this.liveNode(segment) < 0) throw new InvalidSegmentError(`Cannot ${action} the segment at offset ${segmentOffset(segment)}: ${this.#deadReason(segment)}`);
  }

  /** Byte access for segments and the pyACL skin: `offset` is from the block's base, already bounds-checked. */
  write(offset: number, src: ArrayBufferView): void {
    this.checkProcess();
    this.backend.write(this.block, offset, src);
  }

  /** See {@link PoolCore.write}. */
  read(offset: number, dst: ArrayBufferView): void {
    this.checkProcess();
    this.backend.read(this.block, offset, dst);
  }

  /** See {@link PoolCore.write}. */
  memset(offset: number, length: number, value: number): void {
    this.checkProcess();
    this.backend.memset(this.block, offset, length, value);
  }

  /** See {@link PoolCore.write}; the two ranges do not overlap. */
  copy(dstOffset: number, srcOffset: number, length: number): void {
    this.checkProcess();
    this.backend.copy(this.block, dstOffset, srcOffset, length);
  }

  /** Releases every segment at once (their handles become invalid), then serves waiters. */
  reset(): void {
    const counters = this.counters;
    counters.releases += counters.liveSegments;
    counters.resets++;
    counters.liveSegments = 0;
    counters.usedGranules = 0;
    counters.requestedBytes = 0;
    this.tags.reset();
    this.engine.reset();
    this.segments = [];
    this.recorder?.reset();
    this.waiters.drain();
  }

  stats(): PoolStats {
    if (this.finalStats !== undefined) return this.finalStats;
    return buildStats(this.capacity, GRANULE, this.engine.largestFree(), this.counters, this.waiters, this.tags);
  }

  /** The peaks (used bytes, live segments, waiting, the longest wait, each tag's bytes) start again from now. */
  resetPeak(): void {
    this.counters.resetPeak();
    this.waiters.resetPeak();
    this.tags.resetPeak();
  }

  snapshot(): PoolSnapshot {
    const source = {
      forEachRange: (visit: (offset: number, size: number, used: boolean, node: number) => void) => this.engine.forEachRange(visit),
      segmentAtNode: (node: number) => {
        const segment = this.segments[node];
        if (segment === undefined) return undefined;
        const length = segmentLength(segment);
        return { size: segmentSizeOf(length), length, tag: segmentTag(segment) };
      },
    };
    return buildSnapshot(this.capacity, this.baseAddress, GRANULE, source, this.stats());
  }

  /** Frees the block once, rejects the waiters and warns of leaked segments; see Pool.close. */
  close(): void {
    const leaked = this.segments
      .filter((segment): segment is Segment => segment !== undefined)
      .map((segment) => ({ length: segmentLength(segment), tag: segmentTag(segment) }));
    this.waiters.rejectAll(() => new PoolClosedError('acquireAsync'));
    this.recorder?.closed();
    this.finalStats = this.stats();
    this.segments = [];
    try {
      this.backend.free(this.block);
    } finally {
      warnLeaks(this.capacity, leaked);
    }
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
    return recorder.finish(this.capacity);
  }

  #serve(waiter: Waiter): Segment | undefined {
    const recorder = this.recorder;
    if (recorder !== undefined) recorder.serving = waiter;
    let segment: Segment | undefined;
    try {
      segment = this.allocate(waiter.len, waiter.granules, waiter.tag, waiter.zero);
    } finally {
      if (recorder !== undefined) recorder.serving = undefined;
    }
    if (segment !== undefined) waiter.owner?.segments.push(segment);
    return segment;
  }

  /** The reason a wait that timed out rejects with, told to onExhausted first. */
  #timedOut(waiter: Waiter, timeoutMs: number): AcquireTimeoutError {
    this.exhausted?.report('acquireAsync', waiter.len, () => this.snapshot());
    return new AcquireTimeoutError(waiter.len, timeoutMs, this.stats());
  }

  #deadReason(segment: Segment): string {
    // The core it was made with, not its public `pool` getter: nothing here runs the caller's code.
    if (segmentCore(segment) !== this) return 'it belongs to another pool';
    if (this.closed) return 'its pool is closed';
    return 'it was released already (or the pool was reset)';
  }

  #releaseError(segment: unknown): Error {
    if (typeof segment !== 'object' || segment === null) return new TypeError(invalidMessage('segment', 'a Segment', segment));
    // The brand check, not instanceof: an object made from Segment.prototype has no #private fields.
    if (segmentNode(segment) < 0) return new InvalidSegmentError('Cannot release: the value is not a Segment of dvpp-pool');
    const branded = segment as Segment;
    return new InvalidSegmentError(`Cannot release the segment at offset ${segmentOffset(branded)}: ${this.#deadReason(branded)}`);
  }
}
