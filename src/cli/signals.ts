// SPDX-License-Identifier: MIT
// The demo's answer to SIGINT, SIGTERM and SIGHUP: the first one aborts an AbortSignal (the
// demo then stops, frees its block and prints the summary so far) and fixes the exit code at
// 128 + the signal's number, as a shell reports a process a signal ended. The listeners stay
// for the rest of the process: a signal that comes after the cleanup only sets the exit code,
// where Node's default would end the process at once. They do not keep the event loop alive.

import { constants } from 'node:os';

/** The signals a command stops on, cleaning up, instead of dying at once. */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** What {@link watchStopSignals} returns. */
export interface StopSignals {
  /** Aborted at the first of the signals; its reason is the signal's name. */
  readonly signal: AbortSignal;
  /** The first signal received, if any. */
  readonly received: NodeJS.Signals | undefined;
  /** 128 + the first signal's number, or undefined when none came. */
  readonly exitCode: number | undefined;
}

/** Starts listening for {@link STOP_SIGNALS} for the rest of the process. Call once per process. */
export function watchStopSignals(): StopSignals {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (name: NodeJS.Signals): void => {
    // A second signal changes nothing: the stop under way is already bounded.
    if (received !== undefined) return;
    received = name;
    process.exitCode = 128 + constants.signals[name];
    controller.abort(name);
  };
  for (const name of STOP_SIGNALS) process.on(name, onSignal);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    get exitCode() {
      return received === undefined ? undefined : 128 + constants.signals[received];
    },
  };
}
