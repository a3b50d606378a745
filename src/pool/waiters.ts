// SPDX-License-Identifier: MIT
// The FIFO queue behind pool.acquireAsync. Waiters are served strictly in arrival order: the
// head is offered room first and, while it does not fit, holds back everyone behind it, so a
// large frame is never starved by small ones. A waiter leaves the queue exactly once: served,
// aborted (rejects with the signal's reason), timed out (AcquireTimeoutError) or closed out.
// Removal is O(1) (doubly linked), and removing the head re-offers room to the next in line.

import { AcquireTimeoutError } from '../errors.js';
import type { Segment } from './segment.js';
import type { Scope } from './scope.js';

/** One pending acquireAsync call. */
export class Waiter {
  prev: Waiter | undefined = undefined;
  next: Waiter | undefined = undefined;
  timer: NodeJS.Timeout | undefined = undefined;
  signal: AbortSignal | undefined = undefined;
  /** Bound once so it can be removed from the signal again. */
  readonly onAbort: () => void;

  constructor(
    readonly len: number,
    readonly granules: number,
    readonly tag: string | undefined,
    readonly zero: boolean,
    readonly scope: Scope | undefined,
    readonly resolve: (segment: Segment) => void,
    readonly reject: (reason: unknown) => void,
    queue: WaitQueue,
  ) {
    this.onAbort = () => queue.cancel(this, this.signal?.reason);
  }
}

/**
 * Arrival-ordered waiters. `serve(waiter)` is the pool's attempt to allocate for a waiter: it
 * returns the segment, or undefined when the waiter does not fit yet.
 */
export class WaitQueue {
  #head: Waiter | undefined = undefined;
  #tail: Waiter | undefined = undefined;
  #size = 0;
  readonly #serve: (waiter: Waiter) => Segment | undefined;

  constructor(serve: (waiter: Waiter) => Segment | undefined) {
    this.#serve = serve;
  }

  /** Number of pending waiters. */
  get size(): number {
    return this.#size;
  }

  /** Appends a waiter and arms its timeout and abort listener. */
  push(waiter: Waiter, signal: AbortSignal | undefined, timeoutMs: number | undefined): void {
    waiter.prev = this.#tail;
    if (this.#tail === undefined) this.#head = waiter;
    else this.#tail.next = waiter;
    this.#tail = waiter;
    this.#size++;
    if (timeoutMs !== undefined) {
      // A ref'd timer: a pending timeout keeps the event loop alive until it fires or is cleared.
      waiter.timer = setTimeout(() => this.cancel(waiter, new AcquireTimeoutError(waiter.len, timeoutMs)), timeoutMs);
    }
    if (signal !== undefined) {
      waiter.signal = signal;
      signal.addEventListener('abort', waiter.onAbort, { once: true });
    }
  }

  /** Serves waiters from the head while they fit; stops at the first that does not. */
  drain(): void {
    let waiter = this.#head;
    while (waiter !== undefined) {
      let segment: Segment | undefined;
      try {
        segment = this.#serve(waiter);
      } catch (error) {
        // A failing zero-fill rejects this waiter only; the ones behind still get their turn.
        this.#remove(waiter);
        waiter.reject(error);
        waiter = this.#head;
        continue;
      }
      if (segment === undefined) return;
      this.#remove(waiter);
      waiter.resolve(segment);
      waiter = this.#head;
    }
  }

  /** Takes a waiter out of the queue and rejects it; a no-op for one that already left. */
  cancel(waiter: Waiter, reason: unknown): void {
    if (!this.#contains(waiter)) return;
    const wasHead = waiter === this.#head;
    this.#remove(waiter);
    waiter.reject(reason);
    // The head may have been what held the others back.
    if (wasHead) this.drain();
  }

  /** Rejects every waiter with `reason()` (used by close). */
  rejectAll(reason: () => unknown): void {
    while (this.#head !== undefined) {
      const waiter = this.#head;
      this.#remove(waiter);
      waiter.reject(reason());
    }
  }

  #contains(waiter: Waiter): boolean {
    return waiter === this.#head || waiter.prev !== undefined;
  }

  #remove(waiter: Waiter): void {
    if (waiter.prev === undefined) this.#head = waiter.next;
    else waiter.prev.next = waiter.next;
    if (waiter.next === undefined) this.#tail = waiter.prev;
    else waiter.next.prev = waiter.prev;
    waiter.prev = undefined;
    waiter.next = undefined;
    this.#size--;
    if (waiter.timer !== undefined) clearTimeout(waiter.timer);
    waiter.timer = undefined;
    waiter.signal?.removeEventListener('abort', waiter.onAbort);
    waiter.signal = undefined;
  }
}
