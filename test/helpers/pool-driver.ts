// SPDX-License-Identifier: MIT
// Differential and misuse testing of the Pool: one seeded random sequence of acquire, tryAcquire,
// scope acquire/releaseAll, release, reset, acquireAsync (with timeouts and aborts, driven by a
// fake clock, and with priorities), misuse, and close, checked step by step against a trivially
// correct model (live segments sorted by offset, a list of waiters sorted by priority, then
// arrival). Waiter outcomes are replayed in the order they settled, so the model checks service
// in that order, "served only when it fits", "served at once only when nobody of its priority or
// higher waits", and "the head left waiting does not fit". Misuse (double, stale, foreign, node-reused, closed) must throw the
// documented error and change nothing. With `record`, each episode's pool records itself, and at
// close its recording must count what the model counted and its trace must replay through a fresh
// pool with the placements the model saw. Every figure of stats() is checked against the model's
// (wait times, which need the fake clock to fake `performance` too, as bounds: a wait ends within
// its step). With `shared`, every episode's pool is a shared one (one thread: the engine in shared
// memory behind its lock must behave exactly as a plain pool's). Shared by the property slice and
// the stress run.

import { alignUp, segmentSize } from '../../src/constants.js';
import { AcquireTimeoutError, InvalidSegmentError, PoolClosedError, PoolExhaustedError, ScopeReleasedError } from '../../src/errors.js';
import { createAclCompat } from '../../src/compat/pyacl.js';
import type { PoolRecording } from '../../src/pool/recording.js';
import { type Pool, createPool } from '../../src/pool/pool.js';
import type { Scope } from '../../src/pool/scope.js';
import { type Segment, segmentNode } from '../../src/pool/segment.js';
import { MAX_TAGS } from '../../src/pool-stats.js';
import { XorShift32 } from '../../bench/trace/rng.js';

/** Shape of one random run. */
export interface PoolDriveOptions {
  readonly seed: number;
  readonly steps: number;
  readonly backend: 'js' | 'host';
  /** Full checks (validate, largest free range, snapshot) every this many steps. */
  readonly validateEvery: number;
  /** Advances the fake clock that the pool's setTimeout runs on, firing due timers. */
  readonly advance: (ms: number) => void;
  /** Record every episode (createPool's `record`) and check each recording at close. */
  readonly record?: boolean;
  /** Make every episode's pool shared (createPool's `shared`): the same model, through the shared engine and its lock. */
  readonly shared?: boolean;
}

/** What a run did: operations by kind, misuse cases tried (each one detected, or the run throws). */
export interface PoolDriveReport {
  steps: number;
  episodes: number;
  validations: number;
  readonly operations: Record<string, number>;
  readonly misuse: Record<string, number>;
  /** Misuse cases whose stale handle's engine node was live again under a new segment. */
  nodeReuses: number;
  /** Episodes whose recording was checked and replayed. */
  recordings: number;
}

const GRANULE = 128;
const footprintOf = (len: number) => alignUp(segmentSize(len), GRANULE);

interface Live {
  readonly segment: Segment;
  readonly offset: number;
  readonly len: number;
  readonly footprint: number;
  readonly tag: string | undefined;
  scoped: boolean;
  /** A byte written at both ends of the segment (or -1): read back at release, it proves no overlap in memory. */
  readonly stamp: number;
}

interface Waiter {
  readonly priority: number;
  readonly len: number;
  readonly tag: string | undefined;
  /** The model's clock when it was queued. */
  readonly queuedAt: number;
  readonly footprint: number;
  readonly deadline: number | undefined;
  /** Clock advances before this waiter was queued: its timer can only fire on a later one. */
  readonly advances: number;
  readonly controller: AbortController | undefined;
  readonly scoped: boolean;
  settled: boolean;
}

interface Settlement {
  readonly waiter: Waiter;
  readonly segment?: Segment;
  readonly error?: unknown;
}

/** The model's figures of one tag (or of the tags past MAX_TAGS): footprint bytes. */
interface TagModel {
  liveBytes: number;
  liveSegments: number;
  peakBytes: number;
}

/** The model's counters and peaks of one episode; wait times as bounds (see #settledWait). */
function freshCounters() {
  return {
    acquires: 0,
    releases: 0,
    failures: 0,
    resets: 0,
    acquiredBytesTotal: 0,
    peakUsedBytes: 0,
    peakLiveSegments: 0,
    peakWaiting: 0,
    waits: 0,
    timeouts: 0,
    aborts: 0,
    waitMsLow: 0,
    waitMsHigh: 0,
    waitMaxLow: 0,
    waitMaxHigh: 0,
  };
}

/** Thrown at the first disagreement, naming the seed and step so the run can be replayed. */
class Disagreement extends Error {}

export class PoolDriver {
  readonly #options: PoolDriveOptions;
  readonly #rng: XorShift32;
  readonly report: PoolDriveReport = { steps: 0, episodes: 0, validations: 0, operations: {}, misuse: {}, nodeReuses: 0, recordings: 0 };
  #capacity = 0;
  #pool!: Pool;
  #scope!: Scope;
  /** A second pool whose segments are foreign to the first. */
  readonly #other: Pool;
  #foreign: Segment[] = [];
  #live: Live[] = [];
  #stale: Segment[] = [];
  #waiters: Waiter[] = [];
  #settled: Settlement[] = [];
  #counters = freshCounters();
  /** Tags in order of first appearance, at most MAX_TAGS; later ones in #otherTags. */
  #tags = new Map<string, TagModel>();
  #otherTags: TagModel = { liveBytes: 0, liveSegments: 0, peakBytes: 0 };
  /** The clock as the current step began: what a step settles, it settles in [#stepStart, #now]. */
  #stepStart = 0;
  /** Offsets of the episode's segments in the order the pool handed them out. */
  #placements: number[] = [];
  #now = 0;
  #advances = 0;
  #step = 0;
  #palette: number[] = [];
  /** True while the settlements of a scope.releaseAll are replayed. */
  #inScopeRelease = false;

  constructor(options: PoolDriveOptions) {
    this.#options = options;
    this.#rng = new XorShift32(options.seed);
    this.#other = createPool({ size: 64 * 1024, backend: 'js' });
  }

  #fail(message: string): never {
    throw new Disagreement(`pool/model disagree (seed ${this.#options.seed}, ${this.#options.backend}, step ${this.#step}): ${message}`);
  }

  #count(kind: string, table: Record<string, number> = this.report.operations): void {
    table[kind] = (table[kind] ?? 0) + 1;
  }

  /** Runs the whole sequence; resolves with the report or rejects at the first disagreement. */
  async run(): Promise<PoolDriveReport> {
    this.#newEpisode();
    for (this.#step = 0; this.#step < this.#options.steps; this.#step++) {
      await this.#randomStep();
      this.#cheapCheck();
      if (this.#step % this.#options.validateEvery === 0) this.#fullCheck();
    }
    await this.#closeEpisode();
    this.#other.close();
    this.report.steps = this.#options.steps;
    return this.report;
  }

  #newEpisode(): void {
    const rng = this.#rng;
    this.#capacity = GRANULE * rng.int(64, 4096);
    this.#pool = createPool({ size: this.#capacity + rng.int(0, 127), backend: this.#options.backend, record: this.#options.record === true, shared: this.#options.shared === true });
    if (this.#pool.capacity !== this.#capacity) this.#fail(`capacity ${this.#pool.capacity}, expected ${this.#capacity}`);
    // share() throws for a plain pool: the run is on the pool it says it is on.
    if (this.#options.shared === true) this.#pool.share();
    this.#scope = this.#pool.scope();
    if (this.#foreign.length === 0) this.#foreign = Array.from({ length: 4 }, (_, i) => this.#other.acquire(100 * (i + 1)));
    this.#live = [];
    this.#stale = [];
    this.#waiters = [];
    this.#counters = freshCounters();
    this.#tags = new Map();
    this.#otherTags = { liveBytes: 0, liveSegments: 0, peakBytes: 0 };
    this.#placements = [];
    this.#palette = Array.from({ length: 4 }, () => rng.int(1, Math.max(1, this.#capacity >>> 3)));
    this.report.episodes++;
  }

  #len(): number {
    const rng = this.#rng;
    const roll = rng.int(0, 99);
    if (roll < 40) return this.#palette[rng.int(0, this.#palette.length - 1)] ?? 1;
    if (roll < 75) return rng.int(1, 2000);
    if (roll < 98) return rng.int(1, Math.max(1, this.#capacity >>> rng.int(0, 5)));
    return this.#capacity + rng.int(-200, 200);
  }

  // ---------------------------------------------------------------------------------------------
  // The model.

  #largestGap(): number {
    let cursor = 0;
    let largest = 0;
    for (const live of this.#live) {
      largest = Math.max(largest, live.offset - cursor);
      cursor = live.offset + live.footprint;
    }
    return Math.max(largest, this.#capacity - cursor);
  }

  #used(): number {
    let used = 0;
    for (const live of this.#live) used += live.footprint;
    return used;
  }

  /** The tag's entry: its own among the first MAX_TAGS tags, else the shared one. */
  #tagModel(tag: string): TagModel {
    let model = this.#tags.get(tag);
    if (model === undefined && this.#tags.size < MAX_TAGS) {
      model = { liveBytes: 0, liveSegments: 0, peakBytes: 0 };
      this.#tags.set(tag, model);
    }
    return model ?? this.#otherTags;
  }

  /** Records a segment the pool handed out for `len`; checks alignment, size, bounds and overlap. */
  #added(segment: Segment, len: number, scoped: boolean, tag: string | undefined): void {
    const footprint = footprintOf(len);
    const { offset } = segment;
    if (offset % GRANULE !== 0 || segment.address % BigInt(GRANULE) !== 0n) this.#fail(`misaligned segment at offset ${offset}`);
    if (segment.size !== segmentSize(len) || segment.length !== len) this.#fail(`segment of ${segment.size} bytes for len ${len}`);
    if (offset < 0 || offset + footprint > this.#capacity) this.#fail(`segment [${offset}, +${footprint}) outside the capacity`);
    if (segment.released) this.#fail(`a fresh segment at offset ${offset} reports released`);
    let lo = 0;
    let hi = this.#live.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#live[mid]?.offset ?? 0) <= offset) lo = mid + 1;
      else hi = mid;
    }
    const before = this.#live[lo - 1];
    const after = this.#live[lo];
    if (before !== undefined && before.offset + before.footprint > offset) this.#fail(`[${offset}, +${footprint}) overlaps [${before.offset}, +${before.footprint})`);
    if (after !== undefined && offset + footprint > after.offset) this.#fail(`[${offset}, +${footprint}) overlaps [${after.offset}, +${after.footprint})`);
    let stamp = -1;
    if (this.#rng.chance(0.25)) {
      stamp = this.#rng.int(1, 255);
      segment.fill(stamp, 0, 1);
      segment.fill(stamp, segment.size - 1, 1);
    }
    if (segment.tag !== tag) this.#fail(`segment tagged ${String(segment.tag)}, asked for ${String(tag)}`);
    this.#live.splice(lo, 0, { segment, offset, len, footprint, tag, scoped, stamp });
    this.#placements.push(offset);
    const c = this.#counters;
    c.acquires++;
    c.acquiredBytesTotal += footprint;
    c.peakUsedBytes = Math.max(c.peakUsedBytes, this.#used());
    c.peakLiveSegments = Math.max(c.peakLiveSegments, this.#live.length);
    if (tag !== undefined) {
      const model = this.#tagModel(tag);
      model.liveBytes += footprint;
      model.liveSegments++;
      model.peakBytes = Math.max(model.peakBytes, model.liveBytes);
    }
  }

  #indexOf(segment: Segment): number {
    return this.#live.findIndex((live) => live.segment === segment);
  }

  /** Forgets the live record at `index` after the pool released it. */
  #removed(index: number): void {
    const [live] = this.#live.splice(index, 1);
    if (live === undefined) this.#fail(`no live record #${index}`);
    if (live.tag !== undefined) {
      const model = this.#tagModel(live.tag);
      model.liveBytes -= live.footprint;
      model.liveSegments--;
    }
    this.#stale.push(live.segment);
    if (this.#stale.length > 64) this.#stale.splice(0, 32);
    this.#counters.releases++;
  }

  #checkStamp(live: Live): void {
    if (live.stamp < 0) return;
    const first = live.segment.read(0, 1)[0];
    const last = live.segment.read(live.segment.size - 1, 1)[0];
    if (first !== live.stamp || last !== live.stamp) this.#fail(`segment at ${live.offset}: stamp ${live.stamp} overwritten (${first}, ${last})`);
  }

  #cheapCheck(): void {
    const stats = this.#pool.stats();
    const used = this.#used();
    const requested = this.#live.reduce((sum, live) => sum + live.len, 0);
    const c = this.#counters;
    if (
      stats.usedBytes !== used ||
      stats.requestedBytes !== requested ||
      stats.freeBytes !== this.#capacity - used ||
      stats.liveSegments !== this.#live.length ||
      stats.acquires !== c.acquires ||
      stats.releases !== c.releases ||
      stats.acquiredBytesTotal !== c.acquiredBytesTotal ||
      stats.releasedBytesTotal !== c.acquiredBytesTotal - used ||
      stats.peakUsedBytes !== c.peakUsedBytes ||
      stats.peakLiveSegments !== c.peakLiveSegments ||
      stats.failures !== c.failures ||
      stats.resets !== c.resets ||
      stats.waiting !== this.#waiters.length ||
      stats.peakWaiting !== c.peakWaiting ||
      stats.waits !== c.waits ||
      stats.timeouts !== c.timeouts ||
      stats.aborts !== c.aborts
    ) {
      this.#fail(`stats ${JSON.stringify({ ...stats, tags: undefined })} != model used ${used}, requested ${requested}, live ${this.#live.length}, waiting ${this.#waiters.length}, ${JSON.stringify(c)}`);
    }
    // Wait times are known to the model only as bounds: a wait ends somewhere within its step.
    if (stats.waitMsTotal < c.waitMsLow || stats.waitMsTotal > c.waitMsHigh || stats.waitMsMax < c.waitMaxLow || stats.waitMsMax > c.waitMaxHigh) {
      this.#fail(`waitMsTotal ${stats.waitMsTotal} / waitMsMax ${stats.waitMsMax} outside the model's [${c.waitMsLow}, ${c.waitMsHigh}] / [${c.waitMaxLow}, ${c.waitMaxHigh}]`);
    }
  }

  /** stats().tags and otherTags against the model's, entry by entry, in order of first appearance. */
  #checkTags(): void {
    const { tags, otherTags } = this.#pool.stats();
    const expected = JSON.stringify([[...this.#tags], this.#otherTags]);
    const actual = JSON.stringify([Object.entries(tags), otherTags]);
    if (actual !== expected) this.#fail(`tags ${actual.slice(0, 300)} != model ${expected.slice(0, 300)}`);
  }

  /** Counts a wait that ended in this step: exactly `exactMs` when known (a timeout), else within the step. */
  #settledWait(waiter: Waiter, exactMs?: number): void {
    const c = this.#counters;
    const low = exactMs ?? this.#stepStart - waiter.queuedAt;
    const high = exactMs ?? this.#now - waiter.queuedAt;
    c.waitMsLow += low;
    c.waitMsHigh += high;
    c.waitMaxLow = Math.max(c.waitMaxLow, low);
    c.waitMaxHigh = Math.max(c.waitMaxHigh, high);
  }

  #fullCheck(): void {
    try {
      this.#pool.validate();
    } catch (error) {
      this.#fail(`validate(): ${(error as Error).message}`);
    }
    this.report.validations++;
    this.#checkTags();
    const gap = this.#largestGap();
    const stats = this.#pool.stats();
    if (stats.largestFreeRange !== gap) this.#fail(`largestFreeRange ${stats.largestFreeRange}, model gap ${gap}`);
    const offsets = this.#pool.snapshot().segments.map((s) => s.offset);
    if (offsets.length !== this.#live.length || offsets.some((o, i) => o !== this.#live[i]?.offset)) {
      this.#fail(`snapshot offsets ${offsets.slice(0, 8).join(',')}… != model ${this.#live.slice(0, 8).map((l) => l.offset).join(',')}…`);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Waiters: outcomes are recorded as they settle and replayed in that order.

  /** Lets settled promises run their reactions, then replays them against the model. */
  async #flush(): Promise<void> {
    await null;
    await null;
    for (const { waiter, segment, error } of this.#settled.splice(0)) {
      if (waiter.settled) this.#fail('a waiter settled twice');
      waiter.settled = true;
      const at = this.#waiters.indexOf(waiter);
      if (segment !== undefined) {
        // Strict FIFO: only the head is ever served, and only when it fits.
        if (at !== 0) this.#fail(`waiter #${at} (len ${waiter.len}) served out of turn`);
        if (waiter.footprint > this.#largestGap()) this.#fail(`waiter served ${waiter.footprint} bytes while the largest gap is ${this.#largestGap()}`);
        this.#waiters.shift();
        this.#settledWait(waiter);
        this.#added(segment, waiter.len, waiter.scoped, waiter.tag);
        this.#count('served after waiting');
        continue;
      }
      if (at < 0) this.#fail(`a waiter that is not queued rejected with ${String(error)}`);
      this.#waiters.splice(at, 1);
      if (error instanceof AcquireTimeoutError) {
        if (waiter.deadline === undefined || waiter.deadline > this.#now) this.#fail(`timed out before its deadline ${waiter.deadline} (now ${this.#now})`);
        this.#settledWait(waiter, waiter.deadline - waiter.queuedAt);
        this.#counters.timeouts++;
        this.#count('timed out');
      } else if (waiter.controller !== undefined && error === waiter.controller.signal.reason) {
        this.#settledWait(waiter);
        this.#counters.aborts++;
        this.#count('aborted');
      } else if (error instanceof ScopeReleasedError) {
        if (!this.#inScopeRelease || !waiter.scoped) this.#fail(`a waiter not cancelled by its scope rejected with ${String(error)}`);
        this.#settledWait(waiter);
        this.#count('cancelled by its scope');
      } else if (error instanceof PoolClosedError) {
        this.#settledWait(waiter);
      } else {
        this.#fail(`waiter rejected with ${String(error)}`);
      }
    }
    const head = this.#waiters[0];
    if (head !== undefined && head.footprint <= this.#largestGap()) this.#fail(`head waiter (${head.footprint} bytes) fits a gap of ${this.#largestGap()} but waits`);
    for (const waiter of this.#waiters) {
      const due = waiter.deadline !== undefined && waiter.deadline <= this.#now && waiter.advances < this.#advances;
      if (due) this.#fail(`waiter past its deadline ${waiter.deadline} still waits (now ${this.#now})`);
      if (waiter.controller?.signal.aborted === true) this.#fail('an aborted waiter still waits');
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Steps.

  async #randomStep(): Promise<void> {
    const rng = this.#rng;
    const roll = rng.int(0, 999);
    const hadWaiters = this.#waiters.length > 0;
    this.#stepStart = this.#now;
    if (roll < 280) this.#acquire(rng.int(0, 3));
    else if (roll < 560) this.#release();
    else if (roll < 640) await this.#acquireAsync();
    else if (roll < 680) await this.#scopeReleaseAll();
    else if (roll < 720) this.#abort();
    else if (roll < 780) this.#advance(rng.int(0, 8));
    else if (roll < 785) this.#reset();
    else if (roll < 795) this.#resetPeak();
    else if (roll < 990) this.#misuse();
    else if (roll < 992) {
      await this.#closeEpisode();
      this.#newEpisode();
    } else this.#acquire(0);
    if (hadWaiters || this.#settled.length > 0) await this.#flush();
  }

  /** acquire (0), tryAcquire (1), scope.acquire (2), scope.tryAcquire (3). */
  #acquire(how: number): void {
    const rng = this.#rng;
    const len = this.#len();
    const fits = footprintOf(len) <= this.#largestGap() && len <= this.#capacity;
    const zero = rng.chance(0.05);
    const options = rng.chance(0.3) ? { tag: `t${len}`, zero } : zero ? { zero } : undefined;
    const target = how >= 2 ? this.#scope : this.#pool;
    const names = ['acquire', 'tryAcquire', 'scope.acquire', 'scope.tryAcquire'];
    this.#count(names[how] ?? 'acquire');
    let segment: Segment | undefined;
    try {
      segment = how % 2 === 0 ? target.acquire(len, options) : target.tryAcquire(len, options);
    } catch (error) {
      if (!(error instanceof PoolExhaustedError) || how % 2 === 1) this.#fail(`acquire(${len}) threw ${String(error)}`);
    }
    if ((segment !== undefined) !== fits) this.#fail(`acquire(${len}) ${segment === undefined ? 'found no room' : 'succeeded'}, model says fits=${fits}`);
    if (segment === undefined) {
      this.#counters.failures++;
      return;
    }
    if (zero && rng.chance(0.2) && segment.read(0, Math.min(len, 256)).some((b) => b !== 0)) this.#fail('a zeroed segment has non-zero bytes');
    this.#added(segment, len, how >= 2, options?.tag);
  }

  #release(): void {
    const rng = this.#rng;
    if (this.#live.length === 0) return;
    const index = rng.int(0, this.#live.length - 1);
    const live = this.#live[index]!;
    this.#checkStamp(live);
    this.#count('release');
    if (rng.chance(0.5)) live.segment.release();
    else if (rng.chance(0.5)) this.#pool.release(live.segment);
    else live.segment[Symbol.dispose]();
    if (!live.segment.released) this.#fail('a released segment reports live');
    this.#removed(index);
  }

  async #acquireAsync(): Promise<void> {
    const rng = this.#rng;
    const len = rng.chance(0.97) ? this.#len() : this.#capacity + rng.int(1, 1000);
    const timeoutMs = rng.chance(0.4) ? rng.int(0, 20) : undefined;
    const roll = rng.int(0, 99);
    const controller = roll < 40 ? new AbortController() : undefined;
    if (roll < 3) controller?.abort();
    const scoped = rng.chance(0.3);
    // Mostly the default; else one of a few classes, so runs of one priority form and interleave.
    const priority = rng.chance(0.6) ? undefined : rng.int(-1, 2);
    const tag = rng.chance(0.3) ? `w${len % 512}` : undefined;
    const options = {
      ...(tag === undefined ? {} : { tag }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(controller === undefined ? {} : { signal: controller.signal }),
      ...(priority === undefined ? {} : { priority }),
    };
    const waiter: Waiter = { priority: priority ?? 0, len, tag, queuedAt: this.#now, footprint: footprintOf(len), deadline: timeoutMs === undefined ? undefined : this.#now + timeoutMs, advances: this.#advances, controller, scoped, settled: false };
    this.#count('acquireAsync');
    const promise = scoped ? this.#scope.acquireAsync(len, options) : this.#pool.acquireAsync(len, options);
    // Settled within this tick means settled at once (room, too large, aborted); else it waits,
    // and its outcome goes to the replay queue.
    let queued = false;
    let now: Settlement | undefined;
    const settle = (settlement: Settlement) => {
      if (queued) this.#settled.push(settlement);
      else now = settlement;
    };
    promise.then(
      (segment) => settle({ waiter, segment }),
      (error: unknown) => settle({ waiter, error }),
    );
    await null;
    if (now === undefined) {
      queued = true;
      // Behind every waiter of its priority or higher, ahead of every lower one.
      const at = this.#waiters.findIndex((other) => other.priority < waiter.priority);
      this.#waiters.splice(at < 0 ? this.#waiters.length : at, 0, waiter);
      this.#counters.waits++;
      this.#counters.peakWaiting = Math.max(this.#counters.peakWaiting, this.#waiters.length);
      this.#count('queued');
      return;
    }
    waiter.settled = true;
    const { segment, error } = now as Settlement;
    const neverFits = len > this.#capacity || waiter.footprint > this.#capacity;
    if (neverFits) {
      if (!(error instanceof RangeError)) this.#fail(`acquireAsync(${len}) above the capacity gave ${String(error ?? segment)}`);
    } else if (controller?.signal.aborted === true) {
      if (error !== controller.signal.reason) this.#fail(`acquireAsync with an aborted signal gave ${String(error ?? segment)}`);
    } else if (segment === undefined) {
      this.#fail(`acquireAsync(${len}) rejected at once with ${String(error)}`);
    } else {
      const holdsBack = this.#waiters.some((other) => other.priority >= waiter.priority);
      if (holdsBack || waiter.footprint > this.#largestGap()) this.#fail(`acquireAsync(${len}) served at once past waiters of its priority or higher, or without room`);
      this.#added(segment, len, scoped, tag);
    }
  }

  /** releaseAll cancels the scope's pending waits (ScopeReleasedError), then releases its segments. */
  async #scopeReleaseAll(): Promise<void> {
    this.#count('scope.releaseAll');
    for (const live of this.#live) if (live.scoped) this.#checkStamp(live);
    this.#scope.releaseAll();
    for (let i = this.#live.length - 1; i >= 0; i--) if (this.#live[i]!.scoped) this.#removed(i);
    this.#inScopeRelease = true;
    try {
      await this.#flush();
    } finally {
      this.#inScopeRelease = false;
    }
    if (this.#waiters.some((waiter) => waiter.scoped)) this.#fail('a wait of the scope is still pending after releaseAll');
  }

  #abort(): void {
    const pending = this.#waiters.filter((w) => w.controller !== undefined);
    const waiter = pending[this.#rng.int(0, Math.max(0, pending.length - 1))];
    if (waiter === undefined) return;
    this.#count('abort');
    waiter.controller?.abort();
  }

  #advance(ms: number): void {
    this.#count('advance clock');
    this.#now += ms;
    this.#advances++;
    this.#options.advance(ms);
  }

  /** resetPeak(): every peak starts again from the figures now, the longest wait from 0. */
  #resetPeak(): void {
    this.#count('resetPeak');
    this.#pool.resetPeak();
    const c = this.#counters;
    c.peakUsedBytes = this.#used();
    c.peakLiveSegments = this.#live.length;
    c.peakWaiting = this.#waiters.length;
    c.waitMaxLow = 0;
    c.waitMaxHigh = 0;
    for (const model of [...this.#tags.values(), this.#otherTags]) model.peakBytes = model.liveBytes;
  }

  #reset(): void {
    this.#count('reset');
    this.#pool.reset();
    this.#counters.resets++;
    for (let i = this.#live.length - 1; i >= 0; i--) this.#removed(i);
  }

  // ---------------------------------------------------------------------------------------------
  // Misuse: each case must throw the documented error and leave the pool exactly as it was.

  /** Runs `attempt`, expecting `kind` of error (null: no error at all), and checks that nothing changed. */
  #expectRefused(
    name: string,
    attempt: () => unknown,
    kind: typeof InvalidSegmentError | typeof PoolClosedError | null = InvalidSegmentError,
  ): void {
    const before = JSON.stringify(this.#pool.closed ? undefined : this.#pool.stats());
    let error: unknown;
    try {
      attempt();
    } catch (thrown) {
      error = thrown;
    }
    if (kind === null ? error !== undefined : !(error instanceof kind)) {
      this.#fail(`misuse '${name}' was not handled as documented: ${error === undefined ? 'no error' : String(error)}`);
    }
    if (!this.#pool.closed) {
      if (JSON.stringify(this.#pool.stats()) !== before) this.#fail(`misuse '${name}' changed the stats`);
      try {
        this.#pool.validate();
      } catch (thrown) {
        this.#fail(`misuse '${name}' left the pool invalid: ${(thrown as Error).message}`);
      }
    }
    this.#count(name, this.report.misuse);
  }

  #misuse(): void {
    const rng = this.#rng;
    const stale = this.#stale[rng.int(0, Math.max(0, this.#stale.length - 1))];
    switch (rng.int(0, 6)) {
      case 0: {
        if (this.#live.length === 0) return;
        const index = rng.int(0, this.#live.length - 1);
        const segment = this.#live[index]!.segment;
        segment.release();
        this.#removed(index);
        this.#expectRefused('double release', () => (rng.chance(0.5) ? segment.release() : this.#pool.release(segment)));
        return;
      }
      case 1:
        if (stale !== undefined) this.#expectRefused('release of a stale segment (released or reset away)', () => this.#pool.release(stale));
        return;
      case 2: {
        const foreign = this.#foreign[rng.int(0, this.#foreign.length - 1)]!;
        this.#expectRefused('release of a foreign segment', () => this.#pool.release(foreign));
        if (foreign.released) this.#fail('releasing a foreign segment released it in its own pool');
        return;
      }
      case 3:
        this.#nodeReused();
        return;
      case 4:
        if (stale === undefined) return;
        this.#expectRefused('write/read/fill of a stale segment', () => {
          const which = rng.int(0, 2);
          if (which === 0) stale.write(new Uint8Array(1));
          else if (which === 1) stale.read(0, 1);
          else stale.fill(1, 0, 1);
        });
        return;
      case 5: {
        const live = this.#live[rng.int(0, Math.max(0, this.#live.length - 1))];
        if (live === undefined) return;
        // Copies of a live segment are not it: a plain copy, and an object inheriting from it.
        const forged = rng.chance(0.5) ? { ...live.segment } : (Object.create(live.segment) as Segment);
        this.#expectRefused('release of a forged copy of a live segment', () => this.#pool.release(forged as Segment));
        if (live.segment.released) this.#fail('releasing a forged copy released the original');
        return;
      }
      default:
        if (stale !== undefined) this.#expectRefused('dispose of a stale segment (a no-op)', () => stale[Symbol.dispose](), null);
    }
  }

  /** A stale handle whose engine node now carries a new live segment: releasing it must fail. */
  #nodeReused(): void {
    const staleByNode = new Map<number, Segment>();
    for (const segment of this.#stale) staleByNode.set(segmentNode(segment), segment);
    let match = this.#live.find((live) => staleByNode.has(segmentNode(live.segment)));
    // Acquire small segments until one lands on a stale handle's node (nodes are recycled).
    for (let tries = 0; match === undefined && tries < 8 && staleByNode.size > 0; tries++) {
      const segment = this.#pool.tryAcquire(1);
      if (segment === undefined) break;
      this.#added(segment, 1, false, undefined);
      if (staleByNode.has(segmentNode(segment))) match = this.#live.find((live) => live.segment === segment);
    }
    if (match === undefined) return;
    const stale = staleByNode.get(segmentNode(match.segment))!;
    this.report.nodeReuses++;
    this.#expectRefused('release of a stale segment whose node was reused', () => this.#pool.release(stale));
    if (match.segment.released) this.#fail('releasing a stale handle freed the new segment on its node');
  }

  /** The episode's recording counts what the model counted, and its trace replays with the model's placements. */
  #checkRecording(recording: PoolRecording | undefined): void {
    if (recording === undefined) return this.#fail('a recording pool gave no recording');
    if (recording.dropped !== 0 || recording.capacity !== this.#capacity) this.#fail(`recording dropped ${recording.dropped}, capacity ${recording.capacity}`);
    const counts: Record<string, number> = {};
    const offsets: number[] = [];
    for (const event of recording.events()) {
      counts[event.kind] = (counts[event.kind] ?? 0) + 1;
      if (event.kind === 'acquire') offsets.push(event.offset ?? -1);
    }
    const c = this.#counters;
    if ((counts['failure'] ?? 0) !== c.failures || (counts['reset'] ?? 0) !== c.resets || counts['close'] !== 1) {
      this.#fail(`recorded ${JSON.stringify(counts)}, model ${JSON.stringify(c)}`);
    }
    if (offsets.join() !== this.#placements.join()) this.#fail(`recorded acquire offsets differ from the model's placements`);
    const trace = recording.toTrace();
    const replayed: number[] = [];
    const pool = createPool({ size: this.#capacity, backend: 'js' });
    const handles: (Segment | undefined)[] = [];
    for (let op = 0; op < trace.nOps; op++) {
      const [kind = 0, id = 0, len = 0] = trace.ops.subarray(op * 3, op * 3 + 3);
      if (kind === 0) {
        const segment = pool.tryAcquire(len);
        if (segment === undefined) this.#fail(`the recording's trace failed to replay at op ${op}`);
        handles[id] = segment;
        replayed.push(segment.offset);
      } else {
        pool.release(handles[id]!);
      }
    }
    pool.close();
    if (replayed.join() !== this.#placements.join()) this.#fail(`the recording's trace replays at other offsets than the model's placements`);
    this.report.recordings++;
  }

  /** Closes the pool with waiters and live segments, then checks every use of it is refused. */
  async #closeEpisode(): Promise<void> {
    const pool = this.#pool;
    const live = this.#live.map((l) => l.segment);
    const pending = this.#waiters.length;
    this.#count('close');
    pool.close();
    await this.#flush();
    if (this.#options.record === true) this.#checkRecording(pool.stopRecording());
    if (this.#waiters.length !== 0) this.#fail(`${this.#waiters.length} of ${pending} waiters survived close()`);
    const some = live[this.#rng.int(0, Math.max(0, live.length - 1))] ?? this.#stale[0];
    if (some !== undefined) {
      if (!some.released) this.#fail('a segment of a closed pool reports live');
      this.#expectRefused('release on a closed pool', () => pool.release(some));
      this.#expectRefused('write to a segment of a closed pool', () => some.write(new Uint8Array(1)));
    }
    this.#expectRefused('acquire on a closed pool', () => pool.acquire(1), PoolClosedError);
    this.#expectRefused('tryAcquire on a closed pool', () => pool.tryAcquire(1), PoolClosedError);
    this.#expectRefused('scope.acquire on a closed pool', () => this.#scope.acquire(1), PoolClosedError);
    this.#expectRefused('scope() on a closed pool', () => pool.scope(), PoolClosedError);
    this.#expectRefused('reset on a closed pool', () => pool.reset(), PoolClosedError);
    this.#expectRefused('validate on a closed pool', () => pool.validate(), PoolClosedError);
    const rejected = await pool.acquireAsync(1).then(() => undefined, (error: unknown) => error);
    if (!(rejected instanceof PoolClosedError)) this.#fail(`acquireAsync on a closed pool gave ${String(rejected)}`);
    this.#count('acquireAsync on a closed pool', this.report.misuse);
    this.#scope.releaseAll();
    if (createAclCompat(pool).media.dvpp_free(Number(pool.baseAddress)) !== 100000) this.#fail('dvpp_free on a closed pool did not return 100000');
    this.#count('dvpp_free on a closed pool', this.report.misuse);
  }
}

/** Runs one seeded pool sequence; throws an Error naming the seed and step at the first disagreement. */
export function drivePool(options: PoolDriveOptions): Promise<PoolDriveReport> {
  return new PoolDriver(options).run();
}
