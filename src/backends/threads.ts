// SPDX-License-Identifier: MIT
// Thread liveness, for telling whether the holder of a lock in shared memory is gone. Internal
// (not exported from the package). Through the addon's process-wide thread table (native/threads.h):
// each environment (main thread, worker) gets a small id, never 0 and never reused, which reads as
// ended from that environment's teardown on (worker end or terminate(), process.exit in a worker,
// the main thread's end), even when it was terminated inside a JS loop.
// Without the addon: the id is Node's worker threadId + 1, and threadAlive answers true for every
// id, so a dead thread is never detected: a lock its thread held when it was terminated stays held.

import { threadId } from 'node:worker_threads';
import { loadAddon } from './native.js';

/** @internal How this process tells threads apart: `addon` knows when one ends, `fallback` never does. */
export type ThreadTracking = 'addon' | 'fallback';

/** @internal The tracking in force: `addon` when the native addon loads. */
export function threadTracking(): ThreadTracking {
  return 'addon' in loadAddon() ? 'addon' : 'fallback';
}

/**
 * @internal The calling thread's id, process-wide: a positive integer below 2^32, the same on
 * every call in one thread, never that of another thread of the process.
 */
export function registerThread(): number {
  const load = loadAddon();
  return 'addon' in load ? load.addon.registerThread() : threadId + 1;
}

/**
 * @internal False once the thread of `id` (a {@link registerThread} id) ended. Always true
 * without the addon.
 * @throws {RangeError} an id registerThread never returned (with the addon).
 */
export function threadAlive(id: number): boolean {
  const load = loadAddon();
  return 'addon' in load ? load.addon.threadAlive(id) : true;
}
