// SPDX-License-Identifier: MIT
// Test access to the ACL test double (test/acl-double): builds it once per source hash (a
// cached folder shared by every test process) and hands out its paths and its call log.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach } from 'vitest';

const buildScript = join(dirname(fileURLToPath(import.meta.url)), '..', 'acl-double', 'build.mjs');

/** Paths of a built ACL test double. */
export interface AclDouble {
  /** The CANN-like root: `ASCEND_HOME_PATH=<root>` finds the double. */
  readonly root: string;
  /** `<root>/lib64`, for `acl: { libraryDir }`. */
  readonly lib64: string;
  /** `<root>/lib64/stub`, the decoy that must never be loaded. */
  readonly stub: string;
  /** `lib64` of the variant built without `symbol`. */
  missing(symbol: 'acldvppFree' | 'aclrtGetMemInfo' | 'aclGetRecentErrMsg' | 'hi_mpi_dvpp_free' | 'aclrtFree'): string;
}

let built: AclDouble | undefined;

/** Builds the double (once per process; a no-op when the cached build is current). */
export function aclDouble(): AclDouble {
  if (built !== undefined) return built;
  const root = execFileSync(process.execPath, [buildScript], { encoding: 'utf8' }).trim();
  built = {
    root,
    lib64: join(root, 'lib64'),
    stub: join(root, 'lib64', 'stub'),
    missing: (symbol) => join(root, `missing-${symbol}`, 'lib64'),
  };
  return built;
}

/** A fresh, empty call-log path in a new temporary folder. */
export function freshLogPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'acl-double-')), 'calls.log');
}

/** One parsed line of the call log. */
export interface AclCall {
  /** The function's name, e.g. `acldvppMalloc`; `STUB` for the decoy's load marker. */
  readonly name: string;
  /** The aclError it returned (NaN for the stub marker). */
  readonly ret: number;
  /** The whole line, for messages and argument checks. */
  readonly line: string;
}

/** The calls logged so far at `path`, in order (none when the file does not exist yet). */
export function readCalls(path: string): AclCall[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      if (line.startsWith('STUB')) return { name: 'STUB', ret: Number.NaN, line };
      const match = /^(\w+)\(.*?\) -> (-?\d+)/.exec(line);
      return { name: match?.[1] ?? line, ret: Number(match?.[2]), line };
    });
}

/** The pointer a logged malloc or free line (any of the three allocators) carries, as a bigint. */
export function devPtrOf(call: AclCall): bigint {
  const match = /devPtr=(0x[0-9a-f]+)/.exec(call.line);
  if (match?.[1] === undefined) throw new Error(`no devPtr in: ${call.line}`);
  return BigInt(match[1]);
}

/** What `action` threw; fails the test when it returns instead. */
export function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** A test file's view of the double's call log: a fresh file per test. */
export interface CallLog {
  /** The current test's log file. */
  readonly path: string;
  /** The calls logged so far in this test. */
  calls(): AclCall[];
  /** Their names, without the aclrtGetMemInfo queries every allocation makes. */
  names(): string[];
  /** Starts a new, empty log file for the rest of the test. */
  fresh(): void;
}

/**
 * Points $ACL_DOUBLE_LOG at a fresh file before each test of the calling file, and after each
 * test deletes it and every variable of `variables` (the faults the file injects). Call it at
 * the top level of a test file.
 */
export function useCallLog(variables: readonly string[]): CallLog {
  let path = '';
  const log: CallLog = {
    get path() {
      return path;
    },
    calls: () => readCalls(path),
    names: () => readCalls(path).map((call) => call.name).filter((name) => name !== 'aclrtGetMemInfo'),
    fresh() {
      path = freshLogPath();
      process.env['ACL_DOUBLE_LOG'] = path;
    },
  };
  beforeEach(() => log.fresh());
  afterEach(() => {
    for (const name of variables) delete process.env[name];
    delete process.env['ACL_DOUBLE_LOG'];
  });
  return log;
}
