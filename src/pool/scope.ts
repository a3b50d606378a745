// SPDX-License-Identifier: MIT
// Scope: an arena over a pool for one frame or one request. It remembers the segments acquired
// through it and releases the live ones at releaseAll() or dispose; a segment may still be
// released on its own (releaseAll skips it). It also owns its pending acquireAsync calls:
// releaseAll() cancels them first (ScopeReleasedError), so nothing acquired through a scope can
// outlive it. A scope stays usable after releaseAll/dispose, so one scope can serve frame after
// frame; it holds no memory of its own.

import { ScopeReleasedError } from '../errors.js';
import type { AcquireAsyncOptions, AcquireOptions } from './options.js';
import { coreOf, type Pool } from './pool.js';
import type { Segment } from './segment.js';
import type { WaitOwner } from './waiters.js';

/**
 * An arena over a pool, from `pool.scope()`.
 *
 * @example
 * ```ts
 * for (const frame of frames) {
 *   using scope = pool.scope();
 *   const yuv = scope.acquire(frame.yuvBytes, { tag: 'vdec' });
 *   const rgb = scope.acquire(frame.rgbBytes, { tag: 'vpc' });
 *   run(yuv, rgb);
 * } // both released here
 * ```
 */
export class Scope {
  /** The pool this scope acquires from. */
  readonly pool: Pool;
  // Segments acquired through this scope since the last releaseAll, and its pending waits.
  readonly #ledger: WaitOwner = { segments: [], pending: new Set() };

  /** @internal Only `pool.scope()` creates scopes (the package exports Scope as a type only). */
  constructor(pool: Pool) {
    coreOf(pool); // the brand check: a TypeError for anything but a Pool made by the package
    this.pool = pool;
  }

  /**
   * `pool.acquire`, remembered by this scope.
   * @throws {PoolExhaustedError} no free range is large enough.
   * @throws {PoolClosedError} the pool is closed.
   * @throws {TypeError | RangeError} a bad `len` or option.
   */
  acquire(len: number, options?: AcquireOptions): Segment {
    const segment = this.pool.acquire(len, options);
    this.#ledger.segments.push(segment);
    return segment;
  }

  /**
   * `pool.tryAcquire`, remembered by this scope: `undefined` when there is no room.
   * @throws {PoolClosedError} the pool is closed.
   * @throws {TypeError | RangeError} a bad `len` or option.
   */
  tryAcquire(len: number, options?: AcquireOptions): Segment | undefined {
    const segment = this.pool.tryAcquire(len, options);
    if (segment !== undefined) this.#ledger.segments.push(segment);
    return segment;
  }

  /**
   * `pool.acquireAsync`, remembered by this scope once it resolves. Rejects as `pool.acquireAsync`
   * does, and with `ScopeReleasedError` when the scope's `releaseAll()` or dispose runs first.
   */
  acquireAsync(len: number, options?: AcquireAsyncOptions): Promise<Segment> {
    return coreOf(this.pool).acquireAsync(this.#ledger, len, options);
  }

  /** Number of segments acquired through this scope that are still live. O(n). */
  get liveCount(): number {
    let count = 0;
    for (const segment of this.#ledger.segments) if (!segment.released) count++;
    return count;
  }

  /**
   * Rejects this scope's pending `acquireAsync` calls with `ScopeReleasedError`, then releases
   * every segment acquired through it that is still live (skipping ones released on their own,
   * reset away or of a closed pool); never throws for those. Waiters are offered the room once,
   * after all of it is free.
   */
  releaseAll(): void {
    const ledger = this.#ledger;
    const segments = ledger.segments;
    ledger.segments = [];
    // Nobody is served until the end, so none of this scope's waits is served (and then
    // released here) while they are cancelled, and no waiter gets the room piece by piece.
    coreOf(this.pool).waiters.hold(() => {
      if (ledger.pending.size !== 0) coreOf(this.pool).waiters.cancelAll(ledger.pending, (waiter) => new ScopeReleasedError(waiter.len));
      for (const segment of segments) {
        if (!segment.released) this.pool.release(segment);
      }
    });
  }

  /** Same as {@link Scope.releaseAll}: `using scope = pool.scope()` releases at block end. */
  [Symbol.dispose](): void {
    this.releaseAll();
  }
}
