// SPDX-License-Identifier: MIT
// The public surface: every name the issue promises is exported from src/index.ts, and the
// pool's @internal helpers are not.

import { expect, test } from 'vitest';
import * as api from '../../../src/index.js';

test('the public names are exported', () => {
  for (const name of [
    'createPool',
    'Pool',
    'Scope',
    'DvppPoolError',
    'PoolExhaustedError',
    'InvalidSegmentError',
    'PoolClosedError',
    'AcquireTimeoutError',
    'BackendUnavailableError',
    'HostMemoryError',
    'AclError',
    'ForkedProcessError',
    'alignUp',
    'segmentSize',
    'DVPP_SIZE_ALIGN',
    'DVPP_SIZE_PAD',
    'DVPP_ADDR_ALIGN',
    'DVPP_MAX_BLOCK_BYTES',
    'STATS_VERSION',
    'LEAK_WARNING_TYPE',
    'LEAK_WARNING_CODE',
  ]) {
    expect(api, name).toHaveProperty(name);
  }
  expect(api.DVPP_SIZE_ALIGN).toBe(32);
  expect(api.DVPP_SIZE_PAD).toBe(32);
  expect(api.DVPP_ADDR_ALIGN).toBe(128);
  expect([0, 1, 32, 33].map((n) => api.alignUp(n, 32))).toEqual([0, 32, 32, 64]);
  expect([0, 1, 32, 33].map(api.segmentSize)).toEqual([32, 64, 64, 96]);
});

test('internal pool modules are not exported', () => {
  for (const name of ['Segment', 'WaitQueue', 'Waiter', 'OffsetIndex', 'parsePoolOptions', 'buildStats', 'buildSnapshot', 'warnLeaks']) {
    expect(api, name).not.toHaveProperty(name);
  }
});

test('createPool is a thin wrapper of new Pool', () => {
  using pool = api.createPool({ size: 1024, backend: 'js' });
  expect(pool).toBeInstanceOf(api.Pool);
  using direct = new api.Pool({ size: 1024, backend: 'js' });
  expect(direct.capacity).toBe(1024);
});
