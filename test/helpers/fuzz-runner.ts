// SPDX-License-Identifier: MIT
// Runs a fuzz part in a child process (test/fuzz/child.ts) against the ACL double, with the
// double's call log on, and returns the report plus the log's malloc/free ledger. A child that
// dies by a signal, exits non-zero or prints no report is thrown as an Error naming the seed.

import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { aclDouble, freshLogPath, readCalls } from './acl-double.js';
import { type Ledger, ledger } from './acl-ledger.js';
import type { FuzzReport } from './fuzz.js';

const child = join(dirname(fileURLToPath(import.meta.url)), '..', 'fuzz', 'child.ts');

/** Runs `calls` fuzz calls of `part` from `seed` in a fresh node process. */
export function runFuzzChild(part: 'api' | 'native', seed: number, calls: number): { report: FuzzReport; acl: Ledger } {
  const log = freshLogPath();
  const env: Record<string, string | undefined> = { ...process.env, ACL_DOUBLE_LOG: log };
  for (const key of Object.keys(env)) if (key.startsWith('ACL_DOUBLE_') && key !== 'ACL_DOUBLE_LOG') delete env[key];
  delete env['DVPP_POOL_BACKEND'];
  const args = ['--no-warnings', '--import', 'tsx', child, part, String(seed), String(calls), aclDouble().lib64];
  const result = spawnSync(process.execPath, args, { env, encoding: 'utf8', maxBuffer: 1 << 26, timeout: 600_000 });
  const lastLine = result.stdout.trim().split('\n').at(-1) ?? '';
  if (result.signal !== null || result.status !== 0 || !lastLine.startsWith('{')) {
    throw new Error(
      `fuzz child (${part}, seed ${seed}, ${calls} calls) ended with ${result.signal ?? `exit code ${result.status}`}; ` +
        `rerun: node --import tsx test/fuzz/child.ts ${part} ${seed} ${calls} <double lib64>\n${result.stderr.slice(-4000)}`,
    );
  }
  return { report: JSON.parse(lastLine) as FuzzReport, acl: ledger(readCalls(log)) };
}
