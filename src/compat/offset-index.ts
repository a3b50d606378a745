// SPDX-License-Identifier: MIT
// OffsetIndex: granule offset -> engine node, for the O(1) "which live segment starts here?"
// that pyACL's dvpp_free(dev_ptr) needs. An open-addressing hash table in two Int32Arrays
// (linear probing, backward-shift deletion, so no tombstones): set/get/delete are O(1) expected
// and allocate nothing; the table doubles when half full. Keys are stored + 1 so 0 means empty.
// For rt.memset's "which live segment holds this byte?", floor(k) (the greatest key <= k) runs
// on a 32-ary bitmap of the keys, built on its first call and kept by set/delete/clear after.

const MIN_SLOTS = 16;
/** Keys are below this unless the constructor says less: stored + 1, they stay positive Int32s. */
const MAX_KEYS = 2 ** 31 - 1;

/**
 * A set of integers in [0, limit) as a hierarchy of 32-bit words: bit `k & 31` of word `k >>> 5`
 * at level 0 is key k, and a bit of level L + 1 says its word at level L is non-zero. Add, remove
 * and floor touch one word per level: O(log32 limit), at most 7 levels for 2^31 keys.
 */
class KeyBitmap {
  /** levels[0] holds the keys; the last level is one word. */
  readonly #levels: Uint32Array[] = [];

  constructor(limit: number) {
    let bits = Math.max(limit, 1);
    do {
      const words = Math.ceil(bits / 32);
      this.#levels.push(new Uint32Array(words));
      bits = words;
    } while (bits > 1);
  }

  add(key: number): void {
    for (const words of this.#levels) {
      const word = key >>> 5;
      const before = words[word] ?? 0;
      words[word] = before | (1 << (key & 31));
      // The word was non-empty, so the levels above already say so.
      if (before !== 0) return;
      key = word;
    }
  }

  remove(key: number): void {
    for (const words of this.#levels) {
      const word = key >>> 5;
      const after = (words[word] ?? 0) & ~(1 << (key & 31));
      words[word] = after;
      // The word still holds keys, so the levels above stay as they are.
      if (after !== 0) return;
      key = word;
    }
  }

  /** The greatest key <= `key` (a non-negative integer below the limit), or -1. */
  floor(key: number): number {
    const levels = this.#levels;
    let level = 0;
    let at = key;
    // Up: the first level whose word holds a set bit at or below `at`.
    for (;;) {
      const words = levels[level];
      if (words === undefined) return -1;
      const word = at >>> 5;
      const below = (words[word] ?? 0) & (0xffff_ffff >>> (31 - (at & 31)));
      if (below !== 0) {
        at = (word << 5) | (31 - Math.clz32(below));
        break;
      }
      // Nothing at or below `at` in this word: look for an earlier non-empty word, one level up.
      if (word === 0) return -1;
      at = word - 1;
      level++;
    }
    // Down: every word below a set bit is non-empty; take its highest bit each time.
    while (level > 0) {
      level--;
      const bits = levels[level]?.[at] ?? 0;
      at = (at << 5) | (31 - Math.clz32(bits));
    }
    return at;
  }
}

function mix(key: number): number {
  const h = Math.imul(key, 0x9e37_79b1);
  return h ^ (h >>> 15);
}

/** A map from non-negative integer keys (below `keyLimit`, at most 2^31 - 1) to non-negative integer values. */
export class OffsetIndex {
  #keys: Int32Array;
  #values: Int32Array;
  #mask: number;
  #size = 0;
  readonly #keyLimit: number;
  /** The keys as a bitmap, for floor(); undefined until its first call. */
  #bitmap: KeyBitmap | undefined = undefined;

  /**
   * @param expected - entries to make room for without growing.
   * @param keyLimit - every key is below it; floor()'s bitmap takes keyLimit / 8 bytes.
   */
  constructor(expected = 0, keyLimit = MAX_KEYS) {
    let slots = MIN_SLOTS;
    while (slots < expected * 2) slots *= 2;
    this.#keys = new Int32Array(slots);
    this.#values = new Int32Array(slots);
    this.#mask = slots - 1;
    this.#keyLimit = Math.min(keyLimit, MAX_KEYS);
  }

  /** Number of entries. */
  get size(): number {
    return this.#size;
  }

  /** The value stored for `key`, or -1. */
  get(key: number): number {
    const stored = key + 1;
    const keys = this.#keys;
    for (let slot = mix(stored) & this.#mask; ; slot = (slot + 1) & this.#mask) {
      const found = keys[slot];
      if (found === stored) return this.#values[slot] ?? -1;
      if (found === 0 || found === undefined) return -1;
    }
  }

  /** Stores `value` for `key`, replacing any value it had. */
  set(key: number, value: number): void {
    if ((this.#size + 1) * 2 > this.#keys.length) this.#grow();
    const stored = key + 1;
    const keys = this.#keys;
    let slot = mix(stored) & this.#mask;
    while (keys[slot] !== 0 && keys[slot] !== stored) slot = (slot + 1) & this.#mask;
    if (keys[slot] === 0) this.#size++;
    keys[slot] = stored;
    this.#values[slot] = value;
    this.#bitmap?.add(key);
  }

  /** Removes `key`; returns whether it was present. */
  delete(key: number): boolean {
    const stored = key + 1;
    const keys = this.#keys;
    const mask = this.#mask;
    let hole = mix(stored) & mask;
    for (;;) {
      const found = keys[hole];
      if (found === stored) break;
      if (found === 0 || found === undefined) return false;
      hole = (hole + 1) & mask;
    }
    // Backward shift: pull later entries of the same probe run into the hole, so lookups
    // never stop early at a slot that used to hold a deleted key.
    for (let slot = (hole + 1) & mask; ; slot = (slot + 1) & mask) {
      const moving = keys[slot] ?? 0;
      if (moving === 0) break;
      const home = mix(moving) & mask;
      // Move only when the entry's home is not cyclically inside (hole, slot].
      const homeInRun = hole <= slot ? home > hole && home <= slot : home > hole || home <= slot;
      if (homeInRun) continue;
      keys[hole] = moving;
      this.#values[hole] = this.#values[slot] ?? 0;
      hole = slot;
    }
    keys[hole] = 0;
    this.#size--;
    this.#bitmap?.remove(key);
    return true;
  }

  /** Removes every entry; keeps the table's size. O(table), like the fill it does anyway. */
  clear(): void {
    const bitmap = this.#bitmap;
    if (bitmap !== undefined) this.#forEach((key) => bitmap.remove(key));
    this.#keys.fill(0);
    this.#size = 0;
  }

  /**
   * The greatest key <= `key` (rounded down) that has an entry, or -1 (also for a negative key or NaN).
   * O(log32 keyLimit); the first call builds the bitmap of the keys in O(table).
   */
  floor(key: number): number {
    if (!(key >= 0)) return -1;
    let bitmap = this.#bitmap;
    if (bitmap === undefined) {
      const built = new KeyBitmap(this.#keyLimit);
      this.#forEach((stored) => built.add(stored));
      this.#bitmap = bitmap = built;
    }
    return bitmap.floor(Math.min(Math.floor(key), this.#keyLimit - 1));
  }

  /** Calls `visit(key, value)` for every entry, in no particular order. */
  #forEach(visit: (key: number, value: number) => void): void {
    const keys = this.#keys;
    for (let slot = 0; slot < keys.length; slot++) {
      const stored = keys[slot] ?? 0;
      if (stored !== 0) visit(stored - 1, this.#values[slot] ?? -1);
    }
  }

  #grow(): void {
    const oldKeys = this.#keys;
    const oldValues = this.#values;
    const slots = oldKeys.length * 2;
    this.#keys = new Int32Array(slots);
    this.#values = new Int32Array(slots);
    this.#mask = slots - 1;
    this.#size = 0;
    for (let slot = 0; slot < oldKeys.length; slot++) {
      const stored = oldKeys[slot] ?? 0;
      if (stored !== 0) this.set(stored - 1, oldValues[slot] ?? -1);
    }
  }
}
