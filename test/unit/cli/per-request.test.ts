// SPDX-License-Identifier: MIT
// The demo's per-request comparison stops when its signal aborts (a SIGINT in the comparison
// phase once went unheard until the process died of it) and leaves the pool as it found it.

import { describe, expect, it } from 'vitest';
import { measurePerRequest } from '../../../src/cli/per-request.js';
import { selectBackend } from '../../../src/backends/select.js';
import { BackendUnavailableError } from '../../../src/errors.js';
import { createPool } from '../../../src/index.js';

/** Why the comparison's native side (the host backend) cannot run here, if it cannot. */
function hostUnavailable(): string | undefined {
  try {
    selectBackend('host', {});
    return undefined;
  } catch (error) {
    if (error instanceof BackendUnavailableError) return error.reason;
    throw error;
  }
}
const hostReason = hostUnavailable();

describe('measurePerRequest', () => {
  const lengths = Array.from({ length: 64 }, (_, i) => 1_000 + i * 100);

  it('measures nothing once its signal has aborted', async () => {
    using pool = createPool({ size: 2 ** 20, backend: 'js' });
    const controller = new AbortController();
    controller.abort('SIGTERM');
    expect(await measurePerRequest(pool, lengths, 50, controller.signal)).toEqual({ available: false, reason: 'interrupted by SIGTERM' });
  });

  it.skipIf(hostReason !== undefined)(`stops between passes when the signal aborts while it runs${hostReason === undefined ? '' : ` [host unavailable: ${hostReason}]`}`, async () => {
    using pool = createPool({ size: 2 ** 20, backend: 'js' });
    const controller = new AbortController();
    // A budget of 10 s a side, which the abort cuts short after the first pass.
    const figures = measurePerRequest(pool, lengths, 10_000, controller.signal);
    setImmediate(() => controller.abort('SIGINT'));
    expect(await figures).toEqual({ available: false, reason: 'interrupted by SIGINT' });
    expect(pool.stats().liveSegments).toBe(0);
  });
});
