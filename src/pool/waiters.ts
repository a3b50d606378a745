// SPDX-License-Identifier: MIT
// The queue behind pool.acquireAsync. Waiters are ordered by priority (highest first), then by
// arrival: one list, in which each priority is a run. The head is offered room first and, while
// it does not fit, holds back everyone behind it (its own priority and lower ones), so a large
// frame is never starved by small ones of its priority. A waiter leaves the queue exactly once:
// served, aborted (rejects with the signal's reason), timed out (AcquireTimeoutError),
// cancelled by its scope, or closed out. Removal is O(1) (doubly linked), O(distinct priorities)
// for the last waiter of a run, and removing the head re-offers room to the next in line. Pushing
// is O(distinct priorities queued): it finds its priority's run in a short sorted list.
//
// Waiters that share an AbortSignal share one abort listener (a SignalGroup): adding and
// removing EventTarget listeners costs O(listeners) each in Node, so one listener per waiter made
// N waiters on one signal cost O(N^2) to queue and to abort, and warned of a listener leak.

import { abortReason, isAborted, offAbort, onAbort } from './abort-signal.js';
import type { Segment } from './segment.js';
import type { WaitFigures } from './stats.js';

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

/** The waiters of one priority: a run of the queue, and its last waiter (where the next one goes). */
interface PriorityRun {
  readonly priority: number;
  last: Waiter;
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
  /** The run of the waiter's priority; set while it is queued. */
  run: PriorityRun | undefined = undefined;
  /** `performance.now()` when it was queued, for the wait-time figures. */
  since = 0;
  /** A shared pool's arrival order across threads (shared-sync.ts); 0 in a plain pool. */
  ticket = 0;

  constructor(
    readonly priority: number,
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
 * Waiters by priority, then arrival. `serve(waiter)` is the pool's attempt to allocate for a waiter: it
 * returns the segment, or undefined when the waiter does not fit yet; `timeoutReason` gives what
 * a timed-out waiter rejects with, after `beforeTimeout` (the pool's onExhausted) had its say. The queue keeps the wait figures of stats().
 */
export class WaitQueue implements WaitFigures {
  #head: Waiter | undefined = undefined;
  /** The priorities queued, highest first. */
  readonly #runs: PriorityRun[] = [];
  #size = 0;
  /** Inside hold(): room is re-offered once, when it ends, not by each release or cancel within. */
  #holding = false;
  /** Told after a waiter joined or left: a shared pool publishes its head and figures to the other threads. */
  onChange: (() => void) | undefined = undefined;
  // The figures of stats() (stats.ts says what each means).
  peakWaiting = 0;
  waits = 0;
  timeouts = 0;
  aborts = 0;
  waitMsTotal = 0;
  waitMsMax = 0;
  readonly #groups = new Map<AbortSignal, SignalGroup>();
  readonly #serve: (waiter: Waiter) => Segment | undefined;
  readonly #timeoutReason: (waiter: Waiter, timeoutMs: number) => unknown;
  readonly #beforeTimeout: (waiter: Waiter) => void;

  constructor(
    serve: (waiter: Waiter) => Segment | undefined,
    timeoutReason: (waiter: Waiter, timeoutMs: number) => unknown,
    beforeTimeout: (waiter: Waiter) => void = () => undefined,
  ) {
    this.#serve = serve;
    this.#timeoutReason = timeoutReason;
    this.#beforeTimeout = beforeTimeout;
  }

  /** The first waiter in line, or undefined. */
  get head(): Waiter | undefined {
    return this.#head;
  }

  /** Number of pending waiters. */
  get size(): number {
    return this.#size;
  }

  /** The peaks start again from the figures now (pool.resetPeak()). */
  resetPeak(): void {
    this.peakWaiting = this.#size;
    this.waitMsMax = 0;
  }

  /** Whether a waiter of `priority` or higher is queued: then a new call of `priority` must queue behind it. */
  holdsBack(priority: number): boolean {
    const first = this.#runs[0];
    return first !== undefined && first.priority >= priority;
  }

  /**
   * Queues a waiter behind those of its priority and higher, and arms its abort listener and timeout. Whatever can throw (arming the
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
    this.#link(waiter);
    waiter.queue = this;
    waiter.since = performance.now();
    this.waits++;
    if (++this.#size > this.peakWaiting) this.peakWaiting = this.#size;
    this.onChange?.();
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
      waiter.timer = setTimeout(() => {
        // The pool's onExhausted first: it may release room that serves the waiter, or close the pool.
        this.#beforeTimeout(waiter);
        if (waiter.queue !== this) return;
        this.timeouts++;
        this.cancel(waiter, this.#timeoutReason(waiter, timeoutMs));
      }, timeoutMs);
    }
  }

  /**
   * Runs `work` (releases and cancels) and re-offers room once, after all of it: a scope's
   * releaseAll frees all its room before anyone is served, so a large waiter sees it whole.
   */
  hold(work: () => void): void {
    if (this.#holding) return work();
    this.#holding = true;
    try {
      work();
    } finally {
      this.#holding = false;
    }
    this.drain();
  }

  /** Serves waiters from the head while they fit; stops at the first that does not. Waits while held. */
  drain(): void {
    if (this.#holding) return;
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
      // Counted before the removal: a shared pool publishes the figures as the queue changes.
      this.aborts++;
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

  /** Links `waiter` at the end of its priority's run (a new run goes before the first lower one). */
  #link(waiter: Waiter): void {
    const runs = this.#runs;
    const priority = waiter.priority;
    let at = 0;
    while (at < runs.length && (runs[at] as PriorityRun).priority > priority) at++;
    let run = runs[at];
    let after: Waiter | undefined;
    if (run !== undefined && run.priority === priority) {
      after = run.last;
      run.last = waiter;
    } else {
      run = { priority, last: waiter };
      after = at === 0 ? undefined : (runs[at - 1] as PriorityRun).last;
      runs.splice(at, 0, run);
    }
    waiter.run = run;
    const next = after === undefined ? this.#head : after.next;
    waiter.prev = after;
    waiter.next = next;
    if (after === undefined) this.#head = waiter;
    else after.next = waiter;
    if (next !== undefined) next.prev = waiter;
  }

  #remove(waiter: Waiter): void {
    const run = waiter.run as PriorityRun;
    if (run.last === waiter) {
      // The run ends one earlier, or is gone when the waiter was its only one.
      if (waiter.prev !== undefined && waiter.prev.run === run) run.last = waiter.prev;
      else this.#runs.splice(this.#runs.indexOf(run), 1);
    }
    waiter.run = undefined;
    if (waiter.prev === undefined) this.#head = waiter.next;
    else waiter.prev.next = waiter.next;
    if (waiter.next !== undefined) waiter.next.prev = waiter.prev;
    waiter.prev = undefined;
    waiter.next = undefined;
    waiter.queue = undefined;
    this.#size--;
    const waitedMs = performance.now() - waiter.since;
    this.waitMsTotal += waitedMs;
    if (waitedMs > this.waitMsMax) this.waitMsMax = waitedMs;
    this.onChange?.();
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
