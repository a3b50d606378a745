// SPDX-License-Identifier: MIT
// Pool: the public face of one pool. Everything it is made of (block, engine, live segments,
// waiters, counters) lives in its PoolCore (core.ts), held in a #private field; the friend
// modules reach the core through coreOf(), which the package does not export, so no public
// object has a member that docs/api.md does not name. The hot path (acquire, tryAcquire,
// release) is O(1), makes no backend call unless zeroing was asked for, and allocates nothing but
// the Segment object.

import type { BackendKind } from '../backends/backend.js';
import { selectBackend, type BackendSelection } from '../backends/select.js';
import { PoolClosedError, PoolExhaustedError } from '../errors.js';
import { invalidMessage } from '../validate.js';
import type { Backend } from '../backends/backend.js';
import { PoolCore } from './core.js';
import type { ExhaustedReport } from './exhausted.js';
import { HEADER } from './shared-state.js';
import {
  type SharedCoreParts,
  type SharedPoolDescriptor,
  type SharedSegment,
  type SharedSync,
  attachedParts,
  creatorParts,
  requireDescriptor,
} from './shared-sync.js';
import { allocateHalving } from './block.js';
import { growthNote } from './growth-note.js';
import { validatePool } from './invariants.js';
import {
  parsePoolOptions,
  parseRecordingOptions,
  type AcquireAsyncOptions,
  type AcquireOptions,
  type PoolOptions,
  type RecordingOptions,
} from './options.js';
import type { PoolRecording } from './recording.js';
import { formatSummary } from './summary.js';
import { Scope } from './scope.js';
import type { Segment } from './segment.js';
import type { PoolSnapshot } from './snapshot.js';
import type { PoolStats } from '../pool-stats.js';

/** What `pool.backend` tells: the kind in use and, when `auto` fell back, why. */
export interface PoolBackendInfo {
  /** The backend that holds the block. */
  readonly kind: BackendKind;
  /** Why `auto` did not get `acl` (or `host`): the loader's own text. Absent when no fallback happened. */
  readonly fallbackReason?: string;
}

/** The core of a Pool, for the friend modules. @throws {TypeError} `pool` is not a Pool. */
export let coreOf: (pool: Pool) => PoolCore;
/** Builds a pool over an already chosen backend (tests wrap a backend this way); options.backend is only validated. */
export let createPoolOver: (options: PoolOptions, selection: BackendSelection) => Pool;
/** A Pool in this thread over a shared pool's descriptor (attachPool). */
let attachOver: (descriptor: SharedPoolDescriptor) => Pool;
// The descriptor attachOver hands to the constructor it calls (as overSelection does).
let overDescriptor: SharedPoolDescriptor | undefined;
// The selection createPoolOver hands to the constructor it calls: a module variable, not a
// constructor argument, so no caller of `new Pool` can pass a backend of its own.
let overSelection: BackendSelection | undefined;

/**
 * One block of DVPP (or host) memory carved into segments. Create it with {@link createPool}
 * (or `new Pool(options)`, the same thing); close it once with `close()` or `using`.
 *
 * @example
 * ```ts
 * using pool = createPool({ size: 512 * 2 ** 20 });
 * const seg = pool.acquire(1920 * 1080 * 3 / 2, { tag: 'vdec ch0' });
 * seg.release();
 * ```
 */
export class Pool {
  readonly #core: PoolCore;
  readonly #backend: PoolBackendInfo;

  static {
    coreOf = (pool) => {
      if (typeof pool !== 'object' || pool === null || !(#core in pool)) throw new TypeError(invalidMessage('pool', 'a Pool', pool));
      return pool.#core;
    };
    attachOver = (descriptor) => {
      overDescriptor = descriptor;
      try {
        return new Pool({ size: descriptor.capacity });
      } finally {
        overDescriptor = undefined;
      }
    };
    createPoolOver = (options, selection) => {
      overSelection = selection;
      try {
        return new Pool(options);
      } finally {
        overSelection = undefined;
      }
    };
  }

  /**
   * Same as {@link createPool}.
   * @throws {TypeError | RangeError} a bad option, named `options.<key>`.
   * @throws {BackendUnavailableError} an explicitly requested backend cannot be used here, or
   * `auto` has neither `acl` nor `host` (the native addon did not load; `auto` never takes `js`).
   */
  constructor(options: PoolOptions) {
    const selection = overSelection;
    overSelection = undefined;
    const descriptor = overDescriptor;
    overDescriptor = undefined;
    if (descriptor !== undefined) {
      const backend = selectBackend(descriptor.backend, {
        deviceId: descriptor.deviceId,
        ...(descriptor.libraryDir === undefined ? {} : { acl: { libraryDir: descriptor.libraryDir } }),
      }).backend;
      this.#core = sharedCore(this, backend, attachedParts(backend, descriptor));
      this.#backend = Object.freeze({ kind: backend.kind });
      return;
    }
    const parsed = parsePoolOptions(options);
    const chosen =
      selection ??
      selectBackend(parsed.backend, {
        deviceId: parsed.deviceId,
        ...(parsed.libraryDir === undefined ? {} : { acl: { libraryDir: parsed.libraryDir } }),
      });
    const backend = chosen.backend;
    // Zeroed by the backend (its contract), which meets the vendor's memset-before-use rule.
    // Never a silently smaller first block: halving only down to minSize, which the caller chose.
    const first = allocateHalving(backend, parsed.capacity, parsed.minCapacity, { shareable: parsed.shared });
    if (first.native === undefined) throw first.error;
    if (parsed.shared) {
      const where = { deviceId: parsed.deviceId, libraryDir: parsed.libraryDir };
      this.#core = sharedCore(this, backend, creatorParts(backend, first.native, first.size, parsed.zeroOnAcquire, where), parsed.onExhausted);
    } else {
      // Without maxSize a pool stays one block, even one minSize halved.
      const maxSize = Math.max(parsed.maxSize ?? first.size, first.size);
      const growth = { maxSize, growBy: parsed.growBy, trimAfterMs: parsed.trimAfterMs };
      this.#core = new PoolCore(this, backend, first.native, first.size, growth, parsed.zeroOnAcquire, parsed.onExhausted);
    }
    if (parsed.record !== undefined) this.#core.startRecording(parsed.record);
    this.#backend = Object.freeze(
      chosen.fallbackReason === undefined ? { kind: backend.kind } : { kind: backend.kind, fallbackReason: chosen.fallbackReason },
    );
  }

  // Getters over the core, not fields: what the pool and its skin use cannot be rewritten.

  /** Usable bytes of all blocks now: changes when the pool grows or trims (the first block is `options.size` rounded down to a multiple of 128). */
  get capacity(): number {
    return this.#core.capacity;
  }

  /** The most bytes the blocks may hold together: `options.maxSize` rounded down to a multiple of 128 (`capacity` for a pool that does not grow). */
  get maxSize(): number {
    return this.#core.growth.maxSize;
  }

  /** Address of the first block's first byte; a multiple of 128. */
  get baseAddress(): bigint {
    return this.#core.baseAddress;
  }

  /** The backend in use and why `auto` fell back, if it did. */
  get backend(): PoolBackendInfo {
    return this.#backend;
  }

  /** True once `close()` ran. */
  get closed(): boolean {
    return this.#core.closed;
  }

  /**
   * Acquires a segment of `segmentSize(len)` bytes at a 128-aligned offset. Never waits.
   * @param len - bytes needed, a positive safe integer.
   * @throws {PoolExhaustedError} no free range is large enough (`requested`, `largestFree`, `stats`); `onExhausted` was told first.
   * @throws {TypeError | RangeError} `len` is not a positive safe integer, or a bad option.
   * @throws {PoolClosedError} the pool is closed.
   * @example
   * ```ts
   * const seg = pool.acquire(4096, { tag: 'jpegd', zero: true });
   * ```
   */
  acquire(len: number, options?: AcquireOptions): Segment {
    const core = this.#core;
    const segment = core.acquireNow('acquire', len, options);
    if (segment === undefined) throw new PoolExhaustedError(len, core.stats(), growthNote(core, len));
    return segment;
  }

  /**
   * Like {@link Pool.acquire}, but returns `undefined` when there is no room.
   * @throws {TypeError | RangeError} `len` is not a positive safe integer, or a bad option.
   * @throws {PoolClosedError} the pool is closed.
   */
  tryAcquire(len: number, options?: AcquireOptions): Segment | undefined {
    return this.#core.acquireNow('tryAcquire', len, options);
  }

  /**
   * Acquires a segment, waiting for releases to make room. Waiters are served highest
   * `priority` first, in arrival order within one priority: one that does not fit yet holds back
   * those behind it (its own priority and lower). Never throws; every failure rejects. Resolves
   * at once when it fits and nobody of its priority or higher waits.
   * @returns a promise of the segment. It rejects with `signal.reason` on abort, with
   * `AcquireTimeoutError` after `timeoutMs`, with `PoolClosedError` when the pool is or gets
   * closed, with a `RangeError` at once when `len` can never fit the capacity, with a
   * `TypeError`/`RangeError` for a bad argument, and with `ForkedProcessError` in another process.
   * @example
   * ```ts
   * const seg = await pool.acquireAsync(frameBytes, { timeoutMs: 500, signal });
   * ```
   */
  acquireAsync(len: number, options?: AcquireAsyncOptions): Promise<Segment> {
    return this.#core.acquireAsync(undefined, len, options);
  }

  /**
   * Returns a segment's range to the pool and serves waiting `acquireAsync` calls that now fit.
   * @throws {InvalidSegmentError} released already, reset away, of another pool, or of a closed pool; nothing changes.
   * @throws {TypeError} `segment` is not an object.
   */
  release(segment: Segment): void {
    this.#core.release(segment);
  }

  /**
   * A new arena: segments acquired through it are released together by `releaseAll()` or dispose.
   * @throws {PoolClosedError} the pool is closed.
   * @throws {ForkedProcessError} called from a process other than the one that created the pool.
   * @example
   * ```ts
   * using frame = pool.scope();
   * const a = frame.acquire(1024);
   * ```
   */
  scope(): Scope {
    if (this.closed) throw new PoolClosedError('create a scope');
    this.#core.checkProcess();
    return new Scope(this);
  }

  /**
   * Releases every segment at once (their handles become invalid), then serves waiters.
   * @throws {PoolClosedError} the pool is closed.
   * @throws {ForkedProcessError} called from a process other than the one that created the pool.
   */
  reset(): void {
    if (this.closed) throw new PoolClosedError('reset');
    this.#core.checkProcess();
    this.#core.reset();
  }

  /** Figures of the pool (docs/api.md, "Stats"), O(blocks + tags). After `close()`, the figures at close. */
  stats(): PoolStats {
    return this.#core.stats();
  }

  /**
   * A descriptor of this shared pool for `attachPool()` in another thread (post it to a worker:
   * it is structured-cloneable). The same pool, memory and figures there.
   * @throws {TypeError} the pool was not created with `shared: true`.
   * @throws {PoolClosedError} the pool is closed.
   * @example
   * ```ts
   * const pool = createPool({ size: 256 * 2 ** 20, shared: true });
   * new Worker('./decode.js', { workerData: pool.share() });
   * ```
   */
  share(): SharedPoolDescriptor {
    return this.#sharedSync('share').describe();
  }

  /**
   * This thread's Segment for a segment another thread (or this one) passed along with
   * `segment.toShared()`: the same range, released once by whichever thread releases it first.
   * @throws {InvalidSegmentError} released already, reset away, of another pool, or not made by `toShared()`.
   * @throws {TypeError} the pool is not shared, or `value` is not an object.
   * @throws {PoolClosedError} the pool is closed.
   */
  adopt(value: SharedSegment): Segment {
    return this.#sharedSync('adopt a segment').adopt(value);
  }

  #sharedSync(action: string): SharedSync {
    if (this.closed) throw new PoolClosedError(action);
    this.#core.checkProcess();
    const shared = this.#core.shared;
    if (shared === undefined) throw new TypeError(`Cannot ${action}: the pool was not created with shared: true`);
    return shared;
  }

  /**
   * Gives every block but the first that holds no segment back to the backend.
   * @returns the bytes freed (0 when no block was empty).
   * @throws {PoolClosedError} the pool is closed.
   * @throws {ForkedProcessError} called from a process other than the one that created the pool.
   * @throws whatever the backend's free throws (the block is out of the pool all the same).
   */
  trim(): number {
    if (this.closed) throw new PoolClosedError('trim');
    this.#core.checkProcess();
    return this.#core.trim();
  }

  /**
   * Starts the peaks of `stats()` again from the figures now, as PyTorch's
   * `reset_peak_memory_stats`: `peakUsedBytes`, `peakLiveSegments`, `peakWaiting` and each tag's
   * `peakBytes` become the current value, `waitMsMax` 0. Nothing else changes. O(tags).
   * @throws {PoolClosedError} the pool is closed.
   */
  resetPeak(): void {
    if (this.closed) throw new PoolClosedError('reset the peaks');
    this.#core.resetPeak();
  }

  /**
   * A JSON-serialisable picture of the block in address order. O(ranges).
   * @throws {PoolClosedError} the pool is closed.
   * @throws {ForkedProcessError} called from a process other than the one that created the pool.
   */
  snapshot(): PoolSnapshot {
    if (this.closed) throw new PoolClosedError('take a snapshot');
    this.#core.checkProcess();
    return this.#core.snapshot();
  }

  /**
   * A fixed-width text report of the pool now: capacity, used, requested and free bytes, the
   * largest free range and the fragmentation, the counters, and the tags holding the most bytes.
   * For a bug report or a log line; its layout may change between versions (parse `stats()` or
   * `snapshot()` instead). O(ranges).
   * @throws {PoolClosedError} the pool is closed.
   * @throws {ForkedProcessError} called from a process other than the one that created the pool.
   * @example
   * ```ts
   * console.log(pool.summary());
   * ```
   */
  summary(): string {
    return formatSummary(this.snapshot());
  }

  /**
   * Checks the engine's invariants and the pool's bookkeeping against them. O(ranges).
   * @throws {Error} naming the first broken invariant.
   * @throws {PoolClosedError} the pool is closed.
   * @throws {ForkedProcessError} called from a process other than the one that created the pool.
   */
  validate(): void {
    if (this.closed) throw new PoolClosedError('validate');
    this.#core.checkProcess();
    validatePool(this.#core);
  }

  /**
   * Starts recording every acquire, release, failed acquire, wait (and its timeout, abort or
   * cancel), reset and close into a bounded ring (docs/api.md, "Recording"). A recording already
   * running is stopped and returned, so nothing is lost.
   * @param options - `maxEvents` (default 1,000,000; the oldest are dropped beyond it), `stacks` (default false).
   * @throws {TypeError | RangeError} a bad option, named `options.<key>`.
   * @throws {PoolClosedError} the pool is closed.
   * @example
   * ```ts
   * pool.startRecording({ maxEvents: 100_000 });
   * ```
   */
  startRecording(options?: RecordingOptions): PoolRecording | undefined {
    if (this.closed) throw new PoolClosedError('start a recording');
    const parsed = parseRecordingOptions('options', options);
    // Reading the options may run a getter that closed the pool.
    if (this.closed) throw new PoolClosedError('start a recording');
    return this.#core.startRecording(parsed);
  }

  /**
   * Ends the recording and returns it; `undefined` when none runs. After `close()`, returns the
   * recording close ended (its last event is the close).
   * @example
   * ```ts
   * const recording = pool.stopRecording();
   * if (recording !== undefined) writeTraceFile('run.trc', recording.toTrace());
   * ```
   */
  stopRecording(): PoolRecording | undefined {
    return this.#core.stopRecording();
  }

  /**
   * Frees the block (exactly once), rejects pending `acquireAsync` calls with `PoolClosedError`
   * and invalidates every segment. Live segments are reported by one process warning
   * (`DvppPoolLeakWarning`, code `DVPP_POOL_LEAK`) naming their count, bytes and tags.
   * A second call does nothing.
   * @throws whatever the backend's free throws (the pool is closed all the same).
   * @throws {ForkedProcessError} called from a process other than the one that created the pool.
   */
  close(): void {
    if (this.closed) return;
    // In another process the block is not ours to free: throw and leave everything as it is.
    this.#core.checkProcess();
    this.#core.close();
  }

  /** Same as {@link Pool.close}, for `using pool = createPool(...)`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Creates a pool: allocates its first block from the chosen backend (every byte 0: the backend
 * hands it out zeroed) and manages it with an O(1) engine; it grows by further blocks up to
 * `maxSize`. docs/api.md, "createPool", has every option.
 * @param options - `size` (bytes of the first block, required), `maxSize`, `growBy`, `minSize`,
 * `trimAfterMs` (growth), `backend` (default `'auto'`: `acl`, else `host`; `himpi`, `rt` and `js`
 * only by name), `deviceId` (default 0), `acl.libraryDir`, `zeroOnAcquire` (default false),
 * `record`, `onExhausted`, `shared` (worker threads).
 * @throws {TypeError | RangeError} a missing, unknown or bad option, named `options.<key>`.
 * @throws {BackendUnavailableError} an explicitly requested backend cannot be used here, or
 * `auto` has neither `acl` nor `host` (the native addon did not load; `auto` never takes `js`).
 * @throws {AclError} the `acl` backend's allocation failed.
 * @example
 * ```ts
 * const pool = createPool({ size: 512 * 2 ** 20 });
 * console.log(pool.backend); // { kind: 'acl' } or { kind: 'host', fallbackReason: '...' }
 * ```
 */
export function createPool(options: PoolOptions): Pool {
  return new Pool(options);
}

/**
 * A Pool in this thread on the memory of a shared pool, from the descriptor its `share()` gave
 * (posted from another thread, or in the same one). The same acquire, release, waits, stats and
 * snapshots as the creator's; `close()` here only detaches this thread.
 * @throws {TypeError} `descriptor` is not one from `pool.share()`.
 * @throws {PoolClosedError} the creator closed the pool.
 * @throws {RangeError} the creator freed the block, or the pool has had too many attachments.
 * @example
 * ```ts
 * import { workerData } from 'node:worker_threads';
 * const pool = attachPool(workerData);
 * ```
 */
export function attachPool(descriptor: SharedPoolDescriptor): Pool {
  const checked = requireDescriptor(descriptor);
  if (Atomics.load(new Int32Array(checked.buffers.header), HEADER.closed) !== 0) throw new PoolClosedError('attach to the pool');
  return attachOver(checked);
}

/** Builds a shared pool's core from its parts and binds its shared state. */
function sharedCore(pool: Pool, backend: Backend, parts: SharedCoreParts, onExhausted?: (report: ExhaustedReport) => void): PoolCore {
  const growth = { maxSize: parts.capacity, growBy: parts.capacity, trimAfterMs: undefined };
  const core = new PoolCore(pool, backend, parts.native, parts.capacity, growth, parts.zeroOnAcquire, onExhausted, parts.sharing);
  parts.bind(core);
  return core;
}
