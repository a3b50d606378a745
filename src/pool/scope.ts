// SPDX-License-Identifier: MIT
// Scope: an arena over a pool for one frame or one request. It remembers the segments acquired
// through it and releases the live ones at releaseAll() or dispose; a segment may still be
// released on its own (releaseAll skips it). A scope stays usable after releaseAll/dispose, so
// one scope can serve frame after frame; it holds no memory of its own.

import type { AcquireAsyncOptions, AcquireOptions } from './options.js';
import type { Pool } from './pool.js';
import type { Segment } from './segment.js';

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
  // Segments acquired through this scope since the last releaseAll, in acquisition order.
  #segments: Segment[] = [];

  /** @internal Only `pool.scope()` creates scopes. */
  constructor(pool: Pool) {
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
    this.#segments.push(segment);
    return segment;
  }

  /**
   * `pool.tryAcquire`, remembered by this scope: `undefined` when there is no room.
   * @throws {PoolClosedError} the pool is closed.
   * @throws {TypeError | RangeError} a bad `len` or option.
   */
  tryAcquire(len: number, options?: AcquireOptions): Segment | undefined {
    const segment = this.pool.tryAcquire(len, options);
    if (segment !== undefined) this.#segments.push(segment);
    return segment;
  }

  /** `pool.acquireAsync`, remembered by this scope once it resolves. Rejects as `pool.acquireAsync` does. */
  acquireAsync(len: number, options?: AcquireAsyncOptions): Promise<Segment> {
    return this.pool.acquireAsyncFor(this, len, options);
  }

  /** Number of segments acquired through this scope that are still live. O(n). */
  get liveCount(): number {
    let count = 0;
    for (const segment of this.#segments) if (!segment.released) count++;
    return count;
  }

  /** @internal Called by the pool when a scoped acquireAsync resolves. */
  track(segment: Segment): void {
    this.#segments.push(segment);
  }

  /**
   * Releases every segment acquired through this scope that is still live (skipping ones
   * released on their own, reset away or of a closed pool); never throws for those.
   */
  releaseAll(): void {
    const segments = this.#segments;
    this.#segments = [];
    for (const segment of segments) {
      if (!segment.released) this.pool.release(segment);
    }
  }

  /** Same as {@link Scope.releaseAll}: `using scope = pool.scope()` releases at block end. */
  [Symbol.dispose](): void {
    this.releaseAll();
  }
}
