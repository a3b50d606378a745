// SPDX-License-Identifier: MIT
// One aclInit and at most one aclFinalize per process, whatever threads load the addon (issue 12,
// item 1). Node unloads an addon when the last environment that loaded it ends, and a DSO's
// atexit handlers run at that unload: without the addon staying resident, the pool freed its
// blocks and called aclFinalize when a worker ended, not at process exit. One child process per
// case (test/acl/resident-child.ts); the double's call log is the evidence.

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { type AclCall, aclDouble, freshLogPath, readCalls } from '../helpers/acl-double.js';
import { ledger } from '../helpers/acl-ledger.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

function runChild(args: string[]): { output: Record<string, unknown>; calls: AclCall[] } {
  const log = freshLogPath();
  const env: Record<string, string | undefined> = { ...process.env, ACL_DOUBLE_LOG: log };
  for (const key of Object.keys(env)) if (key.startsWith('ACL_DOUBLE_') && key !== 'ACL_DOUBLE_LOG') delete env[key];
  const run = spawnSync(process.execPath, ['--no-warnings', '--import', 'tsx', join(here, 'resident-child.ts'), ...args], {
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect({ status: run.status, signal: run.signal }, run.stderr).toEqual({ status: 0, signal: null });
  const last = run.stdout.trim().split('\n').at(-1) ?? '{}';
  return { output: JSON.parse(last) as Record<string, unknown>, calls: readCalls(log) };
}

function named(calls: AclCall[], name: string): AclCall[] {
  return calls.filter((c) => c.name === name);
}

it('workers that end one after another share one aclInit; aclFinalize runs once, at exit, after every free', () => {
  const { output, calls } = runChild(['workers', aclDouble().lib64]);
  expect(output).toEqual({
    workers: [0, 10, 20].map((mark) => ({ base: expect.any(String), read: [mark, mark + 1] })),
    main: { base: expect.any(String), read: [100, 101] },
  });
  expect(named(calls, 'aclInit').map((c) => c.ret)).toEqual([0]);
  expect(named(calls, 'aclFinalize').map((c) => c.ret)).toEqual([0]);
  expect(calls.at(-1)?.name).toBe('aclFinalize');
  const { mallocs, frees, problems } = ledger(calls);
  expect(problems).toEqual([]);
  expect({ mallocs, frees }).toEqual({ mallocs: 4, frees: 4 });
  expect(named(calls, 'acldvppFree').every((c) => c.ret === 0)).toBe(true);
});

it.each(['end', 'exit'])(
  'two copies of the addon (worker initialises, main thread gets 100002), the script ending by %s: each block freed once, aclFinalize once and last',
  (ending) => {
    const addon = (createRequire(import.meta.url)('node-gyp-build') as { path(dir: string): string }).path(root);
    const copy = join(mkdtempSync(join(tmpdir(), 'dvpp-pool-copy-')), 'dvpp_pool.node');
    copyFileSync(addon, copy);
    const { output, calls } = runChild(['copies', aclDouble().lib64, copy, ending]);
    expect(output).toEqual({
      worker: { base: expect.any(String), read: [10, 11] },
      before: { base: expect.any(String), read: [20, 21] },
      // The second copy's pool after the initialising copy's worker ended: ACL is still initialised.
      after: { base: expect.any(String), read: [30, 31] },
    });
    expect(named(calls, 'aclInit').map((c) => c.ret)).toEqual([0, 100002]);
    expect(named(calls, 'aclFinalize').map((c) => c.ret)).toEqual([0]);
    expect(calls.at(-1)?.name).toBe('aclFinalize');
    const { mallocs, frees, problems } = ledger(calls);
    expect(problems).toEqual([]);
    expect({ mallocs, frees }).toEqual({ mallocs: 3, frees: 3 });
    expect(named(calls, 'acldvppFree').every((c) => c.ret === 0)).toBe(true);
  },
);
