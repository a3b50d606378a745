// SPDX-License-Identifier: MIT
// Exit paths with live ACL pools that were never closed, one child process each
// (test/reliability/exit-child.ts): the script runs out, process.exit, an uncaught exception, an
// unhandled rejection, and a worker thread that ends, calls process.exit or is terminated; and a
// block shared between the two threads, borrowed by a worker that ends, exits or is terminated,
// or owned by a worker that is terminated while the main thread borrowed it. The double's call
// log must show every successful acldvppMalloc freed exactly once, then aclFinalize.

import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { aclDouble, freshLogPath, readCalls } from '../helpers/acl-double.js';
import { ledger } from '../helpers/acl-ledger.js';

const child = join(dirname(fileURLToPath(import.meta.url)), 'exit-child.ts');

it.each([
  { how: 'end', status: 0, pools: 2 },
  { how: 'exit', status: 0, pools: 2 },
  { how: 'throw', status: 1, pools: 2 },
  { how: 'reject', status: 1, pools: 2 },
  { how: 'worker-end', status: 0, pools: 3 },
  { how: 'worker-exit', status: 0, pools: 3 },
  { how: 'worker-terminate', status: 0, pools: 3 },
])('$how: every block of $pools live pools (three blocks each) is freed exactly once', ({ how, status, pools }) => {
  expectFreedOnce(how, status, 3 * pools);
});

it.each(['worker-borrow-end', 'worker-borrow-exit', 'worker-borrow-terminate', 'worker-owner-terminate'])(
  '%s: the shared block is freed exactly once, by its owner',
  (how) => {
    expectFreedOnce(how, 0, 1);
  },
);

function expectFreedOnce(how: string, status: number, blocks: number): void {
  const log = freshLogPath();
  const env: Record<string, string | undefined> = { ...process.env, ACL_DOUBLE_LOG: log };
  for (const key of Object.keys(env)) if (key.startsWith('ACL_DOUBLE_') && key !== 'ACL_DOUBLE_LOG') delete env[key];
  const run = spawnSync(process.execPath, ['--no-warnings', '--import', 'tsx', child, how, aclDouble().lib64], { env, encoding: 'utf8', timeout: 60_000 });
  expect({ status: run.status, signal: run.signal }, run.stderr).toEqual({ status, signal: null });
  const calls = readCalls(log);
  const { mallocs, frees, problems } = ledger(calls);
  expect(problems).toEqual([]);
  // A terminated worker's console output may be lost, so the blocks are counted in the call log.
  // Each pool grew to three blocks (exit-child.ts).
  expect({ mallocs, frees }).toEqual({ mallocs: blocks, frees: blocks });
  expect(calls.filter((c) => c.name === 'acldvppFree').every((c) => c.ret === 0)).toBe(true);
  expect(calls.at(-1)?.name).toBe('aclFinalize');
}
