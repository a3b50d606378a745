// SPDX-License-Identifier: MIT
// Pool: one backend block + one TLSF engine, handing out Segments. The hot path (acquire,
// tryAcquire, release) is O(1), makes no backend call unless zeroing was asked for, and
// allocates nothing but the Segment object. A segment is live while it is the object registered
// at its engine node (`#segments[node] === segment`); that identity check rejects double,
// stale (reset), foreign and closed-pool releases before any state changes.

import { DVPP_ADDR_ALIGN, DVPP_SIZE_ALIGN, DVPP_SIZE_PAD, footprint, granulesOf, segmentSize } from '../constants.js';
import { ForkedProcessError, InvalidSegmentError, PoolClosedError, PoolExhaustedError } from '../errors.js';
import { NO_SPACE, TlsfEngine } from '../engine/index.js';
import type { Backend, BackendBlock, BackendKind } from '../backends/backend.js';
import { selectBackend, type BackendSelection } from '../backends/select.js';
import { invalidMessage, numberError } from '../validate.js';
import { warnLeaks } from './leaks.js';
import { OffsetIndex } from './offset-index.js';
import { abortReason, isAborted } from './abort-signal.js';
import {
  acquireTag,
  acquireZero,
  checkAcquireKeys,
  parsePoolOptions,
  waitSignal,
  waitTimeout,
  type AcquireAsyncOptions,
  type AcquireOptions,
  type PoolOptions,
} from './options.js';
import { Scope } from './scope.js';
import { Segment } from './segment.js';
import { buildSnapshot, type PoolSnapshot } from './snapshot.js';
import { buildStats, type PoolCounters, type PoolStats } from './stats.js';
import { Waiter, WaitQueue, type WaitOwner } from './waiters.js';

/** The engine's unit: every footprint and offset is a whole number of these bytes. */
const GRANULE = DVPP_ADDR_ALIGN;

/** `segmentSize(len)` for a validated positive `len`, without the public function's checks. */
function sizeOf(len: number): number {
  return Math.ceil(len / DVPP_SIZE_ALIGN) * DVPP_SIZE_ALIGN + DVPP_SIZE_PAD;
}

function lenError(len: unknown): TypeError | RangeError {
  return numberError('len', 'positive safe integer', len);
}

/** What `pool.backend` tells: the kind in use and, when `auto` fell back, why. */
export interface PoolBackendInfo {
  /** The backend that holds the block. */
  readonly kind: BackendKind;
  /** Why `auto` did not get `acl` (or `host`): the loader's own text. Absent when no fallback happened. */
  readonly fallbackReason?: string;
}

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
  /** Usable bytes: `options.size` rounded down to a multiple of 128. */
  readonly capacity: number;
  /** Address of the block's first byte; a multiple of 128. */
  readonly baseAddress: bigint;
  /** The backend in use and why `auto` fell back, if it did. */
  readonly backend: PoolBackendInfo;

  readonly #backend: Backend;
  readonly #block: BackendBlock;
  readonly #engine: TlsfEngine;
  readonly #capacityGranules: number;
  readonly #zeroOnAcquire: boolean;
  readonly #waiters: WaitQueue;
  readonly #counters: PoolCounters = { acquires: 0, releases: 0, failures: 0, resets: 0 };
  /** Live segments by engine node; holes are undefined. */
  #segments: (Segment | undefined)[] = [];
  /** Offset granule -> node; built on the first segmentAtOffset()/segmentContaining() and kept from then on. */
  #offsets: OffsetIndex | undefined = undefined;
  #finalStats: PoolStats | undefined = undefined;
  /**
   * The process that created the block. ACL memory must not be used across fork, so the calls
   * that reach the backend or run once per frame (not acquire/tryAcquire/release) compare it with
   * `process.pid`, which Node sets at startup and again when a startup snapshot is restored.
   */
  readonly #pid = process.pid;

  /**
   * Same as {@link createPool}.
   * @throws {TypeError | RangeError} a bad option, named `options.<key>`.
   * @throws {BackendUnavailableError} an explicitly requested backend cannot be used here.
   */
  constructor(options: PoolOptions);
  /** @internal Builds the pool over `selection` instead of calling selectBackend (options.backend is only validated). */
  constructor(options: PoolOptions, selection: BackendSelection);
  constructor(options: PoolOptions, selection?: BackendSelection) {
    const parsed = parsePoolOptions(options);
    const chosen =
      selection ??
      selectBackend(parsed.backend, {
        deviceId: parsed.deviceId,
        ...(parsed.libraryDir === undefined ? {} : { acl: { libraryDir: parsed.libraryDir } }),
      });
    const backend = chosen.backend;
    // Zeroed by the backend (its contract), which meets the vendor's memset-before-use rule.
    const block = backend.allocate(parsed.capacity);
    try {
      this.#engine = new TlsfEngine(parsed.capacity / GRANULE);
    } catch (error) {
      backend.free(block);
      throw error;
    }
    this.#backend = backend;
    this.#block = block;
    this.#capacityGranules = parsed.capacity / GRANULE;
    this.#zeroOnAcquire = parsed.zeroOnAcquire;
    this.capacity = parsed.capacity;
    this.baseAddress = block.base;
    this.backend = Object.freeze(
      chosen.fallbackReason === undefined ? { kind: backend.kind } : { kind: backend.kind, fallbackReason: chosen.fallbackReason },
    );
    this.#waiters = new WaitQueue((waiter) => this.#serve(waiter));
  }

  /** True once `close()` ran. */
  get closed(): boolean {
    return this.#finalStats !== undefined;
  }

  /**
   * Acquires a segment of `segmentSize(len)` bytes at a 128-aligned offset. Never waits.
   * @param len - bytes needed, a positive safe integer.
   * @throws {PoolExhaustedError} no free range is large enough (`requested`, `largestFree`).
   * @throws {TypeError | RangeError} `len` is not a positive safe integer, or a bad option.
   * @throws {PoolClosedError} the pool is closed.
   * @example
   * ```ts
   * const seg = pool.acquire(4096, { tag: 'jpegd', zero: true });
   * ```
   */
  acquire(len: number, options?: AcquireOptions): Segment {
    const segment = this.#acquireNow('acquire', len, options);
    if (segment === undefined) throw new PoolExhaustedError(len, this.#engine.largestFree() * GRANULE, this.capacity);
    return segment;
  }

  /**
   * Like {@link Pool.acquire}, but returns `undefined` when there is no room.
   * @throws {TypeError | RangeError} `len` is not a positive safe integer, or a bad option.
   * @throws {PoolClosedError} the pool is closed.
   */
  tryAcquire(len: number, options?: AcquireOptions): Segment | undefined {
    return this.#acquireNow('tryAcquire', len, options);
  }

  /**
   * Acquires a segment, waiting for releases to make room. Waiters are served in arrival order:
   * one that does not fit yet holds back those behind it. Never throws; every failure rejects.
   * Resolves at once when nobody waits and there is room.
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
    return this.acquireAsyncFor(undefined, len, options);
  }

  /**
   * Returns a segment's range to the pool and serves waiting `acquireAsync` calls that now fit.
   * @throws {InvalidSegmentError} released already, reset away, of another pool, or of a closed pool; nothing changes.
   * @throws {TypeError} `segment` is not an object.
   */
  release(segment: Segment): void {
    if (!this.isLiveSegment(segment)) throw this.#releaseError(segment);
    const node = segment.node;
    if (!this.#engine.free(node, segment.generation)) {
      throw new Error(`Pool bookkeeping broken: the engine refused to free node ${node} of a live segment`);
    }
    this.#segments[node] = undefined;
    this.#offsets?.delete(segment.offset / GRANULE);
    this.#counters.releases++;
    if (this.#waiters.size !== 0) this.#waiters.drain();
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
    this.#checkProcess();
    return new Scope(this);
  }

  /**
   * Releases every segment at once (their handles become invalid), then serves waiters.
   * @throws {PoolClosedError} the pool is closed.
   * @throws {ForkedProcessError} called from a process other than the one that created the pool.
   */
  reset(): void {
    if (this.closed) throw new PoolClosedError('reset');
    this.#checkProcess();
    this.#counters.releases += this.#engine.liveCount;
    this.#counters.resets++;
    this.#engine.reset();
    this.#segments = [];
    this.#offsets?.clear();
    this.#waiters.drain();
  }

  /** Figures of the pool, O(1). After `close()`, the figures at close. */
  stats(): PoolStats {
    if (this.#finalStats !== undefined) return this.#finalStats;
    return buildStats(this.capacity, GRANULE, this.#engine, this.#counters, this.#waiters.size);
  }

  /**
   * A JSON-serialisable picture of the block in address order. O(ranges).
   * @throws {PoolClosedError} the pool is closed.
   * @throws {ForkedProcessError} called from a process other than the one that created the pool.
   */
  snapshot(): PoolSnapshot {
    if (this.closed) throw new PoolClosedError('take a snapshot');
    this.#checkProcess();
    const source = {
      forEachRange: (visit: (offset: number, size: number, used: boolean, node: number) => void) => this.#engine.forEachRange(visit),
      segmentAtNode: (node: number) => this.#segments[node],
    };
    return buildSnapshot(this.capacity, this.baseAddress, GRANULE, source, this.stats());
  }

  /**
   * Checks the engine's invariants and the pool's bookkeeping against them. O(ranges).
   * @throws {Error} naming the first broken invariant.
   * @throws {PoolClosedError} the pool is closed.
   * @throws {ForkedProcessError} called from a process other than the one that created the pool.
   */
  validate(): void {
    if (this.closed) throw new PoolClosedError('validate');
    this.#checkProcess();
    const engine = this.#engine;
    engine.validate();
    const fail = (what: string): never => {
      throw new Error(`Pool invariant broken: ${what}`);
    };
    if (this.baseAddress % BigInt(GRANULE) !== 0n) fail(`baseAddress 0x${this.baseAddress.toString(16)} is not 128-aligned`);
    if (engine.capacity !== this.#capacityGranules) fail(`engine capacity ${engine.capacity} != ${this.#capacityGranules} granules`);
    let live = 0;
    for (let node = 0; node < this.#segments.length; node++) {
      const segment = this.#segments[node];
      if (segment === undefined) continue;
      live++;
      const at = `segment at node ${node} (offset ${segment.offset})`;
      if (segment.pool !== this || segment.node !== node) fail(`${at} is registered at the wrong pool or node`);
      if (!engine.isLive(node, segment.generation)) fail(`${at} is not live in the engine`);
      if (engine.offsetOf(node) * GRANULE !== segment.offset) fail(`${at}: engine offset ${engine.offsetOf(node) * GRANULE}`);
      if (segment.size !== segmentSize(segment.length)) fail(`${at}: size ${segment.size} != segmentSize(${segment.length})`);
      if (engine.sizeOf(node) * GRANULE !== footprint(segment.length)) fail(`${at}: engine size ${engine.sizeOf(node)} granules != its footprint`);
      if (this.#offsets !== undefined && this.#offsets.get(segment.offset / GRANULE) !== node) fail(`${at} is missing from the offset index`);
    }
    if (live !== engine.liveCount) fail(`${live} registered segments but the engine has ${engine.liveCount} live ranges`);
    if (this.#offsets !== undefined && this.#offsets.size !== live) fail(`offset index holds ${this.#offsets.size} entries for ${live} segments`);
    if (this.#counters.acquires - this.#counters.releases !== live) {
      fail(`acquires ${this.#counters.acquires} - releases ${this.#counters.releases} != ${live} live segments`);
    }
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
    this.#checkProcess();
    const leaked = this.#segments.filter((segment): segment is Segment => segment !== undefined);
    this.#waiters.rejectAll(() => new PoolClosedError('acquireAsync'));
    this.#finalStats = this.stats();
    this.#segments = [];
    this.#offsets = undefined;
    try {
      this.#backend.free(this.#block);
    } finally {
      warnLeaks(this.capacity, leaked);
    }
  }

  /** Same as {@link Pool.close}, for `using pool = createPool(...)`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** @internal Whether `segment` is live in this pool (public as `segment.released`). O(1), never throws. */
  isLiveSegment(segment: Segment): boolean {
    // `!= null` first: segments[undefined.node] would throw, and segments[undefined] === undefined.
    return segment != null && this.#segments[segment.node] === segment;
  }

  /**
   * @internal For the pyACL skin's dvpp_free: the live segment starting `offset` bytes into the
   * block (any live segment, pool.acquire's included), or undefined. O(1) expected; the first
   * call builds the offset index from the live segments, and acquire/release keep it from then on.
   */
  segmentAtOffset(offset: number): Segment | undefined {
    if (this.closed || !Number.isSafeInteger(offset) || offset < 0 || offset % GRANULE !== 0 || offset >= this.capacity) {
      return undefined;
    }
    const node = this.#offsetIndex().get(offset / GRANULE);
    return node < 0 ? undefined : this.#segments[node];
  }

  /**
   * @internal For the pyACL skin's rt.memset: the live segment whose `[offset, offset + size)`
   * holds the byte `offset` bytes into the block, or undefined. O(log32 capacity): the live
   * segment starting at or before it is a floor query on the offset index's bitmap of starts
   * (capacity / 1024 bytes, built on the first call, kept by acquire/release from then on).
   */
  segmentContaining(offset: number): Segment | undefined {
    if (this.closed || !Number.isSafeInteger(offset) || offset < 0 || offset >= this.capacity) return undefined;
    const index = this.#offsetIndex();
    const start = index.floor(Math.floor(offset / GRANULE));
    const segment = start < 0 ? undefined : this.#segments[index.get(start)];
    return segment !== undefined && offset < segment.offset + segment.size ? segment : undefined;
  }

  /** The offset index, built from the live segments on the first call. */
  #offsetIndex(): OffsetIndex {
    if (this.#offsets === undefined) {
      const index = new OffsetIndex(this.#engine.liveCount, this.#capacityGranules);
      this.#segments.forEach((segment, node) => {
        if (segment !== undefined) index.set(segment.offset / GRANULE, node);
      });
      this.#offsets = index;
    }
    return this.#offsets;
  }

  /**
   * @internal For the pyACL skin: counts one `dvpp_malloc` that found no room without going
   * through tryAcquire (which counts its own failures).
   */
  noteFailure(): void {
    this.#counters.failures++;
  }

  /** @internal acquireAsync for `owner` (a scope's ledger): the wait is its pending one, the segment its own. */
  acquireAsyncFor(owner: WaitOwner | undefined, len: number, options: AcquireAsyncOptions | undefined): Promise<Segment> {
    try {
      if (this.closed) throw new PoolClosedError('acquireAsync');
      this.#checkProcess();
      if (!Number.isSafeInteger(len) || len <= 0) throw lenError(len);
      let tag: string | undefined;
      let zero = this.#zeroOnAcquire;
      let signal: AbortSignal | undefined;
      let timeoutMs: number | undefined;
      if (options !== undefined) {
        // Each option is read exactly once: a getter cannot show the check one value and the pool another.
        checkAcquireKeys(options, true);
        tag = acquireTag(options.tag);
        zero = acquireZero(options.zero) || zero;
        signal = waitSignal(options.signal);
        timeoutMs = waitTimeout(options.timeoutMs);
        if (this.closed) throw new PoolClosedError('acquireAsync');
      }
      if (len > this.capacity || granulesOf(len) > this.#capacityGranules) {
        throw new RangeError(
          `len ${len} is larger than the pool capacity can ever hold: its footprint is ${granulesOf(len) * GRANULE} bytes ` +
            `and the capacity ${this.capacity} bytes, so acquireAsync would wait forever`,
        );
      }
      if (signal !== undefined && isAborted(signal)) throw abortReason(signal);
      const granules = granulesOf(len);
      if (this.#waiters.size === 0) {
        const segment = this.#allocate(len, granules, tag, zero);
        if (segment !== undefined) {
          owner?.segments.push(segment);
          return Promise.resolve(segment);
        }
      }
      return new Promise<Segment>((resolve, reject) => {
        this.#waiters.push(new Waiter(len, granules, tag, zero, owner, resolve, reject), signal, timeoutMs);
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** @internal Throws InvalidSegmentError unless `segment` is live; `action` names the attempt. */
  requireLive(segment: Segment, action: string): void {
    if (!this.isLiveSegment(segment)) throw new InvalidSegmentError(`Cannot ${action} the segment at offset ${segment.offset}: ${this.#deadReason(segment)}`);
  }

  /** @internal Segment byte access: `offset` is from the block's base, already bounds-checked. */
  backendWrite(offset: number, src: ArrayBufferView): void {
    this.#checkProcess();
    this.#backend.write(this.#block, offset, src);
  }

  /** @internal See {@link Pool.backendWrite}. */
  backendRead(offset: number, dst: ArrayBufferView): void {
    this.#checkProcess();
    this.#backend.read(this.#block, offset, dst);
  }

  /** @internal See {@link Pool.backendWrite}. */
  backendMemset(offset: number, length: number, value: number): void {
    this.#checkProcess();
    this.#backend.memset(this.#block, offset, length, value);
  }

  #acquireNow(operation: string, len: number, options: AcquireOptions | undefined): Segment | undefined {
    if (this.closed) throw new PoolClosedError(operation);
    if (!Number.isSafeInteger(len) || len <= 0) throw lenError(len);
    let tag: string | undefined;
    let zero = this.#zeroOnAcquire;
    if (options !== undefined) {
      // Each option is read exactly once: a getter cannot show the check one value and the pool another.
      checkAcquireKeys(options, false);
      tag = acquireTag(options.tag);
      zero = acquireZero(options.zero) || zero;
      // Reading the options may run a getter that closed the pool.
      if (this.closed) throw new PoolClosedError(operation);
    }
    // Checking len first keeps the granule maths on small numbers; a len near 2^53 stops here.
    const segment =
      len > this.capacity ? undefined : this.#allocate(len, granulesOf(len), tag, zero);
    if (segment === undefined) this.#counters.failures++;
    return segment;
  }

  #allocate(len: number, granules: number, tag: string | undefined, zero: boolean): Segment | undefined {
    // A request larger than the capacity is the engine's NO_SPACE; no second check here.
    const engine = this.#engine;
    const node = engine.allocate(granules);
    if (node === NO_SPACE) return undefined;
    const offset = engine.offsetOf(node) * GRANULE;
    const segment = new Segment(this, node, engine.generationOf(node), offset, sizeOf(len), len, tag);
    if (zero) {
      try {
        this.#checkProcess();
        this.#backend.memset(this.#block, offset, segment.size, 0);
      } catch (error) {
        engine.free(node, segment.generation);
        throw error;
      }
    }
    this.#segments[node] = segment;
    this.#offsets?.set(offset / GRANULE, node);
    this.#counters.acquires++;
    return segment;
  }

  /** Throws ForkedProcessError when this is not the process that created the pool. */
  #checkProcess(): void {
    const pid = process.pid;
    if (pid !== this.#pid) throw new ForkedProcessError(this.#pid, pid);
  }

  #serve(waiter: Waiter): Segment | undefined {
    const segment = this.#allocate(waiter.len, waiter.granules, waiter.tag, waiter.zero);
    if (segment !== undefined) waiter.owner?.segments.push(segment);
    return segment;
  }

  #deadReason(segment: Segment): string {
    if (segment.pool !== this) return 'it belongs to another pool';
    if (this.closed) return 'its pool is closed';
    return 'it was released already (or the pool was reset)';
  }

  #releaseError(segment: unknown): Error {
    if (typeof segment !== 'object' || segment === null) return new TypeError(invalidMessage('segment', 'a Segment', segment));
    if (!(segment instanceof Segment)) return new InvalidSegmentError('Cannot release: the value is not a Segment of dvpp-pool');
    return new InvalidSegmentError(`Cannot release the segment at offset ${segment.offset}: ${this.#deadReason(segment)}`);
  }
}

/**
 * Creates a pool: allocates one block from the chosen backend, zeroes it once, and manages it
 * with an O(1) engine.
 * @param options - `size` (bytes, required), `backend` (default `'auto'`), `deviceId` (default 0),
 * `acl.libraryDir`, `zeroOnAcquire` (default false).
 * @throws {TypeError | RangeError} a missing, unknown or bad option, named `options.<key>`.
 * @throws {BackendUnavailableError} an explicitly requested backend cannot be used here.
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
