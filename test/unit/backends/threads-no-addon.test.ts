// SPDX-License-Identifier: MIT
// src/backends/threads.ts where the native addon did not load: ids still tell threads apart
// (Node's threadId + 1), but no thread is ever seen to end (what is lost without the addon).

import { threadId } from 'node:worker_threads';
import { expect, it, vi } from 'vitest';
import { registerThread, threadAlive, threadTracking } from '../../../src/backends/threads.js';

vi.mock('../../../src/backends/native.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../../src/backends/native.js')>()),
  loadAddon: () => ({ reason: 'no addon (simulated)' }),
}));

it('falls back to threadId + 1, and every id reads as alive', () => {
  expect(threadTracking()).toBe('fallback');
  expect(registerThread()).toBe(threadId + 1);
  expect(registerThread()).toBe(registerThread());
  expect(threadAlive(registerThread())).toBe(true);
  expect(threadAlive(12345)).toBe(true);
});
