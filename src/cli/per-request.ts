// SPDX-License-Identifier: MIT
// The demo's "before" picture: the same requests served one native block each (allocate + free
// through the host backend, i.e. mmap/munmap via the addon, as per-frame dvpp_malloc/dvpp_free
// would be) against an acquire + release through the pool. Both are timed over the demo's own
// recorded request lengths, each for about `budgetMs`. Without the addon it says why instead.
// Between passes it yields to the event loop, so a stop signal ends it within one pass.

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Backend } from '../backends/backend.js';
import { selectBackend } from '../backends/select.js';
import { footprint } from '../constants.js';
import { BackendUnavailableError } from '../errors.js';
import type { Pool } from '../pool/pool.js';

/** The comparison's figures, or why the native side could not be measured. */
export type PerRequestFigures =
  | {
      readonly available: true;
      /** Distinct requests in the sample (the demo's first acquires, in order). */
      readonly requests: number;
      /** Mean nanoseconds of one allocate + free of a fresh host block. */
      readonly nativeNsPerRequest: number;
      /** Mean nanoseconds of one acquire + release through the pool. */
      readonly poolNsPerRequest: number;
      /** nativeNsPerRequest / poolNsPerRequest. */
      readonly speedup: number;
    }
  | {
      readonly available: false;
      /** Why, as a phrase: e.g. `the host backend is unavailable (...)`, `interrupted by SIGINT`. */
      readonly reason: string;
    };

/**
 * Runs `pass` over the sample until `budgetMs` of passes are spent (at least once), yielding
 * between passes; mean ns per request, or undefined when `signal` aborted first.
 */
async function timePasses(requests: number, budgetMs: number, pass: () => void, signal: AbortSignal | undefined): Promise<number | undefined> {
  let passes = 0;
  let elapsed = 0n;
  do {
    await yieldToEventLoop();
    if (signal?.aborted === true) return undefined;
    const start = process.hrtime.bigint();
    pass();
    elapsed += process.hrtime.bigint() - start;
    passes++;
  } while (elapsed < BigInt(budgetMs) * 1_000_000n);
  return Number(elapsed) / (passes * requests);
}

function interrupted(signal: AbortSignal): PerRequestFigures {
  return { available: false, reason: `interrupted by ${String(signal.reason)}` };
}

/**
 * Times `lengths` as native blocks and as pool segments. `pool` must have room for the largest
 * length; it is left as it was found. When `signal` aborts, it stops after the pass under way
 * and says so instead of figures.
 */
export async function measurePerRequest(pool: Pool, lengths: readonly number[], budgetMs: number, signal?: AbortSignal): Promise<PerRequestFigures> {
  if (signal?.aborted === true) return interrupted(signal);
  if (lengths.length === 0) return { available: false, reason: 'the demo recorded no request' };
  let backend: Backend;
  try {
    ({ backend } = selectBackend('host', {}));
  } catch (error) {
    if (error instanceof BackendUnavailableError) return { available: false, reason: `the host backend is unavailable (${error.reason})` };
    throw error;
  }
  // The block a per-request allocator must set aside: the segment rounded to the 128-byte granule.
  const blockSizes = lengths.map((len) => footprint(len));
  const nativeNs = await timePasses(lengths.length, budgetMs, () => {
    for (const size of blockSizes) backend.free(backend.allocate(size));
  }, signal);
  const poolNs = await timePasses(lengths.length, budgetMs, () => {
    for (const len of lengths) pool.acquire(len).release();
  }, signal);
  if (nativeNs === undefined || poolNs === undefined) return interrupted(signal as AbortSignal);
  return {
    available: true,
    requests: lengths.length,
    nativeNsPerRequest: Math.round(nativeNs),
    poolNsPerRequest: Math.round(poolNs * 10) / 10,
    speedup: Math.round(nativeNs / poolNs),
  };
}
