// SPDX-License-Identifier: MIT
// The lock of a shared pool: one Int32 word of a SharedArrayBuffer holding 0 (free) or the
// holder's attachment id + 1, with CONTENDED set while a taker may sleep on it. Uncontended, a
// section costs two atomic operations, a compareExchange to take and an exchange to let go (each
// is a builtin call of 6-8 ns in Node 20, more than the rest of the lock's work), and the
// exchange's old value says whether anyone must be notified. Under contention the taker spins
// briefly, then marks the word CONTENDED and sleeps in Atomics.wait (Node allows it on the main
// thread too) with a short timeout; a taker that slept takes the word with CONTENDED set, since
// others may still sleep (the futex mutex of Drepper's "Futexes Are Tricky"). Critical sections
// are short by construction: no native call and no await inside (shared-sync.ts). A holder that
// died (a worker terminated inside the section) would keep the word forever: after waiting
// STALE_HOLDER_MS the taker asks `isAlive(holder)` and, if it is gone, takes the lock over and
// runs `recover()` before its own section, which repairs what the dead holder left half-done.

/** Spins before the first sleep: about a microsecond of compareExchange on these machines. */
const SPINS = 64;
/** One sleep's timeout, ms: bounds how late a missed notify can be noticed. */
const SLEEP_MS = 1;
/** How long a taker waits before it asks whether the holder is still alive. */
const STALE_HOLDER_MS = 50;
/** The bit of the lock word that says a taker may be asleep on it (marks stay far below it). */
const CONTENDED = 1 << 30;

export class SharedLock {
  readonly #words: Int32Array;
  readonly #lock: number;
  /** This thread's mark: its attachment id + 1. */
  readonly #self: number;
  #depth = 0;

  /**
   * @param words - the Int32Array that holds the lock word, at index `lock`.
   * @param self - the taker's attachment id (>= 0).
   * @param isAlive - whether the attachment of that id still runs (false: its thread ended).
   * @param recover - repairs the shared state after a holder died inside its section.
   */
  constructor(
    words: Int32Array,
    lock: number,
    self: number,
    private readonly isAlive: (attachment: number) => boolean,
    private readonly recover: () => void,
  ) {
    this.#words = words;
    this.#lock = lock;
    this.#self = self + 1;
  }

  /** Takes the lock (re-entrant within one thread: an inner take only counts). */
  acquire(): void {
    const previous = Atomics.compareExchange(this.#words, this.#lock, 0, this.#self);
    if (previous === 0) {
      this.#depth = 1;
      return;
    }
    if ((previous & ~CONTENDED) === this.#self) {
      this.#depth++;
      return;
    }
    this.#contended();
  }

  release(): void {
    if (--this.#depth > 0) return;
    // Anything but this thread's bare mark means CONTENDED was set: someone may sleep.
    if (Atomics.exchange(this.#words, this.#lock, 0) !== this.#self) Atomics.notify(this.#words, this.#lock, 1);
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
    const mine = this.#self | CONTENDED;
    let holder = 0;
    let started = performance.now();
    for (;;) {
      const word = Atomics.load(words, lock);
      if (word === 0) {
        if (Atomics.compareExchange(words, lock, 0, mine) === 0) {
          this.#depth = 1;
          return;
        }
        continue;
      }
      if ((word & ~CONTENDED) !== holder) {
        // Someone else holds it now: a live pool, start the clock again.
        holder = word & ~CONTENDED;
        started = performance.now();
      }
      // Marked before sleeping, so the holder's exchange sees it and notifies.
      if ((word & CONTENDED) !== 0 || Atomics.compareExchange(words, lock, word, word | CONTENDED) === word) {
        Atomics.wait(words, lock, word | CONTENDED, SLEEP_MS);
      }
      if (performance.now() - started >= STALE_HOLDER_MS && !this.isAlive(holder - 1)) {
        // The holder's thread is gone: take the word over from it, then repair its half-done work.
        const seen = Atomics.load(words, lock);
        if ((seen & ~CONTENDED) === holder && Atomics.compareExchange(words, lock, seen, mine) === seen) {
          this.#depth = 1;
          try {
            this.recover();
          } catch (error) {
            // A repair that failed must not keep the word: let go (the pool closes itself, shared-sync.ts) and throw.
            this.release();
            throw error;
          }
          return;
        }
      }
    }
  }
}
