// SPDX-License-Identifier: MIT
// What PoolExhaustedError says of growth when `acquire` found no room: nothing for a pool that
// may not grow; that the cap was reached; or which block sizes growth asked the backend for
// (halving on out-of-memory) and the backend's own error for the last one (an AclError carries
// its aclError).

import { footprint } from '../constants.js';
import { describeThrown, formatBytes } from '../format.js';
import type { PoolCore } from './core.js';

/** One sentence (with a leading space) about growth for an acquire of `len` that failed, or ''. */
export function growthNote(core: PoolCore, len: number): string {
  const { maxSize } = core.growth;
  if (maxSize === core.first.capacity) return '';
  const needed = footprint(len);
  if (maxSize - core.capacity < needed) {
    return ` The pool may not grow for it: its blocks hold ${formatBytes(core.capacity)} of maxSize ${formatBytes(maxSize)}, and this needs a block of ${formatBytes(needed)}.`;
  }
  const failure = core.growthFailure;
  if (failure === undefined) return '';
  const reason = failure.error instanceof Error ? failure.error.message : describeThrown(failure.error);
  return ` Growth was tried with blocks of ${failure.tried.map(formatBytes).join(', ')} and failed: ${reason.replace(/\.?$/, '.')}`;
}
