// SPDX-License-Identifier: MIT
// The acl backend where the process is the subject, one child process (test/acl/child.ts) per
// case: found through ASCEND_HOME_PATH / LD_LIBRARY_PATH, the block freed at exit when the user
// forgot close(), aclInit by the application (100002: no aclFinalize), a failing aclInit, a
// missing library or symbol (auto falls back to host, 'acl' throws), and the stub decoy.

import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type AclCall, type AclDouble, aclDouble, devPtrOf, freshLogPath, readCalls } from '../helpers/acl-double.js';

const here = dirname(fileURLToPath(import.meta.url));

interface Attempt {
  loaded?: string[];
  backend?: { kind: string; fallbackReason?: string };
  base?: string;
  read?: number[];
  error?: { name: string; code: string; message: string; op?: string; aclError?: number; reason?: string };
}

interface ChildRun {
  attempts: Attempt[];
  calls: AclCall[];
}

let double: AclDouble;

/** Runs child.ts with a clean ACL environment plus `env`; returns its attempts and call log. */
function runChild(env: Record<string, string>): ChildRun {
  const log = freshLogPath();
  const base: Record<string, string | undefined> = { ...process.env, ACL_DOUBLE_LOG: log, LD_LIBRARY_PATH: '' };
  // Whatever CANN setup the test machine has must not leak into these cases.
  for (const key of Object.keys(base)) {
    if (key.startsWith('ASCEND_') || (key.startsWith('ACL_DOUBLE_') && key !== 'ACL_DOUBLE_LOG') || key.startsWith('DVPP_')) {
      delete base[key];
    }
  }
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', join(here, 'child.ts')], {
    env: { ...base, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const last = stdout.trim().split('\n').at(-1) ?? '[]';
  return { attempts: JSON.parse(last) as Attempt[], calls: readCalls(log) };
}

function callNames(run: ChildRun): string[] {
  return run.calls.map((c) => c.name).filter((n) => n !== 'aclrtGetMemInfo');
}

beforeAll(() => {
  double = aclDouble();
});

describe('finding the ACL libraries', () => {
  it('through ASCEND_HOME_PATH, read by the process at load', () => {
    const run = runChild({ ASCEND_HOME_PATH: double.root });
    expect(run.attempts).toEqual([{ backend: { kind: 'acl' }, base: expect.any(String), read: [1, 2, 3] }]);
    const mallocs = run.calls.filter((c) => c.name === 'acldvppMalloc');
    const frees = run.calls.filter((c) => c.name === 'acldvppFree');
    expect(mallocs).toHaveLength(1);
    expect(frees.map(devPtrOf)).toEqual([BigInt(run.attempts[0]!.base!)]);
  });

  it('through ASCEND_TOOLKIT_HOME and through LD_LIBRARY_PATH (the default search)', () => {
    expect(runChild({ ASCEND_TOOLKIT_HOME: double.root }).attempts[0]?.backend).toEqual({ kind: 'acl' });
    expect(runChild({ LD_LIBRARY_PATH: double.lib64 }).attempts[0]?.backend).toEqual({ kind: 'acl' });
  });

  it('auto picks acl when a library is found', () => {
    const run = runChild({ DVPP_TEST_BACKEND: 'auto', DVPP_TEST_LIBRARY_DIR: double.lib64 });
    expect(run.attempts[0]?.backend).toEqual({ kind: 'acl' });
  });

  it('no library: auto falls back to host with the reason, acl throws BackendUnavailableError', () => {
    const auto = runChild({ DVPP_TEST_BACKEND: 'auto' });
    expect(auto.attempts[0]?.backend?.kind).toBe('host');
    expect(auto.attempts[0]?.backend?.fallbackReason).toMatch(/^acl: no ACL runtime library .*libascendcl\.so: cannot open shared object file/);
    const acl = runChild({ DVPP_TEST_LIBRARY_DIR: '/nonexistent/lib64' });
    expect(acl.attempts[0]?.error).toMatchObject({ name: 'BackendUnavailableError', code: 'ERR_DVPP_BACKEND_UNAVAILABLE' });
    expect(acl.attempts[0]?.error?.reason).toContain('acl.libraryDir /nonexistent/lib64: no libascendcl.so or libacl_rt.so');
    expect(acl.attempts[0]?.error?.reason).toContain('ASCEND_HOME_PATH and ASCEND_TOOLKIT_HOME are not set');
  });

  it('a missing required symbol (acldvppFree): auto falls back to host, acl throws; no ACL call is made', () => {
    const dir = double.missing('acldvppFree');
    const auto = runChild({ DVPP_TEST_BACKEND: 'auto', DVPP_TEST_LIBRARY_DIR: dir });
    expect(auto.attempts[0]?.backend?.kind).toBe('host');
    expect(auto.attempts[0]?.backend?.fallbackReason).toMatch(/the ACL libraries lack acldvppFree/);
    const acl = runChild({ DVPP_TEST_LIBRARY_DIR: dir });
    expect(acl.attempts[0]?.error).toMatchObject({ name: 'BackendUnavailableError' });
    expect(acl.attempts[0]?.error?.reason).toContain(`DVPP ${dir}/libacl_dvpp.so`);
    expect(acl.calls).toEqual([]);
  });

  it('missing optional symbols (aclrtGetMemInfo, aclGetRecentErrMsg) still give a working acl pool', () => {
    const noMemInfo = runChild({ DVPP_TEST_LIBRARY_DIR: double.missing('aclrtGetMemInfo'), ACL_DOUBLE_FAIL_MALLOC: '1', DVPP_TEST_RETRY: '1' });
    expect(noMemInfo.attempts[0]?.error).toMatchObject({ op: 'acldvppMalloc', aclError: 207001 });
    expect(noMemInfo.attempts[0]?.error?.message).toContain('aclrtGetMemInfo is not available');
    expect(noMemInfo.attempts[1]?.backend).toEqual({ kind: 'acl' });
    const noErrMsg = runChild({ DVPP_TEST_LIBRARY_DIR: double.missing('aclGetRecentErrMsg'), ACL_DOUBLE_FAIL_MALLOC: '1' });
    expect(noErrMsg.attempts[0]?.error).toMatchObject({ op: 'acldvppMalloc', aclError: 207001 });
    expect(noErrMsg.attempts[0]?.error?.message).not.toContain('(ACL:');
  });
});

describe('the stub decoy is never loaded', () => {
  it('as acl.libraryDir', () => {
    const run = runChild({ DVPP_TEST_LIBRARY_DIR: double.stub });
    expect(run.attempts[0]?.error?.reason).toContain(`${double.stub}: skipped, a stub folder holds link-only libraries`);
    expect(run.calls).toEqual([]);
  });

  it('on LD_LIBRARY_PATH, alone or before the real folder', () => {
    const alone = runChild({ LD_LIBRARY_PATH: double.stub });
    expect(alone.attempts[0]?.error?.reason).toMatch(/default search for libascendcl\.so: skipped, LD_LIBRARY_PATH lists a stub folder/);
    expect(alone.calls).toEqual([]);
    const before = runChild({ LD_LIBRARY_PATH: `${double.stub}:${double.lib64}` });
    expect(before.attempts[0]?.backend).toEqual({ kind: 'acl' });
    expect(before.calls.map((c) => c.name)).not.toContain('STUB');
  });
});

describe('process lifecycle', () => {
  it('frees the base once at exit when the pool was never closed, then aclFinalize', () => {
    const run = runChild({ DVPP_TEST_LIBRARY_DIR: double.lib64, DVPP_TEST_CLOSE: '0' });
    const base = BigInt(run.attempts[0]!.base!);
    expect(callNames(run).slice(-3)).toEqual(['acldvppFree', 'aclrtResetDevice', 'aclFinalize']);
    const frees = run.calls.filter((c) => c.name === 'acldvppFree');
    expect(frees.map(devPtrOf)).toEqual([base]);
    expect(frees[0]?.ret).toBe(0);
    expect(run.calls.filter((c) => c.name === 'acldvppMalloc')).toHaveLength(1);
  });

  it('shares one aclInit between the main thread and a worker thread, each with its own block', () => {
    const run = runChild({ DVPP_TEST_LIBRARY_DIR: double.lib64, DVPP_TEST_WORKER: '1' });
    expect(run.attempts.map((a) => a.backend)).toEqual([{ kind: 'acl' }, { kind: 'acl' }]);
    expect(run.attempts[0]?.base).not.toBe(run.attempts[1]?.base);
    expect(run.calls.filter((c) => c.name === 'aclInit')).toHaveLength(1);
    expect(run.calls.filter((c) => c.name === 'acldvppMalloc')).toHaveLength(2);
    expect(run.calls.filter((c) => c.name === 'acldvppFree')).toHaveLength(2);
    expect(callNames(run).at(-1)).toBe('aclFinalize');
  });

  it('accepts an application aclInit (100002) and then never calls aclFinalize', () => {
    const run = runChild({ DVPP_TEST_LIBRARY_DIR: double.lib64, ACL_DOUBLE_PREINIT: '1', DVPP_TEST_CLOSE: '0' });
    expect(run.attempts[0]?.backend).toEqual({ kind: 'acl' });
    expect(run.calls[0]).toMatchObject({ name: 'aclInit', ret: 100002 });
    expect(callNames(run)).not.toContain('aclFinalize');
    expect(callNames(run).slice(-2)).toEqual(['acldvppFree', 'aclrtResetDevice']);
  });

  it('a failing aclInit (ACL_DOUBLE_FAIL_INIT) is an AclError, and the next pool tries aclInit again', () => {
    const run = runChild({ DVPP_TEST_LIBRARY_DIR: double.lib64, ACL_DOUBLE_FAIL_INIT: '500000', DVPP_TEST_RETRY: '1' });
    expect(run.attempts[0]?.error).toMatchObject({ name: 'AclError', code: 'ERR_DVPP_ACL', op: 'aclInit', aclError: 500000 });
    expect(run.attempts[0]?.error?.message).toContain('(ACL: aclInit failed (ACL_DOUBLE_FAIL_INIT))');
    expect(run.attempts[1]?.backend).toEqual({ kind: 'acl' });
    expect(run.calls.filter((c) => c.name === 'aclInit').map((c) => c.ret)).toEqual([500000, 0]);
    expect(callNames(run).at(-1)).toBe('aclFinalize');
  });
});

describe('himpi and rt as processes', () => {
  it.each([
    ['himpi', 'hi_mpi_dvpp_malloc', 'hi_mpi_dvpp_free'],
    ['rt', 'aclrtMalloc', 'aclrtFree'],
  ])('a %s pool left open at exit is freed once by the exit path, in the main thread and in a worker', (kind, malloc, free) => {
    const run = runChild({ DVPP_TEST_BACKEND: kind, DVPP_TEST_LIBRARY_DIR: double.lib64, DVPP_TEST_CLOSE: '0', DVPP_TEST_WORKER: '1' });
    expect(run.attempts.map((a) => a.backend)).toEqual([{ kind }, { kind }]);
    const mallocs = run.calls.filter((c) => c.name === malloc && c.ret === 0).map(devPtrOf);
    const frees = run.calls.filter((c) => c.name === free).map(devPtrOf);
    expect(mallocs).toHaveLength(2);
    expect(frees.sort()).toEqual(mallocs.sort());
    expect(callNames(run)).not.toContain('acldvppMalloc');
  });

  it('each DVPP version loads only its own media library (V1 and V2 are never mixed)', () => {
    const v2 = runChild({ DVPP_TEST_BACKEND: 'himpi', DVPP_TEST_LIBRARY_DIR: double.lib64, DVPP_TEST_MAPS: '1' });
    expect(v2.attempts.at(-1)).toEqual({ loaded: ['libacl_dvpp_mpi.so'] });
    const v1 = runChild({ DVPP_TEST_LIBRARY_DIR: double.lib64, DVPP_TEST_MAPS: '1' });
    expect(v1.attempts.at(-1)).toEqual({ loaded: ['libacl_dvpp.so'] });
    const rt = runChild({ DVPP_TEST_BACKEND: 'rt', DVPP_TEST_LIBRARY_DIR: double.lib64, DVPP_TEST_MAPS: '1' });
    expect(rt.attempts.at(-1)).toEqual({ loaded: [] });
  });

  it.each([
    ['himpi', 'hi_mpi_dvpp_free', /the ACL libraries lack hi_mpi_dvpp_free \(runtime .*, DVPP V2 .*libacl_dvpp_mpi\.so\)/],
    ['rt', 'aclrtFree', /the ACL runtime library lacks aclrtFree/],
  ] as const)('a %s library without %s: BackendUnavailableError naming it, no ACL call', (kind, symbol, reason) => {
    const run = runChild({ DVPP_TEST_BACKEND: kind, DVPP_TEST_LIBRARY_DIR: double.missing(symbol) });
    expect(run.attempts[0]?.error).toMatchObject({ name: 'BackendUnavailableError', code: 'ERR_DVPP_BACKEND_UNAVAILABLE' });
    expect(run.attempts[0]?.error?.reason).toMatch(reason);
    expect(run.calls).toEqual([]);
  });
});
