// SPDX-License-Identifier: MIT
// Contender that allocates nothing: every alloc succeeds with the same handle. Its replay time is
// the harness's own loop cost (table reads/writes, calls through the contract), reported beside
// the real contenders so their figures can be read net of it.

import type { Contender } from '../../src/trace/replay.js';

export const noopContender: Contender<number> = {
  name: 'noop (harness loop overhead)',
  create: () => ({
    alloc: () => 1,
    free: () => undefined,
  }),
};
