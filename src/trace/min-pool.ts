// SPDX-License-Identifier: MIT
// Fragmentation figure: the smallest block, in whole steps (1 MiB by default), that replays a
// trace with zero failures. Success need not be monotone in the block size (a larger block can
// change placement), so a binary search only narrows the answer to a size `c` that succeeds;
// then every step below `c` down to the peak-live lower bound is replayed, and the smallest
// success wins. Nothing below the peak live footprint can succeed, so the answer is exact.

import { MIB } from '../format.js';
import type { Trace } from './format.js';
import { type Contender, fitsIn } from './replay.js';
import { traceStats } from './stats.js';

export interface MinPoolOptions {
  /** Granularity of the search in bytes (a multiple of 128). Default 1 MiB. */
  readonly stepBytes?: number;
  /** Give up above this many steps (default: 64 × the lower bound); no larger block is tried. */
  readonly maxSteps?: number;
}

/** No block of at most `maxSteps` steps replays the trace without a failure; no larger one was tried. */
export class NoBlockFitsError extends Error {
  override name = 'NoBlockFitsError';
}

export interface MinPoolResult {
  /** Smallest block in bytes that replays without a failure. */
  readonly bytes: number;
  /** The trace's peak live footprint in bytes. */
  readonly peakLiveBytes: number;
  /** bytes / peakLiveBytes. */
  readonly ratio: number;
  /** Size the binary search settled on before the downward scan. */
  readonly binaryBytes: number;
  /** Distinct sizes replayed (a failing replay stops at its first failure). */
  readonly replays: number;
}

/** Finds the smallest block (in `stepBytes` steps) in which `contender` replays `trace` cleanly. */
export function minPoolBytes<H>(trace: Trace, contender: Contender<H>, options: MinPoolOptions = {}): MinPoolResult {
  const step = options.stepBytes ?? MIB;
  if (!Number.isSafeInteger(step) || step <= 0 || step % 128 !== 0) {
    throw new RangeError(`stepBytes must be a positive multiple of 128, got ${step}`);
  }
  const { peakLiveBytes } = traceStats(trace);
  const lower = Math.max(1, Math.ceil(peakLiveBytes / step));
  const maxSteps = options.maxSteps ?? lower * 64;
  const giveUp = (): NoBlockFitsError =>
    new NoBlockFitsError(`${contender.name} does not replay the trace even in ${maxSteps} steps of ${step} bytes`);
  if (lower > maxSteps) throw giveUp();
  // Replays are deterministic, so each size is tried at most once.
  const tried = new Map<number, boolean>();
  const fits = (steps: number): boolean => {
    let ok = tried.get(steps);
    if (ok === undefined) {
      ok = fitsIn(trace, contender, steps * step);
      tried.set(steps, ok);
    }
    return ok;
  };

  // Gallop up from the lower bound to a size that fits, then bisect (lastFail, hi].
  let lastFail = lower - 1;
  let hi = lower;
  for (let jump = 1; !fits(hi); jump *= 2) {
    lastFail = hi;
    hi = lower + jump;
    if (hi > maxSteps) {
      // The largest block allowed is the last one worth a try before giving up.
      if (lastFail === maxSteps || !fits(maxSteps)) throw giveUp();
      hi = maxSteps;
      break;
    }
  }
  while (hi - lastFail > 1) {
    const mid = lastFail + Math.floor((hi - lastFail) / 2);
    if (fits(mid)) hi = mid;
    else lastFail = mid;
  }
  const binarySteps = hi;

  // Non-monotone check: every size below the candidate, down to the lower bound.
  let best = hi;
  for (let s = hi - 1; s >= lower; s--) {
    if (fits(s)) best = s;
  }
  return {
    bytes: best * step,
    peakLiveBytes,
    ratio: (best * step) / peakLiveBytes,
    binaryBytes: binarySteps * step,
    replays: tried.size,
  };
}
