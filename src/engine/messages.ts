// SPDX-License-Identifier: MIT
// Argument errors of the engine, in the project's one message shape
// ("Expected <what> for <name> but received <value> of type <type>"). Kept inside engine/ so the
// engine imports nothing from the other layers; only cold paths call these.

/**
 * Renders `value` for an argument error. Total: it never throws and runs none of the value's code
 * (no getters, Proxy traps or conversions). Primitives come out exactly as validate.ts's
 * describe() renders them (test/unit/engine/messages.test.ts compares the two). Objects and
 * functions are named only by kind: telling a Proxy apart, which any closer look needs, takes
 * node:util's types.isProxy, and the engine imports nothing from outside engine/.
 */
function show(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'bigint':
      return `${value}n`;
    case 'function':
      return 'a function';
    case 'object':
      if (value === null) return 'null';
      // Array.isArray runs no user code, even on a Proxy; it throws only for a revoked one.
      try {
        return Array.isArray(value) ? 'an array' : 'an object';
      } catch {
        return 'a revoked Proxy';
      }
    default:
      // number, boolean, undefined and symbol: String() reads nothing from any of them.
      return String(value);
  }
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
