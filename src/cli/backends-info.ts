// SPDX-License-Identifier: MIT
// The backend facts `dvpp-pool info` prints: which kind `auto` picks here and why it skipped the
// ones before it, $DVPP_POOL_BACKEND, the native addon's load result and huge pages. It lives
// with the command, its only user; the backends only answer the questions.

import { type HugePageInfo, hugePageInfo } from '../backends/host.js';
import type { BackendKind } from '../backends/backend.js';
import { loadAddon } from '../backends/native.js';
import { BACKEND_ENV, type SelectOptions, selectBackend } from '../backends/select.js';
import { BackendUnavailableError } from '../errors.js';

/** What `dvpp-pool info` prints about backends. */
export interface BackendsInfo {
  /**
   * The kind `auto` picks here, and why it skipped earlier ones; `'none'` when it has nothing to
   * pick (createPool would throw BackendUnavailableError), with the reason in `fallbackReason`.
   */
  readonly auto: { readonly kind: BackendKind | 'none'; readonly fallbackReason?: string };
  /** $DVPP_POOL_BACKEND as set, if it is. */
  readonly environment?: string;
  /** The native addon's file, or why it did not load. */
  readonly addon: { readonly path: string } | { readonly reason: string };
  readonly hugePages: HugePageInfo;
}

/**
 * Reports which backend `auto` would pick and why, the addon's load result and huge page facts.
 * Creates no block.
 * @throws {RangeError} $DVPP_POOL_BACKEND is not a valid kind.
 * @throws {BackendUnavailableError} $DVPP_POOL_BACKEND names a kind that is unavailable.
 */
export function backendsInfo(options: SelectOptions = {}): BackendsInfo {
  let auto: BackendsInfo['auto'];
  try {
    const { backend, fallbackReason } = selectBackend('auto', options);
    auto = fallbackReason === undefined ? { kind: backend.kind } : { kind: backend.kind, fallbackReason };
  } catch (error) {
    // auto found nothing: a fact to report. A kind $DVPP_POOL_BACKEND names is the caller's error.
    if (!(error instanceof BackendUnavailableError) || error.backend !== 'auto') throw error;
    auto = { kind: 'none', fallbackReason: error.reason };
  }
  const load = loadAddon();
  const environment = process.env[BACKEND_ENV];
  return {
    auto,
    ...(environment === undefined ? {} : { environment }),
    addon: 'reason' in load ? { reason: load.reason } : { path: load.path },
    hugePages: hugePageInfo(),
  };
}
