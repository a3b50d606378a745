// SPDX-License-Identifier: MIT
// How the command prints numbers: bytes with binary units, counts with separators, and
// nanosecond timings, and how long names are cut. Pure functions shared by the command line
// (src/cli/), the pictures (src/viz/) and pool.summary(), and the one definition of a mebibyte
// for every folder (src/, bench/, test/).

/** Bytes in a mebibyte, 2^20. */
export const MIB = 2 ** 20;

/** Bytes in a short human form with binary units: `512 MiB`, `3.0 MiB`, `96 B`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || Number.isInteger(value) ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit] ?? 'B'}`;
}

/** An integer with thousands separators: `12,345`. */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** Nanoseconds in a short form: `85 ns`, `12.3 µs`, `4.1 ms`. */
export function formatNs(ns: number): string {
  if (ns < 1_000) return `${ns.toFixed(ns < 10 ? 1 : 0)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(1)} µs`;
  return `${(ns / 1_000_000).toFixed(1)} ms`;
}

/**
 * What a thrown value says, for a warning: an Error's stack (or message), else its string form;
 * never throws itself, whatever was thrown (an object without a prototype has no string form).
 */
export function describeThrown(thrown: unknown): string {
  try {
    if (thrown instanceof Error) return thrown.stack ?? thrown.message;
    return String(thrown);
  } catch {
    return Object.prototype.toString.call(thrown);
  }
}

/** `text` cut to `max` code points, the last an ellipsis, when it is longer. */
export function cutText(text: string, max: number): string {
  const points = [...text];
  return points.length <= max ? text : `${points.slice(0, max - 1).join('')}…`;
}
