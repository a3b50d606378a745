// SPDX-License-Identifier: MIT
// OffsetIndex: granule offset -> engine node, for the O(1) "which live segment starts here?"
// that pyACL's dvpp_free(dev_ptr) needs. An open-addressing hash table in two Int32Arrays
// (linear probing, backward-shift deletion, so no tombstones): set/get/delete are O(1) expected
// and allocate nothing; the table doubles when half full. Keys are stored + 1 so 0 means empty.

const MIN_SLOTS = 16;

function mix(key: number): number {
  const h = Math.imul(key, 0x9e37_79b1);
  return h ^ (h >>> 15);
}

/** A map from non-negative integer keys (< 2^31 - 1) to non-negative integer values. */
export class OffsetIndex {
  #keys: Int32Array;
  #values: Int32Array;
  #mask: number;
  #size = 0;

  /** @param expected - entries to make room for without growing. */
  constructor(expected = 0) {
    let slots = MIN_SLOTS;
    while (slots < expected * 2) slots *= 2;
    this.#keys = new Int32Array(slots);
    this.#values = new Int32Array(slots);
    this.#mask = slots - 1;
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
    return true;
  }

  /** Removes every entry; keeps the table's size. */
  clear(): void {
    this.#keys.fill(0);
    this.#size = 0;
  }

  /** Calls `visit(key, value)` for every entry, in no particular order. */
  forEach(visit: (key: number, value: number) => void): void {
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
