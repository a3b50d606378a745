// SPDX-License-Identifier: MIT
// The lock of a shared pool: one Int32 word of a SharedArrayBuffer holding 0 (free) or the
// holder's attachment id + 1. Taking it is one compareExchange when free; under contention the
// taker spins briefly, then sleeps in Atomics.wait (Node allows it on the main thread too) with
// a short timeout, and the releaser notifies only when someone sleeps. Critical sections are
// short by construction: no native call and no await inside (shared-sync.ts). A holder that died
// (a worker terminated inside the section) would keep the word forever: after waiting
// STALE_HOLDER_MS the taker asks `isAlive(holder)` and, if it is gone, takes the lock over and
// runs `recover()` before its own section, which repairs what the dead holder left half-done.

/** Spins before the first sleep: about a microsecond of compareExchange on these machines. */
const SPINS = 64;
/** One sleep's timeout, ms: bounds how late a missed notify can be noticed. */
const SLEEP_MS = 1;
/** How long a taker waits before it asks whether the holder is still alive. */
const STALE_HOLDER_MS = 50;

/** Word indexes in the header this lock uses. */
export interface LockWords {
  readonly words: Int32Array;
  readonly lock: number;
  readonly sleepers: number;
}

export class SharedLock {
  readonly #words: Int32Array;
  readonly #lock: number;
  readonly #sleepers: number;
  /** This thread's mark: its attachment id + 1. */
  readonly #self: number;
  #depth = 0;

  /**
   * @param self - the taker's attachment id (>= 0).
   * @param isAlive - whether the attachment of that id still runs (false: its thread ended).
   * @param recover - repairs the shared state after a holder died inside its section.
   */
  constructor(
    words: LockWords,
    self: number,
    private readonly isAlive: (attachment: number) => boolean,
    private readonly recover: () => void,
  ) {
    this.#words = words.words;
    this.#lock = words.lock;
    this.#sleepers = words.sleepers;
    this.#self = self + 1;
  }

  /** Takes the lock (re-entrant within one thread: an inner take only counts). */
  acquire(): void {
    const words = this.#words;
    const previous = Atomics.compareExchange(words, this.#lock, 0, this.#self);
    if (previous === 0) {
      this.#depth = 1;
      return;
    }
    if (previous === this.#self) {
      this.#depth++;
      return;
    }
    this.#contended();
  }

  release(): void {
    if (--this.#depth > 0) return;
    const words = this.#words;
    Atomics.store(words, this.#lock, 0);
    if (Atomics.load(words, this.#sleepers) !== 0) Atomics.notify(words, this.#lock, 1);
  }

  /** Runs `section` holding the lock. */
  run<T>(section: () => T): T {
    this.acquire();
    try {
      return section();
    } finally {
      this.release();
    }
  }

  #contended(): void {
    const words = this.#words;
    const lock = this.#lock;
    for (let spin = 0; spin < SPINS; spin++) {
      if (Atomics.compareExchange(words, lock, 0, this.#self) === 0) {
        this.#depth = 1;
        return;
      }
    }
    let started = performance.now();
    let holder = Atomics.load(words, lock);
    for (;;) {
      Atomics.add(words, this.#sleepers, 1);
      if (holder !== 0) Atomics.wait(words, lock, holder, SLEEP_MS);
      Atomics.sub(words, this.#sleepers, 1);
      const seen = Atomics.compareExchange(words, lock, 0, this.#self);
      if (seen === 0) {
        this.#depth = 1;
        return;
      }
      if (seen !== holder) {
        // Someone else took it meanwhile: a live pool, start the clock again.
        holder = seen;
        started = performance.now();
        continue;
      }
      if (performance.now() - started >= STALE_HOLDER_MS && !this.isAlive(holder - 1)) {
        // The holder's thread is gone: take the word over from it, then repair its half-done work.
        if (Atomics.compareExchange(words, lock, holder, this.#self) === holder) {
          this.#depth = 1;
          this.recover();
          return;
        }
        holder = Atomics.load(words, lock);
      }
    }
  }
}
