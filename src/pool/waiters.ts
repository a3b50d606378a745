// SPDX-License-Identifier: MIT
// The FIFO queue behind pool.acquireAsync. Waiters are served strictly in arrival order: the
// head is offered room first and, while it does not fit, holds back everyone behind it, so a
// large frame is never starved by small ones. A waiter leaves the queue exactly once: served,
// aborted (rejects with the signal's reason), timed out (AcquireTimeoutError), cancelled by its
// scope, or closed out. Removal is O(1) (doubly linked), and removing the head re-offers room to
// the next in line.
//
// Waiters that share an AbortSignal share one abort listener (a SignalGroup): adding and
// removing EventTarget listeners costs O(listeners) each in Node, so one listener per waiter made
// N waiters on one signal cost O(N^2) to queue and to abort, and warned of a listener leak.

import { AcquireTimeoutError } from '../errors.js';
import { abortReason, isAborted, offAbort, onAbort } from './abort-signal.js';
import type { Segment } from './segment.js';

/** What a scope keeps of its acquireAsync calls: the segments they got and the waits still pending. */
export interface WaitOwner {
  /** Segments acquired through the owner, in acquisition order. */
  segments: Segment[];
  /** The owner's waiters still in the queue. */
  readonly pending: Set<Waiter>;
}

/** The waiters queued with one AbortSignal, in arrival order, linked through `groupPrev`/`groupNext`. */
class SignalGroup {
  first: Waiter | undefined = undefined;
  last: Waiter | undefined = undefined;
  /** Added once when the group is made; the platform drops it when it fires (`once`). */
  readonly onAbort: () => void;

  constructor(
    readonly signal: AbortSignal,
    queue: WaitQueue,
  ) {
    this.onAbort = () => queue.abortGroup(this);
  }
}

/** One pending acquireAsync call. */
export class Waiter {
  prev: Waiter | undefined = undefined;
  next: Waiter | undefined = undefined;
  /** The queue holding this waiter; undefined until pushed and once it left. */
  queue: WaitQueue | undefined = undefined;
  timer: NodeJS.Timeout | undefined = undefined;
  group: SignalGroup | undefined = undefined;
  groupPrev: Waiter | undefined = undefined;
  groupNext: Waiter | undefined = undefined;

  constructor(
    readonly len: number,
    readonly granules: number,
    readonly tag: string | undefined,
    readonly zero: boolean,
    readonly owner: WaitOwner | undefined,
    readonly resolve: (segment: Segment) => void,
    readonly reject: (reason: unknown) => void,
  ) {}
}

/**
 * Arrival-ordered waiters. `serve(waiter)` is the pool's attempt to allocate for a waiter: it
 * returns the segment, or undefined when the waiter does not fit yet.
 */
export class WaitQueue {
  #head: Waiter | undefined = undefined;
  #tail: Waiter | undefined = undefined;
  #size = 0;
  readonly #groups = new Map<AbortSignal, SignalGroup>();
  readonly #serve: (waiter: Waiter) => Segment | undefined;

  constructor(serve: (waiter: Waiter) => Segment | undefined) {
    this.#serve = serve;
  }

  /** Number of pending waiters. */
  get size(): number {
    return this.#size;
  }

  /**
   * Appends a waiter and arms its abort listener and timeout. Whatever can throw (arming the
   * signal) runs before the waiter is linked anywhere, so a throw leaves nothing queued.
   */
  push(waiter: Waiter, signal: AbortSignal | undefined, timeoutMs: number | undefined): void {
    let group: SignalGroup | undefined;
    if (signal !== undefined) {
      group = this.#groups.get(signal);
      if (group === undefined) {
        group = new SignalGroup(signal, this);
        onAbort(signal, group.onAbort);
        this.#groups.set(signal, group);
      }
    }
    waiter.prev = this.#tail;
    if (this.#tail === undefined) this.#head = waiter;
    else this.#tail.next = waiter;
    this.#tail = waiter;
    waiter.queue = this;
    this.#size++;
    if (group !== undefined) {
      waiter.group = group;
      waiter.groupPrev = group.last;
      if (group.last === undefined) group.first = waiter;
      else group.last.groupNext = waiter;
      group.last = waiter;
    }
    waiter.owner?.pending.add(waiter);
    if (timeoutMs !== undefined) {
      // A ref'd timer: a pending timeout keeps the event loop alive until it fires or is cleared.
      waiter.timer = setTimeout(() => this.cancel(waiter, new AcquireTimeoutError(waiter.len, timeoutMs)), timeoutMs);
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
    if (waiter.queue !== this) return;
    const wasHead = waiter === this.#head;
    this.#remove(waiter);
    waiter.reject(reason);
    // The head may have been what held the others back.
    if (wasHead) this.drain();
  }

  /**
   * Rejects `waiters` (those still queued) with `reason(waiter)`, all before any room is
   * re-offered, then drains once: a scope's releaseAll must not serve one of its own waits while
   * it cancels them.
   */
  cancelAll(waiters: Iterable<Waiter>, reason: (waiter: Waiter) => unknown): void {
    const head = this.#head;
    for (const waiter of [...waiters]) {
      if (waiter.queue !== this) continue;
      this.#remove(waiter);
      waiter.reject(reason(waiter));
    }
    if (this.#head !== head) this.drain();
  }

  /** The abort listener of `group`: rejects every waiter of its signal, then re-offers room once. */
  abortGroup(group: SignalGroup): void {
    if (!isAborted(group.signal)) {
      // A synthetic 'abort' event (dispatchEvent) on a signal that is not aborted: not an abort.
      // The platform dropped the `once` listener as it fired; arm it again.
      onAbort(group.signal, group.onAbort);
      return;
    }
    // The platform removed the listener as it fired (`once`): forget the group before the
    // removals below, so none of them calls removeEventListener.
    this.#groups.delete(group.signal);
    const reason = abortReason(group.signal);
    const head = this.#head;
    let waiter = group.first;
    group.first = undefined;
    group.last = undefined;
    while (waiter !== undefined) {
      const next = waiter.groupNext;
      waiter.group = undefined;
      waiter.groupNext = undefined;
      waiter.groupPrev = undefined;
      this.#remove(waiter);
      waiter.reject(reason);
      waiter = next;
    }
    if (this.#head !== head) this.drain();
  }

  /** Rejects every waiter with `reason()` (used by close). */
  rejectAll(reason: () => unknown): void {
    while (this.#head !== undefined) {
      const waiter = this.#head;
      this.#remove(waiter);
      waiter.reject(reason());
    }
  }

  #remove(waiter: Waiter): void {
    if (waiter.prev === undefined) this.#head = waiter.next;
    else waiter.prev.next = waiter.next;
    if (waiter.next === undefined) this.#tail = waiter.prev;
    else waiter.next.prev = waiter.prev;
    waiter.prev = undefined;
    waiter.next = undefined;
    waiter.queue = undefined;
    this.#size--;
    if (waiter.timer !== undefined) clearTimeout(waiter.timer);
    waiter.timer = undefined;
    waiter.owner?.pending.delete(waiter);
    const group = waiter.group;
    if (group !== undefined) this.#leaveGroup(waiter, group);
  }

  /** Unlinks `waiter` from its signal's group; the last one out removes the group's listener. */
  #leaveGroup(waiter: Waiter, group: SignalGroup): void {
    if (waiter.groupPrev === undefined) group.first = waiter.groupNext;
    else waiter.groupPrev.groupNext = waiter.groupNext;
    if (waiter.groupNext === undefined) group.last = waiter.groupPrev;
    else waiter.groupNext.groupPrev = waiter.groupPrev;
    waiter.group = undefined;
    waiter.groupPrev = undefined;
    waiter.groupNext = undefined;
    if (group.first === undefined) {
      this.#groups.delete(group.signal);
      offAbort(group.signal, group.onAbort);
    }
  }
}
