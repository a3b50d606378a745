// SPDX-License-Identifier: MIT
// The fork guard: a pool used from a process other than the one that created it (process.pid
// differs, as after a startup-snapshot restore) throws ForkedProcessError wherever it would reach
// the backend or start a frame's work: scope, reset, snapshot, validate, close, acquireAsync,
// zeroing acquires and segment byte access. close() then frees nothing. acquire/tryAcquire/
// release stay unchecked (the hot path; no backend call there). The pid is faked here.

import { afterEach, expect, it } from 'vitest';
import { createAclCompat } from '../../src/compat/pyacl.js';
import { ForkedProcessError } from '../../src/errors.js';
import { clearCounts, makeCountingPool } from '../helpers/pool-backends.js';

const realPid = Object.getOwnPropertyDescriptor(process, 'pid')!;

function pretendPid(pid: number): void {
  Object.defineProperty(process, 'pid', { ...realPid, value: pid });
}

afterEach(() => {
  Object.defineProperty(process, 'pid', realPid);
});

function forkedError(action: () => unknown): ForkedProcessError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ForkedProcessError);
    return error as ForkedProcessError;
  }
  throw new Error('expected ForkedProcessError');
}

it('throws ERR_DVPP_FORKED from every checked call, naming both processes, and changes nothing', async () => {
  const { pool, calls } = makeCountingPool('js', 64 * 1024);
  const segment = pool.acquire(1000);
  const acl = createAclCompat(pool);
  const [devPtr] = acl.media.dvpp_malloc(100);
  clearCounts(calls);
  const before = pool.stats();
  pretendPid(realPid.value + 1);

  const error = forkedError(() => pool.scope());
  expect(error.code).toBe('ERR_DVPP_FORKED');
  expect(error.message).toContain(`created by process ${realPid.value} and cannot be used from process ${realPid.value + 1}`);
  for (const call of [
    () => pool.reset(),
    () => pool.snapshot(),
    () => pool.validate(),
    () => pool.close(),
    () => pool.acquire(100, { zero: true }),
    () => segment.write(new Uint8Array(4)),
    () => segment.read(),
    () => segment.fill(1),
    () => acl.rt.memset(devPtr, 8, 0, 8),
  ]) {
    forkedError(call);
  }
  await expect(pool.acquireAsync(100)).rejects.toBeInstanceOf(ForkedProcessError);
  expect(pool.closed).toBe(false);
  expect(calls).toMatchObject({ free: 0, memset: 0, write: 0, read: 0 });
  expect({ ...pool.stats(), peakUsedBytes: 0 }).toEqual({ ...before, peakUsedBytes: 0 });

  // Not checked on the hot path: plain acquire/release make no backend call.
  pool.acquire(100).release();

  Object.defineProperty(process, 'pid', realPid);
  pool.validate();
  pool.reset();
  pool.close();
  expect(calls.free).toBe(1);
});
