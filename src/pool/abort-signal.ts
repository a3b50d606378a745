// SPDX-License-Identifier: MIT
// The pool talks to an AbortSignal only through the platform's own accessors and EventTarget's
// own methods, captured once. A signal is a user object: an own property that shadows
// `aborted`, `reason` or `removeEventListener` must not be able to desynchronise the wait queue
// (lose a waiter, or throw halfway through serving one). The brand check comes free: the
// intrinsic `aborted` getter throws for anything that is not a real AbortSignal.

import { builtinGetter } from '../validate.js';

const abortedGetter = builtinGetter(AbortSignal.prototype, 'aborted');
const reasonGetter = builtinGetter(AbortSignal.prototype, 'reason');
const addListener = EventTarget.prototype.addEventListener;
const removeListener = EventTarget.prototype.removeEventListener;

/** True for a real AbortSignal (not merely an object whose prototype chain holds AbortSignal's). */
export function isAbortSignal(value: unknown): value is AbortSignal {
  if (!(value instanceof AbortSignal)) return false;
  try {
    abortedGetter.call(value);
    return true;
  } catch {
    return false;
  }
}

/** `signal.aborted`, as the platform knows it. */
export function isAborted(signal: AbortSignal): boolean {
  return abortedGetter.call(signal) as boolean;
}

/** `signal.reason`, as the platform knows it. */
export function abortReason(signal: AbortSignal): unknown {
  return reasonGetter.call(signal);
}

/** Adds `listener` for the signal's one abort event (`once`: the platform drops it when it fires). */
export function onAbort(signal: AbortSignal, listener: () => void): void {
  addListener.call(signal, 'abort', listener, { once: true });
}

/** Removes a listener added by {@link onAbort} that has not fired. */
export function offAbort(signal: AbortSignal, listener: () => void): void {
  removeListener.call(signal, 'abort', listener);
}
