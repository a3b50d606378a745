// SPDX-License-Identifier: MIT
// The largest pool a backend choice can give on this machine, for the commands that size pools
// themselves (demo's --pool-size, replay's search): the DVPP limit, or the js backend's own
// smaller one. Which kind `auto` (and $DVPP_POOL_BACKEND) resolves to is learnt the way a pool
// learns it, from a one-granule pool, so no rule of select.ts is repeated here.

import type { BackendKind } from '../backends/backend.js';
import { JS_MAX_BLOCK_BYTES } from '../backends/js.js';
import { DVPP_ADDR_ALIGN, DVPP_MAX_BLOCK_BYTES } from '../constants.js';
import { formatBytes } from '../format.js';
import type { PoolBackendKind } from '../backends/select.js';
import { createPool } from '../pool/pool.js';
import { UsageError } from './args.js';

/** What {@link largestPool} found. */
export interface LargestPool {
  /** The kind `backend` gives here. */
  readonly kind: BackendKind;
  /** The most bytes one pool of that kind can have. */
  readonly bytes: number;
  /** Where the limit comes from, for messages: "the DVPP limit" or "the js backend's limit". */
  readonly limit: string;
}

/**
 * The kind `backend` gives here and the largest pool it can have.
 * @throws {BackendUnavailableError} `backend` names a kind this machine lacks.
 */
export function largestPool(backend: PoolBackendKind): LargestPool {
  const probe = createPool({ size: DVPP_ADDR_ALIGN, backend });
  const { kind } = probe.backend;
  probe.close();
  return kind === 'js'
    ? { kind, bytes: JS_MAX_BLOCK_BYTES, limit: "the js backend's limit" }
    : { kind, bytes: DVPP_MAX_BLOCK_BYTES, limit: 'the DVPP limit' };
}

/**
 * Throws a UsageError when `--pool-size` (`bytes`, given as `text`) is more than `backend` can
 * hold here. Sizes every kind can hold are passed without creating a probe pool.
 */
export function requirePoolSizeFits(bytes: number, text: string, backend: PoolBackendKind | LargestPool): void {
  if (bytes <= Math.min(JS_MAX_BLOCK_BYTES, DVPP_MAX_BLOCK_BYTES)) return;
  const largest = typeof backend === 'string' ? largestPool(backend) : backend;
  if (bytes > largest.bytes) throw new UsageError(`--pool-size must be at most ${formatBytes(largest.bytes)} on the ${largest.kind} backend, got '${text}'`);
}
