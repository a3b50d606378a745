// SPDX-License-Identifier: MIT
// Every error the pool throws on purpose: one base class with a stable `code`, one subclass per
// failure. `instanceof` is answered by a Symbol.for brand, so it holds across two loaded copies
// of the package (undici's pattern).

import { formatBytes } from './format.js';
import type { PoolStats } from './pool-stats.js';

const kDvppPoolError = Symbol.for('dvpp-pool.error');

function brandOf(code: string): symbol {
  return Symbol.for(`dvpp-pool.error.${code}`);
}

/** Base class of every coded dvpp-pool error. `code` is stable across versions. */
export class DvppPoolError extends Error {
  /** Stable machine-readable code, e.g. `ERR_DVPP_POOL_EXHAUSTED`. */
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
    Object.defineProperty(this, kDvppPoolError, { value: true });
    Object.defineProperty(this, brandOf(code), { value: true });
  }

  static override [Symbol.hasInstance](instance: unknown): boolean {
    if (typeof instance !== 'object' || instance === null) return false;
    // Subclasses check their own code's brand; the base class checks the family brand.
    const brand = this === DvppPoolError ? kDvppPoolError : brandOf((this as unknown as { CODE: string }).CODE);
    return (instance as Record<symbol, unknown>)[brand] === true;
  }
}

/** Tags an out-of-room message names, the largest first. */
const MESSAGE_TAGS = 3;

const segments = (count: number): string => `${count} segment${count === 1 ? '' : 's'}`;

/**
 * How full the pool was, for the message of an out-of-room error: used, free and the largest
 * free range, and the tags holding the most bytes (with the untagged bytes and the tags past
 * stats' table where they are among the largest).
 */
function roomSummary(stats: PoolStats): string {
  const holders = Object.entries(stats.tags).map(([tag, figures]) => [JSON.stringify(tag), figures.liveBytes, figures.liveSegments] as const);
  const { otherTags } = stats;
  if (otherTags.liveSegments > 0) holders.push(['(other tags)', otherTags.liveBytes, otherTags.liveSegments]);
  const tagged = holders.reduce((sum, [, bytes]) => sum + bytes, 0);
  const untaggedSegments = stats.liveSegments - holders.reduce((sum, [, , count]) => sum + count, 0);
  if (untaggedSegments > 0) holders.push(['(untagged)', stats.usedBytes - tagged, untaggedSegments]);
  const largest = holders
    .filter(([, bytes]) => bytes > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, MESSAGE_TAGS)
    .map(([tag, bytes, count]) => `${tag} ${formatBytes(bytes)} in ${segments(count)}`);
  const used = `used ${formatBytes(stats.usedBytes)} of ${formatBytes(stats.capacity)} in ${segments(stats.liveSegments)}`;
  const free = `free ${formatBytes(stats.freeBytes)}, the largest free range ${formatBytes(stats.largestFreeRange)}`;
  return `${used}, ${free}${largest.length === 0 ? '' : `; largest holders: ${largest.join(', ')}`}`;
}

/**
 * `acquire` found no free range large enough. Retry after releases, or use `acquireAsync`.
 * The message says how full the pool was; `stats` has every figure.
 */
export class PoolExhaustedError extends DvppPoolError {
  static readonly CODE = 'ERR_DVPP_POOL_EXHAUSTED';
  /** `len` as asked, in bytes. */
  readonly requested: number;
  /** Bytes of the largest free range at the time of the failure. */
  readonly largestFree: number;
  /** `pool.stats()` at the time of the failure. */
  readonly stats: PoolStats;

  /** @param growth - a sentence on the pool's growth (cap reached, or what was tried and why it failed), or ''. */
  constructor(requested: number, stats: PoolStats, growth = '') {
    super(
      PoolExhaustedError.CODE,
      `Pool exhausted: cannot acquire ${requested} bytes (${roomSummary(stats)}).${growth} ` +
        'Release segments first, wait with acquireAsync(), or create a larger pool (or a larger maxSize).',
    );
    this.requested = requested;
    this.largestFree = stats.largestFreeRange;
    this.stats = stats;
  }
}

/** A release of a segment that is not live in this pool: released already, reset, foreign or closed. */
export class InvalidSegmentError extends DvppPoolError {
  static readonly CODE = 'ERR_DVPP_INVALID_SEGMENT';
  constructor(message: string) {
    super(InvalidSegmentError.CODE, message);
  }
}

/** The pool was closed; create a new pool. */
export class PoolClosedError extends DvppPoolError {
  static readonly CODE = 'ERR_DVPP_POOL_CLOSED';
  constructor(operation: string) {
    super(PoolClosedError.CODE, `Cannot ${operation}: the pool is closed. Create a new pool with createPool().`);
  }
}

/** `acquireAsync` waited `timeoutMs` without the room it needed becoming free. The message says how full the pool was; `stats` has every figure. */
export class AcquireTimeoutError extends DvppPoolError {
  static readonly CODE = 'ERR_DVPP_ACQUIRE_TIMEOUT';
  /** `len` as asked, in bytes. */
  readonly requested: number;
  readonly timeoutMs: number;
  /** `pool.stats()` when the wait timed out (the timed-out call still counted as waiting). */
  readonly stats: PoolStats;
  /** @param growth - a sentence on the pool's growth, as PoolExhaustedError's, or ''. */
  constructor(requested: number, timeoutMs: number, stats: PoolStats, growth = '') {
    super(
      AcquireTimeoutError.CODE,
      `acquireAsync(${requested}) timed out after ${timeoutMs} ms waiting for free space (${roomSummary(stats)}).${growth} ` +
        'Release segments sooner, raise timeoutMs, or create a larger pool.',
    );
    this.requested = requested;
    this.timeoutMs = timeoutMs;
    this.stats = stats;
  }
}

/**
 * A scope's `acquireAsync` was still waiting when the scope released its segments
 * (`releaseAll()` or dispose): the wait is cancelled so that nothing acquired through a scope
 * outlives it. Await a scope's waits before it ends.
 */
export class ScopeReleasedError extends DvppPoolError {
  static readonly CODE = 'ERR_DVPP_SCOPE_RELEASED';
  /** `len` of the cancelled call, in bytes. */
  readonly requested: number;
  constructor(requested: number) {
    super(
      ScopeReleasedError.CODE,
      `scope.acquireAsync(${requested}) was cancelled: its scope released its segments (releaseAll() or dispose) ` +
        'while the call still waited. Await every acquireAsync of a scope before the scope ends.',
    );
    this.requested = requested;
  }
}

/** The requested backend cannot be used here; `reason` says why (the loader's own text). */
export class BackendUnavailableError extends DvppPoolError {
  static readonly CODE = 'ERR_DVPP_BACKEND_UNAVAILABLE';
  readonly backend: string;
  readonly reason: string;
  constructor(backend: string, reason: string) {
    super(BackendUnavailableError.CODE, `The '${backend}' backend is unavailable: ${reason}`);
    this.backend = backend;
    this.reason = reason;
  }
}

/** A host memory call (mmap, munmap) failed. `op` is the call, `errno` its error number. */
export class HostMemoryError extends DvppPoolError {
  static readonly CODE = 'ERR_DVPP_HOST_MEMORY';
  readonly op: string;
  readonly errno: number;
  constructor(op: string, errno: number, detail: string) {
    super(HostMemoryError.CODE, `${op} failed with errno ${errno}: ${detail}`);
    this.op = op;
    this.errno = errno;
  }
}

/** An ACL call failed. `aclError` is the number it returned, `op` the function's name. */
export class AclError extends DvppPoolError {
  static readonly CODE = 'ERR_DVPP_ACL';
  readonly aclError: number;
  readonly op: string;
  /** aclGetRecentErrMsg() text, when the library had one. */
  readonly recentErrMsg: string | undefined;
  constructor(op: string, aclError: number, detail?: string, recentErrMsg?: string) {
    super(
      AclError.CODE,
      `${op} failed with aclError ${aclError}${detail ? `: ${detail}` : ''}${recentErrMsg ? ` (ACL: ${recentErrMsg})` : ''}`,
    );
    this.aclError = aclError;
    this.op = op;
    this.recentErrMsg = recentErrMsg;
  }
}

/**
 * A block of DVPP memory (`acl`, `himpi`) was refused before any vendor call: with it, the live
 * DVPP blocks of this process (every pool, every worker thread) would hold more than `limit`
 * bytes, the address space the vendor lets media data processing use per process
 * (`DVPP_MAX_BLOCK_BYTES`). Free DVPP blocks (close pools), make pools smaller, or, where the
 * product allows, use backend `rt`, which this limit does not bind.
 */
export class DvppAddressSpaceError extends DvppPoolError {
  static readonly CODE = 'ERR_DVPP_ADDRESS_SPACE';
  /** Bytes of the refused block. */
  readonly requested: number;
  /** Bytes of DVPP memory the process held then. */
  readonly inUse: number;
  /** The process's DVPP address space in bytes. */
  readonly limit: number;
  constructor(requested: number, inUse: number, limit: number) {
    super(
      DvppAddressSpaceError.CODE,
      `Cannot allocate ${requested} bytes of DVPP memory: this process's DVPP blocks hold ${inUse} of the ${limit} bytes ` +
        'of address space media data processing may use per process. Close pools or make them smaller, or use ' +
        "backend 'rt' (aclrtMalloc memory, not bound by this limit) where the product allows.",
    );
    this.requested = requested;
    this.inUse = inUse;
    this.limit = limit;
  }
}

/** The pool was used from a process other than the one that created it (the vendor forbids fork). */
export class ForkedProcessError extends DvppPoolError {
  static readonly CODE = 'ERR_DVPP_FORKED';
  constructor(createdPid: number, currentPid: number) {
    super(
      ForkedProcessError.CODE,
      `This pool was created by process ${createdPid} and cannot be used from process ${currentPid}: ` +
        'ACL memory must not be shared across fork. Create the pool in the process that uses it.',
    );
  }
}
