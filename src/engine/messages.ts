// SPDX-License-Identifier: MIT
// Argument errors of the engine, in the project's one message shape
// ("Expected <what> for <name> but received <value> of type <type>"). Kept inside engine/ so the
// engine imports nothing from the other layers; only cold paths call these.

/** Renders `value` without running any of its code (no getters, traps or conversions) and never throws. */
function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol' || typeof value === 'function') return typeof value;
  if (typeof value === 'object' && value !== null) {
    // Array.isArray runs no user code, but throws for a revoked Proxy.
    try {
      return Array.isArray(value) ? 'array' : 'object';
    } catch {
      return 'a revoked Proxy';
    }
  }
  return String(value);
}

/** A TypeError when `value` is not a number, a RangeError when it is a number that breaks the rule. */
export function argumentError(name: string, expected: string, value: unknown): TypeError | RangeError {
  const type = value === null ? 'null' : typeof value;
  const message = `Expected ${expected} for ${name} but received ${show(value)} of type ${type}`;
  return typeof value === 'number' ? new RangeError(message) : new TypeError(message);
}

/** Throws unless `value` is an integer in [min, max]; returns it. */
export function requireIntegerIn(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw argumentError(name, `integer in [${min}, ${max}]`, value);
  }
  return value;
}
