// SPDX-License-Identifier: MIT
// The two-level bitmap over the TLSF bins: bit sl of rows[fl] is set iff bin (fl, sl) has a free
// range, and bit fl of `top` is set iff rows[fl] != 0. Finding the first non-empty bin at or
// above any bin costs two masks and at most two count-trailing-zeros (Math.clz32), so the
// engine never walks empty bins. Words are Int32 so values stay small integers in V8.

import * as mapping from './mapping.js';

// Imports read once into module constants, as in tlsf.ts (test runners turn imports into getters).
const { FL_COUNT, SL_BITS, SL_MASK } = mapping;

/** Index of the lowest set bit of a non-zero 32-bit word (count trailing zeros). */
export function ctz32(word: number): number {
  // word & -word isolates the lowest set bit; clz32 then counts from the top.
  return 31 - Math.clz32(word & -word);
}

/** Index of the highest set bit of a non-zero 32-bit word. */
export function msb32(word: number): number {
  return 31 - Math.clz32(word);
}

/**
 * Two-level occupancy bitmap of the engine's bins. Rows are read as `this.rows[fl]!` in place (fl <
 * FL_COUNT by construction; the `!` only satisfies noUncheckedIndexedAccess): a helper would add a
 * call's bytecode to every inlined mark/unmark, and that counts against V8's inlining budget.
 */
export class BinBitmap {
  /** Bit fl is set iff `rows[fl] !== 0`. */
  top = 0;
  /** Bit sl of rows[fl] is set iff bin `(fl << SL_BITS) | sl` holds at least one free range. */
  readonly rows: Int32Array;

  /** @param rows FL_COUNT words to keep the rows in (shared storage passes its own). */
  constructor(rows: Int32Array = new Int32Array(FL_COUNT)) {
    this.rows = rows;
  }

  /** Whether `bin` holds a free range. */
  has(bin: number): boolean {
    return (this.rows[bin >>> SL_BITS]! & (1 << (bin & SL_MASK))) !== 0;
  }

  /** Marks `bin` non-empty. */
  mark(bin: number): void {
    const fl = bin >>> SL_BITS;
    this.rows[fl]! |= 1 << (bin & SL_MASK);
    this.top |= 1 << fl;
  }

  /** Marks `bin` empty. */
  unmark(bin: number): void {
    const fl = bin >>> SL_BITS;
    const row = this.rows[fl]! & ~(1 << (bin & SL_MASK));
    this.rows[fl] = row;
    if (row === 0) this.top &= ~(1 << fl);
  }

  /**
   * The lowest non-empty bin >= `bin`, or -1. `bin >>> SL_BITS` must be below 31 (true for every
   * round-up of a size below 2^32), so the shift by fl + 1 never wraps.
   */
  findFrom(bin: number): number {
    let fl = bin >>> SL_BITS;
    // Bits at or above sl within the request's own first-level row.
    let row = this.rows[fl]! & (-1 << (bin & SL_MASK));
    if (row === 0) {
      const higher = this.top & (-1 << (fl + 1));
      if (higher === 0) return -1;
      fl = ctz32(higher);
      row = this.rows[fl]!;
    }
    return (fl << SL_BITS) | ctz32(row);
  }

  /** The highest non-empty bin, or -1 when every bin is empty. */
  highest(): number {
    if (this.top === 0) return -1;
    const fl = msb32(this.top);
    return (fl << SL_BITS) | msb32(this.rows[fl]!);
  }

  /** Marks every bin empty in O(FL_COUNT). */
  clear(): void {
    this.top = 0;
    this.rows.fill(0);
  }
}
