// SPDX-License-Identifier: MIT
// createPool's onExhausted: what a pool tells its owner when an acquire finds no room (the
// analogue of torch_npu's OOM snapshot). The report is built only when the option is set, so a
// pool without it pays nothing; the callback never runs inside itself, and what it throws is a
// process warning, because an acquire must fail with its own documented error and nothing else.

import type { PoolSnapshot } from './snapshot.js';
import { describeThrown } from '../format.js';
import { formatSummary } from './summary.js';

/** The operations whose failure is reported. */
export type ExhaustedOperation = 'acquire' | 'tryAcquire' | 'acquireAsync' | 'dvpp_malloc';

/** What `onExhausted` gets. */
export interface ExhaustedReport {
  /** The call that found no room (a scope's acquire reports as `acquire`/`tryAcquire`/`acquireAsync`). */
  readonly operation: ExhaustedOperation;
  /** `len` as asked, in bytes. */
  readonly requested: number;
  /** `pool.summary()` of that moment. */
  readonly summary: string;
  /** `pool.snapshot()` of that moment. */
  readonly snapshot: PoolSnapshot;
}

/** The type and code of the warning that carries what an onExhausted callback threw. */
export const CALLBACK_WARNING_TYPE = 'DvppPoolCallbackWarning';
export const CALLBACK_WARNING_CODE = 'DVPP_POOL_CALLBACK_FAILED';

/** Calls one pool's onExhausted, at most once at a time. */
export class ExhaustedReporter {
  #running = false;

  constructor(readonly callback: (report: ExhaustedReport) => void) {}

  report(operation: ExhaustedOperation, requested: number, snapshot: () => PoolSnapshot): void {
    if (this.#running) return;
    this.#running = true;
    try {
      const taken = snapshot();
      this.callback(Object.freeze({ operation, requested, summary: formatSummary(taken), snapshot: taken }));
    } catch (error) {
      process.emitWarning(`onExhausted threw; the ${operation}(${requested}) failed as documented all the same: ${describeThrown(error)}`, {
        type: CALLBACK_WARNING_TYPE,
        code: CALLBACK_WARNING_CODE,
      });
    } finally {
      this.#running = false;
    }
  }
}
